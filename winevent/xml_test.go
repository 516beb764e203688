package winevent_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/eqld/eqld/evtx"
	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/winevent"
)

const sysmonEvent = `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Sysmon" Guid="{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"/>
    <EventID>1</EventID>
    <Version>5</Version>
    <Level>4</Level>
    <Task>1</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8000000000000000</Keywords>
    <TimeCreated SystemTime="2024-03-01T10:00:00.5678966Z"/>
    <EventRecordID>6577</EventRecordID>
    <Correlation ActivityID="{AE1A2CAB-0B85-0000-AC2F-1AAE850BD501}"/>
    <Execution ProcessID="1912" ThreadID="996"/>
    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>
    <Computer>WS01.corp.example</Computer>
    <Security UserID="S-1-5-18"/>
  </System>
  <EventData>
    <Data Name="RuleName">-</Data>
    <Data Name="CommandLine">"C:\x.exe" a&amp;b &lt;c&gt;</Data>
    <Data Name="Empty"/>
    <Data Name="Multi">line1
line2&#13;
x` + "\r\n" + `y</Data>
  </EventData>
</Event>`

func sysmonRecord(source string) *winevent.Record {
	return &winevent.Record{
		Provider: "Microsoft-Windows-Sysmon", ProviderGUID: "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}",
		EventID: 1, Version: 5, Level: 4, Task: 1, Keywords: 0x8000000000000000,
		TimeCreated: time.Date(2024, 3, 1, 10, 0, 0, 567896600, time.UTC),
		RecordID:    6577, ActivityID: "{AE1A2CAB-0B85-0000-AC2F-1AAE850BD501}",
		ProcessID: 1912, ThreadID: 996, Channel: "Microsoft-Windows-Sysmon/Operational",
		Computer: "WS01.corp.example", UserID: "S-1-5-18",
		EventData: []winevent.Data{
			{Name: "RuleName", Value: "-"},
			{Name: "CommandLine", Value: `"C:\x.exe" a&b <c>`},
			{Name: "Empty", Value: ""},
			{Name: "Multi", Value: "line1\nline2\r\nx\r\ny"},
		},
		Source: source,
	}
}

func readAll(t *testing.T, r io.Reader, name string) ([]*winevent.Record, []error) {
	t.Helper()
	x := winevent.NewXMLReader(r, name)
	var recs []*winevent.Record
	var errs []error
	for i := 0; i < 100000; i++ {
		rec, err := x.Next()
		if err == io.EOF {
			return recs, errs
		}
		if err != nil {
			errs = append(errs, err)
			var re *winevent.RecordError
			if errors.As(err, &re) {
				continue
			}
			return recs, errs
		}
		recs = append(recs, rec)
	}
	t.Fatal("reader does not terminate")
	return nil, nil
}

