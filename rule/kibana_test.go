package rule

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func loadKibanaFixture(t *testing.T) []*Rule {
	t.Helper()
	ar, err := parseArchiveFile("testdata/validate/kibana_export.txtar")
	if err != nil {
		t.Fatal(err)
	}
	rules, _, _ := LoadNDJSON(bytes.NewReader(ar.Files[0].Data), "export.ndjson", Options{CheckQuery: fakeCheck})
	if len(rules) != 3 {
		t.Fatalf("got %d rules", len(rules))
	}
	return rules
}

// TestKibanaExportFields checks that the API shape decodes into the same
// typed fields as TOML, and that the saved-object id becomes the rule UUID.
func TestKibanaExportFields(t *testing.T) {
	rules := loadKibanaFixture(t)
	eql, nt := rules[0], rules[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"uuid", eql.UUID, "0d9f3a52-6a3e-4c1e-9d55-2b2f7f0e1c11"},
		{"id", eql.ID, "0d9f3a52-6a3e-4c1e-9d55-2b2f7f0e1c11"},
		{"version", eql.Version, 3},
		{"index", eql.Index, []string{"logs-endpoint.events.*", "winlogbeat-*"}},
		{"subtechnique", eql.Threat[0].Technique[0].Subtechnique[0].ID, "T1021.006"},
		{"exceptions_list", eql.ExceptionsList[0].ListID, "fixture-exceptions"},
		{"meta", eql.Meta["from"], "1m"},
		{"rule_source", eql.RuleSource, map[string]any{"type": "internal"}},
		{"required_fields", eql.RequiredFields, []RequiredField{{Name: "host.id", Type: "keyword", ECS: true}}},
		{"line", eql.Source.Line, 1},
		{"format", eql.Source.Format, "ndjson"},
		{"new_terms_fields", nt.NewTermsFields, []string{"user.name", "host.id"}},
		{"history_window_start", nt.HistoryWindowStart, "now-10d"},
		{"line 2", nt.Source.Line, 3},
		{"maturity", eql.Metadata.Maturity, ""},
	}
	for _, c := range checks {
		if d := cmp.Diff(c.want, c.got); d != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, d)
		}
	}
}

// TestParamsJSONRoundTrip: Params marshals to Kibana's API names, and what
// it marshals loads back to the same Params.
func TestParamsJSONRoundTrip(t *testing.T) {
	for _, r := range loadKibanaFixture(t)[:2] {
		b, err := json.Marshal(r.Params)
		if err != nil {
			t.Fatal(err)
		}
		back, ps, _ := LoadNDJSON(bytes.NewReader(b), "x.ndjson", Options{CheckQuery: fakeCheck})
		if len(back) != 1 || HasErrors(ps) {
			t.Fatalf("reload: %v", ps)
		}
		if d := cmp.Diff(r.Params, back[0].Params, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("round trip (-orig +reloaded):\n%s", d)
		}
	}
	// A TOML new_terms rule exports Kibana's flat fields.
	ar, err := parseArchiveFile("testdata/validate/valid_new_terms.txtar")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := LoadTOML(ar.Files[0].Data, "rule.toml", Options{})
	b, _ := json.Marshal(r.WithDefaults())
	for _, want := range []string{`"new_terms_fields":["host.id","user.name"]`, `"history_window_start":"now-10d"`,
		`"max_signals":100`, `"interval":"5m"`, `"to":"now"`, `"version":1`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("marshalled params lack %s:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), `"new_terms":`) {
		t.Errorf("the TOML-only new_terms table leaked into the API shape")
	}
}

func TestDerivedUUID(t *testing.T) {
	// Python: uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/eqld/eqld"), rule_id)
	got := DerivedUUID("5c4a6b1e-2f0d-4a61-9b7e-0c2d3e4f5a6b")
	if got != "3acc8df1-d8aa-54a9-84a7-fdbf29e7ecc7" {
		t.Errorf("DerivedUUID = %s", got)
	}
	if DerivedUUID("a") == DerivedUUID("b") {
		t.Error("different rule ids must give different UUIDs")
	}
}

// TestSummaryJSON pins the JSON shape of `eqld rules validate --json`.
func TestSummaryJSON(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"valid_eql", "valid_query", "error_risk_score_range", "deprecated_lenient", "kibana_export", "error_toml_syntax"} {
		ar, err := parseArchiveFile("testdata/validate/" + name + ".txtar")
		if err != nil {
			t.Fatal(err)
		}
		f := ar.Files[0]
		ext := filepath.Ext(f.Name)
		// Distinct rule ids so that no duplicate is reported.
		data := bytes.ReplaceAll(f.Data, []byte("5c4a6b1e-2f0d-4a61-9b7e-0c2d3e4f5a6b"), []byte(DerivedUUID(name)))
		if err := os.WriteFile(filepath.Join(dir, name+ext), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Load(Options{CheckQuery: fakeCheck}, dir, filepath.Join(dir, "kibana_export.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	s := set.Summary()
	for i := range s.Problems {
		s.Problems[i].File = filepath.Base(s.Problems[i].File)
	}
	got, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/summary.golden.json", append(got, '\n'))

	c := CountRules(set.Rules)
	gotCounts, _ := json.MarshalIndent(c, "", "  ")
	golden(t, "testdata/counts.golden.json", append(gotCounts, '\n'))
}

// golden compares got with the file, or rewrites the file under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s mismatch (-want +got), run go test -update:\n%s", path, d)
	}
}
