package engine_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/gen"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

// fingerprint renders everything a run found, for comparing runs.
func fingerprint(rep *engine.Report) string {
	var b strings.Builder
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "%s total=%d truncated=%v\n", r.Rule.RuleID, r.Total, r.Truncated)
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  %v", f.JoinKeys)
			for _, ev := range f.Events {
				if ev == nil {
					b.WriteString(" -")
					continue
				}
				fmt.Fprintf(&b, " %d:%s/%s", ev.Seq, ev.Index, ev.ID)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func writeCorpus(t *testing.T, cfg gen.Config) string {
	g, err := gen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "corpus.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := g.WriteTo(w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	f.Close()
	return path
}

// TestWorkersEquivalent checks that the results do not depend on the
// number of workers: same findings, same order, same truncation.
func TestWorkersEquivalent(t *testing.T) {
	var rules []*rule.Rule
	set, err := rule.Load(rule.Options{}, filepath.Join("..", "examples", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	rules = append(rules, set.Rules...)
	for i, q := range []string{
		`process where event.type == "start" and process.name : ("*.exe", "bash", "zsh")`,
		`sequence by host.id with maxspan=10s [process where true] [network where true]`,
		`sequence by process.entity_id [process where event.type == "start"] [file where true] [network where true]`,
		`network where destination.port in (443, 80, 53) or network.direction == "egress"`,
		`sample by host.id [process where true] [network where true]`,
		`any where event.category in ("file", "registry") and not user.name : "SYSTEM"`,
	} {
		r := &rule.Rule{UUID: fmt.Sprintf("u%d", i), Runnable: true, Status: rule.StatusRunnable}
		r.RuleID, r.Name, r.Type, r.Language, r.Query = fmt.Sprintf("r%d", i), fmt.Sprintf("rule %d", i), "eql", "eql", q
		r.Index, r.MaxSignals, r.Severity, r.RiskScore = []string{"logs-*"}, 50, "low", 21
		rules = append(rules, r)
	}
	if !testing.Short() {
		rules = append(rules, maybeProductionRules(t)...) // Elastic's rules, when ../shared is there
	}
	path := writeCorpus(t, gen.Config{Seed: 3, Events: 20_000, PlantEvery: 5_000})
	var want string
	for _, workers := range []int{1, 2, 3} {
		for _, order := range []engine.Order{engine.OrderStream, engine.OrderBuffer} {
			// Validation by the reader, or deferred to the engine (as hunt
			// reads) must not matter either.
			for _, deferred := range []bool{false, true} {
				if deferred && order == engine.OrderBuffer {
					continue
				}
				rep := runWith(t, rules, engine.Options{Workers: workers, Order: order}, source.Options{DeferValidation: deferred}, path)
				got := fingerprint(rep)
				if want == "" {
					want = got
					continue
				}
				if got != want {
					t.Fatalf("workers=%d order=%d deferred=%v: results differ from workers=1 order=stream", workers, order, deferred)
				}
			}
		}
	}
	if !strings.Contains(want, "total=1 ") {
		t.Error("the corpus produced no finding at all; the comparison proves nothing")
	}
}
