package eql_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/internal/shared"
)

// ruleQuery is an EQL query taken from a detection-rules TOML file.
type ruleQuery struct {
	file       string
	query      string
	deprecated bool
	catField   string
}

func ruleQueries(t testing.TB) []ruleQuery {
	root := shared.Path(t, "detection-rules")
	var out []ruleQuery
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".toml") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var doc struct {
			Metadata struct {
				Maturity string `toml:"maturity"`
			} `toml:"metadata"`
			Rule struct {
				Language              string `toml:"language"`
				Query                 string `toml:"query"`
				EventCategoryOverride string `toml:"event_category_override"`
			} `toml:"rule"`
		}
		if err := toml.Unmarshal(raw, &doc); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		if doc.Rule.Language == "eql" {
			rel, _ := filepath.Rel(root, path)
			out = append(out, ruleQuery{file: rel, query: doc.Rule.Query,
				deprecated: doc.Metadata.Maturity == "deprecated", catField: doc.Rule.EventCategoryOverride})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	return out
}

// TestDetectionRulesCompile compiles every EQL query of Elastic's public
// detection rules. Each must compile; a failure names the rule file and the
// construct.
func TestDetectionRulesCompile(t *testing.T) {
	rules := ruleQueries(t)
	ok, prod := 0, 0
	for _, r := range rules {
		if !r.deprecated {
			prod++
		}
		_, err := eql.Compile(r.query, &eql.Options{EventCategoryField: r.catField})
		if err != nil {
			t.Errorf("%s: %v", r.file, err)
			continue
		}
		ok++
	}
	t.Logf("detection-rules: %d of %d EQL queries compile (%d production, %d deprecated)", ok, len(rules), prod, len(rules)-prod)
	if len(rules) != 1081 {
		t.Errorf("found %d EQL rules, want 1081", len(rules))
	}
}
