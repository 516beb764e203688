package parser

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/eqld/eqld/internal/shared"
	"github.com/pelletier/go-toml/v2"
)

// corpusQuery is one query from the shared reference data.
type corpusQuery struct {
	Name  string // file (and spec name) it came from
	Query string
}

// bareNull matches a TOML-invalid bare null inside a join_keys array of
// test_extra.toml, which Elasticsearch's own loader tolerates.
var (
	joinKeysArray = regexp.MustCompile(`(?s)join_keys\s*=\s*\[[^\]]*\]`)
	bareNull      = regexp.MustCompile(`(^|[^"])null([^"]|$)`)
)

// specQueries returns every query of ../shared/eql-spec/*.toml, all of
// which Elasticsearch accepts (commented-out entries are not read).
func specQueries(tb testing.TB) []corpusQuery {
	tb.Helper()
	dir := shared.Path(tb, "eql-spec")
	files, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no spec files in %s: %v", dir, err)
	}
	sort.Strings(files)
	var out []corpusQuery
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		data = joinKeysArray.ReplaceAllFunc(data, func(b []byte) []byte {
			return bareNull.ReplaceAll(b, []byte(`$1"null"$2`))
		})
		var doc struct {
			Queries []struct {
				Name  string `toml:"name"`
				Query string `toml:"query"`
			} `toml:"queries"`
		}
		if err := toml.Unmarshal(data, &doc); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for i, q := range doc.Queries {
			name := q.Name
			if name == "" {
				name = "#" + strconv.Itoa(i)
			}
			out = append(out, corpusQuery{Name: filepath.Base(f) + ":" + name, Query: strings.TrimSpace(q.Query)})
		}
	}
	return out
}

var (
	ruleOnce sync.Once
	ruleList []corpusQuery
	ruleErr  error
)

// ruleQueries returns the query of every EQL rule under
// ../shared/detection-rules, deprecated ones included. It is read once per
// test binary: the 2,000 TOML files take a noticeable moment.
func ruleQueries(tb testing.TB) []corpusQuery {
	tb.Helper()
	dir := shared.Path(tb, "detection-rules")
	ruleOnce.Do(func() {
		ruleErr = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".toml") {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var doc struct {
				Rule struct {
					Language string `toml:"language"`
					Query    string `toml:"query"`
				} `toml:"rule"`
			}
			if err := toml.Unmarshal(data, &doc); err != nil {
				return err
			}
			if doc.Rule.Language == "eql" {
				rel, _ := filepath.Rel(dir, path)
				ruleList = append(ruleList, corpusQuery{Name: rel, Query: doc.Rule.Query})
			}
			return nil
		})
	})
	if ruleErr != nil {
		tb.Fatal(ruleErr)
	}
	return ruleList
}

// TestSpecCorpus parses every query of Elasticsearch's EQL conformance
// suite; all of them are valid Elasticsearch EQL.
func TestSpecCorpus(t *testing.T) {
	qs := specQueries(t)
	ok := 0
	for _, q := range qs {
		if checkParsesAndRoundTrips(t, q) {
			ok++
		}
	}
	t.Logf("spec queries parsed: %d of %d", ok, len(qs))
}

// TestRuleCorpus parses the query of every EQL detection rule.
func TestRuleCorpus(t *testing.T) {
	qs := ruleQueries(t)
	if len(qs) < 1000 {
		t.Errorf("found only %d EQL rules; expected over 1,000", len(qs))
	}
	ok := 0
	for _, q := range qs {
		if checkParsesAndRoundTrips(t, q) {
			ok++
		}
	}
	t.Logf("rule queries parsed: %d of %d", ok, len(qs))
}

// checkParsesAndRoundTrips parses q, prints it, parses the print and
// checks the second print is the same.
func checkParsesAndRoundTrips(t *testing.T, q corpusQuery) bool {
	t.Helper()
	tree, err := ParseQuery(q.Query)
	if err != nil {
		t.Errorf("%s: %v\nquery:\n%s", q.Name, err, q.Query)
		return false
	}
	printed := tree.String()
	again, err := ParseQuery(printed)
	if err != nil {
		t.Errorf("%s: printed form does not parse: %v\nprinted: %s", q.Name, err, printed)
		return false
	}
	if got := again.String(); got != printed {
		t.Errorf("%s: round trip changed the query\nfirst:  %s\nsecond: %s", q.Name, printed, got)
		return false
	}
	checkPositions(t, q.Name, q.Query, tree)
	return true
}

// TestStringFunctionCorpus parses the expressions of the spec's string
// function unit tests with ParseExpr.
func TestStringFunctionCorpus(t *testing.T) {
	exprs := stringFunctionExprs(t)
	for _, src := range exprs {
		x, err := ParseExpr(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		checkRoundTripExpr(t, src, x)
		checkPositions(t, src, src, x)
	}
	t.Logf("string function expressions parsed: %d", len(exprs))
}
