package source

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// The functions here walk JSON that fastjson.ValidateBytes has accepted.
// They do no error checking of their own; on valid input they only need to
// find where values end, which is far cheaper than building a parse tree.
// They must not be used on unvalidated bytes.

// skipWS returns the index of the first non-whitespace byte at or after i.
func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipValue returns the index just after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i) + 1
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			for i < len(b) && !nestStop[b[i]] {
				i++
			}
			if i == len(b) {
				break
			}
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// members calls fn for each member of the object starting at b[i], with the
// key's raw bytes (between the quotes, escapes not decoded) and the value's
// bytes.
func members(b []byte, i int, fn func(key, val []byte)) {
	i = skipWS(b, i+1) // after '{'
	for i < len(b) && b[i] == '"' {
		e := stringEnd(b, i)
		key := b[i+1 : e]
		i = skipWS(b, e+1) + 1 // past ':'
		i = skipWS(b, i)
		v := skipValue(b, i)
		fn(key, b[i:v])
		i = skipWS(b, v)
		if i < len(b) && b[i] == ',' {
			i = skipWS(b, i+1)
		}
	}
}

// elements calls fn for each element of the array val.
func elements(val []byte, fn func(elem []byte)) {
	i := skipWS(val, 1)
	for i < len(val) && val[i] != ']' {
		v := skipValue(val, i)
		fn(val[i:v])
		i = skipWS(val, v)
		if i < len(val) && val[i] == ',' {
			i = skipWS(val, i+1)
		}
	}
}

// top holds the top-level members of a document that eqld looks at.
type top struct {
	source, index, id, version, hits, missing []byte
	ds, dsType, dsDataset, dsNamespace        []byte // data_stream, or its flattened fields
}

// scan finds the members in the object doc. As with fastjson's Get, the
// first of duplicate keys wins; keys are compared as written, so an escaped
// spelling ("_sourc\u0065") is not recognised.
func (t *top) scan(doc []byte) {
	*t = top{}
	members(doc, 0, t.set)
}

// isHit reports whether the document is an Elasticsearch hit: it has
// _source and an _index or _id.
func (t *top) isHit() bool { return t.source != nil && (t.index != nil || t.id != nil) }

// unquote appends the value of the JSON string token tok (with its quotes)
// to dst. It reports false if tok is not a string.
func unquote(dst, tok []byte) ([]byte, bool) {
	if len(tok) < 2 || tok[0] != '"' {
		return dst, false
	}
	s := tok[1 : len(tok)-1]
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return append(dst, s...), true
		}
		dst = append(dst, s[:i]...)
		c := s[i+1]
		s = s[i+2:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := rune(hex4(s))
			s = s[4:]
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					r2 = rune(hex4(s[2:]))
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
					s = s[6:]
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
}

func hex4(s []byte) int {
	n := 0
	for _, c := range s[:4] {
		n <<= 4
		switch {
		case c >= '0' && c <= '9':
			n |= int(c - '0')
		case c >= 'a' && c <= 'f':
			n |= int(c-'a') + 10
		default:
			n |= int(c-'A') + 10
		}
	}
	return n
}

// nestStop marks the bytes that matter when skipping a nested value.
var nestStop = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}
