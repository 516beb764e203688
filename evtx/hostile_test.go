package evtx

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

// TestHostile feeds records built to exhaust the parser: each must be
// skipped with a reason, quickly, and the good record after it still read.
func TestHostile(t *testing.T) {
	tests := []struct {
		name   string
		body   func(c *chunkBuilder)
		reason string
	}{
		{
			name: "templates instantiating templates 10^6 times",
			body: func(c *chunkBuilder) {
				root := &xe{name: "Data", kids: []any{"leaf text"}}
				key := "t0"
				for k := 1; k <= 6; k++ {
					ref := tmplRef{key: key, root: root}
					root = &xe{name: "L", kids: []any{ref, ref, ref, ref, ref, ref, ref, ref, ref, ref}}
					key = "t" + string(rune('0'+k))
				}
				c.put(tokFragment, 1, 1, 0)
				c.instance(key, root, nil)
				c.put(tokEOF)
			},
			reason: "expands to more than",
		},
		{
			name: "template that instantiates itself",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.put(tokTemplate, 1, 0, 0, 0, 0)
				def := c.pos() + 4
				c.put(le32(uint32(def))...)
				c.put(le32(0)...)
				c.put(make([]byte, 16)...)
				sizeAt := c.pos()
				c.put(0, 0, 0, 0)
				c.put(tokFragment, 1, 1, 0)
				c.put(tokOpenStart, 0xff, 0xff, 0, 0, 0, 0)
				c.name("E")
				c.put(tokCloseStart)
				c.put(tokTemplate, 1, 0, 0, 0, 0)
				c.put(le32(uint32(def))...) // back to the definition being compiled
				c.put(le32(0)...)           // no values
				c.put(tokEnd, tokEOF)
				binary.LittleEndian.PutUint32(c.buf[sizeAt:], uint32(c.pos()-sizeAt-4))
				c.put(le32(0)...)
				c.put(tokEOF)
			},
			reason: "refers to itself",
		},
		{
			name: "elements nested 200 deep",
			body: func(c *chunkBuilder) {
				root := &xe{name: "E"}
				for range 200 {
					root = &xe{name: "E", kids: []any{root}}
				}
				c.put(tokFragment, 1, 1, 0)
				c.elem(root, false)
				c.put(tokEOF)
			},
			reason: "nested more than",
		},
		{
			name: "value count of 2^31",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.instance("x", &xe{name: "E", kids: []any{sub{idx: 0, typ: typeString}}}, nil)
				binary.LittleEndian.PutUint32(c.buf[c.pos()-4:], 1<<31)
				c.put(tokEOF)
			},
			reason: "value count",
		},
		{
			name: "substitution index beyond the values",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.instance("y", &xe{name: "E", kids: []any{sub{idx: 9, typ: typeString}}}, []tv{vStr("a")})
				c.put(tokEOF)
			},
			reason: "substitution 9",
		},
		{
			name: "template definition offset outside the chunk",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.put(tokTemplate, 1, 0, 0, 0, 0)
				c.put(le32(0xfffffff0)...)
				c.put(tokEOF)
			},
			reason: "template definition offset",
		},
		{
			name: "template size larger than the chunk",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.put(tokTemplate, 1, 0, 0, 0, 0)
				c.put(le32(uint32(c.pos() + 4))...)
				c.put(le32(0)...)
				c.put(make([]byte, 16)...)
				c.put(le32(1 << 30)...)
				c.put(tokEOF)
			},
			reason: "template definition size",
		},
		{
			name: "name offset pointing forward",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.put(tokOpenStart, 0xff, 0xff, 0, 0, 0, 0)
				c.put(le32(uint32(c.pos() + 100))...)
				c.put(tokCloseEmpty, tokEOF)
			},
			reason: "points forward",
		},
		{
			name: "name longer than the record",
			body: func(c *chunkBuilder) {
				c.put(tokFragment, 1, 1, 0)
				c.put(tokOpenStart, 0xff, 0xff, 0, 0, 0, 0)
				c.put(le32(uint32(c.pos() + 4))...)
				c.put(0, 0, 0, 0, 0, 0, 0xff, 0xff)
				c.put(tokCloseEmpty, tokEOF)
			},
			reason: "out of bounds",
		},
		{
			name: "nested BinXML nested in itself",
			body: func(c *chunkBuilder) {
				// Each level is a fragment with an instance whose only value
				// is the next level's BinXML: deeper than maxDocDepth.
				root := &xe{name: "E", kids: []any{sub{idx: 0, typ: typeBinXML}}}
				c.put(tokFragment, 1, 1, 0)
				var nest func(level int)
				nest = func(level int) {
					c.instance("nest", root, nil)
					c.buf = c.buf[:len(c.buf)-4]
					c.put(le32(1)...)
					descAt := c.pos()
					c.put(0, 0, typeBinXML, 0)
					start := c.pos()
					c.put(tokFragment, 1, 1, 0)
					if level < 20 {
						nest(level + 1)
					} else {
						c.elem(&xe{name: "Leaf"}, false)
					}
					c.put(tokEOF)
					binary.LittleEndian.PutUint16(c.buf[descAt:], uint16(c.pos()-start))
				}
				nest(0)
				c.put(tokEOF)
			},
			reason: "nested more than",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newChunk()
			c.record(1, ft, func() { tc.body(c) })
			tmpl := eventDataTemplate([]string{"A"}, []uint8{typeString})
			c.templateRecord(2, "good", tmpl, append(sysVals(1, 2), vStr("ok")))
			start := time.Now()
			recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
			if len(recs) != 1 || recs[0].RecordID != 2 {
				t.Fatalf("got %d records, want only the good one; problems %v", len(recs), st.Problems)
			}
			if st.RecordsSkipped != 1 || len(st.Problems) != 1 || !strings.Contains(st.Problems[0].Reason, tc.reason) {
				t.Errorf("stats %+v, want one problem mentioning %q", st, tc.reason)
			}
		})
	}
}

