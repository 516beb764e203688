package engine_test

import (
	"path/filepath"
	"testing"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

func run(t *testing.T, rules []*rule.Rule, opts engine.Options, inputs ...string) *engine.Report {
	t.Helper()
	return runWith(t, rules, opts, source.Options{}, inputs...)
}

func runWith(t *testing.T, rules []*rule.Rule, opts engine.Options, sopts source.Options, inputs ...string) *engine.Report {
	t.Helper()
	e, problems := engine.New(rules, opts)
	for _, p := range problems {
		t.Logf("rule problem: %v", p)
	}
	rd, err := source.Open(inputs, sopts)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rep, err := e.Run(rd)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestExamplePowerShellRemoting(t *testing.T) {
	set, err := rule.Load(rule.Options{}, filepath.Join("..", "examples", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, set.Rules, engine.Options{}, filepath.Join("..", "examples", "events", "powershell-remoting.ndjson"))
	if len(rep.Results) != 1 {
		t.Fatalf("%d rule results", len(rep.Results))
	}
	r := rep.Results[0]
	if r.Total != 1 || len(r.Findings) != 1 || len(r.Findings[0].Events) != 2 {
		t.Fatalf("want one 2-event sequence, got total %d, findings %+v", r.Total, r.Findings)
	}
	t.Logf("events %d, fields decoded %d, join keys %v", rep.Events, rep.FieldsDecoded, r.Findings[0].JoinKeys)
}
