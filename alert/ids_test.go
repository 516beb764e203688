package alert

import (
	"errors"
	"testing"
	"time"

	"github.com/eqld/eqld/rule"
)

// The expected ids below were computed outside Go, with
// `printf '%s' '<input>' | sha256sum`, from the recipes in
// detection-engine.md §2.5/§2.6.

func TestEventAlertID(t *testing.T) {
	tests := []struct {
		name                          string
		index, id, version, space, ru string
		want                          string
	}{
		{
			name:  "no _version hashes String(undefined)",
			index: "logs-endpoint.events.process-default", id: "b1", version: "", space: "default", ru: "rule-uuid",
			// logs-endpoint.events.process-defaultb1undefineddefault:rule-uuid
			want: "bebd42c81f3f514c7a75ece086702f67e31636b2fa0e02224c0bd38c829a2b84",
		},
		{
			name:  "version and space",
			index: "idx1", id: "abc", version: "3", space: "myspace", ru: "0f3c",
			// idx1abc3myspace:0f3c
			want: "75274f9134a4f3942685a4f9b65bc98c777e808de5f06f9e6ec2a5e7c519d335",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := eventAlertID(tt.index, tt.id, tt.version, tt.space, tt.ru); got != tt.want {
				t.Errorf("eventAlertID = %s, want %s", got, tt.want)
			}
		})
	}
}

func idRule() *rule.Rule {
	r := &rule.Rule{UUID: "ruleR"}
	r.RuleID, r.Name, r.Type, r.Severity, r.RiskScore = "rid", "Id Rule", "eql", "low", 21
	r.Query = "sequence [any where true] [any where true]"
	return r
}

