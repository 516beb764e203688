package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/eqld/eqld/internal/shared"
)

// got is one event, copied.
type got struct {
	File, Index, ID, Version string
	Line, Hit                int
	Raw                      string
}

type result struct {
	events   []got
	problems []Problem
	stats    Stats
	err      error
}

// readAll reads every event of paths with Next.
func readAll(t testing.TB, paths []string, opts Options) result {
	t.Helper()
	var res result
	opts.OnProblem = func(p Problem) { res.problems = append(res.problems, p) }
	r, err := Open(paths, opts)
	if err != nil {
		res.err = err
		return res
	}
	defer r.Close()
	for {
		e, err := r.Next()
		if err != nil {
			if err != io.EOF {
				res.err = err
			}
			break
		}
		checkRaw(t, e.Raw)
		res.events = append(res.events, got{e.Origin.File, e.Index, e.ID, e.Version, e.Origin.Line, e.Origin.Hit, string(e.Raw)})
	}
	res.stats = r.Stats()
	return res
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstdBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// strip drops the file name, to compare events read from different files.
func strip(evs []got) []got {
	out := make([]got, len(evs))
	for i, e := range evs {
		e.File = ""
		out[i] = e
	}
	return out
}

func TestCompression(t *testing.T) {
	docs := genEvents(300, 1)
	plain := ndjson(docs)
	dir := t.TempDir()
	half := len(plain) / 2
	for plain[half-1] != '\n' {
		half++
	}
	multi := append(gzipBytes(t, plain[:half]), gzipBytes(t, plain[half:])...)
	cases := []struct {
		name string
		data []byte
	}{
		{"plain.ndjson", plain},
		{"a.ndjson.gz", gzipBytes(t, plain)},
		{"a.ndjson.zst", zstdBytes(t, plain)},
		{"multi-member.gz", multi},
		{"gzip-without-extension.json", gzipBytes(t, plain)},
		{"zstd-named-gz.gz", zstdBytes(t, plain)},
		{"array.json.zst", zstdBytes(t, prettyArray(docs))},
	}
	want := readAll(t, []string{writeFile(t, dir, "ref.ndjson", plain)}, Options{})
	if len(want.events) != len(docs) || len(want.problems) != 0 {
		t.Fatalf("reference read %d events, problems %v", len(want.events), want.problems)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, c.name, c.data)
			res := readAll(t, []string{p}, Options{})
			if len(res.problems) != 0 || res.err != nil {
				t.Fatalf("problems %v, err %v", res.problems, res.err)
			}
			w := strip(want.events)
			g := strip(res.events)
			if strings.HasPrefix(c.name, "array") {
				// Element numbers, not lines; Raw and ids must be identical
				// because compaction of a pretty document restores the
				// compact original.
				for i := range g {
					g[i].Line = w[i].Line
				}
			}
			if d := cmp.Diff(w, g); d != "" {
				t.Errorf("events differ from the plain file (-plain +%s):\n%s", c.name, d)
			}
			if res.stats.BytesRead != int64(len(c.data)) || res.stats.BytesTotal != int64(len(c.data)) {
				t.Errorf("BytesRead %d / BytesTotal %d, want both %d (compressed size)", res.stats.BytesRead, res.stats.BytesTotal, len(c.data))
			}
		})
	}
}

