package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"iter"
	"os"
	"slices"
	"sync"

	"github.com/eqld/eqld/winevent"
)

// File layout constants.
const (
	fileMagic       = "ElfFile\x00"
	chunkMagic      = "ElfChnk\x00"
	recordMagic     = "\x2a\x2a\x00\x00"
	fileHeaderBlock = 4096  // the file header occupies the first 4 KiB
	chunkSize       = 65536 // chunks are 64 KiB
	chunkHeaderSize = 512   // chunk header incl. string and template tables
	recordHeader    = 24    // magic, size, record id, written time
	minRecordSize   = recordHeader + 4
	maxProblems     = 1000 // Problems kept in Stats; counters keep counting
)

// File header flags.
const (
	FlagDirty = 0x1 // the file was not closed cleanly
	FlagFull  = 0x2 // the log reached its maximum size
)

// FileHeader is the EVTX file header ("ElfFile").
type FileHeader struct {
	FirstChunk      uint64
	LastChunk       uint64
	NextRecordID    uint64
	HeaderSize      uint32 // 128
	MinorVersion    uint16 // 1 or 2
	MajorVersion    uint16 // 3
	HeaderBlockSize uint16 // 4096
	ChunkCount      uint16
	Flags           uint32 // FlagDirty, FlagFull
	Checksum        uint32 // CRC32 of the first 120 bytes
	ChecksumOK      bool
}

// Dirty reports whether the file was not closed cleanly: its header (and
// possibly the last chunk's header) may lag behind the records.
func (h FileHeader) Dirty() bool { return h.Flags&FlagDirty != 0 }

// Full reports whether the log reached its maximum size.
func (h FileHeader) Full() bool { return h.Flags&FlagFull != 0 }

// Stats reports what a Reader read and what it had to skip.
type Stats struct {
	Chunks         int // chunks with a valid signature that were read
	ChunksSkipped  int // non-empty chunks that could not be used
	Records        int // records returned
	RecordsSkipped int // damaged records (or damaged stretches) skipped
	// Problems describes each skipped or suspicious structure, in file
	// order; at most 1000 are kept, the counters above are always exact.
	Problems []Problem
}

// Problem is one damaged or inconsistent structure found while reading.
type Problem struct {
	Chunk  int   // chunk index in the file; -1 for the file header
	Offset int64 // file offset of the structure
	Reason string
}

// String formats the problem with its location, for logs.
func (p Problem) String() string {
	if p.Chunk < 0 {
		return fmt.Sprintf("file header: %s", p.Reason)
	}
	return fmt.Sprintf("chunk %d at offset 0x%x: %s", p.Chunk, p.Offset, p.Reason)
}

// Reader reads the event records of one EVTX file, in file order (chunk
// by chunk, record by record). A Reader is not safe for concurrent use.
type Reader struct {
	// ReuseRecord makes Next return the same *winevent.Record every time,
	// overwritten by the following call (its EventData slice is reused
	// too). Strings in it stay valid: they are never overwritten.
	ReuseRecord bool

	ra     io.ReaderAt
	closer io.Closer
	size   int64
	name   string
	hdr    FileHeader
	stats  Stats
	err    error // sticky I/O error

	nChunks    int // chunk slots present in the file (last may be partial)
	next       int // next chunk index to load
	ch         chunkState
	rec        winevent.Record
	haveEvents bool
	*state     // buffers, returned to statePool by Close
}

// state is the reusable part of a Reader: the 64 KiB chunk buffer, the
// template and name caches and the event and string buffers. Pooling it
// makes reading many small files (the common case for attack samples and
// collected triage logs) cheap.
type state struct {
	buf []byte
	x   *expander
	bd  builder
}

var statePool = sync.Pool{New: func() any {
	return &state{buf: make([]byte, chunkSize), x: newExpander()}
}}

// errClosed is returned by Next after Close.
var errClosed = errors.New("evtx: reader is closed")

// chunkState is the record walk through the current chunk.
type chunkState struct {
	active  bool
	index   int
	off     int64 // file offset
	n       int   // bytes present (less than 64 KiB when truncated)
	pos     int   // next record offset
	limit   int   // end of the record area
	trusted bool  // header CRC valid: limit is the free-space offset
	lastID  uint64
	haveID  bool
	extend  bool // already extended past the free-space offset
}

