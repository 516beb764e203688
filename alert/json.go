package alert

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the small JSON model the builder works on. Kibana builds
// alerts as JavaScript objects and writes them with JSON.stringify, so the
// model follows JavaScript rather than encoding/json:
//
//   - objects keep insertion order, a repeated key keeps its first position
//     and its last value (JSON.parse), and keys that are array indices
//     ("0", "17") come first in ascending order, as in every JS object;
//   - numbers are doubles: 1.0 is written 1, and integers beyond 2^53 lose
//     precision exactly as they do in Kibana;
//   - strings are written as JSON.stringify writes them: only '"', '\\' and
//     control characters are escaped (lower-case \u00xx), everything else is
//     raw UTF-8;
//   - a value can be "undefined": it holds a key's position but is not
//     written, like a JS property whose value is undefined.
//
// A value can also be pre-encoded JSON (kindRaw) for the rule fields that
// are the same on every alert of a rule: they are encoded once per Builder.

type kind uint8

const (
	kindUndefined kind = iota
	kindNull
	kindFalse
	kindTrue
	kindNumber
	kindString
	kindArray
	kindObject
	kindRaw
)

// value is one JSON value. For numbers s is the JavaScript rendering and n
// the double; for strings s is the decoded text; raw values carry their
// encoding and an id that tells equal raw values apart without comparing
// bytes.
type value struct {
	kind kind
	s    string
	n    float64
	arr  []value
	obj  *object
	raw  *rawJSON
}

// rawJSON is a pre-encoded value; id identifies it within a Builder.
type rawJSON struct {
	json []byte
	id   int
}

var (
	undefinedValue = value{kind: kindUndefined}
	nullValue      = value{kind: kindNull}
)

func stringValue(s string) value { return value{kind: kindString, s: s} }

func boolValue(b bool) value {
	if b {
		return value{kind: kindTrue}
	}
	return value{kind: kindFalse}
}

func numberValue(f float64) value { return value{kind: kindNumber, n: f, s: jsNumber(f)} }

func intValue(i int) value { return value{kind: kindNumber, n: float64(i), s: strconv.Itoa(i)} }

func objectValue(o *object) value { return value{kind: kindObject, obj: o} }

func arrayValue(a []value) value {
	if a == nil {
		a = []value{}
	}
	return value{kind: kindArray, arr: a}
}

func stringsValue(ss []string) value {
	a := make([]value, len(ss))
	for i, s := range ss {
		a[i] = stringValue(s)
	}
	return arrayValue(a)
}

// object is an ordered JSON object with JavaScript's key order.
type object struct {
	keys []string
	vals []value
	// index maps keys to positions once the object is large enough for a
	// linear scan to cost more than the map.
	index map[string]int
	// intKeys counts the leading array-index keys.
	intKeys int
}

const indexThreshold = 24

func newObject(capacity int) *object {
	return &object{keys: make([]string, 0, capacity), vals: make([]value, 0, capacity)}
}

func (o *object) len() int { return len(o.keys) }

