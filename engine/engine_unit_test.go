package engine

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eqld/eqld/exception"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

func TestIndexGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, index string
		want           bool
	}{
		{"logs-endpoint.events.process-*", "logs-endpoint.events.process-default", true},
		{"logs-endpoint.events.process-*", "logs-endpoint.events.network-default", false},
		{"logs-endpoint.events.*", "logs-endpoint.events.network-default", true},
		{"winlogbeat-*", "winlogbeat-8.15.0-2024.01.01", true},
		{"winlogbeat-*", "logs-windows.sysmon_operational-default", false},
		{"logs-*-default", "logs-system.security-default", true},
		{"logs-*-default", "logs-system.security-prod", false},
		{"*", "anything", true},
		{"exact", "exact", true},
		{"exact", "exactly", false},
		{"remote:logs-*", "logs-x", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"logs-*", "", false},
	} {
		if got := indexGlob(tc.pattern, tc.index); got != tc.want {
			t.Errorf("indexGlob(%q, %q) = %v, want %v", tc.pattern, tc.index, got, tc.want)
		}
	}
	c := &compiled{patterns: []string{"logs-*"}, excludes: []string{"logs-debug-*"}}
	if !c.matchIndex("logs-app-default") || c.matchIndex("logs-debug-x") {
		t.Error("exclusion patterns are not applied")
	}
}

// eqlRule builds a runnable EQL rule for tests.
func eqlRule(id, query string, index ...string) *rule.Rule {
	r := &rule.Rule{UUID: "uuid-" + id, Runnable: true, Status: rule.StatusRunnable}
	r.RuleID, r.Name, r.Type, r.Language, r.Query, r.Index = id, "rule "+id, "eql", "eql", query, index
	r.Severity, r.RiskScore = "low", 21
	return r
}

