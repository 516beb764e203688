package evtx

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/internal/shared"
)

// loadSamples reads every sample file into memory so the benchmark
// measures parsing, not the disk.
func loadSamples(b *testing.B) (names []string, data [][]byte) {
	dir := shared.Path(b, "datasets/evtx-attack-samples")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".evtx") {
			return err
		}
		buf, err := os.ReadFile(p)
		names, data = append(names, p), append(data, buf)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return names, data
}

// BenchmarkReadAll parses every sample file (277 files, 8,255 records)
// into winevent.Records, reporting records/s and MB/s of EVTX input.
//
//	go test ./evtx -run='^$' -bench=ReadAll -benchmem -cpu=1
func BenchmarkReadAll(b *testing.B) {
	for _, reuse := range []bool{false, true} {
		name := "alloc"
		if reuse {
			name = "reuse"
		}
		b.Run(name, func(b *testing.B) {
			names, data := loadSamples(b)
			var size int64
			for _, d := range data {
				size += int64(len(d))
			}
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			records := 0
			cpu0 := cpuTime()
			for b.Loop() {
				for i, d := range data {
					r, err := NewReader(bytes.NewReader(d), int64(len(d)), names[i])
					if err != nil {
						b.Fatal(err)
					}
					r.ReuseRecord = reuse
					for {
						_, err := r.Next()
						if err == io.EOF {
							break
						}
						if err != nil {
							b.Fatal(err)
						}
						records++
					}
					r.Close()
				}
			}
			b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
			if cpu := cpuTime() - cpu0; cpu > 0 {
				b.ReportMetric(float64(records)/cpu.Seconds(), "records/cpu-s")
			}
		})
	}
}
