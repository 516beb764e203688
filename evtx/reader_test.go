package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/eqld/eqld/winevent"
	"github.com/google/go-cmp/cmp"
)

// readAll reads every record of data.
func readAll(t testing.TB, data []byte) ([]*winevent.Record, Stats) {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "test.evtx")
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	defer r.Close()
	var recs []*winevent.Record
	for rec, err := range r.All() {
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		recs = append(recs, rec)
	}
	return recs, r.Stats()
}

// simpleChunk returns a chunk with n records of one template carrying two
// EventData strings; record ids start at first.
func simpleChunk(first uint64, n int) *chunkBuilder {
	c := newChunk()
	tmpl := eventDataTemplate([]string{"User", "Image"}, []uint8{typeString, typeString})
	for i := range n {
		id := first + uint64(i)
		c.templateRecord(id, "simple", tmpl, append(sysVals(4688, id), vStr("alice"), vStr(`C:\Windows\cmd.exe`)))
	}
	return c
}

func TestSystemFields(t *testing.T) {
	recs, st := readAll(t, evtxFile(0, 1, simpleChunk(7, 2).bytes()))
	if len(recs) != 2 || st.Records != 2 || len(st.Problems) != 0 {
		t.Fatalf("got %d records, stats %+v", len(recs), st)
	}
	want := &winevent.Record{
		Provider:     "Test-Provider",
		ProviderGUID: "{54849625-5478-4994-A5BA-3E3B0328C30D}",
		EventID:      4688,
		Level:        4,
		Keywords:     0x8020000000000000,
		TimeCreated:  time.Date(2019, 8, 14, 14, 6, 44, 495674800, time.UTC),
		RecordID:     7,
		Channel:      "Test",
		Computer:     "HOST",
		EventData:    []winevent.Data{{Name: "User", Value: "alice"}, {Name: "Image", Value: `C:\Windows\cmd.exe`}},
		Source:       "test.evtx",
	}
	if diff := cmp.Diff(want, recs[0]); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if recs[1].RecordID != 8 {
		t.Errorf("second record id %d, want 8", recs[1].RecordID)
	}
}

// valueCase is one value type rendered through a template.
type valueCase struct {
	name string
	v    tv
	want string
}

// valueCases covers every BinXML value type.
func valueCases() []valueCase {
	sid := []byte{1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x92, 0x0b, 0x4f, 0xce, 0x93, 0x79, 0x24, 0xf4, 0xc5, 0x4f, 0x3e, 0x87, 0xe8, 0x03, 0, 0}
	st := make([]byte, 16)
	for i, v := range []uint16{2020, 10, 1, 26, 21, 0, 55, 123} {
		binary.LittleEndian.PutUint16(st[2*i:], v)
	}
	return []valueCase{
		{"null", vNull(), ""},
		{"string", vStr("héllo wörld ✓"), "héllo wörld ✓"},
		{"string-surrogates", vStr("a😀b"), "a😀b"},
		{"string-embedded-nul", tv{typeString, append(utf16z("abc", true), utf16z("def", false)...)}, "abc"},
		{"string-empty", tv{typeString, nil}, ""},
		{"ansi", tv{typeAnsiString, []byte("caf\xe9 \x80\x00junk")}, "café €"},
		{"int8", tv{typeInt8, []byte{0x80}}, "-128"},
		{"uint8", vU8(255), "255"},
		{"int16", tv{typeInt16, le16(0xffff)}, "-1"},
		{"uint16", vU16(65535), "65535"},
		{"int32", tv{typeInt32, le32(0x80000000)}, "-2147483648"},
		{"uint32", vU32(4294967295), "4294967295"},
		{"int64", tv{typeInt64, le64(1 << 63)}, "-9223372036854775808"},
		{"uint64", vU64(math.MaxUint64), "18446744073709551615"},
		{"real32", tv{typeReal32, le32(math.Float32bits(1.5))}, "1.5"},
		{"real64", vF64(0.1), "0.1"},
		{"bool-true", tv{typeBool, le32(1)}, "true"},
		{"bool-false", tv{typeBool, le32(0)}, "false"},
		{"binary", tv{typeBinary, []byte{0xde, 0xad, 0x01}}, "DEAD01"},
		{"guid", vGUID(testGUID), "{54849625-5478-4994-A5BA-3E3B0328C30D}"},
		{"sizet-32", tv{typeSizeT, le32(4096)}, "4096"},
		{"sizet-64", tv{typeSizeT, le64(1 << 40)}, "1099511627776"},
		{"filetime", vFileTime(ft), "2019-08-14T14:06:44.4956748Z"},
		{"filetime-zero", vFileTime(0), "1601-01-01T00:00:00.0000000Z"},
		{"systemtime", tv{typeSysTime, st}, "2020-10-26T21:00:55.1230000Z"},
		{"sid", tv{typeSID, sid}, "S-1-5-21-3461286802-4096031123-2269007813-1000"},
		{"sid-system", tv{typeSID, []byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}}, "S-1-5-18"},
		{"sid-big-authority", tv{typeSID, []byte{1, 0, 1, 2, 3, 4, 5, 6}}, "S-1-0x010203040506"},
		{"hexint32", tv{typeHexInt32, le32(0x342ba)}, "0x342ba"},
		{"hexint64", vHex64(0x8020000000000000), "0x8020000000000000"},
		{"hexint64-zero", vHex64(0), "0x0"},
		{"evthandle", tv{typeEvtHandle, le64(42)}, "42"},
		{"evtxml", tv{typeEvtXML, utf16z("<a/>", true)}, "<a/>"},
		{"unknown-type", tv{0x1f, []byte{1, 2}}, "0102"},
		{"short-uint32", tv{typeUint32, []byte{1}}, "01"},
	}
}

