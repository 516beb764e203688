package ecs

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/eqld/eqld/winevent"
)

var update = flag.Bool("update", false, "rewrite golden files (testdata/golden/*.txtar want.json sections, docs/ecs-mapping.md table)")

// A golden case is a txtar file:
//
//	-- record --   the record, one field per line (see parseRecord)
//	-- options --  optional: "forwarded: true", "namespace: x"
//	-- want.json -- the expected document, indented
//
// The expectations were written from the pipeline processors (comments in
// each file say which step a value comes from) and checked field by field;
// -update only rewrites want.json after such a review.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases in testdata/golden (%v)", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			ar, err := txtarParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var rec *winevent.Record
			var opts Options
			wantIdx := -1
			for i, fl := range ar.Files {
				switch fl.Name {
				case "record":
					rec, err = parseRecord(string(fl.Data))
					if err != nil {
						t.Fatalf("%s: record: %v", f, err)
					}
				case "options":
					opts = parseOptions(t, string(fl.Data))
				case "want.json":
					wantIdx = i
				}
			}
			if rec == nil {
				t.Fatalf("%s: no -- record -- section", f)
			}
			m := NewMapper(opts)
			var d Doc
			m.Map(rec, &d)
			got := prettyDoc(t, &d)
			if *update {
				if wantIdx < 0 {
					ar.Files = append(ar.Files, txtarFile{Name: "want.json"})
					wantIdx = len(ar.Files) - 1
				}
				ar.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(f, txtarFormat(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if wantIdx < 0 {
				t.Fatalf("%s: no -- want.json -- section (run with -update to create it)", f)
			}
			if diff := cmp.Diff(string(ar.Files[wantIdx].Data), got); diff != "" {
				t.Errorf("%s: document mismatch (-want +got):\n%s", f, diff)
			}
		})
	}
}

func prettyDoc(t testing.TB, d *Doc) string {
	t.Helper()
	raw := d.AppendJSON(nil)
	if !json.Valid(raw) {
		t.Fatalf("invalid JSON: %s", raw)
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		t.Fatal(err)
	}
	out := b.String() + "\n"
	if len(d.Notes) > 0 {
		// Notes are part of the expectation.
		nb, _ := json.MarshalIndent(map[string][]string{"notes": d.Notes}, "", "  ")
		out += string(nb) + "\n"
	}
	return out
}

func parseOptions(t *testing.T, s string) Options {
	var o Options
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "forwarded":
			o.Forwarded = strings.TrimSpace(v) == "true"
		case "namespace":
			o.Namespace = strings.TrimSpace(v)
		default:
			t.Fatalf("unknown option %q", k)
		}
	}
	return o
}

// parseRecord reads the compact record notation of the golden files:
//
//	channel: Security          (sets a default provider for known channels)
//	provider: Name             id: 4624        time: RFC 3339
//	computer: NAME             record: 123     keywords: 0x8020000000000000
//	level: 0  version: 2  opcode: 0  task: 12544
//	pid: 4  tid: 8  user: S-1-5-18  activity: {…}  provider_guid: {…}
//	data Name: value           (value may be a Go-quoted "…" string)
//	data: value                (unnamed Data)
//	userdata Element           (first UserData child) then
//	userdata Name: value       (its children)
//
// Defaults keep the files short: time 2024-03-01T10:00:00.1234567Z,
// computer WS01.corp.example, record 1, level 4.
func parseRecord(s string) (*winevent.Record, error) {
	r := &winevent.Record{Level: 4, RecordID: 1, Computer: "WS01.corp.example"}
	r.TimeCreated, _ = winevent.ParseSystemTime("2024-03-01T10:00:00.1234567Z")
	for n, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if el, ok := strings.CutPrefix(line, "userdata "); ok && !strings.Contains(el, ":") {
			r.UserData = &winevent.Element{Name: strings.TrimSpace(el)}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: want key: value, got %q", n+1, line)
		}
		v = strings.TrimPrefix(v, " ")
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			// A Go-quoted value (for control characters); anything else,
			// including a value that merely starts with a quote, is literal.
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
		}
		var numErr error
		num := func() uint64 {
			base, digits := 10, v
			if h, ok := strings.CutPrefix(v, "0x"); ok {
				base, digits = 16, h
			}
			x, err := strconv.ParseUint(digits, base, 64)
			if err != nil {
				numErr = fmt.Errorf("line %d: bad number %q", n+1, v)
			}
			return x
		}
		switch {
		case k == "data":
			r.EventData = append(r.EventData, winevent.Data{Value: v})
		case strings.HasPrefix(k, "data "):
			r.EventData = append(r.EventData, winevent.Data{Name: strings.TrimPrefix(k, "data "), Value: v})
		case strings.HasPrefix(k, "userdata "):
			if r.UserData == nil {
				return nil, fmt.Errorf("line %d: userdata field before the userdata element line", n+1)
			}
			r.UserData.Children = append(r.UserData.Children, &winevent.Element{Name: strings.TrimPrefix(k, "userdata "), Text: v})
		case k == "channel":
			r.Channel = v
			if r.Provider == "" {
				r.Provider = defaultProviders[v]
			}
		case k == "provider":
			r.Provider = v
		case k == "provider_guid":
			r.ProviderGUID = v
		case k == "id":
			r.EventID = uint32(num())
		case k == "time":
			t, err := winevent.ParseSystemTime(v)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n+1, err)
			}
			r.TimeCreated = t
		case k == "computer":
			r.Computer = v
		case k == "record":
			r.RecordID = num()
		case k == "keywords":
			r.Keywords = num()
		case k == "level":
			r.Level = uint8(num())
		case k == "version":
			r.Version = uint8(num())
		case k == "opcode":
			r.Opcode = uint8(num())
		case k == "task":
			r.Task = uint16(num())
		case k == "pid":
			r.ProcessID = uint32(num())
		case k == "tid":
			r.ThreadID = uint32(num())
		case k == "user":
			r.UserID = v
		case k == "activity":
			r.ActivityID = v
		default:
			return nil, fmt.Errorf("line %d: unknown key %q", n+1, k)
		}
		if numErr != nil {
			return nil, numErr
		}
	}
	return r, nil
}

var defaultProviders = map[string]string{
	ChannelSysmon:         "Microsoft-Windows-Sysmon",
	ChannelSecurity:       "Microsoft-Windows-Security-Auditing",
	ChannelSystem:         "Service Control Manager",
	ChannelPowerShell:     "PowerShell",
	ChannelPowerShellOper: "Microsoft-Windows-PowerShell",
	ChannelWinRM:          "Microsoft-Windows-WinRM",
}
