package winevent

import (
	"bufio"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeBOM returns a UTF-8 reader for r: UTF-16 input (with a byte-order
// mark, or without one when the text starts with '<' and a zero byte, as
// PowerShell's `wevtutil … > file` and Event Viewer exports can be) is
// transcoded, a UTF-8 byte-order mark is dropped, anything else is passed
// through.
func decodeBOM(r io.Reader) io.Reader {
	br := bufio.NewReaderSize(r, 64*1024)
	head, _ := br.Peek(4)
	switch {
	case len(head) >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF:
		br.Discard(3)
		return br
	case len(head) >= 2 && head[0] == 0xFF && head[1] == 0xFE:
		br.Discard(2)
		return &utf16Reader{r: br, little: true}
	case len(head) >= 2 && head[0] == 0xFE && head[1] == 0xFF:
		br.Discard(2)
		return &utf16Reader{r: br}
	case len(head) >= 4 && head[0] == '<' && head[1] == 0 && head[3] == 0:
		return &utf16Reader{r: br, little: true}
	case len(head) >= 4 && head[0] == 0 && head[1] == '<' && head[2] == 0:
		return &utf16Reader{r: br}
	}
	return br
}

// utf16Reader transcodes UTF-16 to UTF-8; unpaired surrogates and a
// trailing odd byte become U+FFFD.
type utf16Reader struct {
	r      *bufio.Reader
	little bool
	out    []byte
	err    error
	high   rune // pending high surrogate, 0 if none
}

func (u *utf16Reader) unit() (rune, error) {
	var b [2]byte
	n, err := io.ReadFull(u.r, b[:])
	if n == 1 {
		return utf8.RuneError, nil // odd trailing byte
	}
	if err != nil {
		return 0, err
	}
	if u.little {
		return rune(b[0]) | rune(b[1])<<8, nil
	}
	return rune(b[1]) | rune(b[0])<<8, nil
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) < len(p) && u.err == nil && len(u.out) < 4096 {
		c, err := u.unit()
		if err != nil {
			if u.high != 0 {
				u.out = utf8.AppendRune(u.out, utf8.RuneError)
				u.high = 0
			}
			u.err = err
			break
		}
		switch {
		case u.high != 0 && c >= 0xDC00 && c <= 0xDFFF:
			u.out = utf8.AppendRune(u.out, utf16.DecodeRune(u.high, c))
			u.high = 0
		case u.high != 0:
			u.out = utf8.AppendRune(u.out, utf8.RuneError)
			u.high = 0
			fallthrough
		default:
			if c >= 0xD800 && c <= 0xDBFF {
				u.high = c
			} else {
				u.out = utf8.AppendRune(u.out, c) // a lone low surrogate becomes U+FFFD
			}
		}
	}
	n := copy(p, u.out)
	u.out = u.out[:copy(u.out, u.out[n:])]
	if n == 0 && u.err != nil {
		return 0, u.err
	}
	return n, nil
}
