// Package jsonscan holds the JSON primitives that eqld's readers and
// decoders share: a validating skip over one value, string and number
// scanners, and an explanation of why a document is invalid.
//
// Validation accepts exactly what encoding/json.Valid accepts (the RFC 8259
// grammar; string bytes are not checked for UTF-8), up to MaxDepth nested
// containers. Skip is the fast path and only says whether a value is
// valid; Explain walks an invalid document again to say where and why.
// Neither recurses, so a line of a million '[' cannot exhaust the stack.
//
// Strings dominate event documents (keys, command lines, paths), so the
// string scanner looks at eight bytes at a time for the three kinds of byte
// that end a run of plain content: the quote, the backslash and control
// characters.
package jsonscan

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// MaxDepth is the deepest nesting of objects and arrays a valid document
// may have (fastjson's limit, so that documents eqld accepts can be parsed
// by every library it uses).
const MaxDepth = 300

// IsSpace reports whether c is JSON whitespace.
func IsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// SkipWS returns the index of the first non-whitespace byte at or after i.
func SkipWS(b []byte, i int) int {
	for i < len(b) && b[i] <= ' ' && IsSpace(b[i]) {
		i++
	}
	return i
}

const (
	lo = 0x0101010101010101
	hi = 0x8080808080808080
)

// stop marks the bytes that end a run of plain string content.
var stop [256]bool

func init() {
	for c := 0; c < 0x20; c++ {
		stop[c] = true
	}
	stop['"'] = true
	stop['\\'] = true
}

// StringEnd returns the index of the quote closing the valid string that
// opens at b[i], and whether the string holds escapes. It returns -1 if the
// string is unterminated, holds a control character or an invalid escape.
func StringEnd(b []byte, i int) (end int, esc bool) {
	end, esc, _ = StringEndASCII(b, i)
	return end, esc
}

