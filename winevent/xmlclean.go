package winevent

import (
	"bytes"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlCleaner prepares exported event XML for encoding/xml:
//
//   - it replaces the characters XML 1.0 forbids — control characters
//     other than tab, newline and carriage return, raw or as character
//     references — by U+FFFD. Event data is binary-clean in EVTX, and
//     exporters (evtxexport, some wevtutil versions) write such characters
//     as they are, which Go's XML decoder rejects; one bad byte would
//     otherwise end the whole file;
//   - it turns a raw carriage return in text and attribute values into
//     &#13;, so that the decoder's line-end normalisation does not turn
//     the "\r\n" of event data into "\n": a record read from XML then
//     carries the same values as the same record read from EVTX.
type xmlCleaner struct {
	inTag bool // between '<' and '>'
	quote byte // inside an attribute value delimited by this quote
	r     io.Reader
	in    []byte // unread input, including a possibly incomplete reference
	out   []byte // cleaned bytes not yet returned
	eof   bool
	err   error
	chunk []byte
}

func newXMLCleaner(r io.Reader) *xmlCleaner {
	return &xmlCleaner{r: r, chunk: make([]byte, 32*1024)}
}

var replacement = []byte("\uFFFD")

func (c *xmlCleaner) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.eof {
			if len(c.in) > 0 {
				c.out = append(c.out, c.in...)
				c.in = c.in[:0]
				continue
			}
			return 0, c.err
		}
		n, err := c.r.Read(c.chunk)
		c.in = append(c.in, c.chunk[:n]...)
		if err != nil {
			c.eof, c.err = true, err
		}
		c.clean()
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	if len(c.out) == 0 {
		c.out = c.out[:0:0]
	}
	return n, nil
}

// clean moves what can be decided from c.in to c.out, keeping a trailing
// incomplete "&#…" reference for the next round.
func (c *xmlCleaner) clean() {
	in := c.in
	out := c.out
	i := 0
	for i < len(in) {
		b := in[i]
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			out = append(out, replacement...)
			i++
			continue
		}
		switch {
		case c.quote != 0:
			if b == c.quote {
				c.quote = 0
			}
		case c.inTag:
			if b == '"' || b == '\'' {
				c.quote = b
			} else if b == '>' {
				c.inTag = false
			}
		case b == '<':
			c.inTag = true
		}
		if b == '\r' && (c.quote != 0 || !c.inTag) {
			out = append(out, "&#13;"...)
			i++
			continue
		}
		if b == '&' && i+1 < len(in) && in[i+1] == '#' || b == '&' && i+1 == len(in) {
			end := bytes.IndexByte(in[i:min(len(in), i+16)], ';')
			if end < 0 {
				if !c.eof && len(in)-i < 16 {
					break // maybe completed by the next read
				}
				out = append(out, b)
				i++
				continue
			}
			ref := in[i+2 : i+end]
			if code, ok := charRef(ref); ok && illegalXMLChar(code) {
				out = append(out, replacement...)
				i += end + 1
				continue
			}
			out = append(out, in[i:i+end+1]...)
			i += end + 1
			continue
		}
		out = append(out, b)
		i++
	}
	c.out = out
	c.in = append(c.in[:0], in[i:]...)
}

func charRef(ref []byte) (uint64, bool) {
	if len(ref) > 1 && (ref[0] == 'x' || ref[0] == 'X') {
		n, err := strconv.ParseUint(string(ref[1:]), 16, 32)
		return n, err == nil
	}
	n, err := strconv.ParseUint(string(ref), 10, 32)
	return n, err == nil
}

func illegalXMLChar(r uint64) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return false
	case r < 0x20:
		return true
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF, r > utf8.MaxRune:
		return true
	}
	return false
}