// TestValueTypes renders every BinXML value type through a template, as
// EventData, and checks the text Windows would show.
func TestValueTypes(t *testing.T) {
	tests := valueCases()
	c := newChunk()
	var names []string
	var types []uint8
	vals := sysVals(1, 1)
	for _, tc := range tests {
		names = append(names, tc.name)
		types = append(types, tc.v.typ)
		vals = append(vals, tc.v)
	}
	c.templateRecord(1, "types", eventDataTemplate(names, types), vals)
	recs, stats := readAll(t, evtxFile(0, 1, c.bytes()))
	if len(recs) != 1 {
		t.Fatalf("got %d records; problems %v", len(recs), stats.Problems)
	}
	got := map[string]string{}
	for _, d := range recs[0].EventData {
		got[d.Name] = d.Value
	}
	for _, tc := range tests {
		v, ok := got[tc.name]
		if tc.name == "null" {
			// A NULL optional substitution leaves the Data element out.
			if ok {
				t.Errorf("null: Data element present with %q", v)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: Data element missing", tc.name)
		} else if v != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, v, tc.want)
		}
	}
}

func TestArrays(t *testing.T) {
	c := newChunk()
	tmpl := eventDataTemplate([]string{"Names", "Ports", "Empty", "Mixed"}, []uint8{typeString | typeArray, typeUint16 | typeArray, typeString | typeArray, typeUint8})
	// "Mixed" carries literal text around an array substitution.
	ed := tmpl.kids[1].(*xe)
	ed.kids[3] = &xe{name: "Data", attrs: []xa{{"Name", "Mixed"}}, kids: []any{"[", sub{idx: 11, typ: typeUint8 | typeArray}, "]"}}
	strs := append(append(utf16z("one", true), utf16z("two", true)...), utf16z("three", false)...)
	ports := append(append(le16(80), le16(443)...), 0x01) // trailing odd byte ignored
	vals := append(sysVals(1, 1),
		tv{typeString | typeArray, strs},
		tv{typeUint16 | typeArray, ports},
		tv{typeString | typeArray, nil},
		tv{typeUint8 | typeArray, []byte{1, 2}},
	)
	c.templateRecord(1, "arrays", tmpl, vals)
	recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
	if len(recs) != 1 {
		t.Fatalf("got %d records: %v", len(recs), st.Problems)
	}
	want := []winevent.Data{
		{Name: "Names", Value: "one"}, {Name: "Names", Value: "two"}, {Name: "Names", Value: "three"},
		{Name: "Ports", Value: "80"}, {Name: "Ports", Value: "443"},
		{Name: "Empty", Value: ""},
		// An element around an array is repeated per item even with
		// literal text beside the substitution (libevtx does the same).
		{Name: "Mixed", Value: "[1]"}, {Name: "Mixed", Value: "[2]"},
	}
	if diff := cmp.Diff(want, recs[0].EventData); diff != "" {
		t.Errorf("EventData (-want +got):\n%s", diff)
	}
}

