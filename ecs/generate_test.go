package ecs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/eqld/eqld/internal/shared"
)

// TestGeneratedFilesFresh regenerates the pipeline and field-type tables
// from ../shared and compares them with the committed files, so that a hand
// edit or a changed source is noticed (run `go generate ./ecs` to fix).
func TestGeneratedFilesFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go run twice")
	}
	pipelines := shared.Path(t, "ecs/pipelines")
	schema := shared.Path(t, "ecs/ecs_flat-9.5.0.json.gz")
	dir := t.TempDir()
	for _, g := range []struct{ cmd, flag, src, file string }{
		{"./internal/genpipelines", "-pipelines", pipelines, "pipeline_tables.go"},
		{"./internal/genfieldtypes", "-schema", schema, "fieldtypes_table.go"},
	} {
		out := filepath.Join(dir, g.file)
		cmd := exec.Command("go", "run", g.cmd, g.flag, g.src, "-o", out)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", g.cmd, err, msg)
		}
		want, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s is stale or edited by hand: run go generate ./ecs", g.file)
		}
	}
}
