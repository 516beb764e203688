package eventjson

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/eqld/eqld/eql"
)

// This file is the decoder's scanner: one pass over the document that
// descends only into keys leading to referenced fields and skips every
// other value without converting it. It checks the structure it walks and
// reports malformed input as an error, but it is not a full validator: the
// readers in package source validate documents before they get here.

var errSyntax = errors.New("malformed JSON document")

type scanner struct {
	b     []byte
	i     int
	depth int
	arena []byte // unescaped strings of the current document
}

const maxDepth = 300 // as fastjson's MaxDepth: deeper documents are rejected

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads a string starting at its opening quote. It returns the raw
// bytes between the quotes and whether they contain escapes.
func (s *scanner) str() ([]byte, bool, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, errSyntax
	}
	start := s.i + 1
	esc := false
	// A plain loop beats IndexByte here: most strings in events are short
	// keys and values.
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; c {
		case '"':
			s.i = j + 1
			return s.b[start:j], esc, nil
		case '\\':
			esc = true
			j++
		default:
			if c < 0x20 {
				return nil, false, errSyntax
			}
		}
	}
	return nil, false, errSyntax
}

// unescape decodes the escapes of a JSON string body into the arena.
func (s *scanner) unescape(raw []byte) (string, error) {
	start := len(s.arena)
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			s.arena = append(s.arena, c)
			continue
		}
		i++
		if i >= len(raw) {
			return "", errSyntax
		}
		switch raw[i] {
		case '"', '\\', '/':
			s.arena = append(s.arena, raw[i])
		case 'b':
			s.arena = append(s.arena, '\b')
		case 'f':
			s.arena = append(s.arena, '\f')
		case 'n':
			s.arena = append(s.arena, '\n')
		case 'r':
			s.arena = append(s.arena, '\r')
		case 't':
			s.arena = append(s.arena, '\t')
		case 'u':
			r, ok := hex4(raw[i+1:])
			if !ok {
				return "", errSyntax
			}
			i += 4
			if utf16.IsSurrogate(r) {
				// A surrogate pair is two escapes; a lone surrogate becomes
				// U+FFFD, as encoding/json decodes it.
				if i+2 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					if r2, ok := hex4(raw[i+3:]); ok {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 6
						}
					}
				}
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			}
			s.arena = utf8.AppendRune(s.arena, r)
		default:
			return "", errSyntax
		}
	}
	b := s.arena[start:]
	if len(b) == 0 {
		return "", nil
	}
	if !utf8.Valid(b) {
		s.arena = s.arena[:start]
		return s.sanitize(b), nil
	}
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}

// sanitize copies b into the arena with each invalid UTF-8 byte replaced
// by U+FFFD, as encoding/json decodes such strings.
func (s *scanner) sanitize(b []byte) string {
	b = append([]byte(nil), b...) // b may alias the arena
	start := len(s.arena)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		s.arena = utf8.AppendRune(s.arena, r)
		b = b[size:]
	}
	out := s.arena[start:]
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// hex4 reads the 4 hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// structural marks the bytes skip must look at inside a container.
var structural = [256]bool{'"': true, '{': true, '[': true, '}': true, ']': true}

// skip passes over one value of any kind.
func (s *scanner) skip() error {
	if s.i >= len(s.b) {
		return errSyntax
	}
	switch s.b[s.i] {
	case '"':
		_, _, err := s.str()
		return err
	case '{', '[':
		// Strings are the only place brackets may hide; count the rest.
		depth := 0
		for s.i < len(s.b) {
			if !structural[s.b[s.i]] {
				s.i++
				continue
			}
			switch s.b[s.i] {
			case '"':
				if _, _, err := s.str(); err != nil {
					return err
				}
				continue
			case '{', '[':
				depth++
				if s.depth+depth > maxDepth {
					return errSyntax
				}
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return nil
				}
			}
			s.i++
		}
		return errSyntax
	default:
		start := s.i
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if s.i == start {
					return errSyntax
				}
				return nil
			}
			s.i++
		}
		return errSyntax
	}
}

// scalar reads a scalar value; ok is false for null.
func (s *scanner) scalar() (eql.Value, bool, error) {
	c := s.b[s.i]
	switch {
	case c == '"':
		raw, esc, err := s.str()
		if err != nil {
			return eql.Null, false, err
		}
		if !esc {
			if len(raw) == 0 {
				return eql.String(""), true, nil
			}
			if !utf8.Valid(raw) {
				return eql.String(s.sanitize(raw)), true, nil
			}
			// Zero-copy: valid until the caller's buffer is reused (see Decode).
			return eql.String(unsafe.String(unsafe.SliceData(raw), len(raw))), true, nil
		}
		str, err := s.unescape(raw)
		return eql.String(str), true, err
	case c == 't':
		return s.literal("true", eql.Bool(true))
	case c == 'f':
		return s.literal("false", eql.Bool(false))
	case c == 'n':
		v, _, err := s.literal("null", eql.Null)
		return v, false, err
	case c == '-' || (c >= '0' && c <= '9'):
		start := s.i
		isInt := true
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c >= '0' && c <= '9' || c == '-' {
				s.i++
				continue
			}
			if c == '.' || c == 'e' || c == 'E' || c == '+' {
				isInt = false
				s.i++
				continue
			}
			break
		}
		num := unsafe.String(unsafe.SliceData(s.b[start:s.i]), s.i-start)
		if isInt {
			if n, err := strconv.ParseInt(num, 10, 64); err == nil {
				return eql.Int(n), true, nil
			}
		}
		f, err := strconv.ParseFloat(num, 64)
		if err != nil && !isRange(err) {
			return eql.Null, false, errSyntax
		}
		return eql.Float(f), true, nil
	}
	return eql.Null, false, errSyntax
}

func isRange(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

func (s *scanner) literal(word string, v eql.Value) (eql.Value, bool, error) {
	if s.i+len(word) > len(s.b) || string(s.b[s.i:s.i+len(word)]) != word {
		return eql.Null, false, errSyntax
	}
	s.i += len(word)
	return v, true, nil
}
