package ecs

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"testing"

	"github.com/eqld/eqld/internal/shared"
)

// TestFieldTypeMatchesSchema checks every field of the ECS schema in
// ../shared against FieldType.
func TestFieldTypeMatchesSchema(t *testing.T) {
	f, err := os.Open(shared.Path(t, "ecs/ecs_flat-9.5.0.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]struct {
		Type        string `json:"type"`
		MultiFields []struct {
			FlatName string `json:"flat_name"`
			Type     string `json:"type"`
		} `json:"multi_fields"`
	}
	if err := json.NewDecoder(zr).Decode(&schema); err != nil {
		t.Fatal(err)
	}
	n := 0
	for name, fd := range schema {
		if got, ok := FieldType(name); !ok || got != fd.Type {
			t.Errorf("FieldType(%q) = %q, %v; schema says %q", name, got, ok, fd.Type)
		}
		for _, m := range fd.MultiFields {
			if got, ok := FieldType(m.FlatName); !ok || got != m.Type {
				t.Errorf("FieldType(%q) = %q, %v; schema says %q", m.FlatName, got, ok, m.Type)
			}
		}
		n++
	}
	if n < 2000 {
		t.Errorf("schema has only %d fields", n)
	}
}
