package ecs

import (
	"encoding/json"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/evtx"
	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/winevent"
)

// sampleRecords reads every record of the EVTX attack samples in ../shared
// (skipping the test when they are absent).
func sampleRecords(tb testing.TB, limit int) []*winevent.Record {
	tb.Helper()
	dir := shared.Path(tb, "datasets/evtx-attack-samples")
	var recs []*winevent.Record
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.EqualFold(filepath.Ext(p), ".evtx") {
			return err
		}
		r, err := evtx.Open(p)
		if err != nil {
			tb.Errorf("%s: %v", p, err)
			return nil
		}
		defer r.Close()
		for limit <= 0 || len(recs) < limit {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				tb.Errorf("%s: %v", p, err)
				break
			}
			recs = append(recs, rec)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

// TestMapEVTXSamples maps every record of the 277 sample files: no panic,
// valid JSON, the common fields everywhere, and event.category on every
// Sysmon and Security record whose id the pipelines categorise.
func TestMapEVTXSamples(t *testing.T) {
	recs := sampleRecords(t, 0)
	if len(recs) < 8000 {
		t.Fatalf("read %d records from the samples, want the full set (8,255)", len(recs))
	}
	var m Mapper
	var d Doc
	perChannel := map[string]int{}
	notes := 0
	for _, r := range recs {
		m.Map(r, &d)
		raw := d.AppendJSON(nil)
		if !json.Valid(raw) {
			t.Fatalf("%s record %d: invalid JSON", r.Source, r.RecordID)
		}
		for _, f := range []string{"@timestamp", "event.code", "event.kind", "host.id", "host.name", "host.os.type", "winlog.channel", "winlog.event_id", "data_stream.dataset"} {
			if f == "winlog.channel" && r.Channel == "" {
				continue // ETW sessions saved as EVTX have no channel
			}
			if !d.Has(f) {
				t.Errorf("%s record %d (%s %d): no %s", r.Source, r.RecordID, r.Channel, r.EventID, f)
			}
		}
		spec := lookupSpec(r.Channel, r.EventID)
		categorised := spec != nil && spec.Category != nil &&
			(r.Channel == ChannelSysmon || r.Channel == ChannelSecurity && pipelineFor(r, false) == pipeSecurity)
		if categorised && !d.Has("event.category") {
			t.Errorf("%s record %d (%s %d): no event.category", r.Source, r.RecordID, r.Channel, r.EventID)
		}
		if r.Channel == ChannelSysmon && spec != nil && !d.Has("event.action") {
			t.Errorf("%s record %d: Sysmon %d without event.action", r.Source, r.RecordID, r.EventID)
		}
		perChannel[r.Channel]++
		notes += len(d.Notes)
	}
	t.Logf("mapped %d records (%d notes): %v", len(recs), notes, perChannel)
}
