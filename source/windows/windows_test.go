package windows_test

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/source"
	"github.com/eqld/eqld/source/windows"
)

func readAll(t *testing.T, paths ...string) ([]map[string]any, []source.Event, []source.Problem) {
	t.Helper()
	var problems []source.Problem
	rd, err := source.Open(paths, source.Options{OnProblem: func(p source.Problem) { problems = append(problems, p) }})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var docs []map[string]any
	var evs []source.Event
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var d map[string]any
		if err := json.Unmarshal(ev.Raw, &d); err != nil {
			t.Fatalf("document is not JSON: %v", err)
		}
		docs = append(docs, d)
		evs = append(evs, *ev)
	}
	return docs, evs, problems
}

func get(d map[string]any, path string) any {
	var cur any = d
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func TestXMLInput(t *testing.T) {
	docs, evs, problems := readAll(t, filepath.Join("testdata", "sysmon.xml"))
	if len(docs) != 1 {
		t.Fatalf("%d documents, want 1", len(docs))
	}
	if len(problems) != 1 || !strings.Contains(problems[0].File, "sysmon.xml") {
		t.Errorf("problems = %v, want one for the bad record", problems)
	}
	d := docs[0]
	for path, want := range map[string]any{
		"process.name":        "whoami.exe",
		"process.parent.name": "cmd.exe",
		"event.code":          "1",
		"host.name":           "WS1.corp.local",
		"data_stream.dataset": "windows.sysmon_operational",
	} {
		if got := get(d, path); got != want {
			t.Errorf("%s = %v, want %v", path, got, want)
		}
	}
	if evs[0].Index != "logs-windows.sysmon_operational-default" {
		t.Errorf("index %q", evs[0].Index)
	}
}

func TestWinlogbeat(t *testing.T) {
	w := windows.NewWinlogbeat()
	raw := []byte(`{"@timestamp":"2024-05-01T10:00:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS1","event_id":"1","provider_name":"Microsoft-Windows-Sysmon","record_id":"42","event_data":{"UtcTime":"2024-05-01 10:00:00.000","ProcessId":"1234","Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami","ParentImage":"C:\\Windows\\System32\\cmd.exe"}}}`)
	out := w.Map(raw)
	var d map[string]any
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	if get(d, "process.name") != "whoami.exe" || get(d, "event.category") == nil {
		t.Errorf("not mapped: %s", out)
	}
	mapped := []byte(`{"event":{"category":["process"]},"winlog":{"event_data":{"Image":"x"}}}`)
	if got := w.Map(mapped); string(got) != string(mapped) {
		t.Errorf("an already mapped document changed: %s", got)
	}
	other := []byte(`{"message":"hello"}`)
	if got := w.Map(other); string(got) != string(other) {
		t.Errorf("a non-Windows document changed")
	}
}

// TestEVTXSamples reads every EVTX sample through package source.
func TestEVTXSamples(t *testing.T) {
	dir := shared.Path(t, "datasets/evtx-attack-samples")
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".evtx") {
			files = append(files, p)
		}
		return nil
	})
	docs, _, problems := readAll(t, files...)
	if len(problems) > 0 {
		t.Errorf("problems: %v", problems[:min(len(problems), 5)])
	}
	if len(docs) != 8255 {
		t.Errorf("%d records from %d files, want 8255", len(docs), len(files))
	}
}
