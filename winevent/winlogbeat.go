package winevent

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
)

// FromWinlogbeat turns a raw Winlogbeat / Elastic Agent winlog document —
// the collector's output before any ingest pipeline ran (winlog.* present,
// no ECS mapping yet) — back into a Record, so that eqld maps it like an
// EVTX record. It returns false for documents that are not Windows events
// or are already mapped (they carry event.category, event.ingested or
// ECS sections the pipelines write, such as process or user): the caller
// passes those through unchanged.
//
// Values are read as encoding/json decodes them (strings, float64 or
// json.Number, bools, nested maps); winlog.event_data keys are sorted by
// name because JSON objects do not keep order. Rendered names (log.level,
// winlog.keywords, winlog.opcode) are turned back into numbers where they
// are the standard Windows ones.
func FromWinlogbeat(doc map[string]any) (*Record, bool) {
	wl, ok := doc["winlog"].(map[string]any)
	if !ok {
		return nil, false
	}
	if _, ok := wl["channel"]; !ok {
		if _, ok := wl["event_data"]; !ok {
			return nil, false
		}
	}
	if isMapped(doc) {
		return nil, false
	}
	r := &Record{}
	r.Channel = str(wl["channel"])
	r.Provider = str(wl["provider_name"])
	if r.Provider == "" {
		r.Provider = str(path(doc, "event", "provider"))
	}
	r.ProviderGUID = str(wl["provider_guid"])
	r.EventSourceName = str(wl["event_source_name"])
	if id, ok := num(wl["event_id"]); ok {
		r.EventID = uint32(id)
	} else if id, ok := num(path(doc, "event", "code")); ok {
		r.EventID = uint32(id)
	}
	if v, ok := num(wl["record_id"]); ok {
		r.RecordID = v
	}
	r.Computer = str(wl["computer_name"])
	if r.Computer == "" {
		r.Computer = str(path(doc, "host", "name"))
	}
	if v, ok := num(path(doc, "winlog", "process", "pid")); ok {
		r.ProcessID = uint32(v)
	}
	if v, ok := num(path(doc, "winlog", "process", "thread", "id")); ok {
		r.ThreadID = uint32(v)
	}
	r.UserID = str(path(doc, "winlog", "user", "identifier"))
	r.ActivityID = str(wl["activity_id"])
	r.RelatedActivityID = str(wl["related_activity_id"])
	if v, ok := num(wl["version"]); ok {
		r.Version = uint8(v)
	}
	if v, ok := num(wl["task"]); ok { // only when not rendered
		r.Task = uint16(v)
	}
	r.Opcode = opcodeNumber(wl["opcode"])
	r.Level = levelNumber(str(path(doc, "log", "level")))
	r.Keywords = keywordBits(wl["keywords"])
	switch str(path(doc, "event", "outcome")) {
	case "success":
		r.Keywords |= 0x20000000000000
	case "failure":
		r.Keywords |= 0x10000000000000
	}
	for _, k := range []any{wl["time_created"], doc["@timestamp"]} {
		if s := str(k); s != "" {
			if t, err := ParseSystemTime(s); err == nil {
				r.TimeCreated = t
				break
			}
		}
	}
	if ed, ok := wl["event_data"].(map[string]any); ok {
		keys := make([]string, 0, len(ed))
		for k := range ed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r.EventData = append(r.EventData, Data{Name: k, Value: render(ed[k])})
		}
	}
	if ud, ok := wl["user_data"].(map[string]any); ok {
		el := &Element{Name: str(ud["xml_name"])}
		if el.Name == "" {
			el.Name = "UserData"
		}
		keys := make([]string, 0, len(ud))
		for k := range ud {
			if k != "xml_name" {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			el.Children = append(el.Children, &Element{Name: k, Text: render(ud[k])})
		}
		r.UserData = el
	}
	return r, true
}

// isMapped reports whether an ingest pipeline already ran on doc.
func isMapped(doc map[string]any) bool {
	if path(doc, "event", "category") != nil || path(doc, "event", "ingested") != nil {
		return true
	}
	for _, k := range []string{"process", "user", "source", "destination", "file", "registry", "dns", "network", "powershell", "sysmon", "related"} {
		if _, ok := doc[k]; ok {
			return true
		}
	}
	return false
}

// path walks nested objects; at any level a flattened key holding the
// rest of the path ("process.pid") is accepted too, as some exporters write.
func path(m map[string]any, keys ...string) any {
	cur := m
	for i, k := range keys {
		if v, ok := cur[k]; ok {
			if i == len(keys)-1 {
				return v
			}
			mm, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			cur = mm
			continue
		}
		if v, ok := cur[strings.Join(keys[i:], ".")]; ok {
			return v
		}
		return nil
	}
	return nil
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return render(v)
}

// num reads a non-negative integer from a JSON number or a decimal/hex
// string.
func num(v any) (uint64, bool) {
	switch x := v.(type) {
	case float64:
		if x < 0 || x != math.Trunc(x) || x > math.MaxUint64 {
			return 0, false
		}
		return uint64(x), true
	case json.Number:
		n, err := strconv.ParseUint(string(x), 10, 64)
		return n, err == nil
	case string:
		n, err := parseUint(strings.TrimSpace(x), 64)
		return n, err == nil
	}
	return 0, false
}

// render turns a JSON value back into the text Windows would have
// rendered: numbers without exponent, booleans as true/false, arrays and
// objects as JSON.
func render(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case bool:
		return strconv.FormatBool(x)
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return string(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func levelNumber(s string) uint8 {
	switch strings.ToLower(s) {
	case "critical":
		return 1
	case "error":
		return 2
	case "warning":
		return 3
	case "information", "info":
		return 4
	case "verbose":
		return 5
	}
	return 0
}

var opcodes = map[string]uint8{
	"info": 0, "start": 1, "stop": 2, "dcstart": 3, "dcstop": 4, "extension": 5,
	"reply": 6, "resume": 7, "suspend": 8, "send": 9, "receive": 240,
}

func opcodeNumber(v any) uint8 {
	if n, ok := num(v); ok {
		return uint8(n)
	}
	return opcodes[strings.ToLower(str(v))]
}

var keywordByName = map[string]uint64{
	"response time": 0x1000000000000, "wdi context": 0x2000000000000,
	"wdi diag": 0x4000000000000, "sqm": 0x8000000000000,
	"audit failure": 0x10000000000000, "audit success": 0x20000000000000,
	"correlation hint": 0x40000000000000, "classic": 0x80000000000000,
}

func keywordBits(v any) uint64 {
	var bits uint64
	add := func(s string) {
		if n, err := parseUint(s, 64); err == nil && strings.HasPrefix(s, "0x") {
			bits |= n
			return
		}
		bits |= keywordByName[strings.ToLower(s)]
	}
	switch x := v.(type) {
	case []any:
		for _, k := range x {
			add(str(k))
		}
	case string:
		add(x)
	}
	return bits
}