// Open opens an EVTX file. Close releases it.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("evtx: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("evtx: %w", err)
	}
	r, err := NewReader(f, fi.Size(), path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads EVTX data of the given size from ra; name identifies
// it in errors and in winevent.Record.Source. It fails only when the data
// is not an EVTX file at all; damage is reported through Stats.
func NewReader(ra io.ReaderAt, size int64, name string) (*Reader, error) {
	r := &Reader{ra: ra, size: size, name: name}
	if err := r.readHeader(); err != nil {
		return nil, err
	}
	r.state = statePool.Get().(*state)
	return r, nil
}

// Header returns the file header as read (possibly damaged: see Stats).
func (r *Reader) Header() FileHeader { return r.hdr }

// Stats returns what has been read so far (a copy: reading on does not
// change it).
func (r *Reader) Stats() Stats {
	st := r.stats
	st.Problems = slices.Clone(st.Problems)
	return st
}

// Close releases the Reader's buffers and closes the file opened by Open
// (the io.ReaderAt given to NewReader is left open). Records already
// returned stay valid.
func (r *Reader) Close() error {
	if r.state != nil {
		r.x.reset(nil)
		r.x.ev = r.x.ev[:0]
		// Drop pointers into this reader's records before pooling.
		clear(r.bd.fix[:cap(r.bd.fix)])
		r.bd.buf = nil
		statePool.Put(r.state)
		r.state = nil
	}
	r.err, r.haveEvents = errClosed, false
	if r.closer == nil {
		return nil
	}
	err := r.closer.Close()
	r.closer = nil
	return err
}

func (r *Reader) problem(chunk int, off int64, format string, args ...any) {
	if len(r.stats.Problems) < maxProblems {
		r.stats.Problems = append(r.stats.Problems, Problem{Chunk: chunk, Offset: off, Reason: fmt.Sprintf(format, args...)})
	}
}

func (r *Reader) readHeader() error {
	if r.size < 128 {
		return fmt.Errorf("evtx: %s: %d bytes is too small for an EVTX file header", r.name, r.size)
	}
	var h [128]byte
	if _, err := r.ra.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("evtx: %s: reading file header: %w", r.name, err)
	}
	le := binary.LittleEndian
	r.hdr = FileHeader{
		FirstChunk:      le.Uint64(h[8:]),
		LastChunk:       le.Uint64(h[16:]),
		NextRecordID:    le.Uint64(h[24:]),
		HeaderSize:      le.Uint32(h[32:]),
		MinorVersion:    le.Uint16(h[36:]),
		MajorVersion:    le.Uint16(h[38:]),
		HeaderBlockSize: le.Uint16(h[40:]),
		ChunkCount:      le.Uint16(h[42:]),
		Flags:           le.Uint32(h[120:]),
		Checksum:        le.Uint32(h[124:]),
	}
	r.hdr.ChecksumOK = crc32.ChecksumIEEE(h[:120]) == r.hdr.Checksum
	if r.size > fileHeaderBlock {
		r.nChunks = int((r.size - fileHeaderBlock + chunkSize - 1) / chunkSize)
	}
	if string(h[:8]) != fileMagic {
		// Accept a damaged header when a chunk follows: the records are
		// what matters.
		var c [8]byte
		if r.nChunks == 0 {
			return fmt.Errorf("evtx: %s: not an EVTX file (no ElfFile signature)", r.name)
		}
		if _, err := r.ra.ReadAt(c[:], fileHeaderBlock); err != nil || string(c[:]) != chunkMagic {
			return fmt.Errorf("evtx: %s: not an EVTX file (no ElfFile signature, no chunk at 0x%x)", r.name, fileHeaderBlock)
		}
		r.problem(-1, 0, "bad file signature %q; reading chunks anyway", h[:8])
		return nil
	}
	if !r.hdr.ChecksumOK {
		r.problem(-1, 0, "file header CRC32 mismatch (stored 0x%08x, computed 0x%08x)", r.hdr.Checksum, crc32.ChecksumIEEE(h[:120]))
	}
	if r.hdr.MajorVersion != 3 {
		r.problem(-1, 0, "unexpected format version %d.%d", r.hdr.MajorVersion, r.hdr.MinorVersion)
	}
	if r.hdr.HeaderBlockSize != fileHeaderBlock {
		r.problem(-1, 0, "unexpected header block size %d; using %d", r.hdr.HeaderBlockSize, fileHeaderBlock)
	}
	if r.size < fileHeaderBlock {
		r.problem(-1, 0, "file truncated inside its header block (%d bytes)", r.size)
	}
	return nil
}

