package alert

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"
)

func decodeDoc(t *testing.T, a *Alert) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.AppendJSON(nil), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSequenceShape checks the PowerShell-remoting sequence field by field
// against detection-engine.md §2.6 and §2.13(b).
func TestSequenceShape(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/golden/sequence_powershell_remoting.txtar")
	if err != nil {
		t.Fatal(err)
	}
	alerts, errs := runGolden(t, ar)
	if len(errs) > 0 || len(alerts) != 3 {
		t.Fatalf("got %d alerts, errors %v; want shell + 2 building blocks", len(alerts), errs)
	}
	shell, blocks := alerts[0], alerts[1:]
	ruleUUID := shell.RuleUUID
	s := decodeDoc(t, shell)

	want := map[string]any{
		"kibana.alert.depth":             2.0,
		"kibana.alert.uuid":              shell.ID,
		"kibana.alert.group.id":          shell.ID,
		"event.kind":                     "signal",
		"kibana.alert.status":            "active",
		"kibana.alert.workflow_status":   "open",
		"kibana.alert.severity":          "medium",
		"kibana.alert.risk_score":        47.0,
		"kibana.alert.rule.uuid":         ruleUUID,
		"kibana.alert.rule.rule_id":      "2772264c-6fb9-4d9d-9014-b416eed21254",
		"kibana.alert.rule.type":         "eql",
		"kibana.alert.rule.rule_type_id": "siem.eqlRule",
		"kibana.alert.rule.category":     "Event Correlation Rule",
		"kibana.alert.rule.producer":     "siem",
		"kibana.alert.rule.consumer":     "siem",
		// The reason detection-engine.md §2.13 infers for the seed rule.
		"kibana.alert.reason":        "event on WS-LEG-0006 created medium alert Incoming Execution via PowerShell Remoting.",
		"kibana.alert.original_time": "2026-01-05T08:05:00.123Z", // the first block's @timestamp
	}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("shell %s = %v, want %v", k, s[k], v)
		}
	}
	for _, k := range []string{"kibana.alert.group.index", "kibana.alert.building_block_type", "process", "source", "destination", "user"} {
		if _, ok := s[k]; ok {
			t.Errorf("shell has %s = %v; want it absent (no group.index/building_block_type; fields differing between events dropped)", k, s[k])
		}
	}
	if host, _ := s["host"].(map[string]any); host["name"] != "WS-LEG-0006" || host["id"] != "8feda011-a495-26e6-9f71-cb4f55fb6597" {
		t.Errorf("shell host = %v, want the common host fields", s["host"])
	}
	ancestors, _ := s["kibana.alert.ancestors"].([]any)
	if len(ancestors) != 4 {
		t.Fatalf("shell ancestors = %v, want event, block, event, block", ancestors)
	}
	for i, a := range ancestors {
		m := a.(map[string]any)
		if i%2 == 0 {
			if m["type"] != "event" || m["depth"] != 0.0 || m["index"] == "" {
				t.Errorf("ancestor %d = %v, want an event at depth 0", i, m)
			}
			continue
		}
		b := blocks[i/2]
		if m["type"] != "signal" || m["depth"] != 1.0 || m["index"] != "" || m["id"] != b.ID || m["rule"] != ruleUUID {
			t.Errorf("ancestor %d = %v, want building block %s {type signal, depth 1, index \"\", rule}", i, m, b.ID)
		}
	}

	wantBlock := []struct {
		eventID, category, process string
	}{
		{"Wb6yTn0BWqzC4bX3aQ1x", "network", "System"},
		{"Xk2yTn0BWqzC4bX3aQ7z", "process", "gpupdate.exe"},
	}
	for i, b := range blocks {
		m := decodeDoc(t, b)
		for k, v := range map[string]any{
			"kibana.alert.depth":               1.0,
			"kibana.alert.building_block_type": "default",
			"kibana.alert.group.id":            shell.ID,
			"kibana.alert.group.index":         float64(i),
			"kibana.alert.uuid":                b.ID,
			"event.kind":                       "signal",
			"kibana.alert.original_event.kind": "event",
		} {
			if m[k] != v {
				t.Errorf("block %d %s = %v, want %v", i, k, m[k], v)
			}
		}
		anc, _ := m["kibana.alert.ancestors"].([]any)
		if len(anc) != 1 || anc[0].(map[string]any)["id"] != wantBlock[i].eventID {
			t.Errorf("block %d ancestors = %v, want the event %s", i, anc, wantBlock[i].eventID)
		}
		if cat, _ := m["event.category"].([]any); len(cat) != 1 || cat[0] != wantBlock[i].category {
			t.Errorf("block %d event.category = %v", i, m["event.category"])
		}
		if p, _ := m["process"].(map[string]any); p["name"] != wantBlock[i].process {
			t.Errorf("block %d process = %v: building blocks keep the whole source event", i, m["process"])
		}
		if _, ok := m["event"]; ok {
			t.Errorf("block %d keeps a nested event object; Kibana flattens it into event.*", i)
		}
	}
	if shell.EventTime.Format("15:04:05") != "08:00:30" || shell.Host != "WS-LEG-0006" || shell.Process != "gpupdate.exe" {
		t.Errorf("shell context = %v %q %q", shell.EventTime, shell.Host, shell.Process)
	}
}