func TestSequenceIDs(t *testing.T) {
	b, err := NewBuilder(idRule(), Options{Now: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(index, id string) *Event {
		return &Event{Index: index, ID: id, Source: []byte(`{"@timestamp":"2026-01-01T00:00:00Z"}`)}
	}
	tests := []struct {
		name      string
		events    []*Event
		wantShell string
		wantBlock []string
	}{
		{
			name:   "two events",
			events: []*Event{ev("idxA", "a"), ev("idxB", "b")},
			// base = "aidxA" + "ruleR" + "bidxB" + "ruleR"; block i = sha256(base + i);
			// shell = sha256("aidxA" + bb0 + "" + "bidxB" + bb1 + "" + "ruleR")
			wantShell: "15cd809649ed36bd749bb30cc1670614c993a8e4efb04eea9de4fe3e374cac32",
			wantBlock: []string{
				"54c274f3038eec23fbac0ad2225511c35c130c04d1b12852a1c0d38702262d89",
				"5c5cfdcd17e8d80996fc6654f8cc94b4e2bca59a16fcbfdd740827372b6611cd",
			},
		},
		{
			name:   "missing event in the middle",
			events: []*Event{ev("idxA", "a"), nil, ev("idxB", "b")},
			// the placeholder's ancestor has id "" and index "":
			// base = "aidxAruleR" + "ruleR" + "bidxBruleR"
			wantShell: "fc7acb41a729f413ef4d3ede4465b4bc4642a791231c9f098d6943c66eefb61b",
			wantBlock: []string{
				"3e6e297f21677c887ee313ffde1d8e7c169ce57a088399a197e4f22758d0e86c",
				"4edf732bf562a2455aa63ddd07561c907dcc8a4e03f131b8c9b4af383aa534b3",
				"be61020504f53989025284bbac7a0ba3e4316342d241c7970d8d1578cb21de0c",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as, err := b.SequenceAlerts(tt.events)
			if err != nil {
				t.Fatal(err)
			}
			if len(as) != len(tt.wantBlock)+1 {
				t.Fatalf("got %d alerts, want %d", len(as), len(tt.wantBlock)+1)
			}
			if !as[0].IsShell || as[0].ID != tt.wantShell {
				t.Errorf("shell id = %s (shell %v), want %s", as[0].ID, as[0].IsShell, tt.wantShell)
			}
			for i, want := range tt.wantBlock {
				a := as[i+1]
				if !a.IsBuildingBlock || a.ID != want || a.GroupIndex != i || a.GroupID != tt.wantShell {
					t.Errorf("block %d = id %s index %d group %s, want id %s index %d group %s", i, a.ID, a.GroupIndex, a.GroupID, want, i, tt.wantShell)
				}
				if got, _ := a.Doc.Get(keyUUID); string(got) != `"`+want+`"` {
					t.Errorf("block %d kibana.alert.uuid = %s", i, got)
				}
			}
			if got, _ := as[0].Doc.Get(keyGroupID); string(got) != `"`+tt.wantShell+`"` {
				t.Errorf("shell kibana.alert.group.id = %s", got)
			}
		})
	}
}

// TestSameSequenceSameIDs: a sequence found again in an overlapping window
// must produce identical ids (no _version in sequence ids) so that
// de-duplication drops it; a different event order gives new ids.
func TestSameSequenceSameIDs(t *testing.T) {
	b1, _ := NewBuilder(idRule(), Options{Now: time.Unix(100, 0)})
	b2, _ := NewBuilder(idRule(), Options{Now: time.Unix(400, 0)})
	a := &Event{Index: "i", ID: "1", Version: "1", Source: []byte(`{}`)}
	a2 := &Event{Index: "i", ID: "1", Version: "7", Source: []byte(`{}`)}
	c := &Event{Index: "i", ID: "2", Source: []byte(`{}`)}
	x, _ := b1.SequenceAlerts([]*Event{a, c})
	y, _ := b2.SequenceAlerts([]*Event{a2, c})
	z, _ := b2.SequenceAlerts([]*Event{c, a})
	for i := range x {
		if x[i].ID != y[i].ID {
			t.Errorf("alert %d: ids differ across runs/versions: %s vs %s", i, x[i].ID, y[i].ID)
		}
		if x[i].ID == z[i].ID {
			t.Errorf("alert %d: reordered sequence kept id %s", i, x[i].ID)
		}
	}
}

func TestOwnAlertDropped(t *testing.T) {
	b, _ := NewBuilder(idRule(), Options{Now: time.Unix(0, 0)})
	own := `{"kibana.alert.uuid":"u1","kibana.alert.depth":1,"kibana.alert.rule.uuid":"ruleR","kibana.alert.ancestors":[{"id":"e","type":"event","index":"i","depth":0}]}`
	other := `{"kibana.alert.uuid":"u2","kibana.alert.depth":1,"kibana.alert.rule.uuid":"otherRule","kibana.alert.ancestors":[{"id":"e","type":"event","index":"i","depth":0}]}`
	grand := `{"kibana.alert.uuid":"u3","kibana.alert.depth":2,"kibana.alert.rule.uuid":"otherRule","kibana.alert.ancestors":[{"id":"e","type":"event","index":"i","depth":0},{"id":"u1","type":"signal","index":"a","depth":1,"rule":"ruleR"}]}`
	if _, err := b.EventAlert(Event{Index: "a", ID: "u1", Source: []byte(own)}); !errors.Is(err, ErrOwnAlert) {
		t.Errorf("own alert: err = %v, want ErrOwnAlert", err)
	}
	if _, err := b.EventAlert(Event{Index: "a", ID: "u3", Source: []byte(grand)}); !errors.Is(err, ErrOwnAlert) {
		t.Errorf("descendant of own alert: err = %v, want ErrOwnAlert", err)
	}
	if _, err := b.SequenceAlerts([]*Event{{Index: "i", ID: "x", Source: []byte(`{}`)}, {Index: "a", ID: "u1", Source: []byte(own)}}); !errors.Is(err, ErrOwnAlert) {
		t.Errorf("sequence with own alert: err = %v, want ErrOwnAlert", err)
	}
	a, err := b.EventAlert(Event{Index: "a", ID: "u2", Source: []byte(other)})
	if err != nil {
		t.Fatalf("alert of another rule: %v", err)
	}
	// Alert on an alert: the source alert is a "signal" parent one level
	// deeper, after its own ancestors.
	got, _ := a.Doc.Get(keyAncestors)
	want := `[{"id":"e","type":"event","index":"i","depth":0},{"id":"u2","type":"signal","index":"a","depth":1,"rule":"otherRule"}]`
	if string(got) != want {
		t.Errorf("ancestors = %s\nwant        %s", got, want)
	}
	if d, _ := a.Doc.Get(keyDepth); string(d) != "2" {
		t.Errorf("depth = %s, want 2", d)
	}
}
