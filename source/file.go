package source

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// sniffSize is how much of a file is looked at to choose its format.
const sniffSize = 64 << 10

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
	bom       = []byte{0xef, 0xbb, 0xbf}
)

// file is the input being read.
type file struct {
	name   string
	index  string
	osf    *os.File // nil for stdin
	size   int64    // -1 when unknown
	cnt    *counter
	events int
	failed bool

	lines  *lineFramer
	values *valueFramer
	dec    *decoderFramer
}

func (f *file) next(noRefill bool) (frame, error) {
	switch {
	case f.lines != nil:
		return f.lines.next(noRefill)
	case f.values != nil:
		return f.values.next()
	default:
		return f.dec.next()
	}
}

func (f *file) close() error {
	var err error
	if f.dec != nil {
		err = f.dec.dec.Close()
	}
	if f.osf != nil {
		if e := f.osf.Close(); err == nil {
			err = e
		}
	}
	return err
}

// counter counts the bytes read from the underlying file into the Reader's
// progress counter. pos is the high-water mark of what was read, so that
// random reads through ReaderAt count each byte once.
type counter struct {
	r     io.Reader
	ra    io.ReaderAt
	pos   atomic.Int64
	total *atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 {
		c.pos.Add(int64(n))
		c.total.Add(int64(n))
	}
	return n, err
}

func (c *counter) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.ra.ReadAt(p, off)
	end := off + int64(n)
	for {
		cur := c.pos.Load()
		if end <= cur {
			break
		}
		if c.pos.CompareAndSwap(cur, end) {
			c.total.Add(end - cur)
			break
		}
	}
	return n, err
}

// openFile opens an input and chooses how to read it. Failures are
// reported and leave r.cur nil, so that the next input is tried.
func (r *Reader) openFile(in input) {
	f := &file{name: in.name, index: in.index, size: in.size}
	var src io.Reader
	if in.stdin {
		src = stdinReader(r.opts)
		f.size = -1
	} else {
		osf, err := os.Open(in.path)
		if err != nil {
			r.fileProblem(f, fmt.Sprintf("cannot open: %v; skipped", unwrapPath(err)))
			r.creditRest(f, 0)
			return
		}
		f.osf = osf
		src = osf
	}
	r.files.Add(1)
	name := f.name
	r.curName.Store(&name)
	cnt := &counter{r: src, total: &r.bytesRead}
	if f.osf != nil {
		cnt.ra = f.osf
	}
	f.cnt = cnt

	// Compression is recognised by magic bytes, whatever the name says.
	if r.br == nil {
		r.br = bufio.NewReaderSize(cnt, 64<<10)
	} else {
		r.br.Reset(cnt)
	}
	br := r.br
	magic, _ := br.Peek(4)
	var stream io.Reader = br
	compressed := true
	switch {
	case bytes.HasPrefix(magic, magicGzip):
		var err error
		if r.gz == nil {
			r.gz, err = gzip.NewReader(br)
		} else {
			err = r.gz.Reset(br)
		}
		if err != nil {
			r.abandon(f, fmt.Sprintf("starts like gzip but is not valid gzip: %v; skipped", err))
			return
		}
		stream = r.gz
	case bytes.HasPrefix(magic, magicZstd):
		var err error
		if r.zd == nil {
			// One goroutine: the engine's workers use the other cores.
			r.zd, err = zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		} else {
			err = r.zd.Reset(br)
		}
		if err != nil {
			r.abandon(f, fmt.Sprintf("starts like zstd but is not valid zstd: %v; skipped", err))
			return
		}
		stream = r.zd
	default:
		compressed = false
	}

	rb := &r.rb
	rb.reset(stream, r.bufSize)
	// Read until the format is settled: a whole NDJSON line settles it at
	// once, so that a pipe delivering a few events at a time is not held up.
	limit := max(r.bufSize, sniffSize)
	for !rb.eof && rb.w < limit {
		if _, decided := sniff(bytes.TrimPrefix(rb.buf[:rb.w], bom), false); decided {
			break
		}
		rb.fill()
	}
	head := rb.buf[rb.r:rb.w]

	if fm, ok := lookupFormat(f.name, head); ok {
		fi := File{Name: f.name, R: rb, Size: -1}
		if !compressed && f.osf != nil {
			fi.ReaderAt = cnt
			fi.Size = f.size
		}
		dec, err := fm.New(fi)
		if err != nil {
			r.abandon(f, fmt.Sprintf("cannot read as %s: %v; skipped", fm.Name, err))
			return
		}
		f.dec = &decoderFramer{dec: dec, format: fm.Name}
		r.cur = f
		return
	}

	if bytes.HasPrefix(head, bom) {
		rb.r += len(bom)
		head = head[len(bom):]
	}
	m, _ := sniff(head, rb.eof || rb.w >= limit)
	switch m {
	case modeLines:
		f.lines = &lineFramer{b: rb, max: r.maxDoc}
	case modeValues:
		f.values = &valueFramer{b: rb, line: 1, max: r.maxDoc}
	default:
		r.abandon(f, fmt.Sprintf("not JSON or NDJSON (starts with %q) and no registered format matches; skipped", excerpt(head)))
		return
	}
	r.cur = f
}

// abandon reports a file that cannot be read and moves on.
func (r *Reader) abandon(f *file, reason string) {
	r.fileProblem(f, reason)
	r.creditRest(f, f.cnt.pos.Load())
	f.close()
	r.cur = nil
}

// finishFile closes the current file, reporting a read error that ended it
// early (a truncated or corrupt compressed stream).
func (r *Reader) finishFile() {
	f := r.cur
	r.cur = nil
	if err := r.rb.err; err != nil && f.dec == nil {
		r.fileProblem(f, fmt.Sprintf("read error after %d bytes: %v (truncated or corrupt file?); the %d events before it were read", r.rb.off+int64(r.rb.w), err, f.events))
	}
	if err := f.close(); err != nil {
		r.fileProblem(f, fmt.Sprintf("close: %v", err))
	}
	r.creditRest(f, f.cnt.pos.Load())
	r.rb.src = nil
}

// creditRest counts the part of a file that was not read, so that progress
// reaches the total.
func (r *Reader) creditRest(f *file, read int64) {
	if f.size > read {
		r.bytesRead.Add(f.size - read)
	}
}

// excerpt returns the start of b for a message.
func excerpt(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return string(b)
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