func TestTruncatedCompressed(t *testing.T) {
	docs := genEvents(2000, 2)
	plain := ndjson(docs)
	dir := t.TempDir()
	gz := gzipBytes(t, plain)
	zs := zstdBytes(t, plain)
	cases := []struct {
		name       string
		data       []byte
		wantReason string
		someEvents bool
	}{
		{"cut.gz", gz[:len(gz)*2/3], "unexpected EOF", true},
		{"cut.zst", zs[:len(zs)*2/3], "", true},
		{"corrupt-header.gz", []byte{0x1f, 0x8b, 0, 0, 'x'}, "not valid gzip", false},
		{"bad-crc.gz", append(bytes.Clone(gz[:len(gz)-8]), 0, 0, 0, 0, 0, 0, 0, 0), "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := writeFile(t, dir, c.name, c.data)
			next := writeFile(t, dir, "z-after-"+c.name+".ndjson", []byte(`{"after":true}`+"\n"))
			res := readAll(t, []string{p, next}, Options{})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if c.someEvents && len(res.events) < 100 {
				t.Errorf("only %d events were kept before the damage", len(res.events))
			}
			if last := res.events[len(res.events)-1]; last.Raw != `{"after":true}` {
				t.Errorf("the file after the damaged one was not read; last event %v", last)
			}
			var fileProbs []Problem
			for _, p := range res.problems {
				if p.Line == 0 {
					fileProbs = append(fileProbs, p)
				}
			}
			if len(fileProbs) != 1 || !strings.Contains(fileProbs[0].Reason, c.wantReason) || fileProbs[0].File != p {
				t.Errorf("file problems = %v, want one for %s mentioning %q", fileProbs, p, c.wantReason)
			}
			if res.stats.FilesFailed != 1 {
				t.Errorf("FilesFailed = %d, want 1", res.stats.FilesFailed)
			}
			// Every kept event is one of the originals, in order.
			for i, e := range res.events[:len(res.events)-1] {
				if e.Raw != string(docs[i]) {
					t.Fatalf("event %d = %.60s…, want %.60s…", i, e.Raw, docs[i])
				}
			}
		})
	}
}