func runString(t *testing.T, rules []*rule.Rule, opts Options, ndjson string) *Report {
	t.Helper()
	e, problems := New(rules, opts)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	rd, err := source.Open([]string{"-"}, source.Options{Stdin: strings.NewReader(ndjson)})
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

const events = `{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process","ingested":"2024-01-01T00:05:01Z"},"process":{"name":"a.exe"},"host":{"id":"h1"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}
{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process","ingested":"2024-01-01T00:05:02Z"},"process":{"name":"b.exe"},"host":{"id":"h1"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}
{"@timestamp":"2024-01-01T00:00:03Z","event":{"category":"process","ingested":"2024-01-01T00:05:03Z"},"process":{"name":"a.exe"},"host":{"id":"h2"},"data_stream":{"type":"logs","dataset":"y","namespace":"default"}}
{"@timestamp":"2024-01-01T00:00:04Z","event":{"category":"process","ingested":"2024-01-01T00:05:04Z"},"process":{"name":"a.exe"},"host":{"id":"h1"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}
{"@timestamp":"2024-01-01T00:00:05Z","event":{"category":"process"},"process":{"name":"a.exe"},"host":{"id":"h3"}}
`

func lines(f []Finding) string {
	var out []string
	for _, x := range f {
		var ls []string
		for _, ev := range x.Events {
			ls = append(ls, strconv.Itoa(ev.Origin.Line))
		}
		out = append(out, strings.Join(ls, "+"))
	}
	return strings.Join(out, " ")
}

func TestIndexPatternsRouteEvents(t *testing.T) {
	r := eqlRule("r1", `process where process.name : "a.exe"`, "logs-x-*")
	rep := runString(t, []*rule.Rule{r}, Options{}, events)
	if got := lines(rep.Results[0].Findings); got != "1 4" {
		t.Errorf("index logs-x-*: findings at lines %q, want \"1 4\"", got)
	}
	if rep.NoIndex != 1 {
		t.Errorf("NoIndex = %d, want 1", rep.NoIndex)
	}
	rep = runString(t, []*rule.Rule{r}, Options{IgnoreIndex: true}, events)
	if got := lines(rep.Results[0].Findings); got != "1 3 4 5" {
		t.Errorf("ignore index: findings at lines %q", got)
	}
}

func TestMaxSignalsKeepsMostRecent(t *testing.T) {
	r := eqlRule("r1", `process where process.name : "a.exe"`, "logs-*")
	r.MaxSignals = 2
	rep := runString(t, []*rule.Rule{r}, Options{}, events)
	res := rep.Results[0]
	if res.Total != 3 || !res.Truncated || lines(res.Findings) != "3 4" {
		t.Errorf("total %d truncated %v findings %q; want 3, true, \"3 4\"", res.Total, res.Truncated, lines(res.Findings))
	}
}

func TestTimeRangeUsesTimestampOverride(t *testing.T) {
	r := eqlRule("r1", `process where true`, "logs-*")
	from := time.Date(2024, 1, 1, 0, 5, 2, 0, time.UTC)
	rep := runString(t, []*rule.Rule{r}, Options{From: from}, events)
	if got := lines(rep.Results[0].Findings); got != "1 2 3 4" {
		// @timestamp is before From for every event: nothing without override.
		if got != "" {
			t.Errorf("without override: %q", got)
		}
	}
	r.TimestampOverride = "event.ingested"
	rep = runString(t, []*rule.Rule{r}, Options{From: from, IgnoreIndex: true}, events)
	// ingested >= 00:05:02 for lines 2, 3, 4; line 5 has no ingested and
	// falls back to @timestamp (00:00:05, out of range).
	if got := lines(rep.Results[0].Findings); got != "2 3 4" {
		t.Errorf("with override: findings at %q, want \"2 3 4\"", got)
	}
}

func TestSequenceAcrossUnorderedInput(t *testing.T) {
	r := eqlRule("s1", `sequence by host.id with maxspan=1m [process where process.name == "a.exe"] [process where process.name == "b.exe"]`, "logs-*")
	// b.exe (line 1) arrives before a.exe (line 2) but happened after it.
	in := `{"@timestamp":"2024-01-01T00:00:02Z","event":{"category":"process"},"process":{"name":"b.exe"},"host":{"id":"h1"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}
{"@timestamp":"2024-01-01T00:00:01Z","event":{"category":"process"},"process":{"name":"a.exe"},"host":{"id":"h1"},"data_stream":{"type":"logs","dataset":"x","namespace":"default"}}
`
	rep := runString(t, []*rule.Rule{r}, Options{Order: OrderBuffer}, in)
	if got := lines(rep.Results[0].Findings); got != "2+1" {
		t.Errorf("buffered: sequence %q, want \"2+1\"", got)
	}
	// Streaming (what OrderAuto does for standard input, whose size is
	// unknown) sees b.exe before any sequence is pending and cannot go back.
	for _, order := range []Order{OrderStream, OrderAuto} {
		rep = runString(t, []*rule.Rule{r}, Options{Order: order}, in)
		if rep.Results[0].Total != 0 {
			t.Errorf("order %d: %d findings, want 0", order, rep.Results[0].Total)
		}
	}
}

func TestExceptionsExcludeEvents(t *testing.T) {
	exc := exception.NewSet()
	exc.ApplyToAll = true
	list := `{"list_id":"l1","namespace_type":"single","type":"detection","name":"l1"}
{"item_id":"i1","list_id":"l1","namespace_type":"single","type":"simple","name":"skip h1","entries":[{"field":"host.id","operator":"included","type":"match","value":"h1"}]}
`
	if err := exc.ReadExceptions(strings.NewReader(list), "exc.ndjson"); err != nil {
		t.Fatal(err)
	}
	r := eqlRule("r1", `process where process.name : "a.exe"`, "logs-*")
	rep := runString(t, []*rule.Rule{r}, Options{Exceptions: exc}, events)
	if got := lines(rep.Results[0].Findings); got != "3" {
		t.Errorf("with an exception on host h1: findings %q, want \"3\"", got)
	}
	// Exceptions remove events before sequencing: the sequence loses its first event.
	s := eqlRule("s1", `sequence by process.name [process where true] [process where true]`, "logs-*")
	rep = runString(t, []*rule.Rule{s}, Options{Exceptions: exc}, events)
	if rep.Results[0].Total != 0 {
		t.Errorf("sequence over excluded events: %d findings", rep.Results[0].Total)
	}
}

func TestNonEQLRulesAreReported(t *testing.T) {
	r := eqlRule("q1", `host.name: x`, "logs-*")
	r.Type, r.Language = "query", "kuery"
	_, problems := New([]*rule.Rule{r}, Options{})
	if len(problems) != 1 || !strings.Contains(problems[0].Reason, "not run by eqld") {
		t.Errorf("problems = %v", problems)
	}
}