func TestOptionalSubstitutions(t *testing.T) {
	c := newChunk()
	tmpl := &xe{name: "Event", kids: []any{systemXE(), &xe{name: "EventData", kids: []any{
		&xe{name: "Data", attrs: []xa{{"Name", "Opt"}}, kids: []any{sub{idx: 8, typ: typeString, opt: true}}},
		&xe{name: "Data", attrs: []xa{{"Name", "Normal"}}, kids: []any{sub{idx: 9, typ: typeString}}},
		&xe{name: "Data", attrs: []xa{{"Name", "Kept"}}, kids: []any{"x", sub{idx: 8, typ: typeString, opt: true}}},
		&xe{name: "Data", attrs: []xa{{"Name", sub{idx: 8, typ: typeString, opt: true}}}, kids: []any{"noname"}},
	}}}}
	c.templateRecord(1, "opt", tmpl, append(sysVals(1, 1), vNull(), vNull()))
	c.templateRecord(2, "opt", tmpl, append(sysVals(1, 2), vStr("a"), vStr("b")))
	recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
	if len(recs) != 2 {
		t.Fatalf("got %d records: %v", len(recs), st.Problems)
	}
	// NULL values: value-only Data elements and NULL-only attributes are
	// left out (as libevtx renders them); mixed content stays.
	want1 := []winevent.Data{{Name: "Kept", Value: "x"}, {Name: "", Value: "noname"}}
	if diff := cmp.Diff(want1, recs[0].EventData); diff != "" {
		t.Errorf("record 1 (-want +got):\n%s", diff)
	}
	want2 := []winevent.Data{{Name: "Opt", Value: "a"}, {Name: "Normal", Value: "b"}, {Name: "Kept", Value: "xa"}, {Name: "a", Value: "noname"}}
	if diff := cmp.Diff(want2, recs[1].EventData); diff != "" {
		t.Errorf("record 2 (-want +got):\n%s", diff)
	}
	// The template was defined once, in the first record.
	if n := bytes.Count(c.buf, utf16z("Normal", false)); n != 1 {
		t.Fatalf("fixture defines the template %d times", n)
	}
	// The Correlation ActivityID (NULL) is absent, ProviderGUID present.
	if recs[0].ActivityID != "" || recs[0].ProviderGUID == "" {
		t.Errorf("ActivityID %q ProviderGUID %q", recs[0].ActivityID, recs[0].ProviderGUID)
	}
}

// nestedUserData builds a record whose UserData is a BinXML value (type
// 0x21) holding its own template instance, as Windows writes Security 1102.
func nestedUserData(c *chunkBuilder, id uint64) {
	outer := &xe{name: "Event", kids: []any{systemXE(), &xe{name: "UserData", kids: []any{sub{idx: 8, typ: typeBinXML}}}}}
	inner := &xe{name: "LogFileCleared", attrs: []xa{{"xmlns", "http://manifests.microsoft.com/win/2004/08/windows/eventlog"}}, kids: []any{
		&xe{name: "SubjectUserName", kids: []any{sub{idx: 0, typ: typeString}}},
		&xe{name: "SubjectLogonId", kids: []any{sub{idx: 1, typ: typeHexInt64}}},
		&xe{name: "Empty"},
	}}
	c.record(id, ft, func() {
		c.put(tokFragment, 1, 1, 0)
		c.instance("outer", outer, nil) // values written below by hand
		// Replace the empty value list with the real one: count, descriptors, data.
		c.buf = c.buf[:len(c.buf)-4]
		sysv := sysVals(1102, id)
		// The nested BinXML value is built in place, after the descriptors,
		// so its names and template live at their final chunk offsets.
		c.put(le32(uint32(len(sysv) + 1))...)
		for _, v := range sysv {
			c.put(le16(uint16(len(v.data)))...)
			c.put(v.typ, 0)
		}
		descAt := c.pos()
		c.put(0, 0, typeBinXML, 0)
		for _, v := range sysv {
			c.put(v.data...)
		}
		start := c.pos()
		c.put(tokFragment, 1, 1, 0)
		c.instance("inner", inner, []tv{vStr("admin01"), vHex64(0xaf855)})
		c.put(tokEOF)
		binary.LittleEndian.PutUint16(c.buf[descAt:], uint16(c.pos()-start))
		c.put(tokEOF)
	})
}

