package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

// TestDeferredValidation checks that the engine, validating documents as
// it decodes them, does what the reader would have done: invalid lines are
// reported at their line and skipped, hits and responses become their
// events, and data_stream fields give the index.
func TestDeferredValidation(t *testing.T) {
	in := strings.Join([]string{
		`{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"name":"a.exe"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}`,
		`{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process"},"process":{"name":"a.exe"},"data_stream.type":"logs","data_stream.dataset":"x","data_stream.namespace":"d2"}`,
		`{"@timestamp":"2024-01-01T00:00:03Z","event":{"category":"process"},"process":{"name":"a.exe"},"x":01}`,
		`{"@timestamp":"2024-01-01T00:00:04Z","event":{"category":"process"},"process":{"name":"a.exe","args":["a",]}}`,
		`{"_index":"logs-hit-default","_id":"h1","_source":{"@timestamp":"2024-01-01T00:00:05Z","event":{"category":"process"},"process":{"name":"a.exe"}}}`,
		`{"took":1,"hits":{"hits":[{"_index":"logs-r-default","_id":"r1","_source":{"@timestamp":"2024-01-01T00:00:06Z","event":{"category":"process"},"process":{"name":"a.exe"}}},{"_index":"logs-r-default","_id":"r2","_source":{"@timestamp":"2024-01-01T00:00:07Z","event":{"category":"process"},"process":{"name":"b.exe"}}}]}}`,
		`{"@timestamp":"2024-01-01T00:00:08Z","event":{"category":"process"},"process":{"name":"a.exe"},"hits":3}`,
		`{"@timestamp":"2024-01-01T00:00:09Z","event":{"category":"process"},"process":{"name":"a.exe"},"data_stream":{"type":"logs","dataset":"x"}}`,
		`not json`,
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "in.ndjson")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	var rules []*rule.Rule
	for id, q := range map[string]string{"any": `process where process.name : "a.exe"`,
		"seq": `sequence [process where process.name == "a.exe"] [process where true]`} {
		r := &rule.Rule{UUID: "uuid-" + id, Runnable: true, Status: rule.StatusRunnable}
		r.RuleID, r.Name, r.Type, r.Language, r.Query, r.Index = id, "rule "+id, "eql", "eql", q, []string{"*"}
		r.Severity, r.RiskScore = "low", 21
		rules = append(rules, r)
	}
	slices.SortFunc(rules, func(a, b *rule.Rule) int { return strings.Compare(a.RuleID, b.RuleID) })
	render := func(workers int, deferred bool) string {
		var b strings.Builder
		sopts := source.Options{Index: "fallback", DeferValidation: deferred,
			OnProblem: func(p source.Problem) { fmt.Fprintf(&b, "problem %v\n", p) }}
		rep := runWith(t, rules, engine.Options{Workers: workers, IgnoreIndex: true}, sopts, path)
		for _, r := range rep.Results {
			for _, f := range r.Findings {
				for _, ev := range f.Events {
					fmt.Fprintf(&b, "%s line %d %s %s\n", r.Rule.RuleID, ev.Origin.Line, ev.Index, ev.ID)
				}
			}
		}
		fmt.Fprintf(&b, "events %d no-index %d\n", rep.Events, rep.NoIndex)
		return b.String()
	}
	want := render(1, false)
	for _, c := range []struct {
		workers  int
		deferred bool
	}{{1, true}, {2, true}} {
		if d := cmp.Diff(want, render(c.workers, c.deferred)); d != "" {
			t.Errorf("workers=%d deferred=%v differs from the reader validating (-want +got):\n%s", c.workers, c.deferred, d)
		}
	}
	for _, s := range []string{"in.ndjson:3: invalid JSON", "in.ndjson:4: invalid JSON", "events 7 ", "any line 1 logs-x-default", "any line 2 logs-x-d2",
		"any line 6 logs-r-default r1", "any line 5 logs-hit-default h1", "any line 8 fallback", "any line 7 fallback"} {
		if !strings.Contains(want, s) {
			t.Errorf("output lacks %q:\n%s", s, want)
		}
	}
}

// TestTransformSkipsECS checks that Transform maps the documents that are
// not ECS, and that documents the engine decoded with an event.category
// skip it, whatever the workers and the validation.
func TestTransformSkipsECS(t *testing.T) {
	in := `{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"name":"a.exe"}}
{"@timestamp":"2024-01-01T00:00:02Z","raw":{"image":"a.exe"}}
{"@timestamp":"2024-01-01T00:00:03Z","raw":{"image":"b.exe"}}
`
	path := filepath.Join(t.TempDir(), "in.ndjson")
	if err := os.WriteFile(path, []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &rule.Rule{UUID: "uuid-t", Runnable: true, Status: rule.StatusRunnable}
	r.RuleID, r.Name, r.Type, r.Language, r.Query, r.Index = "t", "rule t", "eql", "eql", `process where process.name : "a.exe"`, []string{"*"}
	r.Severity, r.RiskScore = "low", 21
	r2 := *r
	r2.UUID, r2.RuleID, r2.Query = "uuid-t2", "t2", `process where true`
	for _, workers := range []int{1, 2} {
		for _, deferred := range []bool{false, true} {
			var out []byte
			calls := 0
			opts := engine.Options{Workers: workers, IgnoreIndex: true, Transform: func(raw []byte) []byte {
				if !strings.Contains(string(raw), `"raw"`) {
					if deferred {
						t.Errorf("Transform called for an ECS document the engine decoded: %s", raw)
					}
					return raw
				}
				calls++
				name := "a.exe"
				if strings.Contains(string(raw), "b.exe") {
					name = "b.exe"
				}
				out = fmt.Appendf(out[:0], `{"@timestamp":"2024-01-01T00:00:0%dZ","event":{"category":"process"},"process":{"name":%q}}`, calls+1, name)
				return out
			}}
			rep := runWith(t, []*rule.Rule{r, &r2}, opts, source.Options{DeferValidation: deferred}, path)
			got := fmt.Sprintf("%d %d %d", rep.Events, rep.Results[0].Total, rep.Results[1].Total)
			if got != "3 2 3" || calls != 2 {
				t.Errorf("workers=%d deferred=%v: events, matches = %s, Transform mapped %d; want 3 2 3 and 2", workers, deferred, got, calls)
			}
		}
	}
}
