package rule

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files and the want sections of testdata archives")

// fakeCheck stands in for the EQL compiler: it rejects queries that contain
// BROKEN, so that fixtures can exercise query rejection without eql/parser.
func fakeCheck(r *Rule) error {
	if i := strings.Index(r.Query, "BROKEN"); i >= 0 {
		line := 1 + strings.Count(r.Query[:i], "\n")
		col := i - strings.LastIndex(r.Query[:i], "\n")
		return &QueryError{Line: line, Column: col, Err: errors.New("unknown field"),
			Msg: fmt.Sprintf("%d:%d: unknown field BROKEN; fix the query", line, col)}
	}
	return nil
}

// TestValidateFixtures loads each testdata/validate/*.txtar archive — one
// or more rule files and a "want" section — and compares the rules' status
// and problems with want. Run with -update to rewrite want.
func TestValidateFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/validate/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := parseArchiveFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			wantIdx := -1
			for i, f := range ar.Files {
				if f.Name == "want" {
					wantIdx = i
					continue
				}
				describeLoad(&got, f.Name, f.Data)
			}
			if wantIdx < 0 {
				t.Fatalf("%s: no want section", file)
			}
			if *update {
				ar.Files[wantIdx].Data = got.Bytes()
				if err := os.WriteFile(file, formatArchive(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if d := cmp.Diff(string(ar.Files[wantIdx].Data), got.String()); d != "" {
				t.Errorf("%s: mismatch (-want +got), run go test -update:\n%s", file, d)
			}
		})
	}
}

// describeLoad loads one file and prints its rules and problems.
func describeLoad(w *bytes.Buffer, name string, data []byte) {
	opts := Options{CheckQuery: fakeCheck}
	var rules []*Rule
	var problems []Problem
	if isNDJSON(name, data) {
		var st ExportStats
		rules, problems, st = LoadNDJSON(bytes.NewReader(data), name, opts)
		fmt.Fprintf(w, "export: %+v\n", st)
	} else {
		r, ps := LoadTOML(data, name, opts)
		if r != nil {
			rules = append(rules, r)
		}
		problems = ps
	}
	if len(rules) == 0 {
		fmt.Fprintf(w, "%s: no rule\n", name)
	}
	for _, r := range rules {
		fmt.Fprintf(w, "%s: rule %s type=%s status=%s", name, r.RuleID, r.Type, r.Status)
		if r.Deprecated {
			fmt.Fprint(w, " deprecated")
		}
		if r.IsBuildingBlock() {
			fmt.Fprint(w, " building-block")
		}
		fmt.Fprintf(w, " uuid=%s\n", r.UUID)
	}
	for _, p := range problems {
		fmt.Fprintf(w, "%s\n", p.Error())
	}
}

