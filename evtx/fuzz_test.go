package evtx

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/internal/shared"
)

// FuzzReader parses arbitrary bytes and must never panic or hang.
//
// An input that starts with "ElfFile" is read as a whole file. Any other
// input is the start of one chunk: it is padded to 64 KiB, put behind a
// valid file header, and its CRCs are fixed up when it carries a chunk
// signature, so that mutations reach the record and BinXML parsers instead
// of stopping at a checksum. Both the Record mapping and the XML writers
// run on every record.
//
//	go test ./evtx -run='^$' -fuzz=FuzzReader -fuzztime=5m
func FuzzReader(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add(seed)
	}
	// Real chunks, cut to their used part, when ../shared is present. They
	// are not committed: the sample files are GPL-3.0 test data.
	if root := shared.Root(); root != "" {
		for _, s := range realSeeds(filepath.Join(root, "datasets/evtx-attack-samples"), 4) {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*chunkSize {
			return
		}
		if bytes.HasPrefix(data, []byte("ElfFile")) {
			fuzzRead(t, data)
			return
		}
		fuzzRead(t, fuzzChunkFile(data))
	})
}

func fuzzRead(t *testing.T, data []byte) {
	r, err := NewReader(bytes.NewReader(data), int64(len(data)), "fuzz")
	if err != nil {
		return
	}
	defer r.Close()
	for n := 0; ; n++ {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next on in-memory data: %v", err)
		}
		if n > chunkSize*4 {
			t.Fatal("more records than bytes")
		}
		_ = r.XML()
		_ = RenderXML(rec)
	}
	st := r.Stats()
	if st.Records < 0 || len(st.Problems) > maxProblems {
		t.Fatalf("stats %+v", st)
	}
}

// fuzzChunkFile wraps chunk data in a file with a valid header.
func fuzzChunkFile(data []byte) []byte {
	c := make([]byte, chunkSize)
	copy(c, data)
	if bytes.HasPrefix(c, []byte(chunkMagic)) {
		le := binary.LittleEndian
		if free := int(le.Uint32(c[48:])); free >= chunkHeaderSize && free <= chunkSize {
			le.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:free]))
		}
		le.PutUint32(c[124:], crc32.Update(crc32.ChecksumIEEE(c[:120]), crc32.IEEETable, c[128:chunkHeaderSize]))
	}
	return evtxFile(0, 1, c)
}

// fuzzSeeds returns small synthetic chunks (their used bytes only) and
// one whole small file.
func fuzzSeeds() [][]byte {
	used := func(c *chunkBuilder) []byte { return c.bytes()[:len(c.buf)] }
	var seeds [][]byte
	seeds = append(seeds, used(simpleChunk(1, 3)))

	c := newChunk()
	nestedUserData(c, 1)
	nestedUserData(c, 2)
	seeds = append(seeds, used(c))

	c = newChunk()
	tmpl := eventDataTemplate([]string{"S", "A", "N", "B", "G", "T"}, []uint8{typeString, typeString | typeArray, typeUint32, typeBinary, typeGUID, typeSysTime})
	c.templateRecord(1, "mix", tmpl, append(sysVals(4624, 1),
		vStr("x"), tv{typeString | typeArray, append(utf16z("a", true), utf16z("b", true)...)},
		vU32(7), tv{typeBinary, []byte{1, 2, 3}}, vGUID(testGUID), tv{typeSysTime, make([]byte, 16)}))
	c.record(2, ft, func() {
		c.put(tokFragment, 1, 1, 0)
		c.elem(&xe{name: "Event", kids: []any{
			&xe{name: "EventData", kids: []any{&xe{name: "Data", kids: []any{"a", entityRef("lt"), charRef('x'), cdata("c")}}, pi{"p", "d"}}},
		}}, false)
		c.put(tokEOF)
	})
	seeds = append(seeds, used(c))
	seeds = append(seeds, evtxFile(FlagDirty, 2, simpleChunk(1, 1).bytes()[:chunkSize/8]))
	return seeds
}

// realSeeds returns the used part of the first chunk of up to n sample
// files (the smallest ones, to keep fuzzing fast).
func realSeeds(dir string, n int) [][]byte {
	var seeds [][]byte
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || len(seeds) >= n || !strings.HasSuffix(p, ".evtx") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) < fileHeaderBlock+chunkSize {
			return nil
		}
		c := b[fileHeaderBlock : fileHeaderBlock+chunkSize]
		if free := int(binary.LittleEndian.Uint32(c[48:])); free > chunkHeaderSize && free <= 8<<10 {
			seeds = append(seeds, append([]byte(nil), c[:free]...))
		}
		return nil
	})
	return seeds
}

// TestMutatedSeeds runs a fixed set of random mutations of the fuzz seeds
// through the reader on every test run: a cheap, deterministic slice of
// what FuzzReader explores.
func TestMutatedSeeds(t *testing.T) {
	seeds := fuzzSeeds()
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		data := append([]byte(nil), seeds[i%len(seeds)]...)
		for range 1 + rng.IntN(8) {
			p := rng.IntN(len(data))
			switch rng.IntN(3) {
			case 0:
				data[p] = byte(rng.Uint32())
			case 1:
				data[p] ^= 1 << rng.IntN(8)
			case 2:
				if p+2 <= len(data) {
					binary.LittleEndian.PutUint16(data[p:], uint16(rng.Uint32()))
				}
			}
		}
		if bytes.HasPrefix(data, []byte("ElfFile")) {
			fuzzRead(t, data)
		} else {
			fuzzRead(t, fuzzChunkFile(data))
		}
	}
}
