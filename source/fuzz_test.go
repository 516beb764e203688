package source

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var writeSeeds = flag.Bool("write-seeds", false, "write the fuzz seed corpora under testdata/fuzz from the golden cases")

// The fuzz targets feed arbitrary bytes through standard input and check,
// beyond "no panic": every yielded Raw is one valid JSON object without a
// raw newline; every problem is counted; all input is consumed; and reading
// with Next and the default buffer gives exactly the events and problems
// that NextBatch with a tiny buffer gives, so that no refill position loses
// or corrupts a document.

func FuzzNDJSON(f *testing.F) {
	addSeeds(f, "FuzzNDJSON")
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		// A whole object on the first line makes it NDJSON.
		fuzzCheck(t, append([]byte("{\"fuzz\":0}\n"), data...), sel)
	})
}

func FuzzArray(f *testing.F) {
	addSeeds(f, "FuzzArray")
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		fuzzCheck(t, append([]byte("[\n"), data...), sel)
	})
}

func FuzzSniff(f *testing.F) {
	addSeeds(f, "FuzzSniff")
	f.Fuzz(func(t *testing.T, data []byte, sel uint8) {
		fuzzCheck(t, data, sel)
	})
}

// seedInputs are the contents of every file of the golden cases, plus a
// few generated events in each framing.
func seedInputs(tb testing.TB) [][]byte {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	var out [][]byte
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range parseArchive(data).Files {
			switch f.Name {
			case "args", "options", "want":
			default:
				out = append(out, f.Data)
			}
		}
	}
	docs := genEvents(4, 9)
	out = append(out, ndjson(docs), prettyArray(docs), []byte("\xef\xbb\xbf{\"a\":1}\r\n{\"b\":2}\r\n"))
	return out
}

// addSeeds writes the seed corpus to testdata/fuzz/<name> when run with
// -write-seeds; go test reads the committed corpus by itself.
func addSeeds(f *testing.F, name string) {
	if !*writeSeeds {
		return
	}
	dir := filepath.Join("testdata", "fuzz", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		f.Fatal(err)
	}
	for i, in := range seedInputs(f) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\nuint8(%d)\n", strconv.Quote(string(in)), i*37%256)
		if name == "FuzzScan" || name == "FuzzValidate" {
			body = fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(in)))
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(body), 0o644); err != nil {
			f.Fatal(err)
		}
	}
}

type fuzzOut struct {
	Events   []got
	Problems []Problem
	Err      string
}

func fuzzCheck(t *testing.T, data []byte, sel uint8) {
	// 64 KiB rather than the default 1 MiB keeps executions fast; fuzz
	// inputs are far smaller.
	a := fuzzRead(t, data, 64<<10, 0)
	bufSize, batch := 1+int(sel%61), 1+int(sel/61)
	b := fuzzRead(t, data, bufSize, batch)
	if d := cmp.Diff(a, b); d != "" {
		t.Fatalf("Next with the default buffer and NextBatch(%d) with a %d-byte buffer differ (-Next +NextBatch):\n%s", batch, bufSize, d)
	}
}

func fuzzRead(t *testing.T, data []byte, bufSize, batch int) fuzzOut {
	var out fuzzOut
	opts := Options{
		Stdin:      bytes.NewReader(data),
		BufferSize: bufSize,
		OnProblem:  func(p Problem) { out.Problems = append(out.Problems, p) },
	}
	r, err := Open([]string{"-"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	add := func(e *Event) {
		checkRaw(t, e.Raw)
		if e.ID == "" {
			t.Fatalf("event without an id: %q", e.Raw)
		}
		out.Events = append(out.Events, got{e.Origin.File, e.Index, e.ID, e.Version, e.Origin.Line, e.Origin.Hit, string(e.Raw)})
	}
	if batch == 0 {
		for {
			e, err := r.Next()
			if err != nil {
				if err != io.EOF {
					out.Err = err.Error()
				}
				break
			}
			add(e)
		}
	} else {
		buf := make([]Event, batch)
		for {
			n, err := r.NextBatch(buf)
			for i := range buf[:n] {
				add(&buf[i])
			}
			if err != nil {
				if err != io.EOF {
					out.Err = err.Error()
				}
				break
			}
			if n == 0 {
				t.Fatal("NextBatch returned no events and no error")
			}
		}
	}
	s := r.Stats()
	if s.Problems != int64(len(out.Problems)) || s.Events != int64(len(out.Events)) {
		t.Fatalf("Stats counted %d problems and %d events; saw %d and %d", s.Problems, s.Events, len(out.Problems), len(out.Events))
	}
	if s.BytesTotal != -1 || (out.Err == "" && s.BytesRead != int64(len(data))) {
		t.Fatalf("BytesRead %d, BytesTotal %d for %d bytes of standard input; want all read and the total unknown", s.BytesRead, s.BytesTotal, len(data))
	}
	return out
}
