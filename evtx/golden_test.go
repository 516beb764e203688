package evtx

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenFiles are synthetic EVTX files whose parse is checked against
// testdata/golden/<name>.txt: the exact XML of every record (Reader.XML),
// the XML rebuilt from winevent.Record (RenderXML) and the Stats.
func goldenFiles() map[string][]byte {
	files := map[string][]byte{}

	files["system"] = evtxFile(0, 1, simpleChunk(41, 2).bytes())

	c := newChunk()
	var names []string
	var types []uint8
	vals := sysVals(1, 1)
	for _, vc := range valueCases() {
		names = append(names, vc.name)
		types = append(types, vc.v.typ)
		vals = append(vals, vc.v)
	}
	c.templateRecord(1, "types", eventDataTemplate(names, types), vals)
	files["value-types"] = evtxFile(0, 1, c.bytes())

	c = newChunk()
	tmpl := eventDataTemplate([]string{"Names", "Ports"}, []uint8{typeString | typeArray, typeUint16 | typeArray})
	c.templateRecord(1, "arrays", tmpl, append(sysVals(1, 1),
		tv{typeString | typeArray, append(utf16z("one", true), utf16z("two", true)...)},
		tv{typeUint16 | typeArray, append(le16(80), le16(443)...)}))
	files["arrays"] = evtxFile(0, 1, c.bytes())

	c = newChunk()
	nestedUserData(c, 1)
	files["userdata"] = evtxFile(0, 1, c.bytes())

	c = newChunk()
	c.record(1, ft, func() {
		c.put(tokFragment, 1, 1, 0)
		c.elem(&xe{name: "Event", kids: []any{
			&xe{name: "System", kids: []any{&xe{name: "EventID", kids: []any{"7036"}}}},
			&xe{name: "EventData", kids: []any{
				&xe{name: "Data", attrs: []xa{{"Name", `quote"amp&`}}, kids: []any{"a<b", entityRef("amp"), charRef('é'), cdata("<raw>")}},
				pi{"target", "data"},
				&xe{name: "Binary", kids: []any{"0A0B"}},
			}},
		}}, false)
		c.put(tokEOF)
	})
	files["plain-binxml"] = evtxFile(0, 1, c.bytes())

	// Damage: a chunk with a bad CRC and a broken record, then a chunk
	// with a bad signature, then a truncated chunk.
	b := simpleChunk(1, 3).bytes()
	second := int(binary.LittleEndian.Uint32(b[chunkHeaderSize+4:])) + chunkHeaderSize
	binary.LittleEndian.PutUint32(b[second+4:], 9)
	bad := simpleChunk(10, 1).bytes()
	copy(bad, "ElfJunk!")
	trunc := simpleChunk(20, 2)
	files["damaged"] = evtxFile(0, 3, b, bad, trunc.bytes()[:trunc.lastRec+30])
	return files
}

func TestGolden(t *testing.T) {
	for name, data := range goldenFiles() {
		t.Run(name, func(t *testing.T) {
			got := goldenText(t, data)
			path := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the parse (run with -update after checking):\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

func goldenText(t *testing.T, data []byte) string {
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "golden.evtx")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var sb strings.Builder
	n := 0
	for rec, err := range r.All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		fmt.Fprintf(&sb, "## record %d: Reader.XML\n%s## record %d: RenderXML\n%s", n, r.XML(), n, RenderXML(rec))
	}
	st := r.Stats()
	fmt.Fprintf(&sb, "## stats: chunks %d, chunks skipped %d, records %d, records skipped %d\n", st.Chunks, st.ChunksSkipped, st.Records, st.RecordsSkipped)
	for _, p := range st.Problems {
		fmt.Fprintf(&sb, "%s\n", p)
	}
	return sb.String()
}

// lineDiff shows the first differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return ""
}