func TestCRLFAndBOM(t *testing.T) {
	dir := t.TempDir()
	bomb := "\xef\xbb\xbf"
	cases := []struct {
		name, data string
		want       []got
	}{
		{"crlf.ndjson", bomb + "{\"a\":1}\r\n\r\n{\"b\":2}\r\n// c\r\n{\"c\":3}", []got{{Line: 1, Raw: `{"a":1}`}, {Line: 3, Raw: `{"b":2}`}, {Line: 5, Raw: `{"c":3}`}}},
		{"crlf-array.json", bomb + "[\r\n {\r\n  \"a\": 1\r\n },\r\n {\"b\": 2}\r\n]\r\n", []got{{Line: 1, Raw: `{"a":1}`}, {Line: 2, Raw: `{"b":2}`}}},
		{"crlf-pretty.json", bomb + "{\r\n  \"a\": \"x y\"\r\n}\r\n{\r\n  \"b\": 2\r\n}\r\n", []got{{Line: 1, Raw: `{"a":"x y"}`}, {Line: 4, Raw: `{"b":2}`}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := readAll(t, []string{writeFile(t, dir, c.name, []byte(c.data))}, Options{DeferContentID: true})
			if len(res.problems) != 0 {
				t.Fatalf("problems: %v", res.problems)
			}
			if d := cmp.Diff(c.want, strip(res.events)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestLongLines(t *testing.T) {
	dir := t.TempDir()
	long := `{"big":"` + strings.Repeat("x", 3<<20) + `"}`
	data := "{\"a\":1}\n" + long + "\n{\"b\":2}\n" + long
	p := writeFile(t, dir, "long.ndjson", []byte(data))

	res := readAll(t, []string{p}, Options{})
	if len(res.problems) != 0 || len(res.events) != 4 || res.events[1].Raw != long || res.events[3].Raw != long || res.events[2].Line != 3 {
		t.Fatalf("lines longer than the buffer: %d events, problems %v", len(res.events), res.problems)
	}

	res = readAll(t, []string{p}, Options{MaxDocSize: 1 << 20})
	want := []string{`{"a":1}`, `{"b":2}`}
	var raws []string
	for _, e := range res.events {
		raws = append(raws, e.Raw)
	}
	if d := cmp.Diff(want, raws); d != "" {
		t.Errorf("with MaxDocSize, events (-want +got):\n%s", d)
	}
	if len(res.problems) != 2 || res.problems[0].Line != 2 || res.problems[1].Line != 4 || !strings.Contains(res.problems[0].Reason, "longer than") {
		t.Errorf("problems = %v, want lines 2 and 4 reported as too long", res.problems)
	}

	// The same in an array: a huge element is skipped, the next one read.
	arr := "[\n{\"a\":1},\n" + long + ",\n{\"b\":2}\n]\n"
	p = writeFile(t, dir, "long.json", []byte(arr))
	res = readAll(t, []string{p}, Options{MaxDocSize: 1 << 20})
	if len(res.events) != 2 || res.events[1].Line != 3 || len(res.problems) != 1 || res.problems[0].Line != 3 {
		t.Errorf("array with a huge element: events %v, problems %v", res.events, res.problems)
	}
}

func TestContentID(t *testing.T) {
	docs := genEvents(1000, 3)
	seen := map[string]int{}
	for i, d := range docs {
		id := ContentID(d)
		if len(id) != IDLen || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("ContentID = %q, want %d base64url characters", id, IDLen)
		}
		if j, dup := seen[id]; dup {
			t.Fatalf("documents %d and %d share id %s", j, i, id)
		}
		seen[id] = i
	}
	// A known value, so that a change of recipe (which would change every
	// alert id) is noticed.
	if got, want := ContentID([]byte(`{"a":1}`)), "AVq9f1zFei3ZS3WQ8ErY"; got != want {
		t.Errorf("ContentID({\"a\":1}) = %s, want %s", got, want)
	}
	// Stable across runs, framings and overlapping inputs.
	dir := t.TempDir()
	a := writeFile(t, dir, "a.ndjson", ndjson(docs[:600]))
	b := writeFile(t, dir, "b.json", prettyArray(docs[400:]))
	r1 := readAll(t, []string{a, b}, Options{})
	r2 := readAll(t, []string{a, b}, Options{})
	if d := cmp.Diff(r1.events, r2.events); d != "" {
		t.Fatalf("second run differs:\n%s", d)
	}
	ids := map[string]bool{}
	for _, e := range r1.events {
		if e.ID != ContentID([]byte(e.Raw)) {
			t.Fatalf("Event.ID %s != ContentID(Raw)", e.ID)
		}
		ids[e.ID] = true
	}
	if len(ids) != len(docs) {
		t.Errorf("overlapping inputs gave %d distinct ids, want %d (one per distinct event)", len(ids), len(docs))
	}
}

func TestStrictOpen(t *testing.T) {
	_, err := Open([]string{"does-not-exist.json"}, Options{Strict: true})
	var p *Problem
	if !errors.As(err, &p) || p.File != "does-not-exist.json" {
		t.Errorf("strict Open of a missing file: err = %v, want a *Problem naming it", err)
	}
	if _, err := Open(nil, Options{}); err == nil {
		t.Error("Open with no paths succeeded")
	}
}

func TestClose(t *testing.T) {
	dir := t.TempDir()
	r, err := Open([]string{writeFile(t, dir, "a.ndjson", []byte("{}\n{}\n"))}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != ErrClosed {
		t.Errorf("Next after Close: %v, want ErrClosed", err)
	}
}

func TestDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "d/a.ndjson", []byte("{}\n"))
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "d", "b.ndjson")); err != nil {
		t.Skip(err)
	}
	res := readAll(t, []string{filepath.Join(dir, "d")}, Options{})
	if len(res.events) != 1 || len(res.problems) != 1 || !strings.Contains(res.problems[0].Reason, "no such file") {
		t.Errorf("events %v, problems %v; want 1 event and the dangling link reported", res.events, res.problems)
	}
}

func TestIndexOf(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"data_stream":{"type":"logs","dataset":"d","namespace":"n"}}`, "logs-d-n"},
		{`{"data_stream.type":"logs","data_stream.dataset":"d","data_stream.namespace":"n"}`, "logs-d-n"},
		{`{"data_stream":{"type":"logs","dataset":"d"}}`, ""},
		{`{"data_stream":{"type":"logs","dataset":"d","namespace":""}}`, ""},
		{`{"data_stream":{"type":1,"dataset":"d","namespace":"n"}}`, ""},
		{`{"data_stream":{"type":"l\u006fgs","dataset":"d","namespace":"n"}}`, "logs-d-n"},
		{`[1]`, ""},
		{`{bad`, ""},
	} {
		if got := IndexOf([]byte(c.doc)); got != c.want {
			t.Errorf("IndexOf(%s) = %q, want %q", c.doc, got, c.want)
		}
	}
}

func TestBatchRawStaysValid(t *testing.T) {
	docs := genEvents(3000, 4)
	dir := t.TempDir()
	p := writeFile(t, dir, "a.ndjson", ndjson(docs))
	r, err := Open([]string{p}, Options{BufferSize: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	batch := make([]Event, 500)
	i := 0
	for {
		n, err := r.NextBatch(batch)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		// Check only after the whole batch was built: earlier Raws must not
		// have been overwritten by later reads.
		for _, e := range batch[:n] {
			if !bytes.Equal(e.Raw, docs[i]) {
				t.Fatalf("event %d in a batch was overwritten: %.50s", i, e.Raw)
			}
			i++
		}
	}
	if i != len(docs) {
		t.Errorf("read %d events, want %d", i, len(docs))
	}
	if s := r.Stats(); s.Events != int64(len(docs)) {
		t.Errorf("Stats.Events = %d, want %d", s.Events, len(docs))
	}
}

// TestStatsConcurrent reads Stats from another goroutine while reading; run
// with -race.
func TestStatsConcurrent(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "a.ndjson.gz", gzipBytes(t, ndjson(genEvents(2000, 5))))
	r, err := Open([]string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
				s := r.Stats()
				if s.BytesRead > s.BytesTotal {
					t.Errorf("BytesRead %d > BytesTotal %d", s.BytesRead, s.BytesTotal)
					return
				}
			}
		}
	})
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	close(done)
	wg.Wait()
}

// TestEQLSpecData reads the EQL conformance suite's data files, which are
// JSON arrays, one with // comments between elements.
func TestEQLSpecData(t *testing.T) {
	want := map[string]int{
		"test_data.json":           102,
		"data/extra.data":          23,
		"data/missing-events.data": 48,
		"data/sample1.data":        10,
		"data/sample2.data":        9,
		"data/sample3.data":        9,
	}
	for name, n := range want {
		p := shared.Path(t, filepath.Join("eql-spec", name))
		res := readAll(t, []string{p}, Options{Index: "test"})
		if len(res.events) != n || len(res.problems) != 0 {
			t.Errorf("%s: %d events (want %d), problems %v", name, len(res.events), n, res.problems)
		}
		for _, e := range res.events {
			if e.Index != "test" {
				t.Fatalf("%s: index %q, want the given test", name, e.Index)
			}
		}
	}
}

// fakeFormat is a registered plug-in: lines of "key=value" after a magic
// line; "bad" lines are problems; "fatal" ends the file with an error.
type fakeDecoder struct {
	sc   *bufio.Scanner
	line int
	fi   File
	buf  []byte
}

func (d *fakeDecoder) Next() (Doc, error) {
	for d.sc.Scan() {
		d.line++
		s := d.sc.Text()
		switch {
		case d.line == 1:
			continue // magic
		case s == "bad":
			return Doc{}, &Problem{Line: d.line, Reason: "bad record; skipped"}
		case s == "fatal":
			return Doc{}, errors.New("cannot go on")
		}
		k, v, _ := strings.Cut(s, "=")
		d.buf = fmt.Appendf(d.buf[:0], "{\n  %q: %q,\n  \"readerAt\": %v\n}", k, v, d.fi.ReaderAt != nil)
		doc := Doc{Raw: d.buf, Line: d.line}
		if k == "id" {
			doc.ID, doc.Index = v, "fake-index"
		}
		return doc, nil
	}
	return Doc{}, io.EOF
}

func (d *fakeDecoder) Close() error { return nil }

var registerFake sync.Once

func TestRegister(t *testing.T) {
	registerFake.Do(func() {
		Register(Format{Name: "fake", Magic: []string{"FAKE1\n"}, Extensions: []string{".FaKe"}, New: func(f File) (Decoder, error) {
			if f.ReaderAt != nil && f.Size <= 0 {
				return nil, errors.New("ReaderAt without size")
			}
			return &fakeDecoder{sc: bufio.NewScanner(f.R), fi: f}, nil
		}})
	})
	func() {
		defer func() {
			if recover() == nil {
				t.Error("registering a name twice did not panic")
			}
		}()
		Register(Format{Name: "fake", Magic: []string{"x"}, New: func(File) (Decoder, error) { return nil, nil }})
	}()

	dir := t.TempDir()
	content := []byte("FAKE1\na=1\nbad\nid=x7\nfatal\nb=never\n")
	plainP := writeFile(t, dir, "a.bin", content)
	gzP := writeFile(t, dir, "b.fake.gz", gzipBytes(t, []byte("no magic here\nc=3\n")))
	res := readAll(t, []string{plainP, gzP}, Options{})
	want := []got{
		{File: plainP, Line: 2, ID: ContentID([]byte(`{"a":"1","readerAt":true}`)), Raw: `{"a":"1","readerAt":true}`},
		{File: plainP, Line: 4, ID: "x7", Index: "fake-index", Raw: `{"id":"x7","readerAt":true}`},
		{File: gzP, Line: 2, ID: ContentID([]byte(`{"c":"3","readerAt":false}`)), Raw: `{"c":"3","readerAt":false}`},
	}
	if d := cmp.Diff(want, res.events); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	wantProbs := []Problem{
		{File: plainP, Line: 3, Reason: "bad record; skipped"},
		{File: plainP, Reason: "read error after 2 events: fake decoder: cannot go on; the rest of the file is skipped"},
	}
	if d := cmp.Diff(wantProbs, res.problems); d != "" {
		t.Errorf("problems (-want +got):\n%s", d)
	}
	if res.stats.BytesRead != res.stats.BytesTotal {
		t.Errorf("BytesRead %d != BytesTotal %d", res.stats.BytesRead, res.stats.BytesTotal)
	}
}

// TestCounterReaderAt checks that random reads count each byte once.
func TestCounterReaderAt(t *testing.T) {
	var total atomicInt64
	c := &counter{ra: bytes.NewReader(make([]byte, 100)), total: &total.Int64}
	buf := make([]byte, 10)
	c.ReadAt(buf, 50)
	c.ReadAt(buf, 0)
	c.ReadAt(buf, 55)
	if got := total.Load(); got != 65 {
		t.Errorf("counted %d bytes, want the high-water mark 65", got)
	}
}

func TestDirOrder(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b/c.json", "b.json", "a.json", "b/a/z.json", ".git/x.json", "b/.hidden/y.json"} {
		writeFile(t, dir, n, []byte(`{"n":"`+n+`"}`))
	}
	res := readAll(t, []string{dir}, Options{DeferContentID: true})
	var names []string
	for _, e := range res.events {
		rel, _ := filepath.Rel(dir, e.File)
		names = append(names, filepath.ToSlash(rel))
	}
	want := []string{"a.json", "b.json", "b/a/z.json", "b/c.json"}
	if d := cmp.Diff(want, names); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
}

func TestGlobCharsInFileName(t *testing.T) {
	p := writeFile(t, t.TempDir(), "a[1].json", []byte(`{"a":1}`))
	res := readAll(t, []string{p}, Options{})
	if len(res.events) != 1 || len(res.problems) != 0 {
		t.Errorf("a file named with glob characters: events %v, problems %v", res.events, res.problems)
	}
}
