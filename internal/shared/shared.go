// Package shared locates the read-only reference data that sits beside the
// project checkout in ../shared (Elasticsearch's EQL conformance suite,
// Elastic's detection rules, the ECS schema, EVTX samples).
//
// Tests that need it call Dir or Path; when the directory is absent — a
// user's fresh clone — the test is skipped with a one-line reason, so that
// `go test ./...` still passes and the project's own tests still run.
package shared

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

var (
	once sync.Once
	dir  string
)

// locate walks up from the working directory to the module root (the
// directory holding go.mod) and returns <root>/../shared if it exists.
func locate() string {
	if d := os.Getenv("EQLD_SHARED"); d != "" {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(d), "shared")
			if fi, err := os.Stat(s); err == nil && fi.IsDir() {
				return s
			}
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// Root returns the shared directory, or "" when it is not present.
// The environment variable EQLD_SHARED overrides the default location.
func Root() string {
	once.Do(func() { dir = locate() })
	return dir
}

// Path returns the path of rel inside the shared directory, skipping the
// test when that path does not exist.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	r := Root()
	if r == "" {
		tb.Skip("../shared is absent (fresh clone): skipping test that needs reference data")
	}
	p := filepath.Join(r, rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("../shared/%s is absent: skipping", rel)
	}
	return p
}
