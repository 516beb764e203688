package eventjson

import (
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/internal/jsonscan"
)

// This file is the decoder's scanner: one pass over the document that
// descends only into keys leading to referenced fields and skips every
// other value without converting it. It validates everything it passes, the
// skipped values too (with package jsonscan), so that a document needs no
// separate validation pass.

var errSyntax = errors.New("malformed JSON document")

type scanner struct {
	b     []byte
	i     int
	depth int
	arena []byte // unescaped strings of the current document
}

const maxDepth = jsonscan.MaxDepth // deeper documents are rejected

func (s *scanner) ws() { s.i = jsonscan.SkipWS(s.b, s.i) }

// more reads what follows a member or an element: a comma (more is true)
// or the container's closing byte (false, with a nil error).
func (s *scanner) more(close byte) (bool, error) {
	s.ws()
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ',':
			s.i++
			return true, nil
		case close:
			s.i++
			return false, nil
		}
	}
	return false, errSyntax
}

// str reads a string starting at its opening quote. It returns the raw
// bytes between the quotes and whether they contain escapes.
func (s *scanner) str() ([]byte, bool, error) {
	raw, esc, _, err := s.strASCII()
	return raw, esc, err
}

// strASCII is str, and also reports whether the bytes are all ASCII.
func (s *scanner) strASCII() (raw []byte, esc, ascii bool, err error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false, false, errSyntax
	}
	end, esc, ascii := jsonscan.StringEndASCII(s.b, s.i)
	if end < 0 {
		return nil, false, false, errSyntax
	}
	raw = s.b[s.i+1 : end]
	s.i = end + 1
	return raw, esc, ascii, nil
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

// skip validates and passes over one value of any kind.
func (s *scanner) skip() error {
	e := jsonscan.Skip(s.b, s.i, s.depth)
	if e < 0 {
		return errSyntax
	}
	s.i = e
	return nil
}

// scalar reads a scalar value; ok is false for null.
func (s *scanner) scalar() (eql.Value, bool, error) {
	c := s.b[s.i]
	switch {
	case c == '"':
		raw, esc, ascii, err := s.strASCII()
		if err != nil {
			return eql.Null, false, err
		}
		if !esc {
			if len(raw) == 0 {
				return eql.String(""), true, nil
			}
			if !ascii && !utf8.Valid(raw) {
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
		end := jsonscan.NumberEnd(s.b, start)
		if end < 0 {
			return eql.Null, false, errSyntax
		}
		s.i = end
		num := unsafe.String(unsafe.SliceData(s.b[start:end]), end-start)
		isInt := true
		for k := start; k < end; k++ {
			if c := s.b[k]; c == '.' || c == 'e' || c == 'E' {
				isInt = false
				break
			}
		}
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
