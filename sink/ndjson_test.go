package sink

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/alert"
)

func readIDs(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var doc struct {
			UUID string `json:"kibana.alert.uuid"`
		}
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			ids = append(ids, "MALFORMED")
			continue
		}
		ids = append(ids, doc.UUID)
	}
	return ids
}

func TestNDJSONWriter(t *testing.T) {
	as := fixtureAlerts(t)
	var buf bytes.Buffer
	w := NewNDJSONWriter(&buf)
	// Every alert twice: the second copy of each is skipped.
	for _, a := range append(as, as...) {
		if err := w.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := w.Stats(), (NDJSONStats{Written: len(as), Skipped: len(as)}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != len(as) {
		t.Fatalf("%d lines, want %d", len(lines), len(as))
	}
	for i, line := range lines {
		if line != string(as[i].AppendJSON(nil)) {
			t.Errorf("line %d is not alert %s's document", i+1, as[i].ID)
		}
	}
}

// TestNDJSONAppendDedup: re-running over overlapping input appends only
// the new alerts (Kibana's filterDuplicateAlerts).
func TestNDJSONAppendDedup(t *testing.T) {
	as := fixtureAlerts(t)
	path := filepath.Join(t.TempDir(), "alerts.ndjson")
	first, second := as[:6], as[3:] // overlapping runs

	w, err := OpenNDJSON(path, true) // append mode creates the file
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, first)
	if got := w.Stats(); got.Written != 6 || got.Existing != 0 {
		t.Errorf("first run stats = %+v", got)
	}

	w, err = OpenNDJSON(path, true)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, second)
	want := NDJSONStats{Existing: 6, Written: len(as) - 6, Skipped: 3}
	if got := w.Stats(); got != want {
		t.Errorf("second run stats = %+v, want %+v", got, want)
	}
	ids := readIDs(t, path)
	if len(ids) != len(as) {
		t.Fatalf("file has %d alerts, want %d", len(ids), len(as))
	}
	for i, a := range as {
		if ids[i] != a.ID {
			t.Errorf("line %d = %s, want %s", i+1, ids[i], a.ID)
		}
	}

	// Without append mode the file starts over.
	w, err = OpenNDJSON(path, false)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, as[:1])
	if ids := readIDs(t, path); len(ids) != 1 {
		t.Errorf("truncating open: %d lines, want 1", len(ids))
	}
}

// TestNDJSONAppendAfterCutLine: a file whose last line was cut short by an
// interrupted run keeps that line apart from the new alerts.
func TestNDJSONAppendAfterCutLine(t *testing.T) {
	as := fixtureAlerts(t)
	path := filepath.Join(t.TempDir(), "alerts.ndjson")
	cut := append(as[0].AppendJSON(nil), '\n')
	cut = append(cut, as[1].AppendJSON(nil)[:40]...)
	if err := os.WriteFile(path, cut, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := OpenNDJSON(path, true)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w, as[:3])
	if got, want := w.Stats(), (NDJSONStats{Existing: 1, Malformed: 1, Written: 2, Skipped: 1}); got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
	got := readIDs(t, path)
	want := []string{as[0].ID, "MALFORMED", as[1].ID, as[2].ID}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("lines = %v, want %v", got, want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestNDJSONWriteError(t *testing.T) {
	w := NewNDJSONWriter(failWriter{})
	a := fixtureAlerts(t)[0]
	// The error shows at the latest on Close (the writer is buffered).
	err := w.Write(a)
	if cerr := w.Close(); err == nil && cerr == nil {
		t.Fatal("want an error from a failing writer")
	}
	if _, err := OpenNDJSON(filepath.Join(t.TempDir(), "no", "such", "dir.ndjson"), true); err == nil {
		t.Error("OpenNDJSON in a missing directory: want an error")
	}
	for _, w := range []Writer{NewNDJSONWriter(&bytes.Buffer{}), NewSummary(), NewTimelineWriter(nil, TimelineOptions{}),
		NewCSVWriter(nil, TimelineOptions{}), NewTableWriter(nil, TableOptions{})} {
		if err := w.Write(nil); err == nil {
			t.Errorf("%T.Write(nil): want an error", w)
		}
	}
	var _ Writer = w
	var _ Writer = NewSummary()
	var _ Writer = NewTimelineWriter(nil, TimelineOptions{})
	var _ Writer = NewCSVWriter(nil, TimelineOptions{})
	var _ Writer = NewTableWriter(nil, TableOptions{})
	_ = alert.ErrOwnAlert
}

func TestMulti(t *testing.T) {
	as := fixtureAlerts(t)
	var nd bytes.Buffer
	s := NewSummary()
	m := Multi(NewNDJSONWriter(&nd), s, NewNDJSONWriter(failWriter{}))
	for _, a := range as {
		if err := m.Write(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Close = %v, want the failing writer's error", err)
	}
	if got := strings.Count(nd.String(), "\n"); got != len(as) {
		t.Errorf("NDJSON got %d lines, want %d", got, len(as))
	}
	if r := s.Report(); r.Alerts != 6 || r.BuildingBlocks != 4 {
		t.Errorf("summary = %d alerts, %d blocks", r.Alerts, r.BuildingBlocks)
	}
}