// TestProblemsCapped: a chunk full of damaged records keeps counting but
// stores a bounded number of problems.
func TestProblemsCapped(t *testing.T) {
	c := newChunk()
	for i := range 2000 {
		c.record(uint64(i), 0, func() { c.put(0x33) }) // not BinXML
	}
	var chunks [][]byte
	for range 2 {
		chunks = append(chunks, c.bytes())
	}
	_, st := readAll(t, evtxFile(0, 2, chunks...))
	if st.RecordsSkipped != 4000 || len(st.Problems) != maxProblems {
		t.Errorf("RecordsSkipped %d, %d problems", st.RecordsSkipped, len(st.Problems))
	}
}

// TestChunkBudget: records that each expand a large (but legal) template
// stop being expanded once the chunk has produced maxChunkEvents nodes,
// which bounds the time one hostile chunk can take.
func TestChunkBudget(t *testing.T) {
	c := newChunk()
	root := &xe{name: "Data", kids: []any{"x"}}
	key := "b0"
	for k := 1; k <= 4; k++ { // about 32,000 nodes per record
		ref := tmplRef{key: key, root: root}
		root = &xe{name: "L", kids: []any{ref, ref, ref, ref, ref, ref, ref, ref, ref, ref}}
		key = "b" + string(rune('0'+k))
	}
	const n = 300
	for i := range n {
		c.record(uint64(i+1), ft, func() {
			c.put(tokFragment, 1, 1, 0)
			c.instance(key, root, nil)
			c.put(tokEOF)
		})
	}
	start := time.Now()
	recs, st := readAll(t, evtxFile(0, 1, c.bytes()))
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if len(recs) == 0 || len(recs) >= n || len(recs)+st.RecordsSkipped != n {
		t.Fatalf("%d records read, %d skipped", len(recs), st.RecordsSkipped)
	}
	if !problemsContain(st, "chunk expands to more than") {
		t.Errorf("problems: %v", st.Problems[:1])
	}
}