// TestAllFieldsDecoded checks that the fixture using every optional field
// fills the typed structure, not just that it validates.
func TestAllFieldsDecoded(t *testing.T) {
	ar, err := parseArchiveFile("testdata/validate/valid_all_fields.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r, ps := LoadTOML(ar.Files[0].Data, "rule.toml", Options{CheckQuery: fakeCheck})
	if r == nil || HasErrors(ps) {
		t.Fatalf("load failed: %v", ps)
	}
	yes := true
	thirty := Duration{Value: 30, Unit: "m"}
	checks := []struct {
		name      string
		got, want any
	}{
		{"interval", r.Interval, "10m"},
		{"max_signals", r.MaxSignals, 33},
		{"to", r.To, "now"},
		{"enabled", r.Enabled, &yes},
		{"building_block_type", r.BuildingBlockType, "default"},
		{"event_category_override", r.EventCategoryOverride, "event.type"},
		{"tiebreaker_field", r.TiebreakerField, "event.sequence"},
		{"timestamp_field", r.TimestampField, "@timestamp"},
		{"rule_name_override", r.RuleNameOverride, "process.name"},
		{"exceptions_list", r.ExceptionsList, []ExceptionListRef{{ID: "fixture-list-so", ListID: "fixture-list", NamespaceType: "single", Type: "detection"}}},
		{"filters", r.Filters[0]["query"], map[string]any{"wildcard": map[string]any{"process.executable": map[string]any{"case_insensitive": true, "value": "/usr/local/bin/*"}}}},
		{"investigation_fields", r.InvestigationFields.FieldNames, []string{"host.name", "process.name"}},
		{"severity_mapping", r.SeverityMapping[0].Severity, "high"},
		{"alert_suppression", r.AlertSuppression, &AlertSuppression{GroupBy: []string{"host.id"}, Duration: &thirty, MissingFieldsStrategy: "doNotSuppress"}},
		{"threat subtechnique", r.Threat[0].Technique[0].Subtechnique[0].ID, "T1059.004"},
		{"tactic", r.Threat[0].Tactic.Name, "Execution"},
		{"integration", r.Metadata.Integration, StringList{"endpoint"}},
		{"bypass_bbr_timing", r.Metadata.BypassBBRTiming, true},
		{"osquery", r.Transform.Osquery[0].Query, "SELECT * FROM processes"},
		{"investigate", r.Transform.Investigate[0].Providers[0][0].Value, "{{host.name}}"},
		{"relativeFrom", r.Transform.Investigate[0].RelativeFrom, "now-48h/h"},
		{"uuid", r.UUID, DerivedUUID("5c4a6b1e-2f0d-4a61-9b7e-0c2d3e4f5a6b")},
	}
	for _, c := range checks {
		if d := cmp.Diff(c.want, c.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
	// Lines point at the keys in the file.
	for path, want := range map[string]int{
		"rule.max_signals": 0,
		"rule.threat[0].technique[0].subtechnique[0]": 0,
		"rule.alert_suppression.duration.unit":        0,
		"transform.investigate[0].providers[0][0]":    0,
	} {
		got := r.Source.Keys[path]
		line := lineContaining(string(ar.Files[0].Data), path)
		if want == 0 {
			want = line
		}
		if got != want || got == 0 {
			t.Errorf("line of %s = %d, want %d", path, got, want)
		}
	}
}

// lineContaining finds the 1-based line where the last key segment of path
// is defined in src, for the checks above.
func lineContaining(src, path string) int {
	probe := map[string]string{
		"rule.max_signals": "max_signals = ",
		"rule.threat[0].technique[0].subtechnique[0]": "[[rule.threat.technique.subtechnique]]",
		"rule.alert_suppression.duration.unit":        "unit = \"m\"",
		"transform.investigate[0].providers[0][0]":    "{ excluded = false, field = \"host.name\"",
	}[path]
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, probe) {
			return i + 1
		}
	}
	return -1
}

func TestDuplicateRuleID(t *testing.T) {
	dir := t.TempDir()
	ar, err := parseArchiveFile("testdata/validate/valid_eql.txtar")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a.toml", "b.toml"} {
		if err := os.WriteFile(filepath.Join(dir, n), ar.Files[0].Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(Options{CheckQuery: fakeCheck}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Rules) != 2 || set.Rules[0].Status != StatusRunnable || set.Rules[1].Status != StatusRejected {
		t.Fatalf("statuses: %v / %v", set.Rules[0].Status, set.Rules[1].Status)
	}
	if got := set.Problems[0].Message; !strings.Contains(got, "duplicate rule_id") {
		t.Errorf("problem = %q", got)
	}
	if set.ByID("5c4a6b1e-2f0d-4a61-9b7e-0c2d3e4f5a6b") != set.Rules[0] {
		t.Errorf("ByID should return the first rule")
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(Options{}, "testdata/does-not-exist")
	if err == nil || !strings.Contains(err.Error(), "does-not-exist") {
		t.Errorf("err = %v", err)
	}
}

func TestQueryCheckPanic(t *testing.T) {
	ar, err := parseArchiveFile("testdata/validate/valid_eql.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r, ps := LoadTOML(ar.Files[0].Data, "rule.toml", Options{CheckQuery: func(*Rule) error { panic("boom") }})
	if r.Status != StatusRejected || len(ps) != 1 || !strings.Contains(ps[0].Message, "panicked (boom)") {
		t.Errorf("status %v, problems %v", r.Status, ps)
	}
}

func TestDefaultChecks(t *testing.T) {
	r := &Rule{}
	r.Query = `process where process.name == "a"`
	for name, check := range map[string]QueryCheck{"compile": CompileCheck, "parse": ParseCheck} {
		if err := check(r); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	r.Query = "process where process.name =="
	for name, check := range map[string]QueryCheck{"compile": CompileCheck, "parse": ParseCheck} {
		err := check(r)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "1:") {
			t.Errorf("%s: want a one-line error with a position, got %v", name, err)
		}
	}
	r.Query = `process where unknownFunction(process.name)`
	if err := CompileCheck(r); err == nil {
		t.Error("compile check accepts an unknown function")
	}
}
