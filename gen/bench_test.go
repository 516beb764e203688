package gen

import (
	"io"
	"testing"
)

// countWriter counts bytes, so the benchmark measures generation only.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

// BenchmarkGenerate writes a 100k-event corpus per iteration and reports
// MB/s (bytes of NDJSON) and events/s.
func BenchmarkGenerate(b *testing.B) {
	const events = 100_000
	g, err := New(Config{Seed: 1, Events: events})
	if err != nil {
		b.Fatal(err)
	}
	var w countWriter
	if _, err := g.WriteTo(&w); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(w.n)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := g.WriteTo(&countWriter{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
