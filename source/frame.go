package source

import (
	"bytes"
	"fmt"
	"io"
)

// readBuf is a growable read buffer over one input stream. Unconsumed data
// is buf[r:w]; fill moves it to the front before reading more, which is what
// invalidates slices handed out earlier.
type readBuf struct {
	src  io.Reader
	buf  []byte
	r, w int
	off  int64 // stream offset of buf[0]
	eof  bool
	err  error // the read error that ended the stream early, if any
}

func (b *readBuf) reset(src io.Reader, size int) {
	if cap(b.buf) < size {
		b.buf = make([]byte, size)
	}
	b.buf = b.buf[:cap(b.buf)]
	*b = readBuf{src: src, buf: b.buf}
}

// fill reads more input after buf[r:w], compacting and growing the buffer
// as needed. It reads once (so that a slow pipe delivers events as they
// come) and sets eof at the end of the stream or on a read error.
func (b *readBuf) fill() {
	if b.eof {
		return
	}
	if b.r > 0 {
		n := copy(b.buf, b.buf[b.r:b.w])
		b.off += int64(b.r)
		b.w = n
		b.r = 0
	}
	if b.w == len(b.buf) {
		nb := make([]byte, 2*len(b.buf))
		copy(nb, b.buf[:b.w])
		b.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := b.src.Read(b.buf[b.w:])
		b.w += n
		if err != nil {
			b.eof = true
			if err != io.EOF {
				b.err = err
			}
			return
		}
		if n > 0 {
			return
		}
		if tries > 100 {
			b.eof, b.err = true, io.ErrNoProgress
			return
		}
	}
}

