package sink

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
	_ "time/tzdata" // time zones without the system's zoneinfo

	"github.com/eqld/eqld/alert"
	"github.com/eqld/eqld/rule"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./sink -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; go test ./sink -update rewrites):\n%s", path, diff)
	}
}

func testRule(id, name, severity string, risk int, threat []rule.Threat) *rule.Rule {
	r := &rule.Rule{UUID: rule.DerivedUUID(id)}
	r.RuleID, r.Name, r.Type, r.Severity, r.RiskScore = id, name, "eql", severity, risk
	r.Threat = threat
	r.Index = []string{"logs-*"}
	return r
}

var (
	lateral = rule.Threat{
		Framework: "MITRE ATT&CK",
		Tactic:    rule.ThreatTactic{ID: "TA0008", Name: "Lateral Movement"},
		Technique: []rule.ThreatTechnique{{ID: "T1021", Name: "Remote Services",
			Subtechnique: []rule.ThreatSubtechnique{{ID: "T1021.006", Name: "Windows Remote Management"}}}},
	}
	execution = rule.Threat{
		Framework: "MITRE ATT&CK",
		Tactic:    rule.ThreatTactic{ID: "TA0002", Name: "Execution"},
		Technique: []rule.ThreatTechnique{{ID: "T1059", Name: "Command and Scripting Interpreter",
			Subtechnique: []rule.ThreatSubtechnique{{ID: "T1059.001", Name: "PowerShell"}}}},
	}
	defense = rule.Threat{
		Framework: "MITRE ATT&CK",
		Tactic:    rule.ThreatTactic{ID: "TA0005", Name: "Defense Evasion"},
		Technique: []rule.ThreatTechnique{{ID: "T1059", Name: "Command and Scripting Interpreter"}},
	}
)

func procEvent(ts, host, user, name, cmd string) []byte {
	return fmt.Appendf(nil, `{"@timestamp":%q,"event":{"category":["process"],"type":["start"],"kind":"event"},"host":{"name":%q,"id":"id-%s"},"user":{"name":%q},"process":{"name":%q,"command_line":%q,"parent":{"name":"wsmprovhost.exe"}}}`,
		ts, host, host, user, name, cmd)
}

func netEvent(ts, host string) []byte {
	return fmt.Appendf(nil, `{"@timestamp":%q,"event":{"category":["network"],"kind":"event"},"host":{"name":%q,"id":"id-%s"},"user":{"name":"SYSTEM"},"process":{"name":"System"},"source":{"ip":"10.0.5.29","port":62581},"destination":{"ip":"10.30.1.3","port":5985}}`,
		ts, host, host)
}

