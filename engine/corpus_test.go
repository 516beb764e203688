package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/gen"
	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/rule"
)

// productionRules loads every production EQL rule of Elastic's public
// rule set (building blocks included: Kibana runs them too).
func productionRules(t testing.TB) []*rule.Rule {
	root := shared.Path(t, "detection-rules")
	set, err := rule.Load(rule.Options{}, filepath.Join(root, "rules"), filepath.Join(root, "rules_building_block"))
	if err != nil {
		t.Fatal(err)
	}
	return set.Select(rule.Selector{Types: []string{"eql"}, IncludeBuildingBlocks: true, RunnableOnly: true})
}

// TestGeneratedCorpus runs every production EQL rule over a generated
// corpus and checks the alerts per rule against the generator's manifest:
// planted incidents fire their rule, noise fires nothing.
func TestGeneratedCorpus(t *testing.T) {
	rules := productionRules(t)
	n := 300_000
	if testing.Short() {
		n = 120_000
	}
	if v := os.Getenv("EQLD_CORPUS_EVENTS"); v != "" {
		fmt.Sscan(v, &n)
	}
	cfg := gen.Config{Seed: 7, Events: n, PlantEvery: 20_000}
	g, err := gen.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := writeCorpus(t, cfg)
	rep := run(t, rules, engine.Options{}, path)
	want := map[string]int{}
	for _, e := range g.Manifest().Expected {
		want[e.RuleID] = e.Alerts
	}
	got := map[string]int{}
	names := map[string]string{}
	for _, r := range rep.Results {
		if r.Total > 0 {
			got[r.Rule.RuleID] = r.Total
			names[r.Rule.RuleID] = r.Rule.Name
		}
	}
	var ids []string
	for id := range want {
		ids = append(ids, id)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if got[id] != want[id] {
			t.Errorf("rule %s (%s): %d alerts, manifest expects %d", id, names[id], got[id], want[id])
		}
	}
	t.Logf("%d rules over %d events in %v: %d rules alerted", rep.RulesRun, rep.Events, rep.Duration, len(got))
}

// maybeProductionRules returns Elastic's production EQL rules when
// ../shared is present, else nil (without skipping the caller).
func maybeProductionRules(t *testing.T) []*rule.Rule {
	if shared.Root() == "" {
		return nil
	}
	return productionRules(t)
}
