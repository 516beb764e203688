package parser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/eqld/eqld/eql/ast"
)

// item is one token with its place in the query text.
type item struct {
	tok token
	pos ast.Pos // offset of the first byte
	end ast.Pos // offset just past the last byte
	val string  // identifier name, decoded string value or number text
	raw bool    // a string written """raw"""
}

// errorHandler receives the scanner's complaints. fatal is set when the
// input cannot be split into tokens any further in a meaningful way.
type errorHandler func(pos ast.Pos, msg string, fatal bool)

// scanner splits EQL text into tokens. It is a hand-written loop over the
// bytes, in the manner of go/scanner: one token per call, no backtracking
// beyond a few bytes of look-ahead, so scanning is linear in the input.
type scanner struct {
	src string
	off int
	err errorHandler
	sb  strings.Builder // reused to decode strings that contain escapes
}

func (s *scanner) init(src string, err errorHandler) {
	s.src = src
	s.off = 0
	s.err = err
}

// at returns the byte at offset off, or 0 past the end.
func (s *scanner) at(off int) byte {
	if off < len(s.src) {
		return s.src[off]
	}
	return 0
}

func isLetter(c byte) bool     { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isHex(c byte) bool        { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isIdentStart(c byte) bool { return isLetter(c) || c == '_' || c == '@' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// skipSpace skips whitespace and comments. Elasticsearch's grammar treats
// only space, tab, CR and LF as whitespace; `//` comments run to the end of
// the line and `/* */` comments nest.
func (s *scanner) skipSpace() {
	for s.off < len(s.src) {
		switch c := s.src[s.off]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			s.off++
		case c == '/' && s.at(s.off+1) == '/':
			if i := strings.IndexAny(s.src[s.off:], "\r\n"); i >= 0 {
				s.off += i
			} else {
				s.off = len(s.src)
			}
		case c == '/' && s.at(s.off+1) == '*':
			s.skipBlockComment()
		default:
			return
		}
	}
}

func (s *scanner) skipBlockComment() {
	start := s.off
	depth := 0
	for s.off < len(s.src) {
		switch {
		case s.src[s.off] == '/' && s.at(s.off+1) == '*':
			depth++
			s.off += 2
		case s.src[s.off] == '*' && s.at(s.off+1) == '/':
			depth--
			s.off += 2
			if depth == 0 {
				return
			}
		default:
			s.off++
		}
	}
	s.err(ast.Pos(start), "comment not terminated: `/*` has no matching `*/`", true)
}

// scan returns the next token.
func (s *scanner) scan() item {
	s.skipSpace()
	start := s.off
	it := item{pos: ast.Pos(start)}
	if s.off >= len(s.src) {
		it.tok = tEOF
		it.end = it.pos
		return it
	}
	c := s.src[s.off]
	switch {
	case isIdentStart(c):
		s.scanIdent(&it)
	case isDigit(c) || c == '.' && isDigit(s.at(s.off+1)):
		s.scanNumber(&it)
	case c == '"':
		s.scanString(&it)
	case c == '\'':
		s.scanSingleQuoted(&it)
	case c == '`':
		s.scanQuotedIdent(&it)
	case c == '?' && (s.at(s.off+1) == '"' || s.at(s.off+1) == '\''):
		s.scanQuestionString(&it)
	default:
		s.scanOperator(&it)
	}
	it.end = ast.Pos(s.off)
	return it
}

func (s *scanner) scanIdent(it *item) {
	start := s.off
	for s.off < len(s.src) && isIdentPart(s.src[s.off]) {
		s.off++
	}
	word := s.src[start:s.off]
	if s.at(s.off) == '~' {
		// `in~`, `like~` and `regex~` are operators; any other word directly
		// followed by ~ names a case-insensitive function, keywords included
		// (Elasticsearch's lexer prefers the longer TILDE_IDENTIFIER match).
		s.off++
		switch word {
		case "in":
			it.tok = tInI
		case "like":
			it.tok = tLikeI
		case "regex":
			it.tok = tRegexI
		default:
			it.tok = tTildeIdent
			it.val = word
		}
		return
	}
	if kw, ok := keywords[word]; ok {
		it.tok = kw
		return
	}
	it.tok = tIdent
	it.val = word
}

// scanNumber follows Elasticsearch's INTEGER_VALUE and DECIMAL_VALUE rules:
// digits, an optional fraction (`1.`, `.5`, `1.5`) and an optional exponent
// that needs at least one digit. Letters right after a number start a new
// token, which is how `5m` in `maxspan=5m` becomes a number and a unit.
func (s *scanner) scanNumber(it *item) {
	start := s.off
	decimal := false
	for isDigit(s.at(s.off)) {
		s.off++
	}
	if s.at(s.off) == '.' {
		decimal = true
		s.off++
		for isDigit(s.at(s.off)) {
			s.off++
		}
	}
	if e := s.at(s.off); e == 'e' || e == 'E' {
		i := s.off + 1
		if sign := s.at(i); sign == '+' || sign == '-' {
			i++
		}
		if isDigit(s.at(i)) {
			decimal = true
			for s.off = i; isDigit(s.at(s.off)); s.off++ {
			}
		}
	}
	it.val = s.src[start:s.off]
	if decimal {
		it.tok = tFloat
	} else {
		it.tok = tInt
	}
}

// scanString scans "text" (with escapes) or """raw text""" (without).
// Neither may span lines, as in Elasticsearch's STRING rule.
func (s *scanner) scanString(it *item) {
	it.tok = tString
	if strings.HasPrefix(s.src[s.off:], `"""`) {
		s.scanRawString(it)
		return
	}
	it.val = s.scanEscaped('"')
}

// scanRawString scans """text""".
// The text ends at the first """ and may be followed by up to two more
// quotes that belong to the text, so """a""""" is the string a"".
func (s *scanner) scanRawString(it *item) {
	it.raw = true
	start := s.off
	body := s.src[start+3:]
	end := -1
	for i := 0; i < len(body); i++ {
		if c := body[i]; c == '\r' || c == '\n' {
			break
		} else if c == '"' && strings.HasPrefix(body[i:], `"""`) {
			end = i
			break
		}
	}
	if end < 0 {
		s.off = start + 3
		for s.off < len(s.src) && s.src[s.off] != '\n' && s.src[s.off] != '\r' {
			s.off++
		}
		s.err(ast.Pos(start), "raw string not terminated: `\"\"\"` must be closed by `\"\"\"` on the same line", true)
		return
	}
	n := end + 3
	for extra := 0; extra < 2 && n < len(body) && body[n] == '"'; extra++ {
		n++
	}
	it.val = body[:n-3]
	s.off = start + 3 + n
}

// scanEscaped scans a string delimited by quote, starting at the opening
// quote, and returns its decoded value.
func (s *scanner) scanEscaped(quote byte) string {
	start := s.off
	s.off++
	// Fast path: no escapes, so the value is a slice of the source.
	for i := s.off; i < len(s.src); i++ {
		c := s.src[i]
		if c == quote {
			s.off = i + 1
			return s.src[start+1 : i]
		}
		if c == '\\' || c == '\n' || c == '\r' {
			break
		}
	}
	s.sb.Reset()
	for {
		if s.off >= len(s.src) || s.src[s.off] == '\n' || s.src[s.off] == '\r' {
			s.err(ast.Pos(start), fmt.Sprintf("string not terminated: `%c` must be closed by `%c` on the same line", quote, quote), true)
			return s.sb.String()
		}
		c := s.src[s.off]
		switch {
		case c == quote:
			s.off++
			return s.sb.String()
		case c == '\\':
			s.scanEscape()
		default:
			s.sb.WriteByte(c)
			s.off++
		}
	}
}

// scanEscape decodes one escape sequence at s.off into s.sb.
func (s *scanner) scanEscape() {
	start := s.off
	if start+1 >= len(s.src) || s.src[start+1] == '\n' || s.src[start+1] == '\r' {
		// A backslash at the end of the line: skip it and let the caller
		// report the unterminated string.
		s.off++
		return
	}
	c := s.src[start+1]
	s.off += 2
	switch c {
	case 'b':
		s.sb.WriteByte('\b')
	case 't':
		s.sb.WriteByte('\t')
	case 'n':
		s.sb.WriteByte('\n')
	case 'f':
		s.sb.WriteByte('\f')
	case 'r':
		s.sb.WriteByte('\r')
	case '"', '\'', '\\':
		s.sb.WriteByte(c)
	case 'u':
		s.scanUnicodeEscape(start)
	default:
		r, size := utf8.DecodeRuneInString(s.src[start+1:])
		s.off = start + 1 + size
		seq := "`\\" + string(r) + "`"
		if !unicode.IsPrint(r) {
			seq = fmt.Sprintf("`\\` followed by U+%04X", r)
		}
		s.err(ast.Pos(start), "unknown escape sequence "+seq+" in string; the escapes are \\\" \\\\ \\' \\n \\r \\t \\b \\f and \\u{hex}, and a literal backslash is written \\\\", false)
	}
}

// scanUnicodeEscape decodes \u{X…} with 2 to 8 hex digits naming a Unicode
// code point. start is the offset of the backslash; s.off is past the u.
func (s *scanner) scanUnicodeEscape(start int) {
	const form = "`\\u` must be followed by 2 to 8 hex digits in braces, as in `\\u{20AC}`"
	if s.at(s.off) != '{' {
		s.err(ast.Pos(start), form, false)
		return
	}
	i := s.off + 1
	for isHex(s.at(i)) {
		i++
	}
	digits := s.src[s.off+1 : i]
	if s.at(i) != '}' || len(digits) < 2 || len(digits) > 8 {
		s.err(ast.Pos(start), form, false)
		if s.at(i) == '}' {
			s.off = i + 1
		} else {
			s.off = i
		}
		return
	}
	s.off = i + 1
	text := s.src[start:s.off]
	v, err := strconv.ParseUint(digits, 16, 32)
	switch {
	case err != nil || v > unicode.MaxRune:
		s.err(ast.Pos(start), fmt.Sprintf("`%s` is not a Unicode code point (the largest is 10FFFF)", text), false)
	case 0xD800 <= v && v <= 0xDFFF:
		s.err(ast.Pos(start), fmt.Sprintf("`%s` is a UTF-16 surrogate, not a character; write the code point itself", text), false)
	default:
		s.sb.WriteRune(rune(v))
	}
}

// scanSingleQuoted scans 'text', which Elasticsearch rejects, so that the
// error can show the double-quoted form the author needs.
func (s *scanner) scanSingleQuoted(it *item) {
	start := s.off
	it.tok = tString
	it.val = s.scanEscaped('\'')
	s.err(ast.Pos(start), fmt.Sprintf("strings are written in double quotes in EQL: use %s instead of %s", quoteString(it.val), s.src[start:s.off]), false)
}

// scanQuestionString scans the Endgame raw strings ?"text" and ?'text',
// which Elasticsearch rejects in favour of """text""".
func (s *scanner) scanQuestionString(it *item) {
	start := s.off
	quote := s.src[s.off+1]
	it.tok = tString
	it.raw = true
	i := s.off + 2
	for ; i < len(s.src); i++ {
		c := s.src[i]
		if c == '\\' && s.at(i+1) == quote {
			i++
			continue
		}
		if c == quote || c == '\n' || c == '\r' {
			break
		}
	}
	if s.at(i) != quote {
		s.off = i
		s.err(ast.Pos(start), "string not terminated", true)
		return
	}
	s.off = i + 1
	it.val = s.src[start+2 : i]
	s.err(ast.Pos(start), fmt.Sprintf("`?%c…%c` raw strings are not supported by Elasticsearch EQL; write raw strings in triple double quotes: \"\"\"%s\"\"\"", quote, quote, it.val), false)
}

// scanQuotedIdent scans a backquoted field name; a doubled backquote stands
// for one backquote. The name may contain any character, line breaks too.
func (s *scanner) scanQuotedIdent(it *item) {
	start := s.off
	it.tok = tQuotedIdent
	s.off++
	escaped := false
	for {
		i := strings.IndexByte(s.src[s.off:], '`')
		if i < 0 {
			s.off = len(s.src)
			s.err(ast.Pos(start), "field name not terminated: the opening ` has no closing `", true)
			return
		}
		s.off += i + 1
		if s.at(s.off) != '`' {
			break
		}
		escaped = true
		s.off++
	}
	name := s.src[start+1 : s.off-1]
	if escaped {
		name = strings.ReplaceAll(name, "``", "`")
	}
	if name == "" {
		s.err(ast.Pos(start), "empty field name ``", false)
	}
	it.val = name
}

// scanOperator scans punctuation and operators, and explains the operators
// of other languages that EQL spells differently.
func (s *scanner) scanOperator(it *item) {
	c := s.src[s.off]
	next := s.at(s.off + 1)
	one := func(t token) { it.tok = t; s.off++ }
	two := func(t token) { it.tok = t; s.off += 2 }
	switch c {
	case '=':
		if next == '=' {
			two(tEq)
		} else {
			one(tAssign)
		}
	case '!':
		switch next {
		case '=':
			two(tNeq)
		case '[':
			two(tBangLbrack)
		default:
			s.illegal(it, "`!` is not an EQL operator: use `not` to negate a condition, `!=` for inequality and `![` for a missing-event stage", 1)
		}
	case '<':
		switch next {
		case '=':
			two(tLe)
		case '>':
			s.illegal(it, "`<>` is not an EQL operator: use `!=`", 2)
		default:
			one(tLt)
		}
	case '>':
		if next == '=' {
			two(tGe)
		} else {
			one(tGt)
		}
	case '&':
		if next == '&' {
			s.illegal(it, "`&&` is not an EQL operator: use `and`", 2)
		} else {
			s.illegal(it, "`&` is not an EQL operator: use `and`", 1)
		}
	case '|':
		if next == '|' {
			s.illegal(it, "`||` is not an EQL operator: use `or` (a single `|` starts a pipe)", 2)
		} else {
			one(tPipe)
		}
	case '~':
		s.illegal(it, "`~` must directly follow `in`, `like`, `regex` or a function name, as in `in~` or `startsWith~(…)`", 1)
	case '+':
		one(tPlus)
	case '-':
		one(tMinus)
	case '*':
		one(tStar)
	case '/':
		one(tSlash)
	case '%':
		one(tPercent)
	case '.':
		one(tDot)
	case ',':
		one(tComma)
	case '[':
		one(tLbrack)
	case ']':
		one(tRbrack)
	case '(':
		one(tLparen)
	case ')':
		one(tRparen)
	case '?':
		one(tQuestion)
	case ':':
		one(tColon)
	default:
		r, size := utf8.DecodeRuneInString(s.src[s.off:])
		var msg string
		switch {
		case unicode.IsLetter(r):
			msg = fmt.Sprintf("unexpected character %s; field names with characters other than ASCII letters, digits, _ and @ must be written between backquotes, as in `%c`", describeRune(r), r)
		case unicode.IsSpace(r):
			msg = fmt.Sprintf("unexpected character %s; only spaces, tabs and line breaks may separate tokens", describeRune(r))
		default:
			msg = fmt.Sprintf("unexpected character %s", describeRune(r))
		}
		s.illegal(it, msg, size)
	}
}

// illegal reports a character sequence that is no token. It is fatal: the
// parser cannot guess what was meant.
func (s *scanner) illegal(it *item, msg string, size int) {
	it.tok = tIllegal
	pos := s.off
	s.off += size
	s.err(ast.Pos(pos), msg, true)
}

// describeRune names a character for an error message.
func describeRune(r rune) string {
	if unicode.IsPrint(r) && r != '`' {
		return fmt.Sprintf("`%c` (U+%04X)", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}

// quoteString renders s as an EQL double-quoted string, for messages.
func quoteString(s string) string {
	return (&ast.String{Value: s}).String()
}
