package parser

import "testing"

// BenchmarkParse parses the whole rule corpus (and the spec suite) per
// iteration; bytes/s is over the query text.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name    string
		queries func(testing.TB) []corpusQuery
	}{
		{"rules", ruleQueries},
		{"spec", specQueries},
	} {
		b.Run(c.name, func(b *testing.B) {
			qs := c.queries(b)
			size := 0
			for _, q := range qs {
				size += len(q.Query)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, q := range qs {
					if _, err := ParseQuery(q.Query); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(qs)), "queries/op")
		})
	}
}