func TestNestedBinXMLUserData(t *testing.T) {
	c := newChunk()
	nestedUserData(c, 1)
	nestedUserData(c, 2) // second time: both templates referenced by offset
	recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
	if len(recs) != 2 {
		t.Fatalf("got %d records: %v", len(recs), st.Problems)
	}
	want := &winevent.Element{
		Name:  "LogFileCleared",
		Attrs: []winevent.Data{{Name: "xmlns", Value: "http://manifests.microsoft.com/win/2004/08/windows/eventlog"}},
		Children: []*winevent.Element{
			{Name: "SubjectUserName", Text: "admin01"},
			{Name: "SubjectLogonId", Text: "0xaf855"},
			{Name: "Empty"},
		},
	}
	for i, rec := range recs {
		if diff := cmp.Diff(want, rec.UserData); diff != "" {
			t.Errorf("record %d UserData (-want +got):\n%s", i, diff)
		}
		if rec.EventID != 1102 || rec.EventData != nil {
			t.Errorf("record %d: EventID %d EventData %v", i, rec.EventID, rec.EventData)
		}
	}
}

func TestPlainBinXMLWithoutTemplate(t *testing.T) {
	// Records may carry plain BinXML: literal values, CDATA, references, PIs.
	c := newChunk()
	doc := &xe{name: "Event", kids: []any{
		&xe{name: "System", kids: []any{
			&xe{name: "EventID", attrs: []xa{{"Qualifiers", "16384"}}, kids: []any{"7036"}},
			&xe{name: "Keywords", kids: []any{"0x8080000000000000"}},
			&xe{name: "TimeCreated", attrs: []xa{{"SystemTime", "2020-01-02T03:04:05.1234567Z"}}},
			&xe{name: "Execution", attrs: []xa{{"ProcessID", "612"}, {"ThreadID", "0x10"}}},
			&xe{name: "Security", attrs: []xa{{"UserID", "S-1-5-18"}}},
		}},
		&xe{name: "EventData", kids: []any{
			&xe{name: "Data", kids: []any{"a", entityRef("amp"), "b", charRef('é'), cdata("<c>")}},
			pi{"target", "data"},
			&xe{name: "Binary", kids: []any{"0A0B"}},
		}},
	}}
	c.record(1, ft, func() {
		c.put(tokFragment, 1, 1, 0)
		c.elem(doc, false)
		c.put(tokEOF)
	})
	recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
	if len(recs) != 1 {
		t.Fatalf("got %d records: %v", len(recs), st.Problems)
	}
	r := recs[0]
	if r.EventID != 7036 || r.Qualifiers != "16384" || r.Keywords != 0x8080000000000000 || r.ProcessID != 612 || r.ThreadID != 16 || r.UserID != "S-1-5-18" {
		t.Errorf("System fields: %+v", r)
	}
	if want := time.Date(2020, 1, 2, 3, 4, 5, 123456700, time.UTC); !r.TimeCreated.Equal(want) {
		t.Errorf("TimeCreated %v, want %v", r.TimeCreated, want)
	}
	if r.RecordID != 1 {
		t.Errorf("RecordID %d: the record header id must be used when EventRecordID is absent", r.RecordID)
	}
	want := []winevent.Data{{Name: "", Value: "a&bé<c>"}, {Name: "Binary", Value: "0A0B"}}
	if diff := cmp.Diff(want, r.EventData); diff != "" {
		t.Errorf("EventData (-want +got):\n%s", diff)
	}
}

func TestReuseRecord(t *testing.T) {
	data := evtxFile(0, 1, simpleChunk(1, 3).bytes())
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "x")
	if err != nil {
		t.Fatal(err)
	}
	r.ReuseRecord = true
	var first *winevent.Record
	var ids []uint64
	var images []string
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = rec
		} else if rec != first {
			t.Error("ReuseRecord: Next returned a different *Record")
		}
		ids = append(ids, rec.RecordID)
		images = append(images, rec.EventData[1].Value)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3}, ids); diff != "" {
		t.Error(diff)
	}
	// Strings taken from a reused record stay valid.
	for _, s := range images {
		if s != `C:\Windows\cmd.exe` {
			t.Errorf("image %q", s)
		}
	}
	r.Close()
	if _, err := r.Next(); !errors.Is(err, errClosed) {
		t.Errorf("Next after Close: %v", err)
	}
}

