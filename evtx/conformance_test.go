package evtx

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/winevent"
)

// TestAgainstEvtxexport compares every sample file with libevtx's
// evtxexport (Debian package libevtx-utils): record count, and per record
// the System fields, every EventData item and every UserData value of
// winevent.Record, and every element, attribute and text of Reader.XML.
//
// Deliberate differences, normalised in sameValue:
//   - HexInt32/HexInt64: libevtx zero-pads to 8/16 digits
//     (0x00000000000342ba); Windows and this package print 0x342ba.
//   - FILETIME/SYSTEMTIME: libevtx prints 9 (FILETIME) or 3 (SYSTEMTIME)
//     fractional digits; Windows and this package print 7. The times are
//     compared as instants.
func TestAgainstEvtxexport(t *testing.T) {
	bin, err := exec.LookPath("evtxexport")
	if err != nil {
		t.Skip("evtxexport not installed (apt-get install libevtx-utils): skipping conformance test")
	}
	dir := shared.Path(t, "datasets/evtx-attack-samples")
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".evtx") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .evtx files under %s", dir)
	}
	var nFiles, nRecords, nValues atomic.Int64
	start := time.Now()
	t.Run("files", func(t *testing.T) {
		for _, f := range files {
			rel, _ := filepath.Rel(dir, f)
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				recs, vals := compareFile(t, bin, f)
				nRecords.Add(int64(recs))
				nValues.Add(int64(vals))
				if !t.Failed() {
					nFiles.Add(1)
				}
			})
		}
	})
	t.Logf("evtxexport conformance: %d/%d files, %d records, %d values matched in %v",
		nFiles.Load(), len(files), nRecords.Load(), nValues.Load(), time.Since(start).Round(time.Millisecond))
}

// compareFile returns the number of records and values compared.
func compareFile(t *testing.T, bin, path string) (int, int) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "-f", "xml", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("evtxexport %s: %v: %s", path, err, stderr.String())
	}
	ref, err := parseExport(stdout.Bytes())
	if err != nil {
		t.Fatalf("parsing evtxexport output for %s: %v", path, err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []*winevent.Record
	var xmls []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec)
		xmls = append(xmls, r.XML())
	}
	if st := r.Stats(); len(st.Problems) > 0 {
		t.Errorf("%d problems, first: %v", len(st.Problems), st.Problems[0])
	}
	if len(got) != len(ref) {
		t.Fatalf("%d records, evtxexport has %d", len(got), len(ref))
	}
	values, bad := 0, 0
	for i := range ref {
		want, have := refFields(ref[i]), recordFields(got[i])
		values += len(want)
		// The whole document too, through Reader.XML: every element and
		// attribute, including those winevent.Record does not keep.
		doc, err := parseExport([]byte(xmls[i]))
		if err != nil || len(doc) != 1 {
			t.Fatalf("record %d: Reader.XML does not parse back (%v):\n%s", i, err, xmls[i])
		}
		whole := flattenNode(nil, "", ref[i])
		want = append(want, whole...)
		have = append(have, flattenNode(nil, "", doc[0])...)
		values += len(whole)
		if diff := diffFields(want, have); diff != "" {
			bad++
			if bad <= 3 {
				t.Errorf("record %d (id %d):\n%s", i, got[i].RecordID, diff)
			}
		}
	}
	if bad > 3 {
		t.Errorf("... %d records differ in total", bad)
	}
	return len(ref), values
}

// field is one compared value: a path such as "System/EventID",
// "EventData/SubjectUserSid" or "UserData/LogFileCleared/SubjectUserName".
type field struct{ path, value string }

func recordFields(r *winevent.Record) []field {
	u := func(n uint64) string { return strconv.FormatUint(n, 10) }
	f := []field{
		{"System/Provider/@Name", r.Provider},
		{"System/Provider/@Guid", r.ProviderGUID},
		{"System/Provider/@EventSourceName", r.EventSourceName},
		{"System/EventID", u(uint64(r.EventID))},
		{"System/EventID/@Qualifiers", r.Qualifiers},
		{"System/Version", u(uint64(r.Version))},
		{"System/Level", u(uint64(r.Level))},
		{"System/Task", u(uint64(r.Task))},
		{"System/Opcode", u(uint64(r.Opcode))},
		{"System/Keywords", "0x" + strconv.FormatUint(r.Keywords, 16)},
		{"System/TimeCreated/@SystemTime", r.TimeCreated.Format(time.RFC3339Nano)},
		{"System/EventRecordID", u(r.RecordID)},
		{"System/Correlation/@ActivityID", r.ActivityID},
		{"System/Correlation/@RelatedActivityID", r.RelatedActivityID},
		{"System/Execution/@ProcessID", u(uint64(r.ProcessID))},
		{"System/Execution/@ThreadID", u(uint64(r.ThreadID))},
		{"System/Channel", r.Channel},
		{"System/Computer", r.Computer},
		{"System/Security/@UserID", r.UserID},
	}
	for _, d := range r.EventData {
		f = append(f, field{"EventData/" + d.Name, d.Value})
	}
	if r.UserData != nil {
		f = flattenElement(f, "UserData", r.UserData)
	}
	return f
}

