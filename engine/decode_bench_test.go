package engine

import (
	"bytes"
	"testing"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/gen"
)

// BenchmarkDecodeAllFields decodes generated events with the decoder of
// all production rules (the fields the whole rule set reads), without
// reading or evaluating: the decoder's share of workload (3).
func BenchmarkDecodeAllFields(b *testing.B) {
	f := loadRouteFixture(b, 2000)
	var buf bytes.Buffer
	g, _ := gen.New(gen.Config{Seed: 3, Events: 2000, PlantEvery: 500})
	g.WriteTo(&buf)
	docs := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte{'\n'})
	dec := f.e.decoder
	rec := eql.NewRecord(f.e.fields.Len())
	b.SetBytes(int64(buf.Len() / len(docs)))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := dec.Decode(docs[i%len(docs)], rec); err != nil {
			b.Fatal(err)
		}
	}
}
