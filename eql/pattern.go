package eql

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// This file compiles the string patterns of `:`, like, like~, regex and
// regex~ into matchers chosen for the pattern's shape, so that the common
// cases (exact, prefix, suffix, substring) never reach a general matcher.

// matcher tests one string.
type matcher interface {
	match(s string) bool
}

// foldString lower-cases s for case-insensitive matching, without
// allocating when s is already lower-case ASCII.
func foldString(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// equalFold reports whether s lower-cases to lower (which is already lower-case).
func equalFold(s, lower string) bool {
	if len(s) == len(lower) {
		ascii := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != lower[i] {
				return false
			}
		}
		if ascii {
			return true
		}
	} else if isASCII(s) {
		return false // lower-casing ASCII keeps the length
	}
	return strings.ToLower(s) == lower
}

type exactMatcher struct {
	lit  string
	fold bool
}

func (m exactMatcher) match(s string) bool {
	if m.fold {
		return equalFold(s, m.lit)
	}
	return s == m.lit
}

// affixMatcher tests for a prefix (or, with suffix, a suffix).
type affixMatcher struct {
	lit    string
	fold   bool
	suffix bool
}

func (m affixMatcher) match(s string) bool {
	has := strings.HasPrefix
	if m.suffix {
		has = strings.HasSuffix
	}
	if !m.fold {
		return has(s, m.lit)
	}
	if len(s) >= len(m.lit) && isASCII(m.lit) {
		part := s[:len(m.lit)]
		if m.suffix {
			part = s[len(s)-len(m.lit):]
		}
		if equalFold(part, m.lit) {
			return true
		}
	}
	if isASCII(s) {
		return false
	}
	return has(foldString(s), m.lit)
}

type containsMatcher struct {
	lit  string
	fold bool
}

func (m containsMatcher) match(s string) bool {
	if m.fold {
		if isASCII(s) && isASCII(m.lit) {
			return indexFoldASCII(s, m.lit) >= 0
		}
		return strings.Contains(foldString(s), m.lit)
	}
	return strings.Contains(s, m.lit)
}

// lowerASCII folds one ASCII byte.
func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexFoldASCII finds lower (already lower-case) in s ignoring ASCII case,
// without allocating.
func indexFoldASCII(s, lower string) int {
	n := len(lower)
	if n == 0 {
		return 0
	}
	first := lower[0]
	upperFirst := first
	if first >= 'a' && first <= 'z' {
		upperFirst = first - ('a' - 'A')
	}
	for i := 0; i+n <= len(s); i++ {
		c := s[i]
		if c != first && c != upperFirst {
			continue
		}
		j := 1
		for j < n && lowerASCII(s[i+j]) == lower[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

// foldedIn reports whether s lower-cased is a key of set. Short ASCII
// strings are lower-cased into a stack buffer: indexing a map with
// string(bytes) does not allocate, where passing that string on would.
func foldedIn(set map[string]bool, s string) bool {
	if len(s) <= 128 {
		var buf [128]byte
		ascii := true
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
			buf[i] = lowerASCII(c)
		}
		if ascii {
			return set[string(buf[:len(s)])]
		}
	}
	return set[strings.ToLower(s)]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// globMatcher handles patterns with several * or any ?.
type globMatcher struct {
	pat  string // lower-cased when fold
	fold bool
	star *starGlob // pat split at its stars, for short ASCII subjects when fold
}

func (m globMatcher) match(s string) bool {
	if m.fold {
		var buf [shortFold]byte
		if low, ok := lowerShortASCII(&buf, s); ok {
			return m.star.match(low)
		}
		if isASCII(s) {
			return globMatchFold(m.pat, s)
		}
		s = foldString(s)
	}
	return globMatch(m.pat, s)
}

// shortFold is the length up to which case-insensitive matchers lower-case
// an ASCII subject into a stack buffer, to match it with plain byte
// searches; longer or non-ASCII subjects take the general path.
const shortFold = 512

// lowerShortASCII lower-cases s into buf if s is ASCII and fits in it,
// eight bytes at a time.
func lowerShortASCII(buf *[shortFold]byte, s string) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		if w&highs != 0 {
			return nil, false
		}
		// A byte's high bit is set after adding 0x80-'A' iff it is >= 'A',
		// and after adding 0x80-'Z'-1 iff it is > 'Z'; no byte carries.
		upper := ((w + (0x80-'A')*ones) ^ (w + (0x80-'Z'-1)*ones)) & highs
		binary.LittleEndian.PutUint64(buf[i:], w|upper>>2)
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return nil, false
		}
		buf[i] = lowerASCII(c)
	}
	return buf[:len(s)], true
}