// TestDeterministic: the same input and Options give byte-identical output.
func TestDeterministic(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/golden/sequence_bbr_export.txtar")
	if err != nil {
		t.Fatal(err)
	}
	a1, _ := runGolden(t, ar)
	for range 5 {
		a2, _ := runGolden(t, ar)
		for i := range a1 {
			if !bytes.Equal(a1[i].AppendJSON(nil), a2[i].AppendJSON(nil)) {
				t.Fatalf("alert %d differs between runs", i)
			}
		}
	}
}

func BenchmarkEventAlert(b *testing.B) {
	ar, err := txtar.ParseFile("testdata/golden/single_event.txtar")
	if err != nil {
		b.Fatal(err)
	}
	t := &testing.T{}
	bl, _ := runGolden(t, ar)
	_ = bl
	r := loadGoldenRule(t, ar)
	builder, err := NewBuilder(r, Options{})
	if err != nil {
		b.Fatal(err)
	}
	var h goldenHit
	line := bytes.TrimSpace(section(ar, "events.ndjson"))
	if err := json.Unmarshal(line, &h); err != nil {
		b.Fatal(err)
	}
	ev := Event{Index: h.Index, ID: h.ID, Source: h.Source}
	b.SetBytes(int64(len(h.Source)))
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		a, err := builder.EventAlert(ev)
		if err != nil {
			b.Fatal(err)
		}
		buf = a.AppendJSON(buf[:0])
	}
}

func BenchmarkSequenceAlerts(b *testing.B) {
	ar, err := txtar.ParseFile("testdata/golden/sequence_powershell_remoting.txtar")
	if err != nil {
		b.Fatal(err)
	}
	r := loadGoldenRule(&testing.T{}, ar)
	builder, err := NewBuilder(r, Options{})
	if err != nil {
		b.Fatal(err)
	}
	var evs []*Event
	for _, line := range bytes.Split(bytes.TrimSpace(section(ar, "events.ndjson")), []byte("\n")) {
		var h goldenHit
		if err := json.Unmarshal(line, &h); err != nil {
			b.Fatal(err)
		}
		evs = append(evs, &Event{Index: h.Index, ID: h.ID, Source: h.Source})
	}
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		as, err := builder.SequenceAlerts(evs)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range as {
			buf = a.AppendJSON(buf[:0])
		}
	}
}

func TestDocAccessors(t *testing.T) {
	b, err := NewBuilder(idRule(), Options{Now: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.EventAlert(Event{Index: "i", ID: "1", Source: []byte(`{"host":{"name":"h1"},"event":{"kind":"event"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	keys := a.Doc.Keys()
	if keys[0] != "kibana.alert.rule.execution.timestamp" || !slices.Contains(keys, "kibana.alert.uuid") {
		t.Errorf("keys = %v", keys)
	}
	if slices.Contains(keys, keyBuildingBlockType) {
		t.Error("undefined kibana.alert.building_block_type listed in Keys")
	}
	for path, want := range map[string]string{
		"host.name":                        `"h1"`,
		"event.kind":                       `"signal"`,
		"kibana.alert.original_event.kind": `"event"`,
		"kibana.alert.depth":               `1`,
	} {
		if got, ok := a.Doc.Lookup(path); !ok || string(got) != want {
			t.Errorf("Lookup(%s) = %s %v, want %s", path, got, ok, want)
		}
	}
	if _, ok := a.Doc.Get("host.name"); ok {
		t.Error("Get(host.name) found a top-level key; host is nested")
	}
	if _, ok := a.Doc.Get(keyBuildingBlockType); ok {
		t.Error("Get found an undefined field")
	}
	if j, _ := a.MarshalJSON(); string(j) != string(a.AppendJSON(nil)) {
		t.Error("MarshalJSON differs from AppendJSON")
	}
	var zero Doc
	if string(zero.AppendJSON(nil)) != "{}" || zero.Keys() != nil {
		t.Error("zero Doc is not an empty object")
	}
	if _, err := NewBuilder(nil, Options{}); err == nil {
		t.Error("NewBuilder(nil): want an error")
	}
	r := idRule()
	r.Type = "query"
	if _, err := NewBuilder(r, Options{}); err == nil {
		t.Error("NewBuilder(query rule): want an error")
	}
	if _, err := b.EventAlert(Event{Index: "i", ID: "1", Source: []byte(`[1]`)}); err == nil {
		t.Error("EventAlert(array source): want an error")
	}
	if _, err := b.SequenceAlerts(nil); err == nil {
		t.Error("SequenceAlerts(nil): want an error")
	}
}

// TestConcurrentBuilder: a Builder is used from several goroutines (run
// with -race).
func TestConcurrentBuilder(t *testing.T) {
	b, err := NewBuilder(idRule(), Options{Now: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	src := []byte(`{"@timestamp":"2026-01-05T08:00:00Z","event":{"kind":"event","action":"x"},"host":{"name":"h"}}`)
	want, err := b.EventAlert(Event{Index: "i", ID: "1", Source: src})
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := string(want.AppendJSON(nil))
	done := make(chan string)
	for range 4 {
		go func() {
			var got string
			for range 50 {
				a, err := b.EventAlert(Event{Index: "i", ID: "1", Source: src})
				if err != nil {
					done <- err.Error()
					return
				}
				if _, err := b.SequenceAlerts([]*Event{{Index: "i", ID: "1", Source: src}, nil}); err != nil {
					done <- err.Error()
					return
				}
				got = string(a.AppendJSON(nil))
			}
			done <- got
		}()
	}
	for range 4 {
		if got := <-done; got != wantJSON {
			t.Errorf("concurrent alert differs:\n%s", got)
		}
	}
}
