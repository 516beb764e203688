package source

import (
	"fmt"

	"github.com/valyala/fastjson"
)

// MaxDepth is the deepest nesting of objects and arrays a document may
// have. It is fastjson's parse limit, so that the engine can parse every
// document the source yields; deeper documents are reported as malformed.
const MaxDepth = fastjson.MaxDepth

// validator checks JSON documents in one pass, without recursion (so a line
// of a million '[' cannot exhaust the stack), and records the top-level
// members eqld looks at. It accepts what encoding/json.Valid accepts (the
// RFC 8259 grammar; string bytes are not checked for UTF-8), up to MaxDepth;
// FuzzValidate checks the two against each other. It is slightly stricter
// than fastjson.Validate, which misses a control character that comes before
// an escape in the same string.
type validator struct {
	stack []byte // '{' or '[' per open container
}

// strStopV marks the bytes that end a run of plain string content: the
// quote, the backslash and control characters.
var strStopV [256]bool

func init() {
	for c := 0; c < 0x20; c++ {
		strStopV[c] = true
	}
	strStopV['"'] = true
	strStopV['\\'] = true
}

// doc validates b as one JSON value followed only by whitespace and, if t
// is not nil and the value is an object, records its members in t (as
// top.scan would). It returns "" or why b is invalid.
func (v *validator) doc(b []byte, t *top) string {
	if t != nil {
		*t = top{}
	}
	st := v.stack[:0]
	defer func() { v.stack = st[:0] }()
	var (
		i        int
		key      []byte // key of the current member of the top-level object
		valStart int
		k        int
	)
	i = skipWS(b, 0)
value:
	if i >= len(b) {
		return "unexpected end of document"
	}
	if len(st) == 1 && st[0] == '{' {
		valStart = i
	}
	switch c := b[i]; c {
	case '{', '[':
		if len(st) >= MaxDepth {
			return fmt.Sprintf("nested deeper than %d levels", MaxDepth)
		}
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == end {
			i++
			goto after
		}
		st = append(st, c)
		if c == '{' {
			goto member
		}
		goto value
	case '"':
		if k = stringEndV(b, i); k < 0 {
			return badString(b, i)
		}
		i = k + 1
	case 't':
		if !hasLit(b, i, "true") {
			return unexpected(b, i)
		}
		i += 4
	case 'f':
		if !hasLit(b, i, "false") {
			return unexpected(b, i)
		}
		i += 5
	case 'n':
		if !hasLit(b, i, "null") {
			return unexpected(b, i)
		}
		i += 4
	default:
		if k = numberEnd(b, i); k < 0 {
			return unexpected(b, i)
		}
		i = k
	}
after:
	// A value ended at i.
	if len(st) == 1 && st[0] == '{' && t != nil {
		t.set(key, b[valStart:i])
	}
	i = skipWS(b, i)
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
		i = skipWS(b, i+1)
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
	// A member's key is at i.
	if i >= len(b) {
		return "unexpected end of document"
	}
	if b[i] != '"' {
		return unexpected(b, i) + " where an object key was expected"
	}
	if k = stringEndV(b, i); k < 0 {
		return badString(b, i)
	}
	if len(st) == 1 {
		key = b[i+1 : k]
	}
	i = skipWS(b, k+1)
	if i >= len(b) || b[i] != ':' {
		if i >= len(b) {
			return "unexpected end of document"
		}
		return unexpected(b, i) + " where ':' was expected"
	}
	i = skipWS(b, i+1)
	goto value
}

// set records a top-level member, first of duplicates winning.
func (t *top) set(key, val []byte) {
	var p *[]byte
	switch string(key) {
	case "_source":
		p = &t.source
	case "_index":
		p = &t.index
	case "_id":
		p = &t.id
	case "_version":
		p = &t.version
	case "hits":
		p = &t.hits
	case "missing":
		p = &t.missing
	case "data_stream":
		p = &t.ds
	case "data_stream.type":
		p = &t.dsType
	case "data_stream.dataset":
		p = &t.dsDataset
	case "data_stream.namespace":
		p = &t.dsNamespace
	default:
		return
	}
	if *p == nil {
		*p = val
	}
}

// stringEndV returns the index of the quote closing the valid string that
// opens at b[i], or -1 if the string is invalid or unterminated.
func stringEndV(b []byte, i int) int {
	k := i + 1
	for {
		for k < len(b) && !strStopV[b[k]] {
			k++
		}
		if k >= len(b) {
			return -1
		}
		switch b[k] {
		case '"':
			return k
		case '\\':
			if k+1 >= len(b) {
				return -1
			}
			switch b[k+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				k += 2
			case 'u':
				if k+6 > len(b) || !isHex(b[k+2]) || !isHex(b[k+3]) || !isHex(b[k+4]) || !isHex(b[k+5]) {
					return -1
				}
				k += 6
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// numberEnd returns the index after the number at b[i], or -1.
func numberEnd(b []byte, i int) int {
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

func hasLit(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

func unexpected(b []byte, i int) string {
	return fmt.Sprintf("unexpected %q at byte %d", excerptAt(b, i), i+1)
}

func badString(b []byte, i int) string {
	k := i + 1
	for k < len(b) && !strStopV[b[k]] {
		k++
	}
	switch {
	case k >= len(b):
		return fmt.Sprintf("string starting at byte %d is not closed", i+1)
	case b[k] == '\\':
		return fmt.Sprintf("invalid escape %q at byte %d", excerptAt(b, k), k+1)
	}
	return fmt.Sprintf("control character 0x%02x in string at byte %d (must be escaped)", b[k], k+1)
}

// excerptAt returns a few bytes of b from i, for messages.
func excerptAt(b []byte, i int) string {
	e := min(i+12, len(b))
	return string(b[i:e])
}
