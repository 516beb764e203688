package rule

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
)

// addArchiveSeeds adds the rule files of the validation fixtures to the
// fuzz corpus, so that mutation starts from realistic rules.
func addArchiveSeeds(f *testing.F, ndjson bool) {
	files, _ := filepath.Glob("testdata/validate/*.txtar")
	for _, file := range files {
		ar, err := parseArchiveFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			if af.Name != "want" && isNDJSON(af.Name, af.Data) == ndjson {
				f.Add(af.Data)
			}
		}
	}
}

// checkLoaded asserts the invariants every loaded rule must satisfy.
func checkLoaded(t *testing.T, r *Rule, problems []Problem) {
	switch r.Status {
	case StatusRunnable, StatusRejected, StatusNotRunnable:
	default:
		t.Fatalf("rule without a status: %q", r.Status)
	}
	if r.Runnable != (r.Status == StatusRunnable) {
		t.Fatalf("Runnable %v with status %s", r.Runnable, r.Status)
	}
	if r.Status == StatusRejected && r.Reason == "" {
		t.Fatal("rejected without a reason")
	}
	if r.UUID == "" {
		t.Fatal("no UUID")
	}
	if _, err := json.Marshal(r.Params); err != nil {
		t.Fatalf("params do not marshal: %v", err)
	}
	for _, p := range problems {
		if p.Message == "" || p.File == "" || (p.Severity != LevelError && p.Severity != LevelWarning) {
			t.Fatalf("malformed problem %+v", p)
		}
	}
}

// FuzzLoadTOML: arbitrary input never panics; a returned rule is classified
// and its problems are well formed; no rule means at least one error.
func FuzzLoadTOML(f *testing.F) {
	addArchiveSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, problems := LoadTOML(data, "fuzz.toml", Options{CheckQuery: fakeCheck})
		if r == nil {
			if !HasErrors(problems) {
				t.Fatal("no rule and no error")
			}
			return
		}
		checkLoaded(t, r, problems)
	})
}

// FuzzLoadNDJSON: the same for Kibana exports, line by line.
func FuzzLoadNDJSON(f *testing.F) {
	addArchiveSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte) {
		rules, problems, st := LoadNDJSON(bytes.NewReader(data), "fuzz.ndjson", Options{CheckQuery: fakeCheck})
		if st.Rules != len(rules) {
			t.Fatalf("stats count %d rules, got %d", st.Rules, len(rules))
		}
		for _, r := range rules {
			checkLoaded(t, r, r.Problems)
		}
		for _, p := range problems {
			if p.Message == "" {
				t.Fatalf("empty problem %+v", p)
			}
		}
	})
}
