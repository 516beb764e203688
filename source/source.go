package source

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Event is one event document with the identity Kibana uses for alert ids.
type Event struct {
	// Raw is the event document (the _source): one JSON object. For an NDJSON
	// line it is the line itself without surrounding whitespace; documents
	// that spanned several lines, array elements and hits are compacted, so
	// Raw never contains a raw newline. Raw is only valid until the next call
	// to Next or NextBatch: copy it to keep it.
	Raw []byte
	// Index is the _index of a hit; else "<type>-<dataset>-<namespace>" from
	// the document's data_stream fields; else the index given for the input
	// (Input.Index, Options.Index); else "".
	Index string
	// ID is the _id of a hit; else ContentID(Raw).
	ID string
	// Version is the _version of a hit, as written in the input; else "".
	Version string
	// Origin says where the document was read.
	Origin Origin
	// Deferred is set, with Options.DeferValidation, on an event whose
	// document the reader has not looked into: Raw starts with '{' but may
	// be invalid JSON, or an Elasticsearch hit or response rather than an
	// event, and Index is the input's index, not yet the one its
	// data_stream fields imply. Before the next call to Next or NextBatch
	// the consumer either calls Settle, which does what the reader would
	// have done, or checks Raw itself: it reports an invalid document with
	// Reject, calls Settle for a document with a top-level "_source" or
	// "hits" member, and takes the index from DataStreamIndex.
	Deferred bool
}

// Origin locates an event in its input, for messages and for tracing an
// alert back to the line it came from.
type Origin struct {
	// File is the path as given or found by expanding a directory or glob;
	// "<stdin>" for standard input.
	File string
	// Line is the 1-based line where the document starts, or its 1-based
	// element number when it is an element of a top-level JSON array.
	Line int
	// Offset is the byte offset of the document in the decompressed input.
	Offset int64
	// Hit is the 1-based position of the event inside the _search or
	// _eql/search response found at Line; 0 when the event is not from a
	// response.
	Hit int
}

// Problem is something wrong with the input that was reported and skipped: a
// malformed document, an unreadable file, a truncated compressed stream.
// Problem implements error; with Options.Strict the first one is returned by
// Next as a *Problem.
type Problem struct {
	// File is the input's name as in Origin.File.
	File string
	// Line is the 1-based line where the bad document starts; 0 for a problem
	// with the whole file.
	Line int
	// Offset is the byte offset of the bad document in the decompressed
	// input; 0 for a problem with the whole file.
	Offset int64
	// Reason says what is wrong and what was done about it.
	Reason string
}

// Error renders the problem as "file:line: reason".
func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Reason)
}

// Options configure a Reader.
type Options struct {
	// Index is the index name for documents that have neither an _index nor
	// data_stream fields, for inputs without their own Input.Index.
	Index string
	// Strict makes the first problem fatal: Next returns it as a *Problem
	// instead of reporting it and going on.
	Strict bool
	// OnProblem, if set, is called for every problem, in input order, from
	// the goroutine calling Open, Next or NextBatch.
	OnProblem func(Problem)
	// Stdin is read for the path "-"; nil means os.Stdin.
	Stdin io.Reader
	// BufferSize is the initial read buffer size; 0 means 1 MiB. The buffer
	// grows to hold longer lines.
	BufferSize int
	// DeferContentID leaves Event.ID empty for documents without an _id,
	// saving the SHA-256 (about 0.7 µs per KB) for the many events that never
	// become alerts; the consumer then calls ContentID(Raw) for those that
	// do. Off by default, so that ID is always set.
	DeferContentID bool
	// DeferValidation hands NDJSON lines that start with '{' to the
	// consumer unexamined, so that a consumer that parses every document
	// anyway (as eventjson.Decoder does, validating as it goes) reads each
	// byte once. Such events have Deferred set; see Event.Deferred for what
	// the consumer then owes (hits and responses among them included).
	// Array elements, multi-line documents and formats with their own
	// decoders are validated as usual.
	DeferValidation bool
	// MaxDocSize bounds one document (line, array element, object); a longer
	// one is reported and skipped without being held in memory. 0 means
	// 512 MiB.
	MaxDocSize int
}

