package source

import "bytes"

// mode is how a JSON input is cut into documents.
type mode int

const (
	modeValues  mode = iota // arrays, pretty-printed or single objects
	modeLines               // NDJSON
	modeUnknown             // not JSON
)

// sniffLines is how many non-blank lines sniff looks at.
const sniffLines = 8

// sniff decides how to cut a JSON input from its first bytes (BOM removed).
// NDJSON is chosen when one of the first lines is a whole object on its
// own: a pretty-printed object's first line is a lone "{", and its nested
// lines are indented. Everything else that starts like JSON is cut as a
// stream of values, which also reads NDJSON correctly, only slower.
//
// Unless atEOF, the last, unterminated line is ignored, so that the answer
// does not depend on how the input was chunked. decided reports that more
// input cannot change the answer.
func sniff(head []byte, atEOF bool) (m mode, decided bool) {
	if !atEOF {
		i := bytes.LastIndexByte(head, '\n')
		head = head[:i+1]
	}
	var first byte
	anyObjectLine := false
	n := 0
	for len(head) > 0 && n < sniffLines {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		t := trimSpace(line)
		if len(t) == 0 || bytes.HasPrefix(t, commentPrefix) {
			continue
		}
		n++
		if first == 0 {
			first = t[0]
			if first == '[' {
				return modeValues, true
			}
		}
		if t[0] == '{' {
			anyObjectLine = true
			if wholeValue(t) {
				return modeLines, true
			}
		}
	}
	decided = n >= sniffLines
	if first == 0 || first == '{' || anyObjectLine {
		// Lines of garbage before the first object (a # comment header, a
		// truncated first line) are reported one problem per line.
		return modeValues, decided
	}
	return modeUnknown, decided
}

var commentPrefix = []byte("//")

// wholeValue reports whether t is exactly one bracketed value: nesting
// returns to zero at its last byte and not before.
func wholeValue(t []byte) bool {
	depth := 0
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case '"':
			j := stringEnd(t, i)
			if j < 0 {
				return false
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i == len(t)-1
			}
		}
	}
	return false
}

// stringEnd returns the index of the quote closing the string that opens at
// s[i], or -1.
func stringEnd(s []byte, i int) int {
	// Most strings in events are short keys and values: a plain loop finds
	// their end sooner than IndexByte's vector setup.
	k := i + 1
	for end := min(k+16, len(s)); k < end; k++ {
		switch s[k] {
		case '"':
			return k
		case '\\':
			goto slow
		}
	}
slow:
	for {
		j := bytes.IndexByte(s[k:], '"')
		if j < 0 {
			return -1
		}
		q := k + j
		n := 0
		for p := q - 1; p > i && s[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		k = q + 1
	}
}

// appendCompact appends the valid JSON src to dst without insignificant
// whitespace. Tokens are copied byte for byte (escapes, number spellings), so
// compacting a compact document is the identity and its content id does not
// depend on how it was framed.
func appendCompact(dst, src []byte) []byte {
	start := 0 // src[start:i] is copied when whitespace is met
	for i := 0; i < len(src); {
		switch c := src[i]; {
		case c == '"':
			j := stringEnd(src, i)
			if j < 0 { // cannot happen on valid JSON; keep the rest as is
				return append(dst, src[start:]...)
			}
			i = j + 1
		case isSpace(c):
			dst = append(dst, src[start:i]...)
			for i++; i < len(src) && isSpace(src[i]); i++ {
			}
			start = i
		default:
			i++
		}
	}
	return append(dst, src[start:]...)
}
