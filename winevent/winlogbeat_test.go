package winevent_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eqld/eqld/winevent"
)

func TestFromWinlogbeat(t *testing.T) {
	raw := `{
	  "@timestamp": "2024-03-01T10:00:00.123Z",
	  "event": {"code": "4688", "kind": "event", "provider": "Microsoft-Windows-Security-Auditing", "outcome": "success", "created": "2024-03-01T10:00:01Z"},
	  "log": {"level": "information"},
	  "host": {"name": "ws01"},
	  "winlog": {
	    "channel": "Security", "event_id": 4688, "record_id": 12345, "computer_name": "WS01.corp.example",
	    "provider_name": "Microsoft-Windows-Security-Auditing", "provider_guid": "{54849625-5478-4994-A5BA-3E3B0328C30D}",
	    "process": {"pid": 4, "thread": {"id": 56}}, "version": 2, "opcode": "Info",
	    "keywords": ["Audit Success"], "activity_id": "{AAA}",
	    "time_created": "2024-03-01T10:00:00.1234567Z",
	    "event_data": {"NewProcessId": "0x11cc", "SubjectUserName": "WS01$", "Count": 3, "Flag": true, "Big": 12345678901}
	  }
	}`
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	got, ok := winevent.FromWinlogbeat(doc)
	if !ok {
		t.Fatal("raw winlogbeat document not recognised")
	}
	want := &winevent.Record{
		Provider: "Microsoft-Windows-Security-Auditing", ProviderGUID: "{54849625-5478-4994-A5BA-3E3B0328C30D}",
		EventID: 4688, Version: 2, Level: 4, Keywords: 0x20000000000000,
		TimeCreated: time.Date(2024, 3, 1, 10, 0, 0, 123456700, time.UTC), RecordID: 12345,
		ActivityID: "{AAA}", ProcessID: 4, ThreadID: 56, Channel: "Security", Computer: "WS01.corp.example",
		EventData: []winevent.Data{
			{Name: "Big", Value: "12345678901"}, {Name: "Count", Value: "3"}, {Name: "Flag", Value: "true"},
			{Name: "NewProcessId", Value: "0x11cc"}, {Name: "SubjectUserName", Value: "WS01$"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestFromWinlogbeatUserDataAndFlattened(t *testing.T) {
	doc := map[string]any{
		"@timestamp": "2024-03-01T10:00:00Z",
		"winlog": map[string]any{
			"channel": "Security", "event_id": "1102",
			"user_data": map[string]any{"xml_name": "LogFileCleared", "SubjectUserName": "admin"},
		},
		"host.name": "WS02",
	}
	got, ok := winevent.FromWinlogbeat(doc)
	if !ok {
		t.Fatal("not recognised")
	}
	if got.EventID != 1102 || got.Computer != "WS02" || got.UserData == nil || got.UserData.Name != "LogFileCleared" ||
		len(got.UserData.Children) != 1 || got.UserData.Children[0].Text != "admin" {
		t.Errorf("got %+v (user data %+v)", got, got.UserData)
	}
}

func TestFromWinlogbeatPassThrough(t *testing.T) {
	for _, raw := range []string{
		`{"message": "not windows"}`,
		`{"winlog": "odd"}`,
		`{"winlog": {"api": "x"}}`,
		`{"event": {"category": ["process"]}, "winlog": {"channel": "Security", "event_id": "4688"}}`,
		`{"event": {"ingested": "2024-01-01T00:00:00Z"}, "winlog": {"channel": "System", "event_id": "7045"}}`,
		`{"process": {"pid": 4}, "winlog": {"channel": "Microsoft-Windows-Sysmon/Operational", "event_id": "1"}}`,
	} {
		var doc map[string]any
		if err := json.NewDecoder(strings.NewReader(raw)).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		if r, ok := winevent.FromWinlogbeat(doc); ok {
			t.Errorf("%s: treated as raw: %+v", raw, r)
		}
	}
}

func TestFromWinlogbeatOddValues(t *testing.T) {
	// Nothing panics and impossible numbers are ignored.
	doc := map[string]any{"winlog": map[string]any{
		"channel": 5.0, "event_id": -1.0, "record_id": 1.5, "version": "x", "opcode": []any{1},
		"keywords": "0x8020000000000000", "event_data": map[string]any{"a": nil, "b": []any{"x", 1.0}, "c": map[string]any{"d": 1.0}},
		"process": "x",
	}}
	r, ok := winevent.FromWinlogbeat(doc)
	if !ok {
		t.Fatal("not recognised")
	}
	if r.EventID != 0 || r.RecordID != 0 || r.Keywords != 0x8020000000000000 || r.Channel != "5" {
		t.Errorf("got %+v", r)
	}
	if r.EventData[1].Value != `["x",1]` || r.EventData[2].Value != `{"d":1}` {
		t.Errorf("event data %+v", r.EventData)
	}
}