func (o *object) find(k string) int {
	if o.index != nil {
		if i, ok := o.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

func (o *object) get(k string) (value, bool) {
	if i := o.find(k); i >= 0 {
		return o.vals[i], true
	}
	return undefinedValue, false
}

// set assigns o[k] = v: an existing key keeps its position.
func (o *object) set(k string, v value) {
	if i := o.find(k); i >= 0 {
		o.vals[i] = v
		return
	}
	if isArrayIndex(k) {
		o.insertIndexKey(k, v)
		return
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	if o.index != nil {
		o.index[k] = len(o.keys) - 1
	} else if len(o.keys) > indexThreshold {
		o.buildIndex()
	}
}

// insertIndexKey puts an array-index key among the leading index keys in
// numeric order, as JavaScript orders integer-like property names.
func (o *object) insertIndexKey(k string, v value) {
	n, _ := strconv.ParseUint(k, 10, 32)
	pos := 0
	for pos < o.intKeys {
		m, _ := strconv.ParseUint(o.keys[pos], 10, 32)
		if m > n {
			break
		}
		pos++
	}
	o.keys = append(o.keys, "")
	o.vals = append(o.vals, value{})
	copy(o.keys[pos+1:], o.keys[pos:])
	copy(o.vals[pos+1:], o.vals[pos:])
	o.keys[pos], o.vals[pos] = k, v
	o.intKeys++
	if o.index != nil || len(o.keys) > indexThreshold {
		o.buildIndex()
	}
}

func (o *object) buildIndex() {
	o.index = make(map[string]int, 2*len(o.keys))
	for i, k := range o.keys {
		o.index[k] = i
	}
}

// isArrayIndex reports whether k is a canonical array index (0 … 2^32-2),
// the property names JavaScript orders before all others.
func isArrayIndex(k string) bool {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < '0' || k[i] > '9' {
			return false
		}
	}
	n, err := strconv.ParseUint(k, 10, 64)
	return err == nil && n < 1<<32-1
}

// lodashGet resolves path in v as lodash's get does: the whole path as one
// key if v has that property, else the path split at dots (array elements
// by numeric segments).
func lodashGet(v value, path string) value {
	if v.kind == kindObject {
		if x, ok := v.obj.get(path); ok {
			return x
		}
	}
	if !strings.Contains(path, ".") {
		return undefinedValue
	}
	cur := v
	for seg := range strings.SplitSeq(path, ".") {
		switch cur.kind {
		case kindObject:
			x, ok := cur.obj.get(seg)
			if !ok {
				return undefinedValue
			}
			cur = x
		case kindArray:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(cur.arr) {
				return undefinedValue
			}
			cur = cur.arr[i]
		default:
			return undefinedValue
		}
	}
	return cur
}

// fieldValues returns the values of the dotted field path in a source
// document the way Elasticsearch's `fields` option reports them: every leaf
// value at that path, whether the document nests the path ({"a":{"b":1}}),
// flattens it ({"a.b":1}) or mixes both, with arrays (also arrays of
// objects) flattened and nulls left out.
func fieldValues(o *object, path string, out []value) []value {
	for i, k := range o.keys {
		switch {
		case k == path:
			out = appendLeaves(o.vals[i], out)
		case len(path) > len(k) && path[len(k)] == '.' && strings.HasPrefix(path, k):
			out = nestedFieldValues(o.vals[i], path[len(k)+1:], out)
		}
	}
	return out
}

func nestedFieldValues(v value, rest string, out []value) []value {
	switch v.kind {
	case kindObject:
		return fieldValues(v.obj, rest, out)
	case kindArray:
		for _, e := range v.arr {
			out = nestedFieldValues(e, rest, out)
		}
	}
	return out
}

func appendLeaves(v value, out []value) []value {
	switch v.kind {
	case kindArray:
		for _, e := range v.arr {
			out = appendLeaves(e, out)
		}
	case kindNull, kindUndefined, kindObject, kindRaw:
		// Objects are not leaf fields; nulls are not indexed.
	default:
		out = append(out, v)
	}
	return out
}

// jsString renders v as JavaScript's String(v) would for the scalar kinds
// that appear in alert text.
func jsString(v value) string {
	switch v.kind {
	case kindString, kindNumber:
		return v.s
	case kindTrue:
		return "true"
	case kindFalse:
		return "false"
	case kindNull:
		return "null"
	case kindUndefined:
		return "undefined"
	case kindArray:
		// Array.prototype.toString: elements joined by "," with null and
		// undefined as empty strings.
		var b strings.Builder
		for i, e := range v.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			if e.kind != kindNull && e.kind != kindUndefined {
				b.WriteString(jsString(e))
			}
		}
		return b.String()
	default:
		return "[object Object]"
	}
}

// jsNumber formats f as JavaScript's Number.prototype.toString does
// (ECMAScript Number::toString with radix 10).
func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0" // also for -0
	case f < 0:
		return "-" + jsNumber(-f)
	}
	// Shortest round-trip digits d1.d2…dk and exponent e, so that
	// f = 0.d1…dk × 10^n with n = e+1.
	e := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		return digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return "0." + strings.Repeat("0", -n) + digits
	}
	sign := "+"
	if n-1 < 0 {
		sign = "-"
	}
	abs := n - 1
	if abs < 0 {
		abs = -abs
	}
	if k == 1 {
		return digits + "e" + sign + strconv.Itoa(abs)
	}
	return digits[:1] + "." + digits[1:] + "e" + sign + strconv.Itoa(abs)
}

// appendJSON appends v as JSON.stringify writes it. Undefined values
// inside arrays become null, as in JavaScript; undefined object properties
// are skipped.
func appendJSON(dst []byte, v value) []byte {
	switch v.kind {
	case kindNull, kindUndefined:
		return append(dst, "null"...)
	case kindTrue:
		return append(dst, "true"...)
	case kindFalse:
		return append(dst, "false"...)
	case kindNumber:
		return append(dst, v.s...)
	case kindString:
		return appendJSString(dst, v.s)
	case kindRaw:
		return append(dst, v.raw.json...)
	case kindArray:
		dst = append(dst, '[')
		for i, e := range v.arr {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, e)
		}
		return append(dst, ']')
	case kindObject:
		return appendObject(dst, v.obj)
	}
	return dst
}