// problemsContain reports whether some problem reason contains s.
func problemsContain(st Stats, s string) bool {
	for _, p := range st.Problems {
		if strings.Contains(p.Reason, s) {
			return true
		}
	}
	return false
}

func TestDamage(t *testing.T) {
	good := func() []byte { return simpleChunk(1, 3).bytes() }
	tests := []struct {
		name        string
		file        func() []byte
		records     []uint64
		chunks      int
		skipped     int // chunks skipped
		recsSkipped int
		problem     string // substring of some Problem reason ("" = none)
	}{
		{
			name:    "clean",
			file:    func() []byte { return evtxFile(0, 1, good()) },
			records: []uint64{1, 2, 3}, chunks: 1,
		},
		{
			name: "chunk header CRC mismatch: reported, records kept",
			file: func() []byte {
				c := good()
				c[100] ^= 0xff // unused header bytes covered by the CRC
				return evtxFile(0, 1, c)
			},
			records: []uint64{1, 2, 3}, chunks: 1, problem: "chunk header CRC32 mismatch",
		},
		{
			name: "event records CRC mismatch: reported, records kept",
			file: func() []byte {
				c := good()
				binary.LittleEndian.PutUint32(c[52:], 0)
				binary.LittleEndian.PutUint32(c[124:], crc32Header(c))
				return evtxFile(0, 1, c)
			},
			records: []uint64{1, 2, 3}, chunks: 1, problem: "event records CRC32 mismatch",
		},
		{
			name: "bad chunk signature: chunk skipped, next chunk read",
			file: func() []byte {
				c := good()
				copy(c, "XXXXXXXX")
				return evtxFile(0, 2, c, simpleChunk(10, 1).bytes())
			},
			records: []uint64{10}, chunks: 1, skipped: 1, problem: "bad chunk signature",
		},
		{
			name: "damaged record: resynchronised on the next one",
			file: func() []byte {
				c := simpleChunk(1, 3)
				b := c.bytes()
				second := int(binary.LittleEndian.Uint32(b[chunkHeaderSize+4:])) + chunkHeaderSize
				binary.LittleEndian.PutUint32(b[second+4:], 9) // bad size
				return evtxFile(0, 1, fixCRCs(b))
			},
			records: []uint64{1, 3}, chunks: 1, recsSkipped: 1, problem: "record size 9 too small; resuming",
		},
		{
			name: "damaged BinXML: record skipped",
			file: func() []byte {
				b := simpleChunk(1, 3).bytes()
				second := int(binary.LittleEndian.Uint32(b[chunkHeaderSize+4:])) + chunkHeaderSize
				b[second+recordHeader+4] = 0x33 // not a template instance
				return evtxFile(0, 1, fixCRCs(b))
			},
			records: []uint64{1, 3}, chunks: 1, recsSkipped: 1, problem: "record 2: BinXML",
		},
		{
			name: "truncated file: records present in the partial chunk are read",
			file: func() []byte {
				c := simpleChunk(1, 3)
				f := evtxFile(0, 1, c.bytes())
				return f[:fileHeaderBlock+int(c.lastRec)+8] // cut inside the 3rd record
			},
			records: []uint64{1, 2}, chunks: 1, recsSkipped: 1, problem: "incomplete record of 8 bytes",
		},
		{
			name: "header counts one chunk, file has two: both read",
			file: func() []byte {
				return evtxFile(0, 1, good(), simpleChunk(4, 2).bytes())
			},
			records: []uint64{1, 2, 3, 4, 5}, chunks: 2, problem: "beyond the file header's chunk count 1",
		},
		{
			name: "dirty file whose header undercounts chunks: read without complaint",
			file: func() []byte {
				return evtxFile(FlagDirty, 1, good(), simpleChunk(4, 2).bytes())
			},
			records: []uint64{1, 2, 3, 4, 5}, chunks: 2,
		},
		{
			name: "dirty file with stale chunk header: records past free space read",
			file: func() []byte {
				c := simpleChunk(1, 3)
				b := c.bytes()
				// Pretend the header was last written after record 1.
				second := uint32(binary.LittleEndian.Uint32(b[chunkHeaderSize+4:])) + chunkHeaderSize
				binary.LittleEndian.PutUint32(b[48:], second)
				binary.LittleEndian.PutUint32(b[52:], crc32Records(b, int(second)))
				binary.LittleEndian.PutUint32(b[124:], crc32Header(b))
				return evtxFile(FlagDirty, 1, b)
			},
			records: []uint64{1, 2, 3}, chunks: 1, problem: "past the chunk header's free-space offset",
		},
		{
			name: "empty preallocated chunk: ignored",
			file: func() []byte {
				return evtxFile(0, 1, good(), make([]byte, chunkSize))
			},
			records: []uint64{1, 2, 3}, chunks: 1,
		},
		{
			name: "file header damaged: chunks still read",
			file: func() []byte {
				f := evtxFile(0, 1, good())
				f[50] ^= 1
				return f
			},
			records: []uint64{1, 2, 3}, chunks: 1, problem: "file header CRC32 mismatch",
		},
		{
			name: "file signature damaged but a chunk follows",
			file: func() []byte {
				f := evtxFile(0, 1, good())
				copy(f, "BadFile\x00")
				return f
			},
			records: []uint64{1, 2, 3}, chunks: 1, problem: "bad file signature",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, st := readAll(t, tc.file())
			var ids []uint64
			for _, r := range recs {
				ids = append(ids, r.RecordID)
			}
			if diff := cmp.Diff(tc.records, ids); diff != "" {
				t.Errorf("record ids (-want +got):\n%s", diff)
			}
			if st.Chunks != tc.chunks || st.ChunksSkipped != tc.skipped || st.RecordsSkipped != tc.recsSkipped || st.Records != len(recs) {
				t.Errorf("stats %+v", st)
			}
			if tc.problem == "" && len(st.Problems) > 0 {
				t.Errorf("unexpected problems: %v", st.Problems)
			}
			if tc.problem != "" && !problemsContain(st, tc.problem) {
				t.Errorf("no problem mentioning %q in %v", tc.problem, st.Problems)
			}
		})
	}
}

