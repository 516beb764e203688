package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/gen"
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
	if !testing.Short() {
		for _, r := range maybeProductionRules(t) { // Elastic's rules, when ../shared is there
			if strings.HasPrefix(strings.TrimSpace(r.Query), "sequence") {
				rules = append(rules, r)
			}
		}
	}
	path := writeCorpus(t, gen.Config{Seed: 5, Events: 40_000, PlantEvery: 2_000})
	sopts := source.Options{DeferValidation: true}
	var want string
	anchored := 0
	for _, order := range []engine.Order{engine.OrderStream, engine.OrderBuffer} {
		off := engine.Options{Order: order}
		engine.NoLateAnchors(&off)
		w := fingerprint(runWith(t, rules, off, sopts, path))
		got := fingerprint(runWith(t, rules, engine.Options{Order: order}, sopts, path))
		e, _ := engine.New(rules, engine.Options{})
		if anchored = engine.LateAnchored(e); anchored == 0 {
			t.Fatal("no rule is routed by its later stages' anchors")
		}
		if got != w {
			t.Errorf("order %d: findings differ with later stages' anchors (%d of %d rules anchored)", order, anchored, len(rules))
		}
		if want != "" && w != want {
			t.Errorf("order %d: findings differ from the stream order's", order)
		}
		want = w
	}
	fired := len(rules) - strings.Count(want, "total=0 ")
	if fired < 2 {
		t.Errorf("only %d sequence rules found anything; the comparison proves little", fired)
	}
	t.Logf("%d of %d sequence rules late-anchored; %d found sequences", anchored, len(rules), fired)
}