// fixtureAlerts are alerts of three rules: two sequences (shell + 2 blocks
// each), single-event alerts with equal timestamps (tie-breaking), a rule
// without a MITRE mapping, a command line with a comma, quotes and a
// newline, and one that starts like a spreadsheet formula.
func fixtureAlerts(t testing.TB) []*alert.Alert {
	t.Helper()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	seq := testRule("2772264c-6fb9-4d9d-9014-b416eed21254", "Incoming Execution via PowerShell Remoting", "medium", 47, []rule.Threat{lateral})
	ps := testRule("0d5b3d6c-2f7e-4a3b-9a51-6f1f0e2b8c11", "Suspicious PowerShell Command Line", "high", 73, []rule.Threat{execution, defense})
	noMitre := testRule("6a1e4d0b-8c3f-4d2a-b6e9-1f0c7a5d3e21", "Unusual Parent Process", "low", 21, nil)
	build := func(r *rule.Rule) *alert.Builder {
		b, err := alert.NewBuilder(r, alert.Options{Now: now, ExecutionUUID: "exec-1"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bs, bp, bn := build(seq), build(ps), build(noMitre)
	var out []*alert.Alert
	sequence := func(host, t1, t2, user, proc, cmd string) {
		as, err := bs.SequenceAlerts([]*alert.Event{
			{Index: "logs-endpoint.events.network-default", ID: "n-" + host + t1, Source: netEvent(t1, host)},
			{Index: "logs-endpoint.events.process-default", ID: "p-" + host + t2, Source: procEvent(t2, host, user, proc, cmd)},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, as...)
	}
	single := func(b *alert.Builder, id, ts, host, user, proc, cmd string) {
		a, err := b.EventAlert(alert.Event{Index: "logs-endpoint.events.process-default", ID: id, Source: procEvent(ts, host, user, proc, cmd)})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	sequence("WS-LEG-0006", "2026-01-05T08:00:30Z", "2026-01-05T08:00:34Z", "erobinson", "gpupdate.exe", `"C:\Windows\system32\gpupdate.exe" /force`)
	single(bp, "e1", "2026-01-05T08:00:34Z", "WS-LEG-0006", "erobinson", "powershell.exe", "powershell.exe -enc SQBFAFgA,\n\"quoted\"")
	single(bn, "e2", "2026-01-05T08:00:34Z", "WS-LEG-0006", "erobinson", "gpupdate.exe", "=cmd|' /C calc'!A0")
	single(bp, "e3", "2026-01-05T07:59:59.5Z", "SRV-DB-01", "svc_sql", "powershell.exe", "powershell.exe -nop -w hidden")
	sequence("SRV-DB-01", "2026-01-05T08:10:00Z", "2026-01-05T08:10:02.250Z", "admin", "whoami.exe", "whoami /all")
	single(bn, "e4", "2026-01-05T08:20:00Z", "MAC-ÉLODIE-01", "élodie", "osascript", "")
	return out
}

func TestFixtureCounts(t *testing.T) {
	as := fixtureAlerts(t)
	n, blocks := 0, 0
	for _, a := range as {
		if Counts(a) {
			n++
		} else {
			blocks++
		}
	}
	if n != 6 || blocks != 4 {
		t.Fatalf("fixture: %d alerts, %d building blocks; want 6 and 4", n, blocks)
	}
}

// shuffled returns the alerts in another order (reversed, then rotated).
func shuffled(as []*alert.Alert, k int) []*alert.Alert {
	out := make([]*alert.Alert, 0, len(as))
	for i := len(as) - 1; i >= 0; i-- {
		out = append(out, as[i])
	}
	k %= len(out)
	return append(out[k:], out[:k]...)
}

func writeAll(t *testing.T, w Writer, as []*alert.Alert) {
	t.Helper()
	for _, a := range as {
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTimelineGolden(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts TimelineOptions
	}{
		{"timeline_utc.csv", TimelineOptions{}},
		{"timeline_paris_blocks.csv", TimelineOptions{Location: paris, BuildingBlocks: true}},
		{"timeline_escaped.csv", TimelineOptions{EscapeFormulas: true}},
		{"timeline_kolkata.jsonl", TimelineOptions{Format: TimelineJSONL, Location: time.FixedZone("IST", 5*3600+1800)}},
	}
	as := fixtureAlerts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var first []byte
			// Sort stability: every arrival order gives the same bytes.
			for k := range 4 {
				var buf bytes.Buffer
				writeAll(t, NewTimelineWriter(&buf, tt.opts), shuffled(as, k))
				if k == 0 {
					first = buf.Bytes()
					golden(t, tt.name, first)
				} else if !bytes.Equal(first, buf.Bytes()) {
					t.Fatalf("arrival order %d changed the timeline", k)
				}
			}
		})
	}
}

func TestCSVWriterStreams(t *testing.T) {
	as := fixtureAlerts(t)
	var buf bytes.Buffer
	w := NewCSVWriter(&buf, TimelineOptions{})
	writeAll(t, w, as)
	golden(t, "stream.csv", buf.Bytes())

	var empty bytes.Buffer
	writeAll(t, NewCSVWriter(&empty, TimelineOptions{}), nil)
	if got := empty.String(); got != "timestamp,severity,risk_score,rule_name,rule_id,tactics,techniques,host,user,process,command_line,details,kind,alert_id,group_id\n" {
		t.Errorf("empty CSV = %q, want the header only", got)
	}
}

func TestParseTimelineFormat(t *testing.T) {
	for in, want := range map[string]TimelineFormat{"timeline": TimelineCSV, "csv": TimelineCSV, "timeline-jsonl": TimelineJSONL, "jsonl": TimelineJSONL} {
		if got, err := ParseTimelineFormat(in); err != nil || got != want {
			t.Errorf("ParseTimelineFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseTimelineFormat("xml"); err == nil {
		t.Error("ParseTimelineFormat(xml): want an error")
	}
}

func TestTableGolden(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts TableOptions
	}{
		{"table_wide.txt", TableOptions{Width: 220}},
		{"table_80.txt", TableOptions{Width: 80, Location: ny}},
		{"table_50_blocks.txt", TableOptions{Width: 50, BuildingBlocks: true}},
	}
	as := fixtureAlerts(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			writeAll(t, NewTableWriter(&buf, tt.opts), shuffled(as, 3))
			golden(t, tt.name, buf.Bytes())
			if tt.opts.Width < 200 {
				for i, line := range bytes.Split(bytes.TrimRight(buf.Bytes(), "\n"), []byte("\n")) {
					// The two fixed columns may not fit very narrow terminals.
					if n := len([]rune(string(line))); n > max(tt.opts.Width, 19+2+8+2+4*(tableMinWidth+2)) {
						t.Errorf("line %d is %d runes wide, terminal %d:\n%s", i, n, tt.opts.Width, line)
					}
				}
			}
		})
	}
	var buf bytes.Buffer
	writeAll(t, NewTableWriter(&buf, TableOptions{}), nil)
	if buf.String() != "No alerts.\n" {
		t.Errorf("empty table = %q", buf.String())
	}
}

func TestSummaryGolden(t *testing.T) {
	s := NewSummary()
	writeAll(t, s, fixtureAlerts(t))
	s.AddNote("Input", "events.ndjson: 3 malformed lines skipped (first at line 17: invalid character '}')")
	s.AddNote("Rules skipped", "threshold_rule.toml: type threshold is not supported (only eql)")
	s.AddNote("Input", "300 events read from 1 file")
	var text, js bytes.Buffer
	if err := s.Render(&text); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.txt", text.Bytes())
	golden(t, "summary.json", js.Bytes())

	s.TopRules = 1
	text.Reset()
	if err := s.Render(&text); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(text.Bytes(), []byte("Top 1 of 3 rules")) {
		t.Errorf("TopRules 1: got\n%s", text.String())
	}

	var empty bytes.Buffer
	if err := NewSummary().Render(&empty); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary_empty.txt", empty.Bytes())
}

// TestTableFitsWidth: for any terminal width, no line is wider than the
// width, except where even the narrowest columns do not fit.
func TestTableFitsWidth(t *testing.T) {
	as := fixtureAlerts(t)
	const narrowest = 19 + 2 + 8 + 2 + 4*tableMinWidth + 3*2
	for width := 20; width <= 200; width += 7 {
		var buf bytes.Buffer
		writeAll(t, NewTableWriter(&buf, TableOptions{Width: width, BuildingBlocks: true}), as)
		for i, line := range bytes.Split(bytes.TrimRight(buf.Bytes(), "\n"), []byte("\n")) {
			if n := len([]rune(string(line))); n > max(width, narrowest) {
				t.Errorf("width %d, line %d: %d runes:\n%s", width, i, n, line)
			}
		}
	}
}
