package alert

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eqld/eqld/rule"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenCase is one testdata/golden/*.txtar archive:
//
//	-- rule.toml -- or -- rule.ndjson --   the rule (detection-rules TOML or a Kibana export line)
//	-- options.json --                       Options (now, space, url_base, …); optional
//	-- events.ndjson --                      one hit per line: {"_index","_id","_version","_source"},
//	                                         or {"missing":true} for a missing-event placeholder
//	-- mode --                               "event" (one alert per hit) or "sequence" (the hits are one sequence)
//	-- want --                               the alerts, indented, each after a "## kind id" line
type goldenOptions struct {
	Now                 time.Time `json:"now"`
	SpaceID             string    `json:"space"`
	ExecutionUUID       string    `json:"execution_uuid"`
	KibanaVersion       string    `json:"kibana_version"`
	URLBase             string    `json:"url_base"`
	Indices             []string  `json:"indices"`
	MissingEventContext bool      `json:"missing_event_context"`
}

type goldenHit struct {
	Index   string          `json:"_index"`
	ID      string          `json:"_id"`
	Version json.Number     `json:"_version"`
	Source  json.RawMessage `json:"_source"`
	Missing bool            `json:"missing"`
}

func loadGoldenRule(t *testing.T, ar *txtar.Archive) *rule.Rule {
	t.Helper()
	for _, f := range ar.Files {
		switch f.Name {
		case "rule.toml":
			r, probs := rule.LoadTOML(f.Data, "rule.toml", rule.Options{})
			if r == nil {
				t.Fatalf("rule.toml: %v", probs)
			}
			return r
		case "rule.ndjson":
			rs, probs, _ := rule.LoadNDJSON(bytes.NewReader(f.Data), "rule.ndjson", rule.Options{})
			if len(rs) != 1 {
				t.Fatalf("rule.ndjson: %d rules, %v", len(rs), probs)
			}
			return rs[0]
		}
	}
	t.Fatal("no rule.toml or rule.ndjson")
	return nil
}

func section(ar *txtar.Archive, name string) []byte {
	for _, f := range ar.Files {
		if f.Name == name {
			return f.Data
		}
	}
	return nil
}

// renderAlerts is the golden form: each alert's document indented, after a
// header line; json.Indent keeps the document's key order.
func renderAlerts(as []*Alert, errs []error) []byte {
	var out bytes.Buffer
	for _, a := range as {
		kind := "alert"
		switch {
		case a.IsShell:
			kind = "shell"
		case a.IsBuildingBlock:
			kind = fmt.Sprintf("building-block %d", a.GroupIndex)
		}
		fmt.Fprintf(&out, "## %s %s\n", kind, a.ID)
		if err := json.Indent(&out, a.AppendJSON(nil), "", "  "); err != nil {
			fmt.Fprintf(&out, "INVALID JSON: %v\n", err)
		}
		out.WriteByte('\n')
	}
	for _, err := range errs {
		fmt.Fprintf(&out, "## error\n%v\n", err)
	}
	return out.Bytes()
}

func runGolden(t *testing.T, ar *txtar.Archive) ([]*Alert, []error) {
	t.Helper()
	r := loadGoldenRule(t, ar)
	var gopts goldenOptions
	if data := section(ar, "options.json"); data != nil {
		if err := json.Unmarshal(data, &gopts); err != nil {
			t.Fatalf("options.json: %v", err)
		}
	}
	b, err := NewBuilder(r, Options{
		Now: gopts.Now, SpaceID: gopts.SpaceID, ExecutionUUID: gopts.ExecutionUUID,
		KibanaVersion: gopts.KibanaVersion, URLBase: gopts.URLBase, Indices: gopts.Indices,
		MissingEventContext: gopts.MissingEventContext,
	})
	if err != nil {
		t.Fatal(err)
	}
	var events []*Event
	for i, line := range bytes.Split(bytes.TrimSpace(section(ar, "events.ndjson")), []byte("\n")) {
		var h goldenHit
		if err := json.Unmarshal(line, &h); err != nil {
			t.Fatalf("events.ndjson line %d: %v", i+1, err)
		}
		if h.Missing {
			events = append(events, nil)
			continue
		}
		events = append(events, &Event{Index: h.Index, ID: h.ID, Version: h.Version.String(), Source: h.Source})
	}
	var alerts []*Alert
	var errs []error
	switch mode := strings.TrimSpace(string(section(ar, "mode"))); mode {
	case "event":
		for _, ev := range events {
			a, err := b.EventAlert(*ev)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			alerts = append(alerts, a)
		}
	case "sequence":
		as, err := b.SequenceAlerts(events)
		if err != nil {
			errs = append(errs, err)
		}
		alerts = as
	default:
		t.Fatalf("mode %q: want event or sequence", mode)
	}
	return alerts, errs
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			alerts, errs := runGolden(t, ar)
			got := renderAlerts(alerts, errs)
			// Every document must be valid JSON whose _id is its kibana.alert.uuid.
			for _, a := range alerts {
				var m map[string]any
				if err := json.Unmarshal(a.AppendJSON(nil), &m); err != nil {
					t.Fatalf("alert %s: invalid JSON: %v", a.ID, err)
				}
				if m[keyUUID] != a.ID {
					t.Errorf("alert %s: kibana.alert.uuid = %v", a.ID, m[keyUUID])
				}
			}
			if *update {
				found := false
				for i := range ar.Files {
					if ar.Files[i].Name == "want" {
						ar.Files[i].Data, found = got, true
					}
				}
				if !found {
					ar.Files = append(ar.Files, txtar.File{Name: "want", Data: got})
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(section(ar, "want")), string(got)); diff != "" {
				t.Errorf("alerts differ from %s (-want +got; go test ./alert -update rewrites):\n%s", file, diff)
			}
		})
	}
}