func flattenElement(f []field, prefix string, el *winevent.Element) []field {
	p := prefix + "/" + el.Name
	for _, a := range el.Attrs {
		f = append(f, field{p + "/@" + a.Name, a.Value})
	}
	if len(el.Children) == 0 {
		f = append(f, field{p, el.Text})
	}
	for _, c := range el.Children {
		f = flattenElement(f, p, c)
	}
	return f
}

// refFields extracts the same fields from an evtxexport <Event> tree;
// absent numeric System values are zero, as in winevent.Record.
func refFields(ev *xnode) []field {
	sys := ev.child("System")
	get := func(elem, attr, def string) string {
		n := sys.child(elem)
		if n == nil {
			return def
		}
		if attr == "" {
			return n.text
		}
		if v, ok := n.attr(attr); ok {
			return v
		}
		return def
	}
	tc := get("TimeCreated", "SystemTime", "")
	if t, err := time.Parse(time.RFC3339Nano, tc); err == nil {
		tc = t.Format(time.RFC3339Nano)
	}
	f := []field{
		{"System/Provider/@Name", get("Provider", "Name", "")},
		{"System/Provider/@Guid", get("Provider", "Guid", "")},
		{"System/Provider/@EventSourceName", get("Provider", "EventSourceName", "")},
		{"System/EventID", get("EventID", "", "0")},
		{"System/EventID/@Qualifiers", get("EventID", "Qualifiers", "")},
		{"System/Version", get("Version", "", "0")},
		{"System/Level", get("Level", "", "0")},
		{"System/Task", get("Task", "", "0")},
		{"System/Opcode", get("Opcode", "", "0")},
		{"System/Keywords", get("Keywords", "", "0x0")},
		{"System/TimeCreated/@SystemTime", tc},
		{"System/EventRecordID", get("EventRecordID", "", "0")},
		{"System/Correlation/@ActivityID", get("Correlation", "ActivityID", "")},
		{"System/Correlation/@RelatedActivityID", get("Correlation", "RelatedActivityID", "")},
		{"System/Execution/@ProcessID", get("Execution", "ProcessID", "0")},
		{"System/Execution/@ThreadID", get("Execution", "ThreadID", "0")},
		{"System/Channel", get("Channel", "", "")},
		{"System/Computer", get("Computer", "", "")},
		{"System/Security/@UserID", get("Security", "UserID", "")},
	}
	if ed := ev.child("EventData"); ed != nil {
		for _, d := range ed.kids {
			name := d.name
			if name == "Data" {
				name, _ = d.attr("Name")
			}
			f = append(f, field{"EventData/" + name, d.text})
		}
	}
	if ud := ev.child("UserData"); ud != nil && len(ud.kids) > 0 {
		f = flattenNode(f, "UserData", ud.kids[0])
	}
	return f
}

func flattenNode(f []field, prefix string, n *xnode) []field {
	p := prefix + "/" + n.name
	for _, a := range n.attrs {
		f = append(f, field{p + "/@" + a.Name, a.Value})
	}
	if len(n.kids) == 0 {
		f = append(f, field{p, n.text})
	}
	for _, c := range n.kids {
		f = flattenNode(f, p, c)
	}
	return f
}

func diffFields(want, have []field) string {
	var sb strings.Builder
	for i := 0; i < len(want) || i < len(have); i++ {
		var w, h field
		if i < len(want) {
			w = want[i]
		}
		if i < len(have) {
			h = have[i]
		}
		if w.path != h.path || !sameValue(w.value, h.value) {
			fmt.Fprintf(&sb, "  evtxexport %s=%q\n  evtx       %s=%q\n", w.path, w.value, h.path, h.value)
		}
	}
	return sb.String()
}

