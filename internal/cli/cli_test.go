package cli_test

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/eqld/eqld/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"eqld": func() { os.Exit(cli.Main(os.Args[1:], cli.DefaultEnv())) },
	})
}

// TestScripts runs the end-to-end CLI scripts in testdata/script: each is a
// txtar archive of commands and the files they read, checked with
// stdout/stderr patterns (see github.com/rogpeppe/go-internal/testscript).
// Run with -testwork to keep the work directories, -update to rewrite
// cmp golden files.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
	})
}