// Input is one path to read, with the index name to give its documents when
// they carry none of their own.
type Input struct {
	// Path is a file, a directory (read recursively, in sorted order, hidden
	// entries skipped), a glob (filepath.Match syntax, plus ** for any number
	// of directories), or "-" for standard input.
	Path string
	// Index overrides Options.Index for the documents of this input.
	Index string
}

// Stats are the Reader's counters. Stats may be called from any goroutine,
// e.g. to drive a progress bar while another goroutine calls Next.
type Stats struct {
	// BytesRead counts bytes of the underlying files (compressed size for
	// compressed files). When a file is finished or abandoned the rest of its
	// size is added, so that BytesRead reaches BytesTotal at the end.
	BytesRead int64
	// BytesTotal is the sum of the input file sizes, or -1 when unknown
	// (standard input is one of the inputs).
	BytesTotal int64
	// Files is the number of files opened so far; FilesFailed the number of
	// inputs that could not be read at all or ended in a read error.
	Files, FilesFailed int64
	// Events is the number of events returned so far.
	Events int64
	// Problems is the number of problems reported so far: malformed
	// documents and file-level problems.
	Problems int64
	// Malformed is the number of documents skipped as malformed (a subset
	// of Problems).
	Malformed int64
	// File is the file being read now.
	File string
}

// Reader reads events from a list of inputs, one input after the other. A
// Reader is not safe for concurrent use, except for Stats.
type Reader struct {
	opts   Options
	inputs []input
	nextIn int
	cur    *file

	// arena holds documents re-serialised during the current call; pend
	// holds the documents of an expanded response until they have all been
	// returned. Both are only truncated at the start of a call, so that Raw
	// stays valid until the next call.
	arena, pend []byte
	queue       []Event
	qhead       int
	ev          Event
	strs        strArena
	intern      map[string]string
	scratch     []byte
	seen        map[string]struct{}
	recentDS    [16]struct {
		parts [3]string
		index string
	} // see DataStreamIndex
	nextDS int

	// Reused across files: the read buffer and the decompressors.
	rb readBuf
	br *bufio.Reader
	gz *gzip.Reader
	zd *zstd.Decoder

	err    error // sticky: strict problem or Close
	closed bool

	bytesRead, bytesTotal atomic.Int64
	files, filesFailed    atomic.Int64
	events, problems      atomic.Int64
	malformed             atomic.Int64
	curName               atomic.Pointer[string]
	maxDoc                int
	bufSize               int
}

// errWouldBlock is returned internally when more input is needed but reading
// it would overwrite documents already handed out in the current batch.
var errWouldBlock = errors.New("source: would refill")

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("source: reader closed")

// Open expands the paths (see Input.Path) and returns a Reader over them.
// Paths that do not exist or match nothing are reported through
// Options.OnProblem and skipped; with Options.Strict the first such problem
// is returned as the error. Open fails when paths is empty.
func Open(paths []string, opts Options) (*Reader, error) {
	in := make([]Input, len(paths))
	for i, p := range paths {
		in[i] = Input{Path: p}
	}
	return OpenInputs(in, opts)
}

// OpenInputs is Open with an index name per input.
func OpenInputs(inputs []Input, opts Options) (*Reader, error) {
	if len(inputs) == 0 {
		return nil, errors.New("source: no input paths given; name files, directories, globs, or - for standard input")
	}
	r := &Reader{opts: opts, intern: make(map[string]string)}
	r.bufSize = opts.BufferSize
	if r.bufSize <= 0 {
		r.bufSize = 1 << 20
	}
	r.maxDoc = opts.MaxDocSize
	if r.maxDoc <= 0 {
		r.maxDoc = 512 << 20
	}
	if r.maxDoc < r.bufSize {
		// The buffer must be able to hold a whole document.
		r.bufSize = r.maxDoc
	}
	list, probs := expand(inputs, opts.Index)
	for _, p := range probs {
		r.filesFailed.Add(1)
		r.report(p)
		if r.err != nil {
			return nil, r.err
		}
	}
	r.inputs = list
	total := int64(0)
	for _, in := range list {
		if in.stdin {
			total = -1
			break
		}
		total += in.size
	}
	r.bytesTotal.Store(total)
	return r, nil
}

