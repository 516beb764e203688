package alert

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzAlerts feeds arbitrary documents to both alert builders: they must
// never panic, and whatever they build must be valid JSON whose
// kibana.alert.uuid is the alert id.
func FuzzAlerts(f *testing.F) {
	files, _ := filepath.Glob("testdata/golden/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(section(ar, "events.ndjson")), "\n") {
			var h goldenHit
			if json.Unmarshal([]byte(line), &h) == nil && h.Source != nil {
				f.Add([]byte(h.Source), []byte(`{"a":1}`))
			}
		}
	}
	for _, seed := range []string{`{}`, `{"event":"x"}`, `{"event":{"kind":{"a":[]}}}`, `{"kibana.alert.uuid":null}`,
		`{"kibana.alert.uuid":"x","kibana.alert.ancestors":[1,null,{"id":{"a":1}}],"kibana.alert.depth":"7"}`,
		`{"1":{"0":2,"a":3},"@timestamp":1e400}`, `[1]`, `"s"`, `{"a":"\ud800"}`} {
		f.Add([]byte(seed), []byte(`{}`))
	}
	b, err := NewBuilder(idRule(), Options{Now: time.Unix(1, 0)})
	if err != nil {
		f.Fatal(err)
	}
	check := func(t *testing.T, a *Alert) {
		var m map[string]any
		if err := json.Unmarshal(a.AppendJSON(nil), &m); err != nil {
			t.Fatalf("invalid JSON: %v\n%s", err, a.AppendJSON(nil))
		}
		if m[keyUUID] != a.ID {
			t.Fatalf("kibana.alert.uuid %v != id %s", m[keyUUID], a.ID)
		}
	}
	f.Fuzz(func(t *testing.T, doc1, doc2 []byte) {
		if a, err := b.EventAlert(Event{Index: "i", ID: "1", Source: doc1}); err == nil {
			check(t, a)
		}
		as, err := b.SequenceAlerts([]*Event{{Index: "i", ID: "1", Source: doc1}, nil, {Index: "i", ID: "2", Source: doc2}})
		if err == nil {
			for _, a := range as {
				check(t, a)
			}
		}
	})
}