func appendObject(dst []byte, o *object) []byte {
	dst = append(dst, '{')
	first := true
	for i, k := range o.keys {
		if o.vals[i].kind == kindUndefined {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSString(dst, k)
		dst = append(dst, ':')
		dst = appendJSON(dst, o.vals[i])
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSString appends s quoted as JSON.stringify quotes strings.
// Invalid UTF-8 is written as U+FFFD, which is what JavaScript sees after
// decoding the bytes.
func appendJSString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				dst = append(dst, s[start:i]...)
				dst = append(dst, "\uFFFD"...)
				i++
				start = i
				continue
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// maxDepth bounds nesting so that hostile input cannot recurse without end.
const maxDepth = 512

// parseJSON parses one JSON document (surrounding whitespace allowed).
func parseJSON(data []byte) (value, error) {
	p := parser{data: data}
	p.skipSpace()
	v, err := p.parseValue(0)
	if err != nil {
		return value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return value{}, p.errorf("unexpected %q after the JSON value", p.data[p.pos])
	}
	return v, nil
}

type parser struct {
	data []byte
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("invalid JSON at byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) parseValue(depth int) (value, error) {
	if p.pos >= len(p.data) {
		return value{}, p.errorf("unexpected end of input")
	}
	if depth > maxDepth {
		return value{}, p.errorf("nested deeper than %d levels", maxDepth)
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.parseObject(depth)
	case c == '[':
		return p.parseArray(depth)
	case c == '"':
		s, err := p.parseString()
		return stringValue(s), err
	case c == 't':
		return boolValue(true), p.literal("true")
	case c == 'f':
		return boolValue(false), p.literal("false")
	case c == 'n':
		return nullValue, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return p.parseNumber()
	default:
		return value{}, p.errorf("unexpected %q", c)
	}
}

func (p *parser) literal(lit string) error {
	if len(p.data)-p.pos < len(lit) || string(p.data[p.pos:p.pos+len(lit)]) != lit {
		return p.errorf("expected %s", lit)
	}
	p.pos += len(lit)
	return nil
}

func (p *parser) parseObject(depth int) (value, error) {
	p.pos++ // {
	o := newObject(4)
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return objectValue(o), nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return value{}, p.errorf("expected a quoted object key")
		}
		k, err := p.parseString()
		if err != nil {
			return value{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return value{}, p.errorf("expected ':' after object key %q", k)
		}
		p.pos++
		p.skipSpace()
		v, err := p.parseValue(depth + 1)
		if err != nil {
			return value{}, err
		}
		o.set(k, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return value{}, p.errorf("unterminated object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return objectValue(o), nil
		default:
			return value{}, p.errorf("expected ',' or '}' in object, found %q", p.data[p.pos])
		}
	}
}

func (p *parser) parseArray(depth int) (value, error) {
	p.pos++ // [
	var a []value
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return arrayValue(nil), nil
	}
	for {
		p.skipSpace()
		v, err := p.parseValue(depth + 1)
		if err != nil {
			return value{}, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return value{}, p.errorf("unterminated array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return arrayValue(a), nil
		default:
			return value{}, p.errorf("expected ',' or ']' in array, found %q", p.data[p.pos])
		}
	}
}

func (p *parser) parseNumber() (value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	intStart := p.pos
	if n := digits(); n == 0 || (n > 1 && p.data[intStart] == '0') {
		return value{}, p.errorf("malformed number")
	}
	plain := true
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		plain = false
		if digits() == 0 {
			return value{}, p.errorf("malformed number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		plain = false
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return value{}, p.errorf("malformed number")
		}
	}
	lit := string(p.data[start:p.pos])
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !isRangeErr(err) {
		return value{}, p.errorf("malformed number %s", lit)
	}
	// Integers of up to 15 digits are exact doubles and JavaScript prints
	// them as written (except -0); everything else goes through the double.
	if plain && len(lit)-(intStart-start) <= 15 && lit != "-0" {
		return value{kind: kindNumber, n: f, s: lit}, nil
	}
	return numberValue(f), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseString parses a quoted string at p.pos and returns it decoded.
func (p *parser) parseString() (string, error) {
	p.pos++ // "
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := string(p.data[start:p.pos])
			p.pos++
			return s, nil
		}
		if c == '\\' {
			return p.parseEscapedString(start)
		}
		if c < 0x20 {
			return "", p.errorf("control character in string")
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) parseEscapedString(start int) (string, error) {
	b := make([]byte, 0, p.pos-start+16)
	b = append(b, p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(b), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			break
		}
		e := p.data[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.errorf("malformed \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A pair decodes to one code point; a lone surrogate cannot
				// be UTF-8 and becomes U+FFFD.
				save := p.pos
				if p.pos+1 < len(p.data) && p.data[p.pos] == '\\' && p.data[p.pos+1] == 'u' {
					p.pos += 2
					if r2, ok := p.hex4(); ok {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							continue
						}
					}
				}
				p.pos = save
				r = utf8.RuneError
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", p.errorf("unknown escape \\%c", e)
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}