// sameValue compares a libevtx value with ours, allowing only the
// documented rendering differences.
func sameValue(ref, got string) bool {
	if ref == got {
		return true
	}
	if strings.HasPrefix(ref, "0x") && strings.HasPrefix(got, "0x") {
		a, err1 := strconv.ParseUint(ref[2:], 16, 64)
		b, err2 := strconv.ParseUint(got[2:], 16, 64)
		return err1 == nil && err2 == nil && a == b
	}
	if a, err := time.Parse(time.RFC3339Nano, ref); err == nil {
		b, err := time.Parse(time.RFC3339Nano, got)
		return err == nil && a.Equal(b)
	}
	return false
}

// xnode is a parsed element of evtxexport's output.
type xnode struct {
	name  string
	attrs []winevent.Data
	text  string
	kids  []*xnode
}

func (n *xnode) child(name string) *xnode {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

// parseExport reads evtxexport's XML output: a banner line, then <Event>
// documents. It is a small tolerant parser: evtxexport copies control
// characters from event data verbatim, which encoding/xml rejects.
func parseExport(b []byte) ([]*xnode, error) {
	s := string(b)
	var events []*xnode
	var stack []*xnode
	var text strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			break
		}
		if len(stack) > 0 {
			text.WriteString(unescapeXML(s[:lt]))
		}
		s = s[lt:]
		switch {
		case strings.HasPrefix(s, "<![CDATA["):
			end := strings.Index(s, "]]>")
			if end < 0 {
				return nil, fmt.Errorf("unterminated CDATA")
			}
			text.WriteString(s[9:end])
			s = s[end+3:]
		case strings.HasPrefix(s, "<?") || strings.HasPrefix(s, "<!"):
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return nil, fmt.Errorf("unterminated markup")
			}
			s = s[end+1:]
		case strings.HasPrefix(s, "</"):
			end := strings.IndexByte(s, '>')
			if end < 0 || len(stack) == 0 {
				return nil, fmt.Errorf("unexpected end tag near %.40q", s)
			}
			n := stack[len(stack)-1]
			if name := s[2:end]; name != n.name {
				return nil, fmt.Errorf("end tag </%s> closes <%s>", name, n.name)
			}
			if len(n.kids) == 0 {
				n.text = text.String()
			}
			text.Reset()
			stack = stack[:len(stack)-1]
			s = s[end+1:]
		default:
			n, rest, empty, err := parseStartTag(s)
			if err != nil {
				return nil, err
			}
			s = rest
			text.Reset()
			if len(stack) == 0 {
				events = append(events, n)
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			}
			if !empty {
				stack = append(stack, n)
			}
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unterminated element <%s>", stack[len(stack)-1].name)
	}
	return events, nil
}

func parseStartTag(s string) (*xnode, string, bool, error) {
	i := 1
	for i < len(s) && !strings.ContainsRune(" \t\n/>", rune(s[i])) {
		i++
	}
	n := &xnode{name: s[1:i]}
	for {
		for i < len(s) && strings.ContainsRune(" \t\n", rune(s[i])) {
			i++
		}
		if i >= len(s) {
			return nil, "", false, fmt.Errorf("unterminated start tag <%s", n.name)
		}
		switch {
		case strings.HasPrefix(s[i:], "/>"):
			return n, s[i+2:], true, nil
		case s[i] == '>':
			return n, s[i+1:], false, nil
		}
		eq := strings.Index(s[i:], `="`)
		if eq < 0 {
			return nil, "", false, fmt.Errorf("bad attribute in <%s", n.name)
		}
		name := s[i : i+eq]
		i += eq + 2
		end := strings.IndexByte(s[i:], '"')
		if end < 0 {
			return nil, "", false, fmt.Errorf("unterminated attribute %s", name)
		}
		n.attrs = append(n.attrs, winevent.Data{Name: name, Value: unescapeXML(s[i : i+end])})
		i += end + 1
	}
}

func unescapeXML(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var sb strings.Builder
	for {
		amp := strings.IndexByte(s, '&')
		if amp < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:amp])
		s = s[amp:]
		semi := strings.IndexByte(s, ';')
		if semi < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		ent := s[1:semi]
		switch {
		case ent == "amp":
			sb.WriteByte('&')
		case ent == "lt":
			sb.WriteByte('<')
		case ent == "gt":
			sb.WriteByte('>')
		case ent == "quot":
			sb.WriteByte('"')
		case ent == "apos":
			sb.WriteByte('\'')
		case strings.HasPrefix(ent, "#x"):
			n, _ := strconv.ParseUint(ent[2:], 16, 32)
			sb.WriteRune(rune(n))
		case strings.HasPrefix(ent, "#"):
			n, _ := strconv.ParseUint(ent[1:], 10, 32)
			sb.WriteRune(rune(n))
		default:
			sb.WriteString(s[:semi+1])
		}
		s = s[semi+1:]
	}
}
