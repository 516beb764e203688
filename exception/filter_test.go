package exception

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/rule"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata archives")

// runStart is the run start time of every fixture.
var runStart = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

// TestFilterFixtures runs each testdata/filter/*.txtar case: it loads
// exceptions.ndjson and the value lists (files named list:<id>:<type>),
// builds the filter for the rule in rule.json at runStart and compares the
// EQL text and all problems with the want section (go test -update
// rewrites it). The printed filter must parse back to the same text.
func TestFilterFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/filter/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := parseArchiveFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, filter := runFixture(t, ar)
			if filter != nil {
				checkReparse(t, filter)
			}
			i := fileIndex(ar, "want")
			if i < 0 {
				t.Fatal("no want section")
			}
			if *update {
				ar.Files[i].Data = []byte(got)
				if err := os.WriteFile(file, formatArchive(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if d := cmp.Diff(string(ar.Files[i].Data), got); d != "" {
				t.Errorf("mismatch (-want +got), run go test -update:\n%s", d)
			}
		})
	}
}

func runFixture(t *testing.T, ar *archive) (string, ast.Expr) {
	t.Helper()
	s := NewSet()
	var r rule.Rule
	for _, f := range ar.Files {
		switch {
		case f.Name == "exceptions.ndjson":
			if err := s.ReadExceptions(bytes.NewReader(f.Data), f.Name); err != nil {
				t.Fatal(err)
			}
		case strings.HasPrefix(f.Name, "list:"):
			parts := strings.SplitN(f.Name, ":", 3)
			if err := s.ReadValueList(bytes.NewReader(f.Data), parts[1], parts[1], parts[2]); err != nil {
				t.Fatal(err)
			}
		case f.Name == "rule.json":
			var spec struct {
				RuleID         string                  `json:"rule_id"`
				ExceptionsList []rule.ExceptionListRef `json:"exceptions_list"`
				Global         bool                    `json:"global"`
			}
			if err := json.Unmarshal(f.Data, &spec); err != nil {
				t.Fatal(err)
			}
			r.RuleID, r.ExceptionsList, s.ApplyToAll = spec.RuleID, spec.ExceptionsList, spec.Global
		}
	}
	filter, problems := s.FilterFor(&r, runStart)
	var b strings.Builder
	if filter == nil {
		b.WriteString("filter: none\n")
	} else {
		fmt.Fprintf(&b, "filter:\n%s\n", indentEQL(filter.String()))
	}
	fmt.Fprintf(&b, "stats: %+v\n", s.Stats)
	for _, p := range s.Problems {
		fmt.Fprintf(&b, "load: %s\n", p.Error())
	}
	for _, p := range problems {
		fmt.Fprintf(&b, "filter: %s\n", p.Error())
	}
	return b.String(), filter
}

// indentEQL puts each top-level `or` alternative on its own line, so that
// the golden text is readable; the text is otherwise exactly String().
func indentEQL(s string) string {
	var parts []string
	depth, start := 0, 0
	inStr := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '(':
			depth++
		case c == ')':
			depth--
		case depth == 0 && strings.HasPrefix(s[i:], " or "):
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	parts = append(parts, s[start:])
	return "  " + strings.Join(parts, "\n  ")
}

// fileIndex is the position of the archive's file called name, or -1.
func fileIndex(a *archive, name string) int {
	for i, f := range a.Files {
		if f.Name == name {
			return i
		}
	}
	return -1
}
