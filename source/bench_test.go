package source

import (
	"bytes"
	"io"
	"os"
	"syscall"
	"testing"

	"github.com/valyala/fastjson"
)

// Benchmarks read a file of benchEvents generated ~1 KB ECS-like events
// (page-cached) from Open to io.EOF; one op is the whole file. MB/s is over
// the file's bytes (compressed size for compressed files); events/s and
// ns/event are also reported.
//
//	go test -run '^$' -bench . -benchmem -count 6 ./source/ | tee bench.txt
//	benchstat bench.txt

const benchEvents = 20000

var benchDocs = genEvents(benchEvents, 7)

func benchFile(b *testing.B, name string, data []byte) string {
	b.Helper()
	p := writeFile(b, b.TempDir(), name, data)
	return p
}

func benchRead(b *testing.B, path string, opts Options, batch int) {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var n int
	var buf []Event
	if batch > 0 {
		buf = make([]Event, batch)
	}
	startCPU()
	for b.Loop() {
		r, err := Open([]string{path}, opts)
		if err != nil {
			b.Fatal(err)
		}
		n = 0
		if batch == 0 {
			for {
				if _, err := r.Next(); err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				n++
			}
		} else {
			for {
				k, err := r.NextBatch(buf)
				if err != nil {
					if err != io.EOF {
						b.Fatal(err)
					}
					break
				}
				n += k
			}
		}
		r.Close()
	}
	if n != benchEvents {
		b.Fatalf("read %d events, want %d", n, benchEvents)
	}
	reportEvents(b, n)
}

// reportEvents reports per-event figures. cpu-ns/event is the process's
// user+system CPU time (all goroutines, GC included) per event since
// startCPU: on a shared, busy machine it is a steadier measure of cost than
// wall time.
func reportEvents(b *testing.B, perOp int) {
	ev := float64(perOp) * float64(b.N)
	b.ReportMetric(ev/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/ev, "ns/event")
	b.ReportMetric(float64(cpuNow()-cpuStart)/ev, "cpu-ns/event")
}

var cpuStart int64

func startCPU() { cpuStart = cpuNow() }

func cpuNow() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkNDJSON(b *testing.B) {
	p := benchFile(b, "a.ndjson", ndjson(benchDocs))
	b.Run("Next", func(b *testing.B) { benchRead(b, p, Options{}, 0) })
	b.Run("Batch256", func(b *testing.B) { benchRead(b, p, Options{}, 256) })
	b.Run("DeferID", func(b *testing.B) { benchRead(b, p, Options{DeferContentID: true}, 256) })
}

func BenchmarkGzip(b *testing.B) {
	p := benchFile(b, "a.ndjson.gz", gzipBytes(b, ndjson(benchDocs)))
	benchRead(b, p, Options{}, 256)
}

func BenchmarkZstd(b *testing.B) {
	p := benchFile(b, "a.ndjson.zst", zstdBytes(b, ndjson(benchDocs)))
	benchRead(b, p, Options{}, 256)
}

func BenchmarkArray(b *testing.B) {
	b.Run("Pretty", func(b *testing.B) {
		benchRead(b, benchFile(b, "a.json", prettyArray(benchDocs)), Options{}, 256)
	})
	b.Run("Compact", func(b *testing.B) {
		var buf bytes.Buffer
		buf.WriteByte('[')
		for i, d := range benchDocs {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.Write(d)
		}
		buf.WriteByte(']')
		benchRead(b, benchFile(b, "c.json", buf.Bytes()), Options{}, 256)
	})
}

// BenchmarkHits reads elasticdump-style NDJSON hits, where every _source is
// re-serialised.
func BenchmarkHits(b *testing.B) {
	var buf bytes.Buffer
	for i, d := range benchDocs {
		buf.WriteString(`{"_index":".ds-logs-endpoint.events.process-default-2024.05.01-000001","_id":"`)
		buf.WriteString(ContentID(d))
		buf.WriteString(`","_version":1,"_score":1,"_source":`)
		buf.Write(d)
		buf.WriteString("}\n")
		_ = i
	}
	benchRead(b, benchFile(b, "hits.ndjson", buf.Bytes()), Options{}, 256)
}

// The baselines below frame the same NDJSON in memory with IndexByte and
// then validate or parse each line with fastjson: the floor a reader can
// approach.

func BenchmarkBaseline(b *testing.B) {
	data := ndjson(benchDocs)
	lines := func(fn func([]byte)) {
		for rest := data; len(rest) > 0; {
			i := bytes.IndexByte(rest, '\n')
			fn(rest[:i])
			rest = rest[i+1:]
		}
	}
	b.Run("Validate", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		startCPU()
		for b.Loop() {
			lines(func(l []byte) {
				if fastjson.ValidateBytes(l) != nil {
					b.Fatal("invalid")
				}
			})
		}
		reportEvents(b, benchEvents)
	})
	b.Run("Parse", func(b *testing.B) {
		var p fastjson.Parser
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		startCPU()
		for b.Loop() {
			lines(func(l []byte) {
				if _, err := p.ParseBytes(l); err != nil {
					b.Fatal(err)
				}
			})
		}
		reportEvents(b, benchEvents)
	})
	b.Run("ValidateParse", func(b *testing.B) {
		var p fastjson.Parser
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		startCPU()
		for b.Loop() {
			lines(func(l []byte) {
				if fastjson.ValidateBytes(l) != nil {
					b.Fatal("invalid")
				}
				if _, err := p.ParseBytes(l); err != nil {
					b.Fatal(err)
				}
			})
		}
		reportEvents(b, benchEvents)
	})
	b.Run("ContentID", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		startCPU()
		for b.Loop() {
			lines(func(l []byte) { ContentID(l) })
		}
		reportEvents(b, benchEvents)
	})
}

// BenchmarkValueFramer measures cutting a pretty-printed array into
// elements, without validation or ids.
func BenchmarkValueFramer(b *testing.B) {
	data := prettyArray(benchDocs)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		rb := &readBuf{}
		rb.reset(bytes.NewReader(data), 1<<20)
		vf := &valueFramer{b: rb, line: 1, max: 1 << 29}
		n := 0
		for {
			fr, err := vf.next()
			if err != nil {
				break
			}
			if fr.problem != "" {
				b.Fatal(fr.problem)
			}
			n++
		}
		if n != benchEvents {
			b.Fatalf("%d elements", n)
		}
	}
}

// BenchmarkScan measures finding the top-level members and the data_stream
// index of validated documents.
func BenchmarkScan(b *testing.B) {
	r := &Reader{intern: map[string]string{}}
	var n int64
	for _, d := range benchDocs {
		n += int64(len(d))
	}
	b.SetBytes(n)
	startCPU()
	for b.Loop() {
		for _, d := range benchDocs {
			var t top
			t.scan(d)
			r.dataStreamIndex(&t)
		}
	}
	reportEvents(b, benchEvents)
}
