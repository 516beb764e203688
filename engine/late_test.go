package engine

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/gen"
	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

// TestLateAnchorsChangeNothing runs sequence rules over a generated corpus
// with and without routing busy sequences by their later stages' anchors,
// and requires the same findings: events that meet no later anchor cannot
// extend a sequence.
func TestLateAnchorsChangeNothing(t *testing.T) {
	var rules []*rule.Rule
	for i, q := range []string{
		`sequence by host.id with maxspan=30s [process where event.type == "start" and process.name : "*.exe"] [network where destination.port in (443, 80, 5985)]`,
		`sequence by host.id with maxspan=5m [network where destination.port == 5985] [process where process.parent.name : "wsmprovhost.exe"]`,
		`sequence by process.entity_id [process where event.type == "start"] [file where file.extension : ("exe", "dll", "ps1")] [network where true]`,
		`sequence by user.name with maxspan=1m [authentication where event.outcome == "failure"] with runs=3 [authentication where event.outcome == "success"]`,
		`sequence with maxspan=10s [process where process.name : "cmd.exe"] [process where process.name : ("whoami.exe", "net.exe", "powershell.exe")]`,
	} {
		r := &rule.Rule{UUID: fmt.Sprintf("late-%d", i), Runnable: true, Status: rule.StatusRunnable}
		r.RuleID, r.Name, r.Type, r.Language, r.Query = fmt.Sprintf("late%d", i), fmt.Sprintf("late %d", i), "eql", "eql", q
		r.Index, r.MaxSignals, r.Severity, r.RiskScore = []string{"logs-*"}, 1000, "low", 21
		rules = append(rules, r)
	}
	if shared.Root() != "" && !testing.Short() {
		root := shared.Path(t, "detection-rules")
		set, err := rule.Load(rule.Options{}, filepath.Join(root, "rules"), filepath.Join(root, "rules_building_block"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range set.Select(rule.Selector{Types: []string{"eql"}, IncludeBuildingBlocks: true, RunnableOnly: true}) {
			if strings.HasPrefix(strings.TrimSpace(r.Query), "sequence") {
				rules = append(rules, r)
			}
		}
	}
	g, err := gen.New(gen.Config{Seed: 5, Events: 40_000, PlantEvery: 2_000})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "corpus.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	g.WriteTo(w)
	w.Flush()
	f.Close()

	run := func(noLate bool) (string, int) {
		e, _ := New(rules, Options{Workers: 1, Order: OrderStream, noLateAnchors: noLate})
		anchored := 0
		for _, c := range e.rules {
			if c.lateAnchors != nil {
				anchored++
			}
		}
		rd, err := source.Open([]string{path}, source.Options{DeferValidation: true})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		rep, err := e.Run(rd)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range rep.Results {
			fmt.Fprintf(&b, "%s total=%d\n", r.Rule.RuleID, r.Total)
			for _, f := range r.Findings {
				fmt.Fprintf(&b, "  %v", f.JoinKeys)
				for _, ev := range f.Events {
					if ev != nil {
						fmt.Fprintf(&b, " %d", ev.Seq)
					}
				}
				b.WriteString("\n")
			}
		}
		return b.String(), anchored
	}
	want, none := run(true)
	got, anchored := run(false)
	if none != 0 || anchored == 0 {
		t.Fatalf("%d rules late-anchored with the option off, %d with it on", none, anchored)
	}
	if got != want {
		t.Errorf("findings differ with later stages' anchors (%d of %d rules anchored)", anchored, len(rules))
	}
	fired := len(rules) - strings.Count(want, "total=0\n")
	if fired < 3 {
		t.Errorf("only %d sequence rules found anything; the comparison proves little", fired)
	}
	t.Logf("%d of %d sequence rules late-anchored; %d found sequences", anchored, len(rules), fired)
}
