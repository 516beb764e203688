package engine

import (
	"strconv"
	"strings"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/eql/ast"
)

// Anchors are how an event finds the few rules that can match it. For each
// stage of a rule we look for a necessary condition of the form "field holds
// one of these values" — a conjunct such as process.name : ("a.exe", "b.exe")
// or event.action == "x", or an `or` of such conditions — and index the
// rule under those values. An event then evaluates only the rules indexed
// under one of its own values, plus the rules none of whose conditions could
// be indexed. Conditions are necessary, so indexing never loses a match.

// term is "field holds one of values" or, with contains, "field contains
// one of values"; fold means the comparison ignores case (values are then
// lower-case).
type term struct {
	field    string
	values   []string
	fold     bool
	contains bool
}

// anchor is a disjunction of terms: a stage can match only if one holds.
type anchor []term

// fieldPrior estimates the fraction of events a single value of a field
// selects. Fields not listed are assumed selective (names, paths, codes):
// a value of one selects 0.2% of events, so that a list of a hundred
// process names still beats event.type == "start", which within the
// process category (routing is per category) selects most events.
var fieldPrior = map[string]float64{
	"host.os.type": 0.34, "host.os.family": 0.34, "host.os.name": 0.34, "host.os.platform": 0.34,
	"event.type": 0.3, "event.category": 0.3, "event.kind": 0.9, "event.outcome": 0.5,
	"event.module": 0.3, "event.dataset": 0.2, "event.provider": 0.1, "event.action": 0.05,
	"network.direction": 0.3, "network.transport": 0.4, "network.protocol": 0.2, "network.type": 0.4,
	"dns.question.type": 0.3, "agent.type": 0.5, "data_stream.dataset": 0.2, "data_stream.type": 0.9,
	"user.domain": 0.3, "process.Ext.token.integrity_level_name": 0.3, "winlog.channel": 0.2,
}

func (a anchor) weight() float64 {
	w := 0.0
	for _, t := range a {
		if t.contains {
			for _, v := range t.values {
				w += literalWeight(v)
			}
			continue
		}
		p, ok := fieldPrior[t.field]
		if !ok {
			p = 0.002
		}
		w += p * float64(len(t.values))
	}
	return w
}

// literalWeight estimates how many values contain a literal: short ones
// (".", "\\") are everywhere, long ones rare. Even the longest weighs more
// than one exact value of a selective field, because finding literals costs
// a scan of the field's text where exact values cost a lookup.
func literalWeight(lit string) float64 {
	switch n := len(lit); {
	case n >= 8:
		return 0.004
	case n >= 5:
		return 0.01
	case n >= 3:
		return 0.1
	}
	return 0.6
}

// requiredLiteral is the longest run of a wildcard pattern without * or ?:
// any value the pattern matches contains it.
func requiredLiteral(pattern string) string {
	best := ""
	for _, part := range strings.FieldsFunc(pattern, func(r rune) bool { return r == '*' || r == '?' }) {
		if len(part) > len(best) {
			best = part
		}
	}
	return best
}

// regexLiterals returns literals one of which every value matching the
// Lucene regular expression contains, or nil when it finds none. It is
// conservative: it gives up on the operators ~ & < #, takes only ASCII
// characters outside classes and groups that may repeat zero times, and,
// when the expression ignores case, no k or s (which Unicode folds with
// non-ASCII letters: the Kelvin sign, the long s).
func regexLiterals(pattern string, fold bool) []string {
	if strings.ContainsAny(pattern, "~&<#") {
		return nil
	}
	p := regexParser{src: pattern, fold: fold}
	req, ok := p.union()
	if !ok || p.pos != len(p.src) {
		return nil
	}
	return req
}

type regexParser struct {
	src  string
	pos  int
	fold bool
}

// union is the literals of alternatives: each must have some.
func (p *regexParser) union() ([]string, bool) {
	var out []string
	all := true
	for {
		req, ok := p.concat()
		if !ok {
			return nil, false
		}
		all = all && req != nil
		out = append(out, req...)
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			continue
		}
		if !all {
			return nil, true
		}
		return out, true
	}
}

