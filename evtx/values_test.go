package evtx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/eqld/eqld/winevent"
	"github.com/google/go-cmp/cmp"
)

func TestEntityText(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", `"`}, {"apos", "'"},
		{"#65", "A"}, {"#x263A", "☺"}, {"#xZZ", "&#xZZ;"}, {"nbsp", "&nbsp;"},
	} {
		if got := entityText(tc.name); got != tc.want {
			t.Errorf("entityText(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseUint(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"42", 42, true}, {" 7\r\n", 7, true}, {"0x8020000000000000", 0x8020000000000000, true},
		{"0XfF", 255, true}, {"18446744073709551615", 18446744073709551615, true},
		{"18446744073709551616", 0, false}, {"", 0, false}, {"0x", 0, false}, {"12a", 0, false}, {"-1", 0, false},
	} {
		got, ok := parseUint([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseUint(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestArrayItems(t *testing.T) {
	render := func(v value) []string {
		var out []string
		for _, it := range arrayItems(v, nil) {
			out = append(out, string(appendValue(nil, it)))
		}
		return out
	}
	tests := []struct {
		name string
		v    value
		want []string
	}{
		{"utf16 with final NUL", value{t: typeString | typeArray, b: append(utf16z("a", true), utf16z("b", true)...)}, []string{"a", "b"}},
		{"utf16 empty item", value{t: typeString | typeArray, b: append(utf16z("", true), utf16z("b", false)...)}, []string{"", "b"}},
		{"ansi", value{t: typeAnsiString | typeArray, b: []byte("x\x00yz")}, []string{"x", "yz"}},
		{"guid", value{t: typeGUID | typeArray, b: append(testGUID[:], make([]byte, 16)...)}, []string{"{54849625-5478-4994-A5BA-3E3B0328C30D}", "{00000000-0000-0000-0000-000000000000}"}},
		{"hexint32", value{t: typeHexInt32 | typeArray, b: append(le32(10), le32(255)...)}, []string{"0xa", "0xff"}},
		{"binary has no item size", value{t: typeBinary | typeArray, b: []byte{1, 2}}, []string{"0102"}},
		{"empty", value{t: typeUint32 | typeArray}, nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, render(tc.v)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestAttributeArrayAndOpen(t *testing.T) {
	c := newChunk()
	root := &xe{name: "Event", kids: []any{systemXE(), &xe{name: "UserData", kids: []any{
		&xe{name: "Ports", attrs: []xa{{"List", sub{idx: 8, typ: typeUint16 | typeArray}}, {"Gone", sub{idx: 9, typ: typeString, opt: true}}}},
	}}}}
	c.templateRecord(1, "attr", root, append(sysVals(1, 1), tv{typeUint16 | typeArray, append(le16(80), le16(443)...)}, vNull()))
	path := filepath.Join(t.TempDir(), "attr array.evtx")
	if err := os.WriteFile(path, evtxFile(0, 1, c.bytes()), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	want := &winevent.Element{Name: "Ports", Attrs: []winevent.Data{{Name: "List", Value: "80 443"}}}
	if diff := cmp.Diff(want, rec.UserData); diff != "" {
		t.Errorf("UserData (-want +got):\n%s", diff)
	}
	if rec.Source != path {
		t.Errorf("Source %q", rec.Source)
	}
	if err := r.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.evtx")); err == nil {
		t.Error("Open of a missing file: no error")
	}
}