func TestXMLReader(t *testing.T) {
	classic := `<Event><System><Provider Name="PowerShell"/><EventID Qualifiers="0">800</EventID><Channel>Windows PowerShell</Channel>` +
		`<TimeCreated SystemTime="2024-03-01T10:00:00.000000000Z"/></System>` +
		`<EventData><Data>a</Data><Data>b</Data><Binary>0A0B</Binary></EventData></Event>`
	userData := `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>1102</EventID>` +
		`<TimeCreated SystemTime="2024-03-01T10:00:00Z"/></System><UserData>` +
		`<LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog">` +
		`<SubjectUserSid>S-1-5-18</SubjectUserSid><SubjectUserName>admin</SubjectUserName></LogFileCleared></UserData>` +
		`<RenderingInfo Culture="en-US"><Message>The audit log was cleared.</Message></RenderingInfo></Event>`
	tests := []struct {
		name    string
		in      string
		want    []*winevent.Record
		errs    int
		errText string
	}{
		{name: "single event", in: sysmonEvent, want: []*winevent.Record{sysmonRecord("in")}},
		{name: "Events wrapper with declaration", in: `<?xml version="1.0" encoding="UTF-16"?>` + "\n<Events>" + sysmonEvent + sysmonEvent + "</Events>",
			want: []*winevent.Record{sysmonRecord("in"), sysmonRecord("in")}},
		{name: "concatenated with noise", in: "evtxexport 20181227\n\n" + sysmonEvent + "\n\n" + sysmonEvent,
			want: []*winevent.Record{sysmonRecord("in"), sysmonRecord("in")}},
		{name: "classic unnamed data and binary", in: classic, want: []*winevent.Record{{
			Provider: "PowerShell", EventID: 800, Qualifiers: "0", Channel: "Windows PowerShell",
			TimeCreated: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC),
			EventData:   []winevent.Data{{Value: "a"}, {Value: "b"}, {Name: "Binary", Value: "0A0B"}}, Source: "in",
		}}},
		{name: "user data", in: userData, want: []*winevent.Record{{
			EventID: 1102, TimeCreated: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), Source: "in",
			UserData: &winevent.Element{Name: "LogFileCleared", Attrs: []winevent.Data{{Name: "xmlns", Value: "http://manifests.microsoft.com/win/2004/08/windows/eventlog"}}, Children: []*winevent.Element{
				{Name: "SubjectUserSid", Text: "S-1-5-18"}, {Name: "SubjectUserName", Text: "admin"}}},
		}}},
		{name: "control characters replaced", in: "<Event><System><EventID>1</EventID></System><EventData><Data Name=\"x\">a\x02b&#x1;c&#9;</Data></EventData></Event>",
			want: []*winevent.Record{{EventID: 1, EventData: []winevent.Data{{Name: "x", Value: "a\uFFFDb\uFFFDc\t"}}, Source: "in"}}},
		{name: "bad event id skipped, reading goes on",
			in:   "<Events><Event><System><EventID>x1</EventID></System></Event>" + sysmonEvent + "</Events>",
			want: []*winevent.Record{sysmonRecord("in")}, errs: 1, errText: `System/EventID "x1"`},
		{name: "bad time skipped", in: `<Event><System><TimeCreated SystemTime="soon"/></System></Event>`, errs: 1, errText: "TimeCreated"},
		{name: "truncated", in: sysmonEvent[:300], errs: 1, errText: "unexpected EOF"},
		{name: "not XML", in: "<Event><System></Event>", errs: 1, errText: "XML syntax error"},
		{name: "empty input", in: ""},
		{name: "no events", in: "<Events></Events>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A one-byte reader checks that nothing depends on read sizes.
			got, errs := readAll(t, iotest.OneByteReader(strings.NewReader(tt.in)), "in")
			if len(errs) != tt.errs {
				t.Fatalf("errors %v, want %d", errs, tt.errs)
			}
			if tt.errText != "" && !strings.Contains(errs[0].Error(), tt.errText) {
				t.Errorf("error %q does not contain %q", errs[0], tt.errText)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d records, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], tt.want[i]) {
					t.Errorf("record %d:\n got %+v\nwant %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestXMLRoundTripEVTX renders every record of the EVTX samples as XML
// with the evtx package and reads it back: the XML reader must rebuild the
// same Record.
func TestXMLRoundTripEVTX(t *testing.T) {
	dir := shared.Path(t, "datasets/evtx-attack-samples")
	n, skipped := 0, 0
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.EqualFold(filepath.Ext(p), ".evtx") {
			return err
		}
		r, err := evtx.Open(p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		defer r.Close()
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			if hasControlChars(rec) {
				skipped++ // replaced by U+FFFD on the way back
				continue
			}
			got, errs := readAll(t, strings.NewReader(evtx.RenderXML(rec)), rec.Source)
			if len(errs) > 0 || len(got) != 1 {
				t.Fatalf("%s record %d: %v", p, rec.RecordID, errs)
			}
			normalise(got[0])
			normalise(rec)
			if !reflect.DeepEqual(got[0], rec) {
				t.Fatalf("%s record %d:\n got %+v %s\nwant %+v %s", p, rec.RecordID, got[0], dumpEl(got[0].UserData), rec, dumpEl(rec.UserData))
			}
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d records round-tripped, %d with control characters skipped", n, skipped)
}

func hasControlChars(r *winevent.Record) bool {
	bad := func(s string) bool {
		return strings.IndexFunc(s, func(c rune) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' }) >= 0
	}
	for _, d := range r.EventData {
		if bad(d.Value) || bad(d.Name) {
			return true
		}
	}
	var walk func(*winevent.Element) bool
	walk = func(e *winevent.Element) bool {
		if e == nil {
			return false
		}
		if bad(e.Text) {
			return true
		}
		for _, c := range e.Children {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(r.UserData)
}

// normalise clears what rendered XML cannot carry exactly: empty
// attribute lists versus nil, and element text around children.
func normalise(r *winevent.Record) {
	var walk func(*winevent.Element)
	walk = func(e *winevent.Element) {
		if e == nil {
			return
		}
		if len(e.Attrs) == 0 {
			e.Attrs = nil
		}
		if len(e.Children) == 0 {
			e.Children = nil
		} else {
			e.Text = strings.TrimSpace(e.Text)
		}
		for _, c := range e.Children {
			walk(c)
		}
	}
	walk(r.UserData)
	if len(r.EventData) == 0 {
		r.EventData = nil
	}
}

func dumpEl(e *winevent.Element) string {
	if e == nil {
		return "<nil>"
	}
	s := fmt.Sprintf("{%s %q %q [", e.Name, e.Attrs, e.Text)
	for _, c := range e.Children {
		s += dumpEl(c) + " "
	}
	return s + "]}"
}

func utf16Bytes(s string, little, bom bool) []byte {
	var out []byte
	put := func(u uint16) {
		if little {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return out
}

func TestXMLReaderEncodings(t *testing.T) {
	doc := `<?xml version="1.0" encoding="UTF-16"?><Events><Event><System><EventID>4104</EventID></System>` +
		`<EventData><Data Name="ScriptBlockText">héllo 😀 wörld</Data></EventData></Event></Events>`
	inputs := map[string][]byte{
		"utf-8":             []byte(doc),
		"utf-8 BOM":         append([]byte{0xEF, 0xBB, 0xBF}, doc...),
		"utf-16le BOM":      utf16Bytes(doc, true, true),
		"utf-16be BOM":      utf16Bytes(doc, false, true),
		"utf-16le no BOM":   utf16Bytes(doc, true, false),
		"utf-16be no BOM":   utf16Bytes(doc, false, false),
		"utf-16le odd byte": append(utf16Bytes(doc, true, true), 'x'),
	}
	for name, in := range inputs {
		recs, errs := readAll(t, iotest.HalfReader(bytes.NewReader(in)), name)
		if len(errs) != 0 || len(recs) != 1 {
			t.Errorf("%s: %d records, errors %v", name, len(recs), errs)
			continue
		}
		if v := recs[0].EventData[0].Value; v != "héllo 😀 wörld" || recs[0].EventID != 4104 {
			t.Errorf("%s: got %q, id %d", name, v, recs[0].EventID)
		}
	}
	// Unpaired surrogates become U+FFFD.
	bad := utf16Bytes("<Event><EventData><Data Name=\"x\">a", true, true)
	bad = append(bad, 0x00, 0xD8, 'b', 0, 0x00, 0xDC)
	bad = append(bad, utf16Bytes("</Data></EventData></Event>", true, false)...)
	recs, errs := readAll(t, bytes.NewReader(bad), "bad")
	if len(errs) != 0 || len(recs) != 1 || recs[0].EventData[0].Value != "a\uFFFDb\uFFFD" {
		t.Errorf("unpaired surrogates: %+v %v", recs, errs)
	}
}