// Read lets a plug-in decoder read the stream including the bytes already
// buffered for sniffing.
func (b *readBuf) Read(p []byte) (int, error) {
	if b.r < b.w {
		n := copy(p, b.buf[b.r:b.w])
		b.r += n
		return n, nil
	}
	if b.eof {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.src.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// frame is one candidate document cut from the input, or a framing problem.
type frame struct {
	b        []byte
	line     int   // Origin.Line: line, or element number in an array
	fileLine int   // line in the file, for problems
	off      int64 // offset in the decompressed stream
	// compact is set when b may contain insignificant whitespace spanning
	// lines (pretty-printed objects, array elements): it is compacted so that
	// Raw never holds a raw newline.
	compact bool
	// copy is set when b lives in a buffer that is refilled before the
	// event is returned: it is copied to the arena.
	copy    bool
	problem string // when set, b is empty and this is reported
	hit     int    // Origin.Hit
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// trimSpace trims JSON whitespace without the Unicode tables of
// bytes.TrimSpace.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// lineFramer cuts NDJSON into lines. Blank lines and lines starting with //
// are skipped.
type lineFramer struct {
	b    *readBuf
	line int // number of the last line cut
	scan int // bytes after b.r already known to hold no newline
	max  int
	// While a line longer than max is being skipped:
	skipping  bool
	skipLine  int
	skipOff   int64
	skipBytes int64
}

func (f *lineFramer) next(noRefill bool) (frame, error) {
	b := f.b
	for {
		var raw []byte
		var start int
		if i := bytes.IndexByte(b.buf[b.r+f.scan:b.w], '\n'); i >= 0 {
			start = b.r
			end := b.r + f.scan + i
			raw = b.buf[start:end]
			b.r = end + 1
			f.scan = 0
		} else if b.eof {
			if b.r == b.w && !f.skipping {
				return frame{}, io.EOF
			}
			start = b.r
			raw = b.buf[b.r:b.w]
			b.r = b.w
			f.scan = 0
			if len(raw) == 0 && f.skipping {
				// The over-long line ended exactly at the end of input.
				return f.skipped(), nil
			}
		} else {
			if noRefill {
				f.scan = b.w - b.r
				return frame{}, errWouldBlock
			}
			if f.skipping || b.w-b.r > f.max {
				// Too long: drop what is held, remember where it started, and
				// look for its end without keeping it.
				if !f.skipping {
					f.skipping = true
					f.skipLine = f.line + 1
					f.skipOff = b.off + int64(b.r)
					f.skipBytes = 0
				}
				f.skipBytes += int64(b.w - b.r)
				b.r = b.w
				f.scan = 0
			} else {
				f.scan = b.w - b.r
			}
			b.fill()
			continue
		}
		f.line++
		if f.skipping {
			f.skipBytes += int64(len(raw))
			return f.skipped(), nil
		}
		raw = trimSpace(raw)
		if len(raw) == 0 || (len(raw) >= 2 && raw[0] == '/' && raw[1] == '/') {
			continue
		}
		return frame{b: raw, line: f.line, fileLine: f.line, off: b.off + int64(start)}, nil
	}
}

func (f *lineFramer) skipped() frame {
	f.skipping = false
	f.line = f.skipLine
	return frame{
		line: f.skipLine, fileLine: f.skipLine, off: f.skipOff,
		problem: fmt.Sprintf("line is %d bytes, longer than the %d-byte limit (Options.MaxDocSize); skipped", f.skipBytes, f.max),
	}
}

// valueFramer cuts a stream of JSON values: pretty-printed objects one after
// another, a single object, and arrays, whose elements are cut one by one so
// that a large array is never held whole. Whitespace, commas between values
// and // comment lines are skipped (the EQL suite's data files have them).
type valueFramer struct {
	b       *readBuf
	line    int // line number at b.r
	inArray bool
	elem    int
	max     int
}

func (f *valueFramer) next() (frame, error) {
	b := f.b
	for {
		if b.r >= b.w {
			if b.eof {
				if f.inArray {
					f.inArray = false
					return frame{fileLine: f.line, off: b.off + int64(b.r),
						problem: "the JSON array is not closed by ] (truncated file?); the elements before this point were read"}, nil
				}
				return frame{}, io.EOF
			}
			b.fill()
			continue
		}
		switch b.buf[b.r] {
		case '\n':
			f.line++
			b.r++
			continue
		case ' ', '\t', '\r', ',':
			b.r++
			continue
		case '/':
			if b.w-b.r < 2 && !b.eof {
				b.fill()
				continue
			}
			if b.w-b.r >= 2 && b.buf[b.r+1] == '/' {
				f.skipComment()
				continue
			}
		case '[':
			if !f.inArray {
				f.inArray = true
				f.elem = 0
				b.r++
				continue
			}
		case ']':
			if f.inArray {
				f.inArray = false
				b.r++
				continue
			}
		}
		return f.value(), nil
	}
}

// skipComment skips from // to the end of the line.
func (f *valueFramer) skipComment() {
	b := f.b
	for {
		if i := bytes.IndexByte(b.buf[b.r:b.w], '\n'); i >= 0 {
			b.r += i + 1
			f.line++
			return
		}
		b.r = b.w
		if b.eof {
			return
		}
		b.fill()
	}
}

// isDelim reports whether c ends a bare scalar (number, literal, garbage).
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\r', '\n', ',', ']', '}', '[', '{', '"':
		return true
	}
	return false
}

// value cuts the value starting at b.r. It tracks nesting and strings only;
// validation is left to the parser. A '{' at the start of a line while an
// object is still open is taken as the start of the next document, so that
// one truncated document does not swallow the rest of the file (pretty
// printers indent nested values).
func (f *valueFramer) value() frame {
	b := f.b
	fr := frame{fileLine: f.line, off: b.off + int64(b.r)}
	if f.inArray {
		f.elem++
		fr.line = f.elem
	} else {
		fr.line = f.line
	}
	depth, inStr, esc := 0, false, false
	switch b.buf[b.r] {
	case '{', '[':
		depth = 1
	case '"':
		inStr = true
	}
	// A bare scalar at the top level is garbage (or a stray value): it is
	// reported as one problem up to the end of its line. In an array it ends
	// at the next delimiter.
	scalar := depth == 0 && !inStr
	i := 1 // scan position relative to b.r
	var dropped int64
	bol := false
	ws := false // whitespace seen outside strings: the value needs compacting
	cut := ""   // why the value ended early
	end := -1
	for end < 0 {
		if b.r+i >= b.w {
			if b.eof {
				end = i
				if depth > 0 || inStr {
					cut = "the document is cut off at the end of the input (truncated file?); skipped"
				}
				break
			}
			if i > f.max {
				// Too large: stop holding it, keep scanning for its end.
				f.line += bytes.Count(b.buf[b.r:b.r+i], nl)
				dropped += int64(i)
				b.r += i
				i = 0
			}
			b.fill()
			continue
		}
		if inStr {
			buf, k, w := b.buf, b.r+i, b.w
			if esc {
				esc = false
				k++ // the escaped byte
			}
			// Keys and short values end within a few bytes; long values
			// (command lines, paths) are crossed with IndexByte.
			for lim := min(k+16, w); k < lim && !strStop[buf[k]]; k++ {
			}
			if k < w && !strStop[buf[k]] {
				seg := buf[k:w]
				if j := bytes.IndexByte(seg, '"'); j >= 0 {
					seg = seg[:j]
				}
				if bytes.IndexByte(seg, '\\') < 0 && bytes.IndexByte(seg, '\n') < 0 {
					k += len(seg)
				} else {
					for k < w && !strStop[buf[k]] {
						k++
					}
				}
			}
			i = k - b.r
			if k >= w {
				continue
			}
			switch buf[k] {
			case '"':
				inStr = false
				i++
				if depth == 0 {
					end = i
				}
			case '\\':
				esc = true
				i++
			case '\n':
				// A raw newline cannot be in a JSON string: take it as the
				// end of a broken string, so that the next document is
				// still found.
				inStr = false
				if depth == 0 {
					end = i
				}
			}
			continue
		}
		c := b.buf[b.r+i]
		if scalar {
			if c == '\n' || (f.inArray && isDelim(c)) {
				end = i
			} else {
				i++
			}
			continue
		}
		if bol {
			bol = false
			if c == '{' && depth > 0 {
				end = i
				cut = fmt.Sprintf("the document is not closed before the next one starts at line %d; skipped", f.line+bytes.Count(b.buf[b.r:b.r+i], nl))
				break
			}
		}
		switch c {
		case '"':
			inStr = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				end = i + 1
			}
		case '\n':
			bol = true
			ws = true
		case ' ', '\t', '\r':
			ws = true
			k := b.r + i + 1 // indentation comes in runs
			for k < b.w && (b.buf[k] == ' ' || b.buf[k] == '\t') {
				k++
			}
			i = k - b.r
			continue
		default:
			// Skip a run of bytes that matter to neither nesting nor
			// strings (keys' colons, numbers, literals, commas).
			k := b.r + i + 1
			for k < b.w && !structStop[b.buf[k]] {
				k++
			}
			i = k - b.r
			continue
		}
		i++
	}
	raw := b.buf[b.r : b.r+end]
	f.line += bytes.Count(raw, nl)
	b.r += end
	switch {
	case dropped > 0:
		fr.problem = fmt.Sprintf("document is %d bytes, larger than the %d-byte limit (Options.MaxDocSize); skipped", dropped+int64(end), f.max)
	case cut != "":
		fr.problem = cut
	default:
		fr.b = trimSpace(raw)
		fr.compact = ws
		fr.copy = true
	}
	return fr
}

var nl = []byte{'\n'}

// Byte classes for valueFramer.value: the bytes that end a run inside a
// string, and outside strings.
var strStop, structStop [256]bool

func init() {
	for _, c := range []byte{'"', '\\', '\n'} {
		strStop[c] = true
	}
	for _, c := range []byte{'"', '{', '[', '}', ']', '\n', ' ', '\t', '\r'} {
		structStop[c] = true
	}
}
