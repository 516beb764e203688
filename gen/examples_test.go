package gen

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/internal/shared"
	"github.com/pelletier/go-toml/v2"
)

// psRemoting is the rule the README's example is about.
const psRemoting = "2772264c-6fb9-4d9d-9014-b416eed21254"

// exampleConfig generates examples/events/powershell-remoting.ndjson: a
// minute of activity on eight hosts with exactly one PowerShell-remoting
// sequence. Regenerate with: go test ./gen -run TestExamples -update
var exampleConfig = Config{Seed: 2026, Events: 300, Hosts: 8, Rate: 5, Plants: []string{psRemoting}}

const exampleDir = "../examples"

func TestExamples(t *testing.T) {
	out, g := generate(t, exampleConfig)
	golden(t, filepath.Join(exampleDir, "events", "powershell-remoting.ndjson"), out)
	m, err := json.MarshalIndent(g.Manifest(), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(exampleDir, "powershell-remoting.manifest.json"), append(m, '\n'))

	man := g.Manifest()
	if len(man.Expected) != 1 || man.Expected[0].RuleID != psRemoting || man.Expected[0].Alerts != 1 {
		t.Fatalf("example manifest %+v, want one PowerShell-remoting alert", man.Expected)
	}
	// Only the planted events may look like either half of the sequence.
	planted := map[int]bool{}
	for _, ln := range man.Incidents[0].Lines {
		planted[ln] = true
	}
	for i, l := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
		s := string(l)
		half := strings.Contains(s, `"port":5985`) || strings.Contains(s, `"port":5986`) ||
			strings.Contains(strings.ToLower(s), `"parent":{`) && strings.Contains(strings.ToLower(s), `"name":"wsmprovhost.exe","pid"`)
		if half && !planted[i+1] {
			t.Errorf("line %d looks like part of a PowerShell-remoting sequence but was not planted", i+1)
		}
	}
}

// TestExampleRule checks the example rule file: it loads as TOML, has the
// fields a detection-rules rule needs, and keeps Elastic's query verbatim.
func TestExampleRule(t *testing.T) {
	path := filepath.Join(exampleDir, "rules", "lateral_movement_powershell_remoting_target.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type ruleFile struct {
		Metadata map[string]any `toml:"metadata"`
		Rule     map[string]any `toml:"rule"`
	}
	var ours ruleFile
	if err := toml.Unmarshal(data, &ours); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"creation_date", "updated_date", "maturity"} {
		if ours.Metadata[k] == nil {
			t.Errorf("metadata.%s missing", k)
		}
	}
	want := map[string]any{
		"rule_id": psRemoting, "type": "eql", "language": "eql", "severity": "medium",
		"risk_score": int64(47), "license": "Apache-2.0", "from": "now-9m",
		"name": "Incoming Execution via PowerShell Remoting",
	}
	for k, v := range want {
		if ours.Rule[k] != v {
			t.Errorf("rule.%s = %v, want %v", k, ours.Rule[k], v)
		}
	}
	for _, k := range []string{"description", "author", "index", "query", "threat"} {
		if ours.Rule[k] == nil {
			t.Errorf("rule.%s missing", k)
		}
	}
	ref := shared.Path(t, "detection-rules/rules/windows/lateral_movement_powershell_remoting_target.toml")
	refData, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	var elastic ruleFile
	if err := toml.Unmarshal(refData, &elastic); err != nil {
		t.Fatal(err)
	}
	if ours.Rule["query"] != elastic.Rule["query"] {
		t.Errorf("query differs from Elastic's rule:\n%s\nwant\n%s", ours.Rule["query"], elastic.Rule["query"])
	}
	if ours.Rule["rule_id"] != elastic.Rule["rule_id"] {
		t.Errorf("rule_id differs from Elastic's")
	}
}
