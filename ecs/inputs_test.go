package ecs

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/eqld/eqld/winevent"
)

// rawWinlogbeat renders a record the way the Elastic Agent winlog input
// would ship it before any ingest pipeline.
func rawWinlogbeat(r *winevent.Record) map[string]any {
	ed := map[string]any{}
	for i, d := range r.EventData {
		name := d.Name
		if name == "" {
			name = "param" + strconv.Itoa(i+1)
		}
		ed[name] = d.Value
	}
	wl := map[string]any{
		"channel": r.Channel, "event_id": strconv.Itoa(int(r.EventID)), "record_id": float64(r.RecordID),
		"computer_name": r.Computer, "provider_name": r.Provider, "provider_guid": r.ProviderGUID,
		"process": map[string]any{"pid": float64(r.ProcessID), "thread": map[string]any{"id": float64(r.ThreadID)}},
		"user":    map[string]any{"identifier": r.UserID}, "version": float64(r.Version),
		"activity_id": r.ActivityID, "api": "wineventlog",
		"time_created": r.TimeCreated.Format(time.RFC3339Nano),
	}
	if len(ed) > 0 {
		wl["event_data"] = ed
	}
	// A provider-specific opcode is rendered by name in real documents;
	// FromWinlogbeat cannot turn such a name back into the number (and
	// then reads opcode 0, "Info"), so only standard names are written.
	if op := opcodeName(r.Opcode); op != "" {
		wl["opcode"] = op
	}
	var kw []any
	for _, k := range keywordNames {
		if r.Keywords&k.bit != 0 {
			kw = append(kw, k.name)
		}
	}
	if kw != nil {
		wl["keywords"] = kw
	}
	if u := r.UserData; u != nil {
		ud := map[string]any{"xml_name": u.Name}
		for _, c := range u.Children {
			ud[c.Name] = c.Text
		}
		wl["user_data"] = ud
	}
	return map[string]any{
		"@timestamp": r.TimeCreated.Format(time.RFC3339Nano),
		"event":      map[string]any{"code": strconv.Itoa(int(r.EventID)), "kind": "event", "provider": r.Provider},
		"log":        map[string]any{"level": levelName(r.Level)},
		"winlog":     wl,
	}
}

// TestWinlogbeatInputMapsLikeEVTX: a golden record shipped as raw
// Winlogbeat JSON and read back with winevent.FromWinlogbeat must map to
// the same document as the record itself.
func TestWinlogbeatInputMapsLikeEVTX(t *testing.T) {
	for _, r := range goldenRecords(t) {
		back, ok := winevent.FromWinlogbeat(rawWinlogbeat(r))
		if !ok {
			t.Fatalf("%s %d: raw document not recognised", r.Channel, r.EventID)
		}
		wd, gd := MapWindows(r), MapWindows(back)
		if opcodeName(r.Opcode) == "" {
			gd.Delete("winlog.opcode") // see rawWinlogbeat
		}
		want, _ := wd.Get("")
		got, _ := gd.Get("")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %d: documents differ:\n%s", r.Channel, r.EventID, diffMaps("", got, want))
		}
	}
}

func diffMaps(path string, got, want any) string {
	gm, ok1 := got.(map[string]any)
	wm, ok2 := want.(map[string]any)
	if !ok1 || !ok2 {
		if !reflect.DeepEqual(got, want) {
			return path + ": got " + fmtAny(got) + ", want " + fmtAny(want) + "\n"
		}
		return ""
	}
	out := ""
	for k := range wm {
		out += diffMaps(path+"."+k, gm[k], wm[k])
	}
	for k := range gm {
		if _, ok := wm[k]; !ok {
			out += path + "." + k + ": unexpected " + fmtAny(gm[k]) + "\n"
		}
	}
	return out
}

func fmtAny(v any) string { return strconv.Quote(fmt.Sprint(v)) }