func crc32Header(c []byte) uint32 {
	b := append(append([]byte{}, c[:120]...), c[128:chunkHeaderSize]...)
	return crcIEEE(b)
}

func crc32Records(c []byte, free int) uint32 { return crcIEEE(c[chunkHeaderSize:free]) }

// fixCRCs recomputes both chunk CRCs after a test edited the records.
func fixCRCs(c []byte) []byte {
	free := int(binary.LittleEndian.Uint32(c[48:]))
	binary.LittleEndian.PutUint32(c[52:], crc32Records(c, free))
	binary.LittleEndian.PutUint32(c[124:], crc32Header(c))
	return c
}

func TestNotEVTX(t *testing.T) {
	for _, data := range [][]byte{
		nil,
		[]byte("hello"),
		bytes.Repeat([]byte{0}, 8192),
		append([]byte("ElfFile\x00"), make([]byte, 100)...), // too short for a header
	} {
		if _, err := NewReader(bytes.NewReader(data), int64(len(data)), "junk.bin"); err == nil {
			t.Errorf("%d bytes: no error", len(data))
		} else if !strings.Contains(err.Error(), "junk.bin") {
			t.Errorf("error does not name the file: %v", err)
		}
	}
}

// errReaderAt fails every read past the header.
type errReaderAt struct{ data []byte }

func (e errReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= fileHeaderBlock {
		return 0, errors.New("disk on fire")
	}
	return bytes.NewReader(e.data).ReadAt(p, off)
}

func TestReadError(t *testing.T) {
	data := evtxFile(0, 1, simpleChunk(1, 1).bytes())
	r, err := NewReader(errReaderAt{data}, int64(len(data)), "f.evtx")
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "chunk 0") || !strings.Contains(err.Error(), "f.evtx") {
		t.Fatalf("got %v", err)
	}
	if _, err2 := r.Next(); err2 == nil {
		t.Error("error is not sticky")
	}
}

func TestHeader(t *testing.T) {
	data := evtxFile(FlagDirty|FlagFull, 1, simpleChunk(1, 1).bytes())
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "h")
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	if !h.Dirty() || !h.Full() || !h.ChecksumOK || h.ChunkCount != 1 || h.MajorVersion != 3 || h.HeaderBlockSize != 4096 {
		t.Errorf("header %+v", h)
	}
}