// Stats returns a snapshot of the counters. It is safe to call concurrently
// with Next.
func (r *Reader) Stats() Stats {
	s := Stats{
		BytesRead:   r.bytesRead.Load(),
		BytesTotal:  r.bytesTotal.Load(),
		Files:       r.files.Load(),
		FilesFailed: r.filesFailed.Load(),
		Events:      r.events.Load(),
		Problems:    r.problems.Load(),
		Malformed:   r.malformed.Load(),
	}
	if p := r.curName.Load(); p != nil {
		s.File = *p
	}
	return s
}

// Close closes the current file and releases the decompressors. Next
// returns ErrClosed afterwards.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	var err error
	if r.cur != nil {
		err = r.cur.close()
		r.cur = nil
	}
	if r.zd != nil {
		r.zd.Close()
		r.zd = nil
	}
	r.err = ErrClosed
	return err
}

// startCall invalidates what the previous call returned.
func (r *Reader) startCall() {
	r.arena = r.arena[:0]
	if r.qhead >= len(r.queue) {
		r.queue = r.queue[:0]
		r.qhead = 0
		r.pend = r.pend[:0]
	}
}

// Next returns the next event, or io.EOF after the last one. The event and
// its Raw bytes are only valid until the next call.
func (r *Reader) Next() (*Event, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.startCall()
	for r.qhead >= len(r.queue) {
		if err := r.step(false); err != nil {
			return nil, err
		}
	}
	r.ev = r.queue[r.qhead]
	r.qhead++
	r.events.Add(1)
	return &r.ev, nil
}

// NextBatch fills batch with up to len(batch) events and returns how many it
// filled. It returns fewer when filling more would mean refilling the read
// buffer, so every Raw in the batch stays valid until the next call. It
// returns 0 and io.EOF after the last event, and never 0 with a nil error
// unless batch is empty. A strict-mode problem ends the batch early and is
// returned by the following call.
func (r *Reader) NextBatch(batch []Event) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	r.startCall()
	n := 0
	for n < len(batch) {
		if r.qhead < len(r.queue) {
			batch[n] = r.queue[r.qhead]
			r.qhead++
			n++
			continue
		}
		err := r.step(n > 0)
		if err == nil {
			continue
		}
		if err == errWouldBlock || n > 0 {
			break
		}
		return 0, err
	}
	r.events.Add(int64(n))
	return n, nil
}

// step makes progress on the inputs: it opens the next file, or turns one
// frame of the current file into zero or more queued events. It returns
// io.EOF when all inputs are done, errWouldBlock when noRefill forbids the
// read it needs, and the sticky error in strict mode.
func (r *Reader) step(noRefill bool) error {
	if r.cur == nil {
		if r.nextIn >= len(r.inputs) {
			return io.EOF
		}
		if noRefill {
			return errWouldBlock // the next file reuses the read buffer
		}
		in := r.inputs[r.nextIn]
		r.nextIn++
		r.openFile(in)
		return r.err
	}
	f := r.cur
	fr, err := f.next(noRefill)
	switch err {
	case nil:
		r.handle(f, &fr)
	case errWouldBlock:
		return err
	case io.EOF:
		r.finishFile()
	default:
		r.fileProblem(f, fmt.Sprintf("read error after %d events: %v; the rest of the file is skipped", f.events, err))
		r.finishFile()
	}
	return r.err
}

// report counts a problem, passes it on, and in strict mode makes it the
// sticky error.
func (r *Reader) report(p Problem) {
	r.problems.Add(1)
	if r.opts.OnProblem != nil {
		r.opts.OnProblem(p)
	}
	if r.opts.Strict && r.err == nil {
		pp := p
		r.err = &pp
	}
}