// concat finds the requirements of a sequence — runs of literal characters,
// groups that must occur — and returns the most selective.
func (p *regexParser) concat() ([]string, bool) {
	var best []string
	bestW := 0.0
	consider := func(req []string) {
		w := 0.0
		for _, l := range req {
			w += literalWeight(l)
		}
		if best == nil || w < bestW {
			best, bestW = req, w
		}
	}
	var run []byte
	flush := func() {
		if len(run) > 0 {
			consider([]string{string(run)})
			run = nil
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '|' || c == ')' {
			break
		}
		var lit byte // the atom is this literal character, if not 0
		var req []string
		switch c {
		case '*', '+', '?', '{':
			return nil, false // nothing to repeat
		case '(':
			p.pos++
			r, ok := p.union()
			if !ok || p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, false
			}
			p.pos++
			req = r
		case '[':
			end := p.pos + 1
			for end < len(p.src) && (p.src[end] != ']' || end == p.pos+1) {
				if p.src[end] == '\\' {
					end++
				}
				end++
			}
			if end >= len(p.src) {
				return nil, false
			}
			p.pos = end + 1
		case '"':
			end := strings.IndexByte(p.src[p.pos+1:], '"')
			if end < 0 {
				return nil, false
			}
			q := p.src[p.pos+1 : p.pos+1+end]
			p.pos += end + 2
			if p.usable(q) {
				req = []string{q}
			}
		case '\\':
			if p.pos+1 >= len(p.src) {
				return nil, false
			}
			e := p.src[p.pos+1]
			p.pos += 2
			if !strings.ContainsRune("dDsSwW", rune(e)) && p.usable(string(e)) {
				lit = e
			} else if e >= 0x80 {
				return nil, false // a multi-byte rune: not followed here
			}
		case '.', '@':
			p.pos++
		default:
			p.pos++
			if p.usable(string(c)) {
				lit = c
			} else if c >= 0x80 {
				// The rest of a multi-byte rune follows: skip it whole.
				for p.pos < len(p.src) && p.src[p.pos]&0xC0 == 0x80 {
					p.pos++
				}
			}
		}
		least, ok := p.quantifier()
		if !ok {
			return nil, false
		}
		switch {
		case lit != 0 && least == 1:
			run = append(run, lit)
		case lit != 0 && least > 1:
			run = append(run, lit)
			flush()
		default:
			flush()
			if req != nil && least > 0 {
				consider(req)
			}
		}
	}
	flush()
	return best, true
}

// quantifier reads the repetitions after an atom and says how often the
// atom occurs at least: 0, exactly once (1), or once or more (2, which ends
// a run of literal characters).
func (p *regexParser) quantifier() (int, bool) {
	least := 1
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case '*', '?':
			least = 0
			p.pos++
		case '+':
			least = min(least*2, 2)
			p.pos++
		case '{':
			end := strings.IndexByte(p.src[p.pos:], '}')
			if end < 0 {
				return 0, false
			}
			spec := p.src[p.pos+1 : p.pos+end]
			p.pos += end + 1
			lo, _, _ := strings.Cut(spec, ",")
			n, err := strconv.Atoi(lo)
			if err != nil || n < 0 {
				return 0, false
			}
			switch {
			case n == 0:
				least = 0
			case spec != "1" && spec != "1,1":
				least = min(least*2, 2)
			}
		default:
			return least, true
		}
	}
	return least, true
}

// usable reports whether s can be part of a required literal.
func (p *regexParser) usable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || p.fold && strings.IndexByte("kKsS", c) >= 0 {
			return false
		}
	}
	return true
}

// anchorFor finds the most selective necessary condition of a stage's
// where clause, or nil.
func anchorFor(cond ast.Expr, schema eql.Schema) anchor {
	cands := anchors(cond, schema)
	var best anchor
	bestW := 0.0
	for _, a := range cands {
		if w := a.weight(); best == nil || w < bestW {
			best, bestW = a, w
		}
	}
	if bestW >= 1 {
		return nil // selects most events anyway
	}
	return best
}