// starGlob is a wildcard pattern split at its stars: a prefix, a suffix
// and the runs between them, in which ? stands for any one byte (subjects
// are ASCII). Runs have fixed lengths, so finding each at its leftmost
// position after the previous one decides the match without backtracking.
type starGlob struct {
	prefix, suffix []byte
	middle         [][]byte
	whole          bool // no star: the prefix is the whole pattern
	q              bool // some run holds a ?
}

func newStarGlob(pat string) *starGlob {
	parts := strings.Split(pat, "*")
	g := &starGlob{prefix: []byte(parts[0]), q: strings.Contains(pat, "?")}
	if len(parts) == 1 {
		g.whole = true
		return g
	}
	g.suffix = []byte(parts[len(parts)-1])
	for _, p := range parts[1 : len(parts)-1] {
		if p != "" {
			g.middle = append(g.middle, []byte(p))
		}
	}
	return g
}

func (g *starGlob) match(s []byte) bool {
	if g.whole {
		return len(s) == len(g.prefix) && g.equal(s, g.prefix)
	}
	if len(s) < len(g.prefix)+len(g.suffix) || !g.equal(s[:len(g.prefix)], g.prefix) ||
		!g.equal(s[len(s)-len(g.suffix):], g.suffix) {
		return false
	}
	s = s[len(g.prefix) : len(s)-len(g.suffix)]
	for _, m := range g.middle {
		i := g.index(s, m)
		if i < 0 {
			return false
		}
		s = s[i+len(m):]
	}
	return true
}

// equal compares s with a run of the same length.
func (g *starGlob) equal(s, run []byte) bool {
	if !g.q {
		return bytes.Equal(s, run)
	}
	for i, c := range run {
		if c != '?' && c != s[i] {
			return false
		}
	}
	return true
}

// index finds the leftmost occurrence of run in s.
func (g *starGlob) index(s, run []byte) int {
	if !g.q {
		return bytes.Index(s, run)
	}
	for i := 0; i+len(run) <= len(s); i++ {
		if g.equal(s[i:i+len(run)], run) {
			return i
		}
	}
	return -1
}

// foldList is the case-insensitive wildcard patterns of one list (`x :
// ("a*", "*b*", …)`), compiled to be tested together against a short ASCII
// subject lower-cased once, instead of each pattern checking and folding
// the subject again.
type foldList struct {
	exact    map[string]bool
	lens     uint64 // lenBit of the length of every exact key: most subjects skip the hash
	prefixes [][]byte
	suffixes [][]byte
	contains [][]byte
	globs    []*starGlob
	any      bool
}

// add adds a case-insensitive wildcard matcher, reporting false for a
// matcher foldList does not handle.
func (l *foldList) add(m matcher) bool {
	switch m := m.(type) {
	case exactMatcher:
		if !m.fold {
			return false
		}
		if l.exact == nil {
			l.exact = map[string]bool{}
		}
		l.exact[m.lit] = true
		l.lens |= lenBit(len(m.lit))
	case affixMatcher:
		if !m.fold {
			return false
		}
		if m.suffix {
			l.suffixes = append(l.suffixes, []byte(m.lit))
		} else {
			l.prefixes = append(l.prefixes, []byte(m.lit))
		}
	case containsMatcher:
		if !m.fold {
			return false
		}
		l.contains = append(l.contains, []byte(m.lit))
	case globMatcher:
		if !m.fold {
			return false
		}
		l.globs = append(l.globs, m.star)
	case anyMatcher:
		l.any = true
	default:
		return false
	}
	return true
}

