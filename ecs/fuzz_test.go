package ecs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eqld/eqld/winevent"
)

var fuzzChannels = []string{ChannelSysmon, ChannelSecurity, ChannelSystem, ChannelPowerShell, ChannelPowerShellOper, ChannelWinRM, "Other"}

// FuzzMapWindows maps records with arbitrary event ids and EventData
// (data holds "Name=Value" items separated by NUL): the mapper must not
// panic and must always write valid JSON.
func FuzzMapWindows(f *testing.F) {
	for _, r := range goldenRecords(f) {
		ch := len(fuzzChannels) - 1
		for i, c := range fuzzChannels {
			if c == r.Channel {
				ch = i
			}
		}
		var parts []string
		for _, d := range r.EventData {
			parts = append(parts, d.Name+"="+d.Value)
		}
		f.Add(uint8(ch), uint16(r.EventID), strings.Join(parts, "\x00"))
	}
	var m Mapper
	var d Doc
	f.Fuzz(func(t *testing.T, ch uint8, id uint16, data string) {
		r := &winevent.Record{
			Channel: fuzzChannels[int(ch)%len(fuzzChannels)], EventID: uint32(id),
			Provider: "Microsoft-Windows-Security-Auditing", Computer: data[:min(len(data), 20)],
			UserData: &winevent.Element{Name: "LogFileCleared", Children: []*winevent.Element{{Name: "SubjectUserName", Text: data}}},
		}
		for item := range strings.SplitSeq(data, "\x00") {
			name, value, _ := strings.Cut(item, "=")
			r.EventData = append(r.EventData, winevent.Data{Name: name, Value: value})
		}
		m.Map(r, &d)
		if raw := d.AppendJSON(nil); !json.Valid(raw) {
			t.Fatalf("invalid JSON: %s", raw)
		}
	})
}