func (r *Reader) fileProblem(f *file, reason string) {
	if !f.failed {
		f.failed = true
		r.filesFailed.Add(1)
	}
	r.report(Problem{File: f.name, Reason: reason})
}

// Settle does for a Deferred event what the reader would have done: it
// validates the document and sets Index from its data_stream fields, and
// returns true. It returns false for an invalid document, which it reports
// as a problem (see Reject), and for an Elasticsearch hit or response,
// whose events the following calls to Next or NextBatch return instead
// (after the rest of the current batch). An event that is not Deferred is
// left alone. Call it from the goroutine calling Next, before the next call.
func (r *Reader) Settle(ev *Event) bool {
	if !ev.Deferred {
		return true
	}
	ev.Deferred = false
	var t top
	if why := validateDoc(ev.Raw, &t); why != "" {
		r.reject(ev, "invalid JSON: "+why)
		return false
	}
	if t.isHit() || t.source == nil && isResponse(t.hits) {
		r.events.Add(-1)
		// The event's file may be finished: what hit and response need of
		// it is in the event (a Deferred event has the input's index).
		f := &file{name: ev.Origin.File, index: ev.Index}
		fr := &frame{b: ev.Raw, line: ev.Origin.Line, fileLine: ev.Origin.Line, off: ev.Origin.Offset}
		if t.isHit() {
			r.hit(f, fr, &t, true) // copied: the line's buffer may be reused
		} else {
			r.response(f, fr, t.hits)
		}
		return false
	}
	if idx := r.dataStreamIndex(&t); idx != "" {
		ev.Index = idx
	}
	return true
}

// Reject reports a Deferred event its consumer found to be invalid JSON, as
// the reader reports malformed documents: a Problem at the event's file
// and line with err's text, counted in Stats.Problems and Stats.Malformed
// and no longer in Stats.Events. In strict mode the next call to Next or
// NextBatch returns the problem. Call it from the goroutine calling Next.
func (r *Reader) Reject(ev *Event, err error) {
	if !ev.Deferred {
		return
	}
	ev.Deferred = false
	r.reject(ev, err.Error())
}

func (r *Reader) reject(ev *Event, reason string) {
	r.events.Add(-1)
	r.malformed.Add(1)
	r.report(Problem{File: ev.Origin.File, Line: ev.Origin.Line, Offset: ev.Origin.Offset, Reason: reason + "; skipped"})
}

// DataStreamIndex returns "<type>-<dataset>-<namespace>", the index a
// document's data_stream fields imply, or "" if one of them is empty.
// Equal names share one string, so that consumers of Deferred events do not
// allocate one per event. Call it from the goroutine calling Next.
func (r *Reader) DataStreamIndex(typ, dataset, namespace string) string {
	if typ == "" || dataset == "" || namespace == "" {
		return ""
	}
	// An input has a handful of data streams: comparing short strings
	// against the recent ones is cheaper than hashing the name.
	parts := [3]string{typ, dataset, namespace}
	for i := range r.recentDS {
		if d := &r.recentDS[i]; d.index != "" && d.parts == parts {
			return d.index
		}
	}
	s := append(r.scratch[:0], typ...)
	s = append(s, '-')
	s = append(s, dataset...)
	s = append(s, '-')
	s = append(s, namespace...)
	r.scratch = s
	idx := r.internBytes(s)
	d := &r.recentDS[r.nextDS%len(r.recentDS)]
	r.nextDS++
	for i, p := range parts {
		d.parts[i] = strings.Clone(p) // the parts may point into a document
	}
	d.index = idx
	return idx
}

func (r *Reader) docProblem(f *file, fr *frame, reason string) {
	r.malformed.Add(1)
	r.report(Problem{File: f.name, Line: fr.fileLine, Offset: fr.off, Reason: reason})
}

func stdinReader(opts Options) io.Reader {
	if opts.Stdin != nil {
		return opts.Stdin
	}
	return os.Stdin
}
