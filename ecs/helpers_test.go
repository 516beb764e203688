package ecs

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eqld/eqld/winevent"
)

func TestCommandLineToArgv(t *testing.T) {
	// Cases follow the pipeline script (a port of Go's Windows
	// commandLineToArgv, "prior to 2008" double-quote rule).
	tests := []struct {
		in   string
		want []string
	}{
		{``, nil},
		{`   `, nil},
		{`a b  c`, []string{"a", "b", "c"}},
		{"a\tb", []string{"a", "b"}},
		{`"C:\Program Files\x.exe" -a`, []string{`C:\Program Files\x.exe`, "-a"}},
		{`a\\b`, []string{`a\\b`}},                                   // backslashes not before a quote stay
		{`a\"b`, []string{`a"b`}},                                    // odd: literal quote
		{`a\\"b c"`, []string{`a\b c`}},                              // even: half, quote toggles
		{`a\\\"b`, []string{`a\"b`}},                                 // 3 → one backslash + quote
		{`"a""b"`, []string{`a"b`}},                                  // "" inside quotes
		{`"abc`, []string{`abc`}},                                    // unterminated
		{`x\`, []string{`x\`}},                                       // trailing backslash
		{`"" ""`, []string{"", ""}},                                  // empty quoted args
		{`cmd /c "echo "" x"`, []string{"cmd", "/c", `echo "`, "x"}}, // "" also ends quoting
		{"héllo wörld", []string{"héllo", "wörld"}},
	}
	for _, tt := range tests {
		if got := commandLineToArgv(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("commandLineToArgv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitCommandLine4688(t *testing.T) {
	// The Security pipeline's simple splitter keeps quotes and yields empty
	// arguments for repeated blanks, including one after a trailing blank.
	tests := []struct {
		in   string
		want []string
	}{
		{``, nil},
		{`a`, []string{"a"}},
		{`a b`, []string{"a", "b"}},
		{`a  b`, []string{"a", "", "b"}},
		{`a `, []string{"a", ""}},
		{`"a b" c`, []string{`"a b"`, "c"}},
		{"a\u3000b", []string{"a", "b"}},   // ideographic space is Java whitespace
		{"a\u00a0b", []string{"a\u00a0b"}}, // no-break space is not
		{"a\r\nb", []string{"a", "", "b"}}, // each whitespace char cuts
	}
	for _, tt := range tests {
		if got := splitCommandLine4688(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitCommandLine4688(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseLong(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"4", 4, true}, {"0x11cc", 4556, true}, {"0X1F", 31, true},
		{"0x00000ae8", 2792, true}, {"-1", -1, true}, {"010", 10, true},
		{"", 0, false}, {"0x", 0, false}, {"12a", 0, false}, {"-", 0, false},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false}, {"0xffffffffffffffff", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseLong(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseLong(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNormalizeIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"10.0.0.1", "10.0.0.1"},
		{"::ffff:10.0.0.1", "10.0.0.1"},
		{"FE80:0:0:0:1:2:3:4", "fe80::1:2:3:4"},
		{"::1", "::1"},
		{"fe80::1%12", "fe80::1%12"},
		{"-", ""}, {"", ""}, {"10.0.0", ""}, {"host", ""},
	}
	for _, tt := range tests {
		got, ok := normalizeIP(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("normalizeIP(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestStripV4Mapped(t *testing.T) {
	tests := []struct{ in, want string }{
		{"::ffff:1.2.3.4", "1.2.3.4"},
		{"[::ffff:1.2.3.4]", "1.2.3.4"},
		{"[::ffff:1.2.3.4]:53", "1.2.3.4"},
		{"[::ffff:1.2.3.4]:x", "[::ffff:1.2.3.4]:x"},
		{"::ffff:1.2.3", "::ffff:1.2.3"},
		{"2001:db8::1", "2001:db8::1"},
	}
	for _, tt := range tests {
		if got := stripV4Mapped(tt.in); got != tt.want {
			t.Errorf("stripV4Mapped(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCommunityID(t *testing.T) {
	// Test vector from the Community ID specification (TCP, seed 0).
	got, ok := communityIDv1("128.232.110.120", "66.35.250.204", 34855, 80, true, 6)
	if !ok || got != "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" {
		t.Errorf("community id = %q, %v; want 1:LQU9qZlK+B5F3KDmev6m5PMibrg=", got, ok)
	}
	// Both directions hash alike.
	rev, _ := communityIDv1("66.35.250.204", "128.232.110.120", 80, 34855, true, 6)
	if rev != got {
		t.Errorf("reverse direction = %q, want %q", rev, got)
	}
	if _, ok := communityIDv1("10.0.0.1", "::1", 1, 2, true, 6); ok {
		t.Error("mixed address families must not hash")
	}
	if _, ok := communityIDv1("10.0.0.1", "10.0.0.2", 0, 0, false, 17); ok {
		t.Error("UDP without ports must not hash")
	}
}

func TestRegistryDetails(t *testing.T) {
	tests := []struct {
		details, typ, data string
	}{
		{"DWORD (0x00000001)", "SZ_DWORD", "1"},
		{"dword (0xFFFFFFFF)", "SZ_DWORD", "4294967295"},
		{"DWORD (0x1)", "REG_SZ", "DWORD (0x1)"},
		{"QWORD (0x00000001-0x00000000)", "SZ_QWORD", "256"},
		{"Binary Data", "REG_BINARY", "Binary Data"},
		{"Binary Data x", "REG_SZ", "Binary Data x"},
		{"%SystemRoot%\\x.exe", "REG_SZ", "%SystemRoot%\\x.exe"},
	}
	for _, tt := range tests {
		r := &winevent.Record{Channel: ChannelSysmon, EventID: 13, EventData: []winevent.Data{
			{Name: "TargetObject", Value: `HKLM\SOFTWARE\Run\x`},
			{Name: "Details", Value: tt.details},
		}}
		d := MapWindows(r)
		typ, _ := d.String("registry.data.type")
		data, _ := d.Get("registry.data.strings")
		if typ != tt.typ || !reflect.DeepEqual(data, []any{tt.data}) {
			t.Errorf("Details %q: type %q data %v; want %q [%q]", tt.details, typ, data, tt.typ, tt.data)
		}
	}
}

func TestRegistryPath(t *testing.T) {
	tests := []struct{ path, hive, key, value string }{
		{`HKLM\A\B`, "HKLM", `A\B`, "B"},
		{`HKEY_USERS\S-1\x\`, "HKU", `S-1\x`, "x"},
		{`HKCR`, "HKCR", "", "HKCR"},
		{`\REGISTRY\MACHINE\x`, "", "", "x"},
	}
	for _, tt := range tests {
		r := &winevent.Record{Channel: ChannelSysmon, EventID: 12, EventData: []winevent.Data{{Name: "TargetObject", Value: tt.path}}}
		d := MapWindows(r)
		hive, _ := d.String("registry.hive")
		key, _ := d.String("registry.key")
		value, _ := d.String("registry.value")
		if hive != tt.hive || key != tt.key || value != tt.value {
			t.Errorf("%q: hive %q key %q value %q; want %q %q %q", tt.path, hive, key, value, tt.hive, tt.key, tt.value)
		}
	}
}

func TestSysmonEmptyValues(t *testing.T) {
	// "", "-" and the zero GUID are removed before mapping, so they set
	// nothing and do not survive in winlog.event_data.
	for _, v := range []string{"", "-", "{00000000-0000-0000-0000-000000000000}"} {
		r := &winevent.Record{Channel: ChannelSysmon, EventID: 1, EventData: []winevent.Data{
			{Name: "ProcessGuid", Value: v}, {Name: "Image", Value: v}, {Name: "Other", Value: v},
		}}
		d := MapWindows(r)
		for _, f := range []string{"process.entity_id", "process.executable", "winlog.event_data"} {
			if d.Has(f) {
				t.Errorf("value %q: %s is set", v, f)
			}
		}
	}
}

func TestSysmonTimestamp(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 999_000_000, time.UTC)
	r := &winevent.Record{Channel: ChannelSysmon, EventID: 5, TimeCreated: created,
		EventData: []winevent.Data{{Name: "UtcTime", Value: "2024-01-02 03:04:05.123"}}}
	d := MapWindows(r)
	if ts, _ := d.Get("@timestamp"); ts != "2024-01-02T03:04:05.123Z" {
		t.Errorf("@timestamp = %v, want UtcTime", ts)
	}
	if ts, _ := d.Get("event.created"); ts != "2024-01-02T03:04:05.999Z" {
		t.Errorf("event.created = %v, want TimeCreated", ts)
	}
}

func TestHashesParsing(t *testing.T) {
	tests := []struct {
		hashes string
		want   map[string]any // path → value
	}{
		{"MD5=AA,SHA256=BB", map[string]any{"process.hash.md5": "aa", "process.hash.sha256": "bb"}},
		{"IMPHASH=CC", map[string]any{"process.pe.imphash": "cc"}},
		{"SHA1=0000", map[string]any{"process.hash.sha1": nil}},
		{"SHA1=AA,garbage", map[string]any{"process.hash.sha1": nil, "related.hash": nil}},
	}
	for _, tt := range tests {
		r := &winevent.Record{Channel: ChannelSysmon, EventID: 1, EventData: []winevent.Data{{Name: "Hashes", Value: tt.hashes}}}
		d := MapWindows(r)
		for p, w := range tt.want {
			got, ok := d.Get(p)
			if w == nil && ok || w != nil && got != w {
				t.Errorf("Hashes %q: %s = %v (set %v), want %v", tt.hashes, p, got, ok, w)
			}
		}
	}
}

func TestHostID(t *testing.T) {
	a, b, c := HostID("WORKSTATION6"), HostID("workstation6.theshire.local"), HostID("WORKSTATION7")
	if a != b {
		t.Errorf("short and FQDN names give different ids: %s %s", a, b)
	}
	if a == c {
		t.Error("different machines share an id")
	}
	if len(a) != 36 || a[14] != '5' {
		t.Errorf("host.id %q is not a version-5 UUID", a)
	}
}

func TestDocJSON(t *testing.T) {
	var d Doc
	d.SetString("a.b", "x\"\\\n\t\x01\u2028é\xff")
	d.SetInt("a.n", -5)
	d.SetBool("c", true)
	d.SetStrings("l", "1", "2")
	d.SetString("a.b", "y") // keeps its position
	d.appendUnique("l", "2")
	d.appendUnique("l", "3")
	d.SetTime("t", time.Date(2024, 1, 1, 0, 0, 0, 1_500_000, time.UTC).UnixNano())
	obj := d.appendObject("o")
	d.objSet(obj, "k", "v")
	got := string(d.AppendJSON(nil))
	want := `{"a":{"b":"y","n":-5},"c":true,"l":["1","2","3"],"t":"2024-01-01T00:00:00.001Z","o":[{"k":"v"}]}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	d.Reset()
	d.SetString("s", "x\"\\\n\t\x01\u2028é\xff")
	raw := d.AppendJSON(nil)
	var back map[string]string
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("invalid JSON %s: %v", raw, err)
	}
	if back["s"] != "x\"\\\n\t\x01\u2028é\ufffd" {
		t.Errorf("round trip = %q", back["s"])
	}
	d.Delete("s")
	d.Delete("missing.path")
	if string(d.AppendJSON(nil)) != "{}" {
		t.Errorf("after delete: %s", d.AppendJSON(nil))
	}
	if (&Doc{}).Has("x") || string((&Doc{}).AppendJSON(nil)) != "{}" {
		t.Error("zero Doc is not empty")
	}
}

func TestFieldType(t *testing.T) {
	tests := []struct{ name, typ string }{
		{"@timestamp", "date"}, {"source.ip", "ip"}, {"process.pid", "long"},
		{"event.category", "keyword"}, {"process.command_line", "wildcard"},
		{"process.command_line.text", "match_only_text"}, {"dns.answers", "object"},
		{"host.os.type", "keyword"}, {"file.code_signature.valid", "boolean"},
	}
	for _, tt := range tests {
		if got, ok := FieldType(tt.name); !ok || got != tt.typ {
			t.Errorf("FieldType(%q) = %q, %v; want %q", tt.name, got, ok, tt.typ)
		}
	}
	for _, n := range []string{"", "winlog.event_id", "process", "zzz", "@"} {
		if typ, ok := FieldType(n); ok {
			t.Errorf("FieldType(%q) = %q, want unknown", n, typ)
		}
	}
}

func TestMappingsTable(t *testing.T) {
	want := map[string][]uint32{
		ChannelSysmon:         {1, 3, 5, 7, 8, 10, 11, 12, 13, 14, 15, 17, 18, 22, 23, 25, 26},
		ChannelSecurity:       {4624, 4625, 4634, 4648, 4672, 4688, 4689, 4697, 4698, 4699, 4702, 4719, 4720, 4722, 4723, 4724, 4725, 4726, 4728, 4732, 4738, 4756, 4768, 4769, 4771, 4776, 5140, 5145, 5156, 1102},
		ChannelSystem:         {7045, 104},
		ChannelPowerShellOper: {4103, 4104},
		ChannelPowerShell:     {400, 403, 800},
		ChannelWinRM:          {91, 169},
	}
	have := map[specKey]Mapping{}
	for _, m := range WindowsMappings() {
		have[specKey{m.Channel, m.EventID}] = m
		if m.Pipeline == "" || m.Fields == "" || m.Dataset == "" {
			t.Errorf("%s %d: incomplete row %+v", m.Channel, m.EventID, m)
		}
	}
	for ch, ids := range want {
		for _, id := range ids {
			if _, ok := have[specKey{ch, id}]; !ok {
				t.Errorf("no mapping for %s %d", ch, id)
			}
		}
	}
}

// TestMapNeverPanics feeds records with every mapped (channel, id) and
// hostile values through the mapper.
func TestMapNeverPanics(t *testing.T) {
	values := []string{"", "-", "\x00", "0x", "0xZZ", "::ffff:", "%%", "\\", "\\\\", "\"", "a=b=c", "type:", "type: 1", ";;;", "DWORD (0x", "S-1-5-18", strings.Repeat("x", 1000), "\xff\xfe"}
	names := map[string]bool{}
	for _, n := range []string{"Hashes", "Hash", "ProcessId", "TargetObject", "Details", "QueryResults", "CommandLine", "ParentCommandLine", "ContextInfo", "Payload", "param2", "param3", "NewUacValue", "UserAccountControl", "TicketOptions", "AccessMask", "AccessList", "IpPort", "IpAddress", "MemberName", "PrivilegeList", "SubcategoryGuid", "User", "UserId", "ConnectedUser", "SourceIp", "DestinationIp", "SourcePort", "DestinationPort", "Protocol", "Direction", "SourceAddress", "NewProcessId", "username", "Image", "ShareLocalPath", "RelativeTargetName"} {
		names[n] = true
	}
	var m Mapper
	var d Doc
	for _, mp := range WindowsMappings() {
		for _, v := range values {
			r := &winevent.Record{Channel: mp.Channel, EventID: mp.EventID, Provider: "Microsoft-Windows-Security-Auditing"}
			for n := range names {
				r.EventData = append(r.EventData, winevent.Data{Name: n, Value: v})
			}
			r.EventData = append(r.EventData, winevent.Data{Value: v})
			r.UserData = &winevent.Element{Name: "X", Children: []*winevent.Element{nil, {Name: "SubjectUserName", Text: v}}}
			m.Map(r, &d)
			if raw := d.AppendJSON(nil); !json.Valid(raw) {
				t.Fatalf("%s %d value %q: invalid JSON %s", mp.Channel, mp.EventID, v, raw)
			}
		}
	}
	m.Map(&winevent.Record{}, &d)
	if !json.Valid(d.AppendJSON(nil)) {
		t.Fatal("empty record: invalid JSON")
	}
}

func TestDocOverwriteObject(t *testing.T) {
	var d Doc
	d.SetString("user.target.name", "a")
	d.SetString("user", "flat") // drops the subtree, and the cached parent
	d.SetString("user.target.id", "b")
	if got := string(d.AppendJSON(nil)); got != `{"user":{"target":{"id":"b"}}}` {
		t.Errorf("got %s", got)
	}
}
