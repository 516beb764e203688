package rule

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/eqld/eqld/internal/shared"
)

// TestDetectionRulesCorpus loads every TOML of Elastic's detection-rules
// repository: no file may fail to load, no production rule may have a
// validation error the repository itself would not have, and the per-type
// counts are printed (go test -v -run Corpus).
func TestDetectionRulesCorpus(t *testing.T) {
	dir := shared.Path(t, "detection-rules")
	set, err := Load(Options{CheckQuery: corpusCheck()}, dir)
	if err != nil {
		t.Fatal(err)
	}
	s := set.Summary()
	if s.Files != 2192 {
		t.Errorf("files = %d, want 2192", s.Files)
	}
	if s.Failed != 0 || s.Loaded != s.Files {
		t.Errorf("failed = %d, loaded = %d of %d files", s.Failed, s.Loaded, s.Files)
	}
	var types []string
	for k := range s.ByType {
		types = append(types, k)
	}
	sort.Strings(types)
	t.Logf("%d files, %d loaded, %d runnable, %d errors, %d warnings", s.Files, s.Loaded, s.Runnable, s.Errors, s.Warnings)
	for _, k := range types {
		c := s.ByType[k]
		t.Logf("%-17s loaded %4d  runnable %4d  rejected %3d  not_runnable %4d  (deprecated %3d, building blocks %3d)",
			k, c.Loaded, c.Runnable, c.Rejected, c.NotRunnable, c.Deprecated, c.BuildingBlocks)
	}
	for k, n := range s.Rejections {
		t.Logf("rejected by %s: %d", k, n)
	}
	want := map[string]int{"eql": 1081, "query": 508, "new_terms": 245, "esql": 212, "machine_learning": 106, "threshold": 31, "threat_match": 9}
	for k, n := range want {
		if c := s.ByType[k]; c == nil || c.Loaded != n {
			t.Errorf("%s loaded = %v, want %d", k, c, n)
		}
	}
	// Production rules pass upstream's schema, so they must not be
	// rejected for anything but their query.
	warnings := map[string]int{}
	for _, r := range set.Rules {
		for _, p := range r.Problems {
			if p.Severity == LevelWarning {
				warnings[p.Field+": "+firstWords(p.Message)]++
				continue
			}
			if !r.Deprecated && !strings.HasSuffix(p.Field, "query") {
				t.Errorf("%v", p)
			}
		}
	}
	for k, n := range warnings {
		t.Logf("warning x%d: %s", n, k)
	}
	c := CountRules(set.Select(Selector{}))
	t.Logf("selected by default (no deprecated, no building blocks): %d; by severity %v", c.Total, c.BySeverity)
}

func firstWords(s string) string {
	f := strings.Fields(s)
	if len(f) > 6 {
		f = f[:6]
	}
	return strings.Join(f, " ")
}

// corpusCheck returns the real query checker when one is wired in, and
// otherwise a stand-in that only requires a non-empty query.
func corpusCheck() QueryCheck {
	if DefaultQueryCheck != nil {
		return DefaultQueryCheck
	}
	return func(r *Rule) error {
		if strings.TrimSpace(r.Query) == "" {
			return fmt.Errorf("empty query")
		}
		return nil
	}
}
