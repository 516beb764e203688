package engine_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/gen"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

var (
	corpusOnce sync.Once
	corpusPath string
	corpusSize int64
)

// benchCorpus writes (once per test binary) a generated corpus of
// EQLD_BENCH_EVENTS events (default 100,000), or uses EQLD_BENCH_CORPUS.
func benchCorpus(b *testing.B) string {
	corpusOnce.Do(func() {
		if p := os.Getenv("EQLD_BENCH_CORPUS"); p != "" {
			corpusPath = p
		} else {
			n := 100_000
			dir, _ := os.MkdirTemp("", "eqld-bench")
			corpusPath = filepath.Join(dir, "corpus.ndjson")
			f, err := os.Create(corpusPath)
			if err != nil {
				b.Fatal(err)
			}
			g, _ := gen.New(gen.Config{Seed: 1, Events: n})
			w := bufio.NewWriterSize(f, 1<<20)
			g.WriteTo(w)
			w.Flush()
			f.Close()
		}
		fi, _ := os.Stat(corpusPath)
		corpusSize = fi.Size()
	})
	return corpusPath
}

func benchRun(b *testing.B, rules []*rule.Rule) {
	path := benchCorpus(b)
	workers := 1
	if v := os.Getenv("EQLD_BENCH_WORKERS"); v != "" {
		fmt.Sscan(v, &workers)
	}
	e, _ := engine.New(rules, engine.Options{Workers: workers, Order: engine.OrderStream})
	b.SetBytes(corpusSize)
	b.ReportAllocs()
	var events int64
	for b.Loop() {
		// As eqld hunt reads: the engine validates documents as it decodes.
		rd, err := source.Open([]string{path}, source.Options{DeferContentID: true, DeferValidation: true})
		if err != nil {
			b.Fatal(err)
		}
		rep, err := e.Run(rd)
		if err != nil {
			b.Fatal(err)
		}
		rd.Close()
		events = rep.Events
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkFloor reads and validates the corpus without evaluating rules:
// the cost any engine pays.
func BenchmarkFloor(b *testing.B) {
	path := benchCorpus(b)
	b.SetBytes(corpusSize)
	b.ReportAllocs()
	var events int64
	for b.Loop() {
		rd, err := source.Open([]string{path}, source.Options{DeferContentID: true})
		if err != nil {
			b.Fatal(err)
		}
		events = 0
		for {
			_, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
		rd.Close()
	}
	b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

func BenchmarkAllProductionRules(b *testing.B) {
	benchRun(b, productionRules(b))
}

// BenchmarkSimpleEventRule is workload (1): one single-event rule.
func BenchmarkSimpleEventRule(b *testing.B) {
	r := &rule.Rule{UUID: "bench-simple", Runnable: true, Status: rule.StatusRunnable}
	r.RuleID, r.Name, r.Type, r.Language = "bench-simple", "Whoami", "eql", "eql"
	r.Query = `process where host.os.type == "windows" and event.type == "start" and process.name : "whoami.exe"`
	r.Index, r.Severity, r.RiskScore = []string{"logs-endpoint.events.process-*", "logs-windows.sysmon_operational-*"}, "low", 21
	benchRun(b, []*rule.Rule{r})
}

// BenchmarkPowerShellRemoting is workload (2): the PowerShell-remoting
// sequence rule of examples/rules.
func BenchmarkPowerShellRemoting(b *testing.B) {
	set, err := rule.Load(rule.Options{}, filepath.Join("..", "examples", "rules"))
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, set.Rules)
}
