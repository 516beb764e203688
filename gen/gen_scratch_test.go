package gen

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// TestScratchWrite writes a corpus to $GEN_OUT (developer aid).
func TestScratchWrite(t *testing.T) {
	out := os.Getenv("GEN_OUT")
	if out == "" {
		t.Skip("GEN_OUT not set")
	}
	n, _ := strconv.Atoi(os.Getenv("GEN_N"))
	g, err := New(Config{Seed: 1, Events: n})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(out)
	w := bufio.NewWriter(f)
	if _, err := g.WriteTo(w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	f.Close()
	m, _ := json.MarshalIndent(g.Manifest().Expected, "", " ")
	os.WriteFile(out+".manifest", m, 0o644)
}