// Next returns the next record, or io.EOF after the last one. Damaged
// chunks and records are skipped and reported in Stats; an error is
// returned only when reading the underlying data fails.
func (r *Reader) Next() (*winevent.Record, error) {
	r.haveEvents = false
	if r.err != nil {
		return nil, r.err
	}
	for {
		if !r.ch.active {
			if r.next >= r.nChunks {
				return nil, io.EOF
			}
			if err := r.loadChunk(r.next); err != nil {
				r.err = err
				return nil, err
			}
			r.next++
			continue
		}
		if rec := r.nextRecord(); rec != nil {
			return rec, nil
		}
	}
}

// All iterates over the remaining records. After an error it yields
// (nil, err) once and stops.
func (r *Reader) All() iter.Seq2[*winevent.Record, error] {
	return func(yield func(*winevent.Record, error) bool) {
		for {
			rec, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// loadChunk reads chunk i and validates its header. Chunks that cannot be
// used leave r.ch inactive.
func (r *Reader) loadChunk(i int) error {
	off := int64(fileHeaderBlock) + int64(i)*chunkSize
	want := int64(chunkSize)
	if r.size-off < want {
		want = r.size - off
	}
	buf := r.buf
	n, err := r.ra.ReadAt(buf[:want], off)
	if err != nil && !(errors.Is(err, io.EOF) && int64(n) == want) {
		return fmt.Errorf("evtx: %s: reading chunk %d at offset 0x%x: %w", r.name, i, off, err)
	}
	clear(buf[n:])
	r.ch = chunkState{index: i, off: off, n: n}
	if n < chunkHeaderSize || string(buf[:8]) != chunkMagic {
		if allZero(buf[:n]) {
			// Preallocated, never used: not damage.
			return nil
		}
		r.stats.ChunksSkipped++
		if n < chunkHeaderSize {
			r.problem(i, off, "chunk truncated to %d bytes, shorter than its header", n)
		} else {
			r.problem(i, off, "bad chunk signature %q", buf[:8])
		}
		return nil
	}
	r.stats.Chunks++
	if i >= int(r.hdr.ChunkCount) && !r.hdr.Dirty() {
		// libevtx lists these records only as "recovered"; they are real
		// events (a stale header undercounts), so they are read, but said.
		r.problem(i, off, "chunk beyond the file header's chunk count %d; read anyway", r.hdr.ChunkCount)
	}
	le := binary.LittleEndian
	stored := le.Uint32(buf[124:])
	sum := crc32.Update(crc32.ChecksumIEEE(buf[:120]), crc32.IEEETable, buf[128:chunkHeaderSize])
	free := int(le.Uint32(buf[48:]))
	ch := &r.ch
	ch.active, ch.pos, ch.limit = true, chunkHeaderSize, n
	switch {
	case n < chunkSize:
		r.problem(i, off, "chunk truncated to %d bytes; reading the records present", n)
	case stored != sum:
		r.problem(i, off, "chunk header CRC32 mismatch (stored 0x%08x, computed 0x%08x); scanning the whole chunk", stored, sum)
	case free < chunkHeaderSize || free > chunkSize:
		r.problem(i, off, "free-space offset 0x%x out of range; scanning the whole chunk", free)
	default:
		ch.trusted, ch.limit = true, free
		if rs := le.Uint32(buf[52:]); rs != crc32.ChecksumIEEE(buf[chunkHeaderSize:free]) {
			// Reported only: records carry their own structure checks, and
			// dropping them would lose evidence (libevtx keeps them too).
			r.problem(i, off, "event records CRC32 mismatch (stored 0x%08x, computed 0x%08x)", rs, crc32.ChecksumIEEE(buf[chunkHeaderSize:free]))
		}
	}
	r.x.reset(buf)
	return nil
}

// zeroChunk is compared against: bytes.Equal is vectorised.
var zeroChunk [chunkSize]byte

func allZero(b []byte) bool {
	for len(b) > chunkSize {
		if !bytes.Equal(b[:chunkSize], zeroChunk[:]) {
			return false
		}
		b = b[chunkSize:]
	}
	return bytes.Equal(b, zeroChunk[:len(b)])
}

// recordAt checks the record framing at p: signature, a size that fits
// before limit, and the size copy in the last four bytes. When the framing
// is wrong, why says how.
func (r *Reader) recordAt(p, limit int) (size int, why string) {
	buf := r.buf
	if p < 0 || p+minRecordSize > limit {
		return 0, "record header cut off"
	}
	if string(buf[p:p+4]) != recordMagic {
		return 0, fmt.Sprintf("bad record signature %x", buf[p:p+4])
	}
	size = int(binary.LittleEndian.Uint32(buf[p+4:]))
	if size < minRecordSize {
		return size, fmt.Sprintf("record size %d too small", size)
	}
	if size > limit-p {
		return size, fmt.Sprintf("record of %d bytes runs past the end of the chunk data (%d bytes left)", size, limit-p)
	}
	if c := int(binary.LittleEndian.Uint32(buf[p+size-4:])); c != size {
		return size, fmt.Sprintf("record size %d does not match its copy %d", size, c)
	}
	return size, ""
}

// plausible is the stricter test used when searching for a record start:
// framing plus a BinXML fragment header (or a PI) at the start.
func (r *Reader) plausible(p, limit int) bool {
	size, why := r.recordAt(p, limit)
	if why != "" || size < minRecordSize+4 {
		return false
	}
	d := r.buf[p+recordHeader:]
	return (d[0] == tokFragment && d[1] == 1 && d[2] == 1 && d[3] == 0) || d[0] == tokPITarget
}

// resync finds the next plausible record start after p within limit.
func (r *Reader) resync(p, limit int) int {
	for q := p + 1; q+minRecordSize <= limit; {
		k := bytes.Index(r.buf[q:limit], []byte(recordMagic))
		if k < 0 {
			return -1
		}
		q += k
		if r.plausible(q, limit) {
			return q
		}
		q++
	}
	return -1
}

// nextRecord returns the next record of the current chunk, or nil when
// the chunk is exhausted (r.ch becomes inactive).
func (r *Reader) nextRecord() *winevent.Record {
	ch := &r.ch
	for {
		p := ch.pos
		if p+minRecordSize > ch.limit {
			if r.extendChunk() {
				continue
			}
			if p < ch.limit && !allZero(r.buf[p:ch.limit]) {
				// A record cut off by truncation, or garbage before the
				// free-space offset.
				r.stats.RecordsSkipped++
				r.problem(ch.index, ch.off+int64(p), "incomplete record of %d bytes at the end of the chunk", ch.limit-p)
			}
			ch.active = false
			return nil
		}
		size, why := r.recordAt(p, ch.limit)
		if why != "" {
			if !ch.trusted && allZero(r.buf[p:min(p+minRecordSize, ch.limit)]) {
				// Untrusted chunk header: zeros mark the end of the records.
				ch.active = false
				return nil
			}
			q := r.resync(p, ch.limit)
			r.stats.RecordsSkipped++
			if q < 0 {
				r.problem(ch.index, ch.off+int64(p), "%s; no further record in the chunk", why)
				ch.active = false
				return nil
			}
			r.problem(ch.index, ch.off+int64(p), "%s; resuming at chunk offset 0x%x", why, q)
			ch.pos = q
			continue
		}
		ch.pos = p + size
		buf := r.buf
		id := binary.LittleEndian.Uint64(buf[p+8:])
		ch.lastID, ch.haveID = id, true
		if err := r.x.record(p+recordHeader, p+size-4); err != nil {
			r.stats.RecordsSkipped++
			r.problem(ch.index, ch.off+int64(p), "record %d: %v", id, err)
			continue
		}
		written := fileTime(binary.LittleEndian.Uint64(buf[p+16:]))
		rec := &r.rec
		if !r.ReuseRecord {
			rec = new(winevent.Record)
		}
		r.bd.build(rec, r.buf, r.x.ev, id, written, r.name)
		r.stats.Records++
		r.haveEvents = true
		return rec
	}
}

// extendChunk handles the end of a trusted chunk's record area: when the
// header is stale (dirty file) the record chain continues past the
// free-space offset, with the next record id. Slack space holding older,
// unrelated records is not read (libevtx calls those "recovered").
func (r *Reader) extendChunk() bool {
	ch := &r.ch
	if !ch.trusted || ch.extend || !ch.haveID {
		return false
	}
	p := ch.pos
	if !r.plausible(p, ch.n) || binary.LittleEndian.Uint64(r.buf[p+8:]) != ch.lastID+1 {
		return false
	}
	// From here on zeros, not the header, mark the end of the records.
	ch.extend, ch.limit, ch.trusted = true, ch.n, false
	r.problem(ch.index, ch.off+int64(p), "records continue past the chunk header's free-space offset (stale chunk header)")
	return true
}
