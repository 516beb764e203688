package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ and ../examples/")

func generate(t testing.TB, cfg Config) ([]byte, *Generator) {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := g.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes(), g
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./gen -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the generator's output; if the change is intended, run go test ./gen -update", path)
	}
}

// TestDeterministic pins the corpus bytes: the same Config must give the
// same bytes on every run, machine and Go release, so benchmark corpora
// and their manifests can be regenerated instead of stored.
func TestDeterministic(t *testing.T) {
	cfg := Config{Seed: 42, Events: 20_000, Hosts: 50}
	a, _ := generate(t, cfg)
	b, _ := generate(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs of the same Config differ")
	}
	sum := sha256.Sum256(a)
	golden(t, "testdata/corpus-seed42-20k.sha256", []byte(hex.EncodeToString(sum[:])+"\n"))
	c, _ := generate(t, Config{Seed: 43, Events: 20_000, Hosts: 50})
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same corpus")
	}
}

// TestGolden keeps a small readable corpus under testdata so that a
// change to the event shapes shows up in review as a diff.
func TestGolden(t *testing.T) {
	got, _ := generate(t, Config{Seed: 1, Events: 60, Hosts: 6})
	golden(t, "testdata/small.ndjson", got)
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" = no error
	}{
		{"defaults", Config{Events: 10}, ""},
		{"negative events", Config{Events: -1}, "Events"},
		{"negative hosts", Config{Events: 10, Hosts: -3}, "Hosts"},
		{"negative rate", Config{Events: 10, Rate: -1}, "Rate"},
		{"sysmon above 1", Config{Events: 10, SysmonShare: 1.5}, "SysmonShare"},
		{"bad mix", Config{Events: 10, Mix: Mix{Process: -1}}, "Mix"},
		{"mix without producible kind", Config{Events: 10, Hosts: 2, Mix: Mix{Registry: 1}, SysmonShare: -1}, ""},
		{"mix nothing for linux-only", Config{Events: 10, Hosts: 2, Mix: Mix{Library: 1}}, ""},
		{"unknown plant", Config{Events: 10_000, Plants: []string{"nope"}}, "no planted incident"},
		{"too small for plants", Config{Events: 30, Plants: []string{"2772264c-6fb9-4d9d-9014-b416eed21254"}}, "too few"},
		{"no macos host", Config{Events: 10_000, Hosts: 2, Plants: []string{"4da13d6e-904f-4636-81d8-6ab14b4e6ae9"}}, "macos host"},
		{"plants disabled", Config{Events: 10_000, PlantEvery: -1}, ""},
		{"sequences too dense", Config{Events: 100_000, Hosts: 3, PlantEvery: 50}, "too dense"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("no error, want one mentioning %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestManifestCounts(t *testing.T) {
	k := len(incidents)
	tests := []struct {
		name   string
		cfg    Config
		total  int // incidents planted
		perMin int // fewest alerts of a planted rule
	}{
		{"empty", Config{Events: 0}, 0, 0},
		{"below minimum", Config{Events: MinPlantedEvents - 1}, 0, 0},
		{"minimum", Config{Events: MinPlantedEvents}, k, 1},
		{"one million", Config{Events: 1_000_000}, k, 1},
		{"two million", Config{Events: 2_000_000}, 20, 1},
		{"dense", Config{Events: 100_000, PlantEvery: 1000}, 100, 100 / k},
		{"disabled", Config{Events: 100_000, PlantEvery: -1}, 0, 0},
		{"very dense", Config{Events: 2_000_000, PlantEvery: 1000}, 2000, 2000 / k},
		{"one rule", Config{Events: 300, Rate: 5, Plants: []string{"2772264c-6fb9-4d9d-9014-b416eed21254"}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			m := g.Manifest()
			if len(m.Incidents) != tt.total {
				t.Fatalf("%d incidents, want %d", len(m.Incidents), tt.total)
			}
			sum := 0
			for _, e := range m.Expected {
				sum += e.Alerts
				if e.Alerts < tt.perMin || e.Alerts > tt.perMin+1 && tt.total >= k {
					t.Errorf("%s: %d alerts, want %d or %d", e.RuleID, e.Alerts, tt.perMin, tt.perMin+1)
				}
			}
			if sum != tt.total {
				t.Errorf("expected alerts sum to %d, want %d", sum, tt.total)
			}
			if tt.total >= k && len(m.Expected) != k {
				t.Errorf("%d rules expected, want all %d", len(m.Expected), k)
			}
		})
	}
}

// TestCorpusShape parses a corpus and checks what every consumer relies
// on: valid JSON per line, non-decreasing timestamps, a known index per
// line, the configured mix, and the planted events where Manifest says.
func TestCorpusShape(t *testing.T) {
	cfg := Config{Seed: 9, Events: 40_000, Hosts: 120, PlantEvery: 10_000}
	out, g := generate(t, cfg)
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	if len(lines) != cfg.Events {
		t.Fatalf("%d lines, want %d", len(lines), cfg.Events)
	}
	type doc struct {
		Timestamp  time.Time `json:"@timestamp"`
		DataStream struct {
			Dataset, Namespace, Type string
		} `json:"data_stream"`
		Event struct {
			Category []string
			Kind     string
		}
		Host struct {
			ID string
			OS struct{ Type string }
		}
	}
	indices := map[string]int{}
	cats := map[string]int{}
	oses := map[string]bool{}
	var prev time.Time
	docs := make([]doc, len(lines))
	for i, l := range lines {
		var d doc
		if err := json.Unmarshal(l, &d); err != nil {
			t.Fatalf("line %d: %v\n%s", i+1, err, l)
		}
		if d.Timestamp.Before(prev) {
			t.Fatalf("line %d: timestamp %v before %v", i+1, d.Timestamp, prev)
		}
		prev = d.Timestamp
		indices[d.DataStream.Type+"-"+d.DataStream.Dataset+"-"+d.DataStream.Namespace]++
		for _, c := range d.Event.Category {
			cats[c]++
		}
		oses[d.Host.OS.Type] = true
		if d.Event.Kind != "event" || d.Host.ID == "" {
			t.Fatalf("line %d: missing event.kind or host.id", i+1)
		}
		docs[i] = d
	}
	known := map[string]bool{
		"logs-endpoint.events.process-default": true, "logs-endpoint.events.network-default": true,
		"logs-endpoint.events.file-default": true, "logs-endpoint.events.registry-default": true,
		"logs-endpoint.events.library-default": true, "logs-windows.sysmon_operational-default": true,
		"logs-system.security-default": true,
	}
	for ix := range indices {
		if !known[ix] {
			t.Errorf("unexpected index %s", ix)
		}
	}
	for ix := range known {
		if indices[ix] == 0 {
			t.Errorf("no event for index %s", ix)
		}
	}
	for _, o := range []string{"windows", "linux", "macos"} {
		if !oses[o] {
			t.Errorf("no %s host in the corpus", o)
		}
	}
	// the default mix within a few points
	share := func(c string) float64 { return float64(cats[c]) / float64(cfg.Events) * 100 }
	for c, want := range map[string]float64{"process": 35, "network": 29, "file": 20, "registry": 10, "library": 4, "authentication": 2} {
		if got := share(c); got < want-4 || got > want+4 {
			t.Errorf("%s: %.1f%% of events, want about %.0f%%", c, got, want)
		}
	}
	m := g.Manifest()
	if len(m.Incidents) != 11 && len(m.Incidents) != len(incidents) {
		t.Fatalf("%d incidents", len(m.Incidents))
	}
	for _, p := range m.Incidents {
		for k, ln := range p.Lines {
			d := docs[ln-1]
			if d.Host.ID != p.HostID {
				t.Errorf("%s: line %d host %s, manifest says %s", p.RuleID, ln, d.Host.ID, p.HostID)
			}
			if !d.Timestamp.Equal(p.Times[k]) {
				t.Errorf("%s: line %d at %v, manifest says %v", p.RuleID, ln, d.Timestamp, p.Times[k])
			}
		}
	}
}

// TestWriteToRepeatable checks that a Generator can be written twice.
func TestWriteToRepeatable(t *testing.T) {
	g, err := New(Config{Seed: 5, Events: 3000, Hosts: 10})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if _, err := g.WriteTo(&a); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("second WriteTo differs")
	}
}

func TestIncidentsTable(t *testing.T) {
	seen := map[string]bool{}
	seq := 0
	for _, in := range Incidents() {
		if seen[in.RuleID] {
			t.Errorf("rule %s planted twice in the table", in.RuleID)
		}
		seen[in.RuleID] = true
		if in.Sequence {
			seq++
		}
		if in.Events < 1 {
			t.Errorf("%s: no events", in.RuleID)
		}
	}
	if len(seen) < 10 || seq < 2 {
		t.Errorf("%d incidents (%d sequences), want at least 10 with 2 sequences", len(seen), seq)
	}
	if !seen["2772264c-6fb9-4d9d-9014-b416eed21254"] {
		t.Error("the PowerShell-remoting incident is missing")
	}
}
