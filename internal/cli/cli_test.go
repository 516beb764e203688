package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eqld/eqld/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"eqld": func() { os.Exit(cli.Main(os.Args[1:], cli.DefaultEnv())) },
		"count-lines": func() {
			data, err := os.ReadFile(os.Args[1])
			if err != nil {
				os.Stderr.WriteString(err.Error() + "\n")
				os.Exit(1)
			}
			n := 0
			for _, b := range data {
				if b == '\n' {
					n++
				}
			}
			os.Stdout.WriteString(strconv.Itoa(n) + "\n")
			os.Exit(0)
		},
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: each is a
// txtar archive of commands and the files they read, checked with
// stdout/stderr patterns (see github.com/rogpeppe/go-internal/testscript).
// Run with -testwork to keep the work directories, -update to rewrite
// cmp golden files.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", repo) // the checkout, for examples/
			return nil
		},
	})
}

// TestExitCodes checks the documented exit statuses.
func TestExitCodes(t *testing.T) {
	example := filepath.Join("..", "..", "examples")
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"version"}, cli.ExitOK},
		{[]string{"query", "process where", "-"}, cli.ExitUsage},
		{[]string{"query", "any where true", "no-such-file.ndjson"}, cli.ExitOK}, // unreadable input: reported, skipped
		{[]string{"nosuchcommand"}, cli.ExitUsage},
		{[]string{"hunt", "--rules", filepath.Join(example, "rules"), "--format", "none", filepath.Join(example, "events")}, cli.ExitOK},
		{[]string{"hunt", "--rules", filepath.Join(example, "rules"), "--format", "none", "--fail-on-alert", filepath.Join(example, "events")}, cli.ExitAlerts},
		{[]string{"hunt", "--rules", filepath.Join(example, "rules"), "--out", filepath.Join(t.TempDir(), "no", "such", "dir", "x"), filepath.Join(example, "events")}, cli.ExitFailure},
	} {
		var out, errb bytes.Buffer
		env := &cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb}
		if got := cli.Main(tc.args, env); got != tc.want {
			t.Errorf("eqld %s: exit %d, want %d\nstderr: %s", strings.Join(tc.args, " "), got, tc.want, errb.String())
		}
	}
}