// anchors returns every necessary condition found in e, each on its own
// sufficient to rule an event out.
func anchors(e ast.Expr, schema eql.Schema) []anchor {
	switch x := e.(type) {
	case *ast.Paren:
		return anchors(x.X, schema)
	case *ast.Binary:
		switch x.Op {
		case ast.And:
			return append(anchors(x.X, schema), anchors(x.Y, schema)...)
		case ast.Or:
			l, r := anchorFor(x.X, schema), anchorFor(x.Y, schema)
			if l == nil || r == nil {
				return nil
			}
			return []anchor{mergeAnchors(l, r)}
		case ast.Eq:
			if t, ok := termOf(x.X, []ast.Expr{x.Y}, false, schema); ok {
				return []anchor{{t}}
			}
			if t, ok := termOf(x.Y, []ast.Expr{x.X}, false, schema); ok {
				return []anchor{{t}}
			}
		}
	case *ast.In:
		if !x.Not {
			if t, ok := termOf(x.X, x.List, x.CaseInsensitive, schema); ok {
				return []anchor{{t}}
			}
		}
	case *ast.Match:
		switch x.Op {
		case ast.Colon, ast.LikeI, ast.Like:
			fold := x.Op != ast.Like
			wild := false
			for _, p := range x.Patterns {
				s, ok := p.(*ast.String)
				if !ok {
					return nil
				}
				if strings.ContainsAny(s.Value, "*?") {
					wild = true
				}
			}
			if !wild {
				if t, ok := termOf(x.X, x.Patterns, fold, schema); ok {
					return []anchor{{t}}
				}
				return nil
			}
			var lits []ast.Expr
			for _, p := range x.Patterns {
				lit := requiredLiteral(p.(*ast.String).Value)
				if lit == "" {
					return nil // a pattern such as "*" matches anything
				}
				lits = append(lits, &ast.String{Value: lit})
			}
			if t, ok := termOf(x.X, lits, fold, schema); ok {
				t.contains = true
				return []anchor{{t}}
			}
		case ast.Regex, ast.RegexI:
			// A value matching one of the regular expressions contains
			// one of their required literals.
			fold := x.Op == ast.RegexI
			var lits []ast.Expr
			for _, p := range x.Patterns {
				s, ok := p.(*ast.String)
				if !ok {
					return nil
				}
				req := regexLiterals(s.Value, fold)
				if req == nil {
					return nil
				}
				for _, l := range req {
					lits = append(lits, &ast.String{Value: l})
				}
			}
			if t, ok := termOf(x.X, lits, fold, schema); ok {
				t.contains = true
				return []anchor{{t}}
			}
		}
	case *ast.Call:
		// startsWith/endsWith/stringContains(field, "literal"): the field
		// contains the literal.
		switch strings.ToLower(x.Name) {
		case "startswith", "endswith", "stringcontains":
			if len(x.Args) == 2 {
				if s, ok := ast.Unparen(x.Args[1]).(*ast.String); ok && s.Value != "" {
					if t, ok := termOf(x.Args[0], []ast.Expr{s}, x.CaseInsensitive, schema); ok {
						t.contains = true
						return []anchor{{t}}
					}
				}
			}
		}
	}
	return nil
}

// mergeAnchors is the anchor of `l or r`: either holds.
func mergeAnchors(l, r anchor) anchor {
	out := append(anchor(nil), l...)
	for _, t := range r {
		merged := false
		for i := range out {
			if out[i].field == t.field && out[i].fold == t.fold && out[i].contains == t.contains {
				out[i].values = append(append([]string(nil), out[i].values...), t.values...)
				merged = true
				break
			}
		}
		if !merged {
			out = append(out, t)
		}
	}
	return out
}

// termOf makes a term of `field op constants` when the field's values can
// be compared as strings: keyword-like or untyped fields with string
// constants, and integer constants (compared in decimal).
func termOf(fe ast.Expr, consts []ast.Expr, fold bool, schema eql.Schema) (term, bool) {
	f, ok := ast.Unparen(fe).(*ast.Field)
	if !ok {
		return term{}, false
	}
	typ := eql.TypeUnknown
	if schema != nil {
		if fi, known := schema.Field(f.Name); known {
			if fi.Alias != "" || fi.NullValue.Kind() != eql.KindNull {
				return term{}, false
			}
			typ = fi.Type
		}
	}
	t := term{field: f.Name, fold: fold}
	for _, c := range consts {
		switch v := ast.Unparen(c).(type) {
		case *ast.String:
			if typ != eql.TypeUnknown && typ != eql.TypeKeyword && typ != eql.TypeText {
				return term{}, false
			}
			s := v.Value
			if fold {
				s = strings.ToLower(s)
			}
			t.values = append(t.values, s)
		case *ast.Int:
			if typ != eql.TypeUnknown && typ != eql.TypeLong && typ != eql.TypeKeyword {
				return term{}, false
			}
			t.values = append(t.values, strconv.FormatInt(v.Value, 10))
		default:
			return term{}, false
		}
	}
	if len(t.values) == 0 {
		return term{}, false
	}
	return t, true
}

// looksInteger reports whether s could parse as a decimal integer, so that
// the common non-numeric strings skip strconv (whose errors allocate).
func looksInteger(s string) bool {
	s = strings.TrimSpace(s)
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" || len(s) > 19 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