// lenBit maps a length to a bit, lengths of 63 and more sharing the last.
func lenBit(n int) uint64 {
	return 1 << min(n, 63)
}

// match tests low, the lower-cased form of an ASCII subject.
func (l *foldList) match(low []byte) bool {
	if l.any || (l.lens&lenBit(len(low)) != 0 && l.exact[string(low)]) {
		return true
	}
	for _, p := range l.prefixes {
		if bytes.HasPrefix(low, p) {
			return true
		}
	}
	for _, p := range l.suffixes {
		if bytes.HasSuffix(low, p) {
			return true
		}
	}
	for _, p := range l.contains {
		if bytes.Contains(low, p) {
			return true
		}
	}
	for _, g := range l.globs {
		if g.match(low) {
			return true
		}
	}
	return false
}

// globMatchFold is globMatch for a lower-case pattern against an ASCII
// string, folding the string's bytes as it goes.
func globMatchFold(pat, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) {
			switch pat[p] {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				p++
				i++
				continue
			default:
				if pat[p] == lowerASCII(s[i]) {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starI++
		p, i = starP+1, starI
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// globMatch matches s against a pattern where * is any run of characters
// and ? exactly one character (code point). It backtracks only to the last
// star, so it runs in linear time for typical patterns and O(n·m) at worst.
func globMatch(pat, s string) bool {
	p, i := 0, 0
	starP, starI := -1, 0
	for i < len(s) {
		if p < len(pat) {
			switch pat[p] {
			case '*':
				starP, starI = p, i
				p++
				continue
			case '?':
				_, size := utf8.DecodeRuneInString(s[i:])
				p++
				i += size
				continue
			default:
				if pat[p] == s[i] {
					p++
					i++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[starI:])
		starI += size
		p, i = starP+1, starI
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// compileWildcard builds the matcher for a wildcard pattern (* and ?; no
// escape character, so backslashes in Windows paths are literal).
func compileWildcard(pattern string, fold bool) matcher {
	if fold {
		pattern = strings.ToLower(pattern)
	}
	if !strings.ContainsAny(pattern, "*?") {
		return exactMatcher{pattern, fold}
	}
	if !strings.Contains(pattern, "?") {
		inner := strings.Trim(pattern, "*")
		if !strings.Contains(inner, "*") {
			lead := strings.HasPrefix(pattern, "*")
			trail := strings.HasSuffix(pattern, "*")
			switch {
			case inner == "":
				return anyMatcher{}
			case lead && trail:
				return containsMatcher{inner, fold}
			case trail:
				return affixMatcher{lit: inner, fold: fold}
			case lead:
				return affixMatcher{lit: inner, fold: fold, suffix: true}
			}
		}
	}
	g := globMatcher{pat: pattern, fold: fold}
	if fold {
		g.star = newStarGlob(pattern)
	}
	return g
}

type anyMatcher struct{}

func (anyMatcher) match(string) bool { return true }

type regexMatcher struct{ re *regexp.Regexp }

func (m regexMatcher) match(s string) bool { return m.re.MatchString(s) }

// andMatcher matches when every part matches (Lucene's & intersection).
type andMatcher []matcher

func (m andMatcher) match(s string) bool {
	for _, p := range m {
		if !p.match(s) {
			return false
		}
	}
	return true
}

// compileRegex translates a Lucene regular expression — the syntax
// Elasticsearch's regexp query uses, with all optional operators enabled —
// into Go's RE2 syntax, anchored to the whole string. Lucene's `~`
// complement has no RE2 equivalent and is rejected; `&` intersection is
// supported at the top level.
func compileRegex(pattern string, fold bool) (matcher, error) {
	alts, err := splitTopLevel(pattern, '&')
	if err != nil {
		return nil, err
	}
	if len(alts) > 1 {
		var ms andMatcher
		for _, a := range alts {
			m, err := compileRegex(a, fold)
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
		return ms, nil
	}
	t := luceneTranslator{src: pattern}
	body, err := t.union()
	if err != nil {
		return nil, err
	}
	if t.pos < len(t.src) {
		return nil, fmt.Errorf("invalid regular expression %q: unexpected %q at offset %d", pattern, t.src[t.pos], t.pos)
	}
	flags := "(?s)"
	if fold {
		flags = "(?si)"
	}
	re, err := regexp.Compile(flags + "^(?:" + body + ")$")
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", pattern, err)
	}
	return regexMatcher{re}, nil
}

// splitTopLevel splits a Lucene regexp on sep outside brackets, parentheses,
// quotes and escapes.
func splitTopLevel(s string, sep byte) ([]string, error) {
	var parts []string
	depth, start := 0, 0
	inClass, inQuote := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && !inQuote:
			i++
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '"':
			inQuote = true
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:]), nil
}

type luceneTranslator struct {
	src string
	pos int
}

func (t *luceneTranslator) peek() (byte, bool) {
	if t.pos < len(t.src) {
		return t.src[t.pos], true
	}
	return 0, false
}

func (t *luceneTranslator) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid regular expression %q at offset %d: %s", t.src, t.pos, fmt.Sprintf(format, args...))
}

func (t *luceneTranslator) union() (string, error) {
	var alts []string
	for {
		c, err := t.concat()
		if err != nil {
			return "", err
		}
		alts = append(alts, c)
		if ch, ok := t.peek(); ok && ch == '|' {
			t.pos++
			continue
		}
		return strings.Join(alts, "|"), nil
	}
}

func (t *luceneTranslator) concat() (string, error) {
	var b strings.Builder
	for {
		ch, ok := t.peek()
		if !ok || ch == '|' || ch == ')' {
			return b.String(), nil
		}
		if ch == '&' {
			return "", t.errorf("intersection (&) is only supported at the top level")
		}
		r, err := t.repeat()
		if err != nil {
			return "", err
		}
		b.WriteString(r)
	}
}

func (t *luceneTranslator) repeat() (string, error) {
	atom, err := t.complement()
	if err != nil {
		return "", err
	}
	for {
		ch, ok := t.peek()
		if !ok {
			return atom, nil
		}
		switch ch {
		case '*', '+', '?':
			t.pos++
			atom = "(?:" + atom + ")" + string(ch)
		case '{':
			end := strings.IndexByte(t.src[t.pos:], '}')
			if end < 0 {
				return "", t.errorf("unterminated repetition {")
			}
			spec := t.src[t.pos+1 : t.pos+end]
			lo, hi, comma := strings.Cut(spec, ",")
			if _, err := strconv.Atoi(lo); err != nil {
				return "", t.errorf("bad repetition {%s}", spec)
			}
			if comma && hi != "" {
				if _, err := strconv.Atoi(hi); err != nil {
					return "", t.errorf("bad repetition {%s}", spec)
				}
			}
			t.pos += end + 1
			atom = "(?:" + atom + "){" + spec + "}"
		default:
			return atom, nil
		}
	}
}

func (t *luceneTranslator) complement() (string, error) {
	if ch, ok := t.peek(); ok && ch == '~' {
		return "", t.errorf("the complement operator (~) is not supported")
	}
	return t.simple()
}

func (t *luceneTranslator) simple() (string, error) {
	ch, _ := t.peek()
	switch ch {
	case '.':
		t.pos++
		return ".", nil
	case '@':
		t.pos++
		return ".*", nil
	case '#':
		t.pos++
		return `[^\x00-\x{10FFFF}]`, nil // the empty language: matches nothing
	case '"':
		end := strings.IndexByte(t.src[t.pos+1:], '"')
		if end < 0 {
			return "", t.errorf("unterminated quoted string")
		}
		lit := t.src[t.pos+1 : t.pos+1+end]
		t.pos += end + 2
		return "(?:" + regexp.QuoteMeta(lit) + ")", nil
	case '(':
		t.pos++
		inner, err := t.union()
		if err != nil {
			return "", err
		}
		if ch, ok := t.peek(); !ok || ch != ')' {
			return "", t.errorf("missing )")
		}
		t.pos++
		return "(?:" + inner + ")", nil
	case '[':
		return t.class()
	case '<':
		return t.interval()
	case '\\':
		t.pos++
		if t.pos >= len(t.src) {
			return "", t.errorf("trailing backslash")
		}
		r, size := utf8.DecodeRuneInString(t.src[t.pos:])
		t.pos += size
		if cls, ok := predefinedClass(r, false); ok {
			return cls, nil
		}
		return regexp.QuoteMeta(string(r)), nil
	case '*', '+', '?', '{':
		return "", t.errorf("%q has nothing to repeat", ch)
	}
	r, size := utf8.DecodeRuneInString(t.src[t.pos:])
	t.pos += size
	return regexp.QuoteMeta(string(r)), nil
}

// class translates a bracket expression; inside it Lucene knows ranges,
// negation with a leading ^ and backslash escapes, nothing else.
func (t *luceneTranslator) class() (string, error) {
	t.pos++ // [
	var b strings.Builder
	b.WriteByte('[')
	if ch, ok := t.peek(); ok && ch == '^' {
		b.WriteByte('^')
		t.pos++
	}
	n := 0
	for {
		if t.pos >= len(t.src) {
			return "", t.errorf("missing ]")
		}
		ch := t.src[t.pos]
		if ch == ']' && n > 0 {
			t.pos++
			break
		}
		if ch == ']' {
			return "", t.errorf("empty character class")
		}
		escaped := false
		if ch == '\\' {
			t.pos++
			if t.pos >= len(t.src) {
				return "", t.errorf("trailing backslash")
			}
			escaped = true
		}
		r, size := utf8.DecodeRuneInString(t.src[t.pos:])
		t.pos += size
		if escaped {
			if cls, ok := predefinedClass(r, true); ok {
				b.WriteString(cls)
				n++
				continue
			}
			b.WriteString(classLiteral(r))
			n++
			continue
		}
		if r == '-' && n > 0 && t.pos < len(t.src) && t.src[t.pos] != ']' {
			b.WriteByte('-')
		} else {
			b.WriteString(classLiteral(r))
		}
		n++
	}
	b.WriteByte(']')
	return b.String(), nil
}

// predefinedClass translates Lucene's \d \D \s \S \w \W (Java's
// definitions, supported by the Lucene versions Elasticsearch 8 and 9 use).
// inClass selects the form usable inside a bracket expression.
func predefinedClass(r rune, inClass bool) (string, bool) {
	var pos, neg string
	switch r {
	case 'd', 'D':
		pos, neg = `0-9`, `^0-9`
	case 's', 'S':
		pos, neg = ` \t\n\x0B\f\r`, `^ \t\n\x0B\f\r`
	case 'w', 'W':
		pos, neg = `a-zA-Z_0-9`, `^a-zA-Z_0-9`
	default:
		return "", false
	}
	if r >= 'A' && r <= 'Z' {
		if inClass {
			// A negated class cannot be nested inside another in RE2; the
			// Perl escapes mean the same as Java's here except \s, which in
			// Go lacks \v — close enough inside a bracket expression.
			return `\` + string(r), true
		}
		return "[" + neg + "]", true
	}
	if inClass {
		return pos, true
	}
	return "[" + pos + "]", true
}

func classLiteral(r rune) string {
	switch r {
	case '\\', ']', '[', '^', '-':
		return `\` + string(r)
	}
	return string(r)
}

// interval translates Lucene's numeric interval <n-m>, which matches the
// decimal integers from n to m (optionally zero-padded to the width of m).
func (t *luceneTranslator) interval() (string, error) {
	end := strings.IndexByte(t.src[t.pos:], '>')
	if end < 0 {
		return "", t.errorf("unterminated interval <")
	}
	spec := t.src[t.pos+1 : t.pos+end]
	lo, hi, ok := strings.Cut(spec, "-")
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil || a < 0 || b < 0 {
		return "", t.errorf("bad interval <%s>", spec)
	}
	if a > b {
		a, b = b, a
	}
	if b-a > 100000 {
		return "", t.errorf("interval <%s> is too wide", spec)
	}
	t.pos += end + 1
	alts := make([]string, 0, b-a+1)
	for i := a; i <= b; i++ {
		alts = append(alts, strconv.Itoa(i))
	}
	return "(?:0*(?:" + strings.Join(alts, "|") + "))", nil
}
