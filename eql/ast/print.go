package ast

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file prints nodes back as EQL. The output is canonical (keywords in
// lower case, single spaces, strings re-escaped) and parses back to an equal
// tree, which the parser's round-trip test and fuzz target check.

func (q *Query) String() string {
	var b strings.Builder
	b.WriteString(q.Body.String())
	for _, p := range q.Pipes {
		b.WriteString(" ")
		b.WriteString(p.String())
	}
	return b.String()
}

func (p *Pipe) String() string {
	return "| " + p.Kind.String() + " " + strconv.FormatInt(p.N, 10)
}

func (e *EventQuery) String() string {
	return categoryString(e) + " where " + exprString(e.Cond)
}

func categoryString(e *EventQuery) string {
	if e.Any {
		return "any"
	}
	if !e.Quoted && isIdent(e.Category) && !IsKeyword(e.Category) {
		return e.Category
	}
	return quote(e.Category)
}

func (s *Stage) String() string {
	var b strings.Builder
	if s.Missing {
		b.WriteString("!")
	}
	b.WriteString("[")
	b.WriteString(s.Query.String())
	b.WriteString("]")
	if len(s.By) > 0 {
		b.WriteString(" by ")
		writeList(&b, s.By)
	}
	if s.Runs > 0 {
		b.WriteString(" with runs=")
		b.WriteString(strconv.Itoa(s.Runs))
	}
	return b.String()
}

func (d *Duration) String() string {
	return strconv.FormatInt(d.Value, 10) + d.Unit
}

func (s *SequenceQuery) String() string {
	var b strings.Builder
	b.WriteString("sequence")
	if len(s.By) > 0 {
		b.WriteString(" by ")
		writeList(&b, s.By)
	}
	if s.MaxSpan != nil {
		b.WriteString(" with maxspan=")
		b.WriteString(s.MaxSpan.String())
	}
	for _, st := range s.Stages {
		b.WriteString(" ")
		b.WriteString(st.String())
	}
	if s.Until != nil {
		b.WriteString(" until ")
		b.WriteString(s.Until.String())
	}
	return b.String()
}

func (s *SampleQuery) String() string {
	var b strings.Builder
	b.WriteString("sample")
	if len(s.By) > 0 {
		b.WriteString(" by ")
		writeList(&b, s.By)
	}
	for _, st := range s.Stages {
		b.WriteString(" ")
		b.WriteString(st.String())
	}
	return b.String()
}

func writeList(b *strings.Builder, l []Expr) {
	for i, e := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		writeExpr(b, e)
	}
}

// exprString prints e through writeExpr.
func exprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e)
	return b.String()
}

// writeExpr prints an expression into one builder. Composite nodes must not
// be printed by concatenating their children's String results: a chain of n
// operators would then copy its text once per level, which is quadratic in
// the query length.
func writeExpr(b *strings.Builder, e Expr) {
	switch x := e.(type) {
	case *Unary:
		switch x.Op {
		case Neg:
			b.WriteString("-")
		case Plus:
			b.WriteString("+")
		default:
			b.WriteString("not ")
		}
		writeExpr(b, x.X)
	case *Binary:
		writeExpr(b, x.X)
		b.WriteString(" " + x.Op.String() + " ")
		writeExpr(b, x.Y)
	case *Match:
		writeExpr(b, x.X)
		if x.Op == Colon {
			b.WriteString(" : ")
		} else {
			b.WriteString(" " + x.Op.String() + " ")
		}
		if x.List || len(x.Patterns) != 1 {
			b.WriteString("(")
			writeList(b, x.Patterns)
			b.WriteString(")")
		} else {
			writeExpr(b, x.Patterns[0])
		}
	case *In:
		writeExpr(b, x.X)
		if x.Not {
			b.WriteString(" not")
		}
		b.WriteString(" in")
		if x.CaseInsensitive {
			b.WriteString("~")
		}
		b.WriteString(" (")
		writeList(b, x.List)
		b.WriteString(")")
	case *Call:
		b.WriteString(x.Name)
		if x.CaseInsensitive {
			b.WriteString("~")
		}
		b.WriteString("(")
		writeList(b, x.Args)
		b.WriteString(")")
	case *Paren:
		b.WriteString("(")
		writeExpr(b, x.X)
		b.WriteString(")")
	default:
		b.WriteString(e.String())
	}
}

func (x *Null) String() string { return "null" }
func (x *Bool) String() string {
	if x.Value {
		return "true"
	}
	return "false"
}
func (x *Int) String() string { return strconv.FormatInt(x.Value, 10) }
func (x *Float) String() string {
	if x.Text != "" {
		return x.Text
	}
	s := strconv.FormatFloat(x.Value, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEIN") {
		s += ".0"
	}
	return s
}
func (x *String) String() string { return quote(x.Value) }

func (x *Field) String() string {
	var b strings.Builder
	if x.Optional {
		b.WriteString("?")
	}
	b.WriteString(FieldString(x.Name))
	return b.String()
}

// FieldString renders a field name so that it parses back: plain dotted
// identifiers as they are, anything else in backticks.
func FieldString(name string) string {
	plain := name != ""
	for _, part := range strings.Split(name, ".") {
		if !isIdent(part) || IsKeyword(part) {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (x *Unary) String() string { return exprString(x) }

func (x *Binary) String() string { return exprString(x) }

func (x *Match) String() string { return exprString(x) }

func (x *In) String() string { return exprString(x) }

func (x *Call) String() string { return exprString(x) }

func (x *Paren) String() string { return exprString(x) }

// keywords are the reserved words of the grammar; as field names they must
// be escaped with backticks.
var keywords = map[string]bool{
	"and": true, "any": true, "by": true, "false": true, "in": true, "like": true,
	"maxspan": true, "not": true, "null": true, "of": true, "or": true, "regex": true,
	"runs": true, "sample": true, "sequence": true, "true": true, "until": true,
	"where": true, "with": true, "join": true,
}

// IsKeyword reports whether s is a reserved word of EQL (case-insensitive,
// as in Elasticsearch's grammar).
func IsKeyword(s string) bool { return keywords[strings.ToLower(s)] }

// isIdent reports whether s is a plain identifier: an ASCII letter, _ or @
// followed by ASCII letters, digits, _ and @. The letters are ASCII only,
// as in Elasticsearch's lexer: any other name must print in backquotes.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '@' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
		case i > 0 && '0' <= r && r <= '9':
		default:
			return false
		}
	}
	return true
}

// quote renders s as a double-quoted EQL string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == utf8.RuneError && size == 1:
			// Invalid UTF-8 cannot be written literally; escape the byte's code point.
			b.WriteString(hexEscape(rune(s[i])))
		case r < 0x20 || r == 0x7f:
			b.WriteString(hexEscape(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
	return b.String()
}

// hexEscape writes r as \u{XX}, with at least the two digits the grammar asks for.
func hexEscape(r rune) string {
	h := strconv.FormatInt(int64(r), 16)
	if len(h) < 2 {
		h = "0" + h
	}
	return `\u{` + h + `}`
}