// StringEndASCII is StringEnd, and also reports whether the string's bytes
// are all ASCII, which spares a decoder checking them for valid UTF-8.
func StringEndASCII(b []byte, i int) (end int, esc, ascii bool) {
	k := i + 1
	var seen uint64 // the bytes passed, OR-ed: bit 7 of a byte set means non-ASCII
	for {
		// Eight bytes at a time: a byte is flagged if it is '"', '\\' or
		// below 0x20. Borrows can flag bytes after a flagged one, never
		// before it, so the lowest flag is exact.
		for k+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[k:])
			q := x ^ (lo * '"')
			s := x ^ (lo * '\\')
			m := ((q - lo) &^ q) | ((s - lo) &^ s) | ((x - lo*0x20) &^ x)
			if m &= hi; m != 0 {
				n := bits.TrailingZeros64(m) >> 3
				seen |= x & (1<<(n<<3) - 1)
				k += n
				goto found
			}
			seen |= x
			k += 8
		}
		for k < len(b) && !stop[b[k]] {
			seen |= uint64(b[k])
			k++
		}
		if k >= len(b) {
			return -1, esc, false
		}
	found:
		switch b[k] {
		case '"':
			return k, esc, seen&hi == 0
		case '\\':
			esc = true
			if k+1 >= len(b) {
				return -1, esc, false
			}
			switch b[k+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				k += 2
			case 'u':
				if k+6 > len(b) || !isHex(b[k+2]) || !isHex(b[k+3]) || !isHex(b[k+4]) || !isHex(b[k+5]) {
					return -1, esc, false
				}
				k += 6
			default:
				return -1, esc, false
			}
		default: // a control character
			return -1, esc, false
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// NumberEnd returns the index after the valid number at b[i], or -1.
func NumberEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i >= len(b):
		return -1
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// HasLiteral reports whether b holds lit at i.
func HasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// Skip validates the value starting at b[i] (no leading whitespace) and
// returns the index just past it, or -1 if it is not a valid value. depth
// is the number of containers already open around the value: the value
// may open at most MaxDepth-depth more.
func Skip(b []byte, i, depth int) int {
	var objs [MaxDepth/64 + 1]uint64 // bit n: the n-th open container is an object
	n := 0                           // containers opened by this call
value:
	if i >= len(b) {
		return -1
	}
	switch c := b[i]; c {
	case '"':
		k, _ := StringEnd(b, i)
		if k < 0 {
			return -1
		}
		i = k + 1
	case '{', '[':
		if depth+n >= MaxDepth {
			return -1
		}
		i = SkipWS(b, i+1)
		if i < len(b) && b[i] == c+2 { // '}' and ']' follow '{' and '[' by two
			i++
			break
		}
		if c == '{' {
			objs[n>>6] |= 1 << (n & 63)
			n++
			goto member
		}
		objs[n>>6] &^= 1 << (n & 63)
		n++
		goto value
	case 't':
		if !HasLiteral(b, i, "true") {
			return -1
		}
		i += 4
	case 'f':
		if !HasLiteral(b, i, "false") {
			return -1
		}
		i += 5
	case 'n':
		if !HasLiteral(b, i, "null") {
			return -1
		}
		i += 4
	default:
		if i = NumberEnd(b, i); i < 0 {
			return -1
		}
	}
after:
	// A value ended at i.
	if n == 0 {
		return i
	}
	i = SkipWS(b, i)
	if i >= len(b) {
		return -1
	}
	{
		obj := objs[(n-1)>>6]&(1<<((n-1)&63)) != 0
		switch b[i] {
		case ',':
			i = SkipWS(b, i+1)
			if obj {
				goto member
			}
			goto value
		case '}':
			if !obj {
				return -1
			}
		case ']':
			if obj {
				return -1
			}
		default:
			return -1
		}
		n--
		i++
		goto after
	}
member:
	// A member's key is at i.
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	if k, _ := StringEnd(b, i); k < 0 {
		return -1
	} else {
		i = SkipWS(b, k+1)
	}
	if i >= len(b) || b[i] != ':' {
		return -1
	}
	i = SkipWS(b, i+1)
	goto value
}

// Valid reports whether b is one valid JSON value surrounded only by
// whitespace.
func Valid(b []byte) bool {
	i := SkipWS(b, 0)
	if i = Skip(b, i, 0); i < 0 {
		return false
	}
	return SkipWS(b, i) == len(b)
}

// Explain returns "" if b is one valid JSON value surrounded only by
// whitespace, or else what is wrong and where, for messages: the first
// problem, with its byte offset (1-based). It is slower than Valid and
// meant for documents already known to be invalid.
func Explain(b []byte) string {
	var st []byte // '{' or '[' per open container
	var k int
	i := SkipWS(b, 0)
value:
	if i >= len(b) {
		return "unexpected end of document"
	}
	switch c := b[i]; c {
	case '{', '[':
		if len(st) >= MaxDepth {
			return fmt.Sprintf("nested deeper than %d levels", MaxDepth)
		}
		i = SkipWS(b, i+1)
		if i < len(b) && b[i] == c+2 {
			i++
			goto after
		}
		st = append(st, c)
		if c == '{' {
			goto member
		}
		goto value
	case '"':
		if k, _ = StringEnd(b, i); k < 0 {
			return badString(b, i)
		}
		i = k + 1
	case 't':
		if !HasLiteral(b, i, "true") {
			return unexpected(b, i)
		}
		i += 4
	case 'f':
		if !HasLiteral(b, i, "false") {
			return unexpected(b, i)
		}
		i += 5
	case 'n':
		if !HasLiteral(b, i, "null") {
			return unexpected(b, i)
		}
		i += 4
	default:
		if k = NumberEnd(b, i); k < 0 {
			return unexpected(b, i)
		}
		i = k
	}
after:
	i = SkipWS(b, i)
	if len(st) == 0 {
		if i < len(b) {
			return unexpected(b, i) + " after the document"
		}
		return ""
	}
	if i >= len(b) {
		return "unexpected end of document"
	}
	switch top := st[len(st)-1]; {
	case b[i] == ',':
		i = SkipWS(b, i+1)
		if top == '{' {
			goto member
		}
		goto value
	case top == '{' && b[i] == '}', top == '[' && b[i] == ']':
		st = st[:len(st)-1]
		i++
		goto after
	}
	return unexpected(b, i)
member:
	if i >= len(b) {
		return "unexpected end of document"
	}
	if b[i] != '"' {
		return unexpected(b, i) + " where an object key was expected"
	}
	if k, _ = StringEnd(b, i); k < 0 {
		return badString(b, i)
	}
	i = SkipWS(b, k+1)
	if i >= len(b) || b[i] != ':' {
		if i >= len(b) {
			return "unexpected end of document"
		}
		return unexpected(b, i) + " where ':' was expected"
	}
	i = SkipWS(b, i+1)
	goto value
}

func unexpected(b []byte, i int) string {
	return fmt.Sprintf("unexpected %q at byte %d", excerptAt(b, i), i+1)
}

func badString(b []byte, i int) string {
	for k := i + 1; k < len(b); k++ {
		switch c := b[k]; {
		case c == '"':
			return unexpected(b, i) // not reached for strings StringEnd rejects
		case c == '\\':
			if k+1 < len(b) {
				switch b[k+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					k++
					continue
				case 'u':
					if k+6 <= len(b) && isHex(b[k+2]) && isHex(b[k+3]) && isHex(b[k+4]) && isHex(b[k+5]) {
						k += 5
						continue
					}
				}
			}
			return fmt.Sprintf("invalid escape %q at byte %d", excerptAt(b, k), k+1)
		case c < 0x20:
			return fmt.Sprintf("control character 0x%02x in string at byte %d (must be escaped)", c, k+1)
		}
	}
	return fmt.Sprintf("string starting at byte %d is not closed", i+1)
}

// excerptAt returns a few bytes of b from i, for messages.
func excerptAt(b []byte, i int) string {
	e := min(i+12, len(b))
	return string(b[i:e])
}
