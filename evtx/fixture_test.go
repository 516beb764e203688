package evtx

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"unicode/utf16"
)

// This file builds synthetic EVTX files byte by byte, the way Windows lays
// them out: names are defined inline at first use in a chunk and
// referenced by offset afterwards; a template is defined inline by the
// first record that instantiates it and referenced by later ones.

// xe is an element of a fixture document. Kids are *xe, string (value
// text), sub, cdata, charRef, entityRef or pi.
type xe struct {
	name  string
	attrs []xa
	kids  []any
}

// xa is an attribute; val is a string or a sub.
type xa struct {
	name string
	val  any
}

// sub is a substitution of template value idx.
type sub struct {
	idx uint16
	typ uint8
	opt bool
}

// tmplRef is a template instance inside element content.
type tmplRef struct {
	key  string
	root *xe
	vals []tv
}

type (
	cdata     string
	charRef   rune
	entityRef string
	pi        struct{ target, data string }
)

// tv is a template value: a type and its raw bytes.
type tv struct {
	typ  uint8
	data []byte
}

func utf16z(s string, nul bool) []byte {
	u := utf16.Encode([]rune(s))
	if nul {
		u = append(u, 0)
	}
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func le64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// Value constructors.
func vStr(s string) tv      { return tv{typeString, utf16z(s, true)} }
func vU8(v uint8) tv        { return tv{typeUint8, []byte{v}} }
func vU16(v uint16) tv      { return tv{typeUint16, le16(v)} }
func vU32(v uint32) tv      { return tv{typeUint32, le32(v)} }
func vU64(v uint64) tv      { return tv{typeUint64, le64(v)} }
func vHex64(v uint64) tv    { return tv{typeHexInt64, le64(v)} }
func vFileTime(v uint64) tv { return tv{typeFileTime, le64(v)} }
func vNull() tv             { return tv{typeNull, nil} }
func vF64(f float64) tv     { return tv{typeReal64, le64(math.Float64bits(f))} }
func vGUID(b [16]byte) tv   { return tv{typeGUID, b[:]} }

// chunkBuilder assembles one 64 KiB chunk.
type chunkBuilder struct {
	buf       []byte
	names     map[string]uint32
	templates map[string]uint32 // template key → definition offset
	firstID   uint64
	lastID    uint64
	lastRec   uint32
	n         int
}

func newChunk() *chunkBuilder {
	return &chunkBuilder{
		buf:       make([]byte, chunkHeaderSize, chunkSize),
		names:     map[string]uint32{},
		templates: map[string]uint32{},
	}
}

func (c *chunkBuilder) pos() int { return len(c.buf) }

func (c *chunkBuilder) put(b ...byte) { c.buf = append(c.buf, b...) }

// name writes a name offset, and the name itself when it is new.
func (c *chunkBuilder) name(s string) {
	if off, ok := c.names[s]; ok {
		c.put(le32(off)...)
		return
	}
	off := uint32(c.pos() + 4)
	c.names[s] = off
	c.put(le32(off)...)
	c.put(le32(0)...) // next string offset
	c.put(le16(0)...) // hash (not checked by readers)
	c.put(le16(uint16(len(utf16.Encode([]rune(s)))))...)
	c.put(utf16z(s, true)...)
}

// elem writes an element with dependency identifiers (noDep false).
func (c *chunkBuilder) elem(e *xe, noDep bool) {
	tok := byte(tokOpenStart)
	if len(e.attrs) > 0 {
		tok |= tokMore
	}
	c.put(tok)
	if !noDep {
		c.put(0xff, 0xff)
	}
	sizeAt := c.pos()
	c.put(0, 0, 0, 0)
	c.name(e.name)
	if len(e.attrs) > 0 {
		listAt := c.pos()
		c.put(0, 0, 0, 0)
		for i, a := range e.attrs {
			t := byte(tokAttr)
			if i < len(e.attrs)-1 {
				t |= tokMore
			}
			c.put(t)
			c.name(a.name)
			c.piece(a.val)
		}
		binary.LittleEndian.PutUint32(c.buf[listAt:], uint32(c.pos()-listAt-4))
	}
	if len(e.kids) == 0 {
		c.put(tokCloseEmpty)
	} else {
		c.put(tokCloseStart)
		for _, k := range e.kids {
			if x, ok := k.(*xe); ok {
				c.elem(x, noDep)
				continue
			}
			c.piece(k)
		}
		c.put(tokEnd)
	}
	binary.LittleEndian.PutUint32(c.buf[sizeAt:], uint32(c.pos()-sizeAt-4))
}

// piece writes value text, a substitution or a reference.
func (c *chunkBuilder) piece(k any) {
	switch v := k.(type) {
	case string:
		u := utf16z(v, false)
		c.put(tokValue, typeString)
		c.put(le16(uint16(len(u) / 2))...)
		c.put(u...)
	case sub:
		t := byte(tokSubst)
		if v.opt {
			t = tokOptSubst
		}
		c.put(t)
		c.put(le16(v.idx)...)
		c.put(v.typ)
	case cdata:
		u := utf16z(string(v), false)
		c.put(tokCDATA)
		c.put(le16(uint16(len(u) / 2))...)
		c.put(u...)
	case charRef:
		c.put(tokCharRef)
		c.put(le16(uint16(v))...)
	case entityRef:
		c.put(tokEntityRef)
		c.name(string(v))
	case tmplRef:
		c.instance(v.key, v.root, v.vals)
	case pi:
		c.put(tokPITarget)
		c.name(v.target)
		u := utf16z(v.data, false)
		c.put(tokPIData)
		c.put(le16(uint16(len(u) / 2))...)
		c.put(u...)
	default:
		panic("fixture: unsupported piece")
	}
}

// instance writes a template instance: the definition inline on first
// use of key, a reference afterwards; then the values.
func (c *chunkBuilder) instance(key string, root *xe, vals []tv) {
	c.put(tokTemplate, 1)
	c.put(le32(0)...) // template identifier
	if off, ok := c.templates[key]; ok {
		c.put(le32(off)...)
	} else {
		off := uint32(c.pos() + 4)
		c.templates[key] = off
		c.put(le32(off)...)
		c.put(le32(0)...) // next template definition
		c.put(make([]byte, 16)...)
		sizeAt := c.pos()
		c.put(0, 0, 0, 0)
		c.put(tokFragment, 1, 1, 0)
		c.elem(root, false)
		c.put(tokEOF)
		binary.LittleEndian.PutUint32(c.buf[sizeAt:], uint32(c.pos()-sizeAt-4))
	}
	c.values(vals)
}

func (c *chunkBuilder) values(vals []tv) {
	c.put(le32(uint32(len(vals)))...)
	for _, v := range vals {
		c.put(le16(uint16(len(v.data)))...)
		c.put(v.typ, 0)
	}
	for _, v := range vals {
		c.put(v.data...)
	}
}

// record appends an event record whose BinXML is written by body.
func (c *chunkBuilder) record(id uint64, written uint64, body func()) {
	start := c.pos()
	c.put('*', '*', 0, 0)
	c.put(0, 0, 0, 0)
	c.put(le64(id)...)
	c.put(le64(written)...)
	body()
	size := c.pos() - start + 4
	c.put(le32(uint32(size))...)
	binary.LittleEndian.PutUint32(c.buf[start+4:], uint32(size))
	if c.n == 0 {
		c.firstID = id
	}
	c.lastID, c.lastRec = id, uint32(start)
	c.n++
}

// templateRecord appends a record instantiating a template.
func (c *chunkBuilder) templateRecord(id uint64, key string, root *xe, vals []tv) {
	c.record(id, 0, func() {
		c.put(tokFragment, 1, 1, 0)
		c.instance(key, root, vals)
		c.put(tokEOF)
	})
}

// bytes finishes the chunk: header fields and both CRCs.
func (c *chunkBuilder) bytes() []byte {
	b := make([]byte, chunkSize)
	copy(b, c.buf)
	copy(b, chunkMagic)
	le := binary.LittleEndian
	le.PutUint64(b[8:], c.firstID)
	le.PutUint64(b[16:], c.lastID)
	le.PutUint64(b[24:], c.firstID)
	le.PutUint64(b[32:], c.lastID)
	le.PutUint32(b[40:], 128)
	le.PutUint32(b[44:], c.lastRec)
	le.PutUint32(b[48:], uint32(len(c.buf)))
	le.PutUint32(b[52:], crc32.ChecksumIEEE(b[chunkHeaderSize:len(c.buf)]))
	le.PutUint32(b[124:], crc32.Update(crc32.ChecksumIEEE(b[:120]), crc32.IEEETable, b[128:chunkHeaderSize]))
	return b
}

// evtxFile assembles a file header and chunks.
func evtxFile(flags uint32, chunkCount int, chunks ...[]byte) []byte {
	b := make([]byte, fileHeaderBlock)
	copy(b, fileMagic)
	le := binary.LittleEndian
	le.PutUint64(b[16:], uint64(max(chunkCount-1, 0)))
	le.PutUint64(b[24:], 1000)
	le.PutUint32(b[32:], 128)
	le.PutUint16(b[36:], 1)
	le.PutUint16(b[38:], 3)
	le.PutUint16(b[40:], fileHeaderBlock)
	le.PutUint16(b[42:], uint16(chunkCount))
	le.PutUint32(b[120:], flags)
	le.PutUint32(b[124:], crc32.ChecksumIEEE(b[:120]))
	for _, c := range chunks {
		b = append(b, c...)
	}
	return b
}

// systemXE is a System element like Windows' templates have, with
// substitutions 0–4: EventID, Level, TimeCreated, EventRecordID, Computer.
func systemXE() *xe {
	return &xe{name: "System", kids: []any{
		&xe{name: "Provider", attrs: []xa{{"Name", "Test-Provider"}, {"Guid", sub{idx: 5, typ: typeGUID, opt: true}}}},
		&xe{name: "EventID", kids: []any{sub{idx: 0, typ: typeUint16}}},
		&xe{name: "Level", kids: []any{sub{idx: 1, typ: typeUint8}}},
		&xe{name: "Keywords", kids: []any{sub{idx: 6, typ: typeHexInt64}}},
		&xe{name: "TimeCreated", attrs: []xa{{"SystemTime", sub{idx: 2, typ: typeFileTime}}}},
		&xe{name: "EventRecordID", kids: []any{sub{idx: 3, typ: typeUint64}}},
		&xe{name: "Correlation", attrs: []xa{{"ActivityID", sub{idx: 7, typ: typeGUID, opt: true}}}},
		&xe{name: "Channel", kids: []any{"Test"}},
		&xe{name: "Computer", kids: []any{sub{idx: 4, typ: typeString}}},
	}}
}

// ft is 2019-08-14T14:06:44.4956748Z as a FILETIME.
const ft = 132102652044956748

var testGUID = [16]byte{0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d}

// sysVals returns values 0–7 for systemXE.
func sysVals(eventID uint16, recID uint64) []tv {
	return []tv{vU16(eventID), vU8(4), vFileTime(ft), vU64(recID), vStr("HOST"), vGUID(testGUID), vHex64(0x8020000000000000), vNull()}
}

// eventDataTemplate returns an Event with System and EventData whose Data
// elements substitute values 8… with the given names and types.
func eventDataTemplate(names []string, types []uint8) *xe {
	ed := &xe{name: "EventData"}
	for i, n := range names {
		ed.kids = append(ed.kids, &xe{name: "Data", attrs: []xa{{"Name", n}}, kids: []any{sub{idx: uint16(8 + i), typ: types[i], opt: true}}})
	}
	return &xe{name: "Event", attrs: []xa{{"xmlns", eventNS}}, kids: []any{systemXE(), ed}}
}

func crcIEEE(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
