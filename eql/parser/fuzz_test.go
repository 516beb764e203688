package parser

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/internal/shared"
	"github.com/pelletier/go-toml/v2"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the fuzz seed corpus under testdata/fuzz from ../shared")

// FuzzParseQuery checks that no input makes the parser panic or report an
// internal error, that errors point into the input, and that whatever
// parses prints to text that parses back to the same printed form.
func FuzzParseQuery(f *testing.F) {
	for _, q := range validQueries {
		f.Add(q.src)
	}
	for _, q := range invalidQueries {
		f.Add(q.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := ParseQuery(src)
		if err != nil {
			checkFuzzError(t, src, err)
			if q != nil {
				t.Fatalf("tree returned with an error")
			}
			return
		}
		checkSpans(t, "fuzz", src, q)
		printed := q.String()
		if len(printed) > MaxQueryLen {
			return // printing may lengthen a query past the input limit
		}
		again, err := ParseQuery(printed)
		if err != nil {
			t.Fatalf("printed form does not parse\ninput:   %q\nprinted: %q\nerror: %v", src, printed, err)
		}
		if got := again.String(); got != printed {
			t.Fatalf("round trip changed the query\ninput:  %q\nfirst:  %q\nsecond: %q", src, printed, got)
		}
	})
}

// FuzzParseExpr is FuzzParseQuery for bare expressions.
func FuzzParseExpr(f *testing.F) {
	for _, q := range validQueries {
		f.Add(q.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := ParseExpr(src)
		if err != nil {
			checkFuzzError(t, src, err)
			if x != nil {
				t.Fatalf("tree returned with an error")
			}
			return
		}
		checkSpans(t, "fuzz", src, x)
		printed := x.String()
		if len(printed) > MaxQueryLen {
			return
		}
		again, err := ParseExpr(printed)
		if err != nil {
			t.Fatalf("printed form does not parse\ninput:   %q\nprinted: %q\nerror: %v", src, printed, err)
		}
		if got := again.String(); got != printed {
			t.Fatalf("round trip changed the expression\ninput:  %q\nfirst:  %q\nsecond: %q", src, printed, got)
		}
	})
}

func checkFuzzError(t *testing.T, src string, err error) {
	t.Helper()
	if errors.Is(err, ErrInternal) {
		t.Fatalf("internal error for %q: %v", src, err)
	}
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 || len(list) > maxErrors {
		t.Fatalf("error for %q is not a list of 1 to %d errors: %#v", src, maxErrors, err)
	}
	checkErrorPositions(t, src, list)
	_ = err.Error() // rendering must not panic
}

// TestWriteFuzzSeeds writes the spec and rule queries (and, for
// FuzzParseExpr, their conditions and the string-function expressions)
// into testdata/fuzz in Go's corpus format. Run it with
//
//	go test ./eql/parser -run TestWriteFuzzSeeds -write-seeds
//
// Seeds are named seed-<hash>; crashers that the fuzzer saves under other
// names are left alone.
func TestWriteFuzzSeeds(t *testing.T) {
	const maxExprSeed = 500
	if !*writeSeeds {
		t.Skip("run with -write-seeds to rewrite testdata/fuzz")
	}
	var queries, exprs []string
	for _, q := range append(specQueries(t), ruleQueries(t)...) {
		queries = append(queries, q.Query)
		tree, err := ParseQuery(q.Query)
		if err != nil {
			t.Fatalf("%s: %v", q.Name, err)
		}
		ast.Walk(tree, func(n ast.Node) bool {
			// Long conditions add little over the whole queries that
			// hold them; keep the expression corpus small.
			if eq, ok := n.(*ast.EventQuery); ok && eq.Cond.End()-eq.Cond.Pos() <= maxExprSeed {
				exprs = append(exprs, q.Query[eq.Cond.Pos():eq.Cond.End()])
			}
			return true
		})
	}
	exprs = append(exprs, stringFunctionExprs(t)...)
	writeCorpus(t, "FuzzParseQuery", queries)
	writeCorpus(t, "FuzzParseExpr", exprs)
}

// stringFunctionExprs returns the expressions of the spec's string
// function unit tests.
func stringFunctionExprs(t *testing.T) []string {
	data, err := os.ReadFile(shared.Path(t, "eql-spec/unit/test_string_functions.toml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]struct {
		Fold struct {
			Tests []struct {
				Expression string `toml:"expression"`
			} `toml:"tests"`
		} `toml:"fold"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, fn := range doc {
		for _, tc := range fn.Fold.Tests {
			out = append(out, tc.Expression)
		}
	}
	sort.Strings(out)
	return out
}

func writeCorpus(t *testing.T, target string, inputs []string) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "seed-*"))
	for _, f := range old {
		os.Remove(f)
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		sum := sha256.Sum256([]byte(in))
		name := "seed-" + hex.EncodeToString(sum[:8])
		if seen[name] {
			continue
		}
		seen[name] = true
		content := fmt.Sprintf("go test fuzz v1\nstring(%q)\n", in)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%s: %d seeds", target, len(seen))
}

// TestFuzzSeedsParse checks that the committed FuzzParseQuery seeds, which
// are real queries, all parse: a seed corpus of errors would fuzz only
// the error paths.
func TestFuzzSeedsParse(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParseQuery", "seed-*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var q string
		body := strings.TrimPrefix(string(data), "go test fuzz v1\nstring(")
		if _, err := fmt.Sscanf(body, "%q", &q); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if _, err := ParseQuery(q); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
