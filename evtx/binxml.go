package evtx

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// BinXML tokens (MS-EVEN6 2.2.12). Bit 0x40 on a token means "more data
// follows": attributes for an element, another attribute or value piece
// otherwise; it is masked off before dispatch.
const (
	tokEOF        = 0x00
	tokOpenStart  = 0x01
	tokCloseStart = 0x02
	tokCloseEmpty = 0x03
	tokEnd        = 0x04
	tokValue      = 0x05
	tokAttr       = 0x06
	tokCDATA      = 0x07
	tokCharRef    = 0x08
	tokEntityRef  = 0x09
	tokPITarget   = 0x0a
	tokPIData     = 0x0b
	tokTemplate   = 0x0c
	tokSubst      = 0x0d
	tokOptSubst   = 0x0e
	tokFragment   = 0x0f
	tokMore       = 0x40
)

// Limits that keep hostile input from exhausting the stack or memory.
// Real events stay far below them: Windows nests a handful of elements
// and at most one level of BinXML inside a template value.
const (
	maxElemDepth = 64 // element nesting inside one fragment
	maxDocDepth  = 8  // template instances / nested BinXML inside one another
	// XML nodes produced by one record, and by all records of a chunk.
	// The sample corpus peaks at 269 and 20,209; the chunk limit bounds
	// the time a hostile chunk (records re-instantiating a template that
	// explodes) can take.
	maxEvents      = 1 << 16
	maxChunkEvents = 1 << 20
	maxExpanded    = 8 << 20 // bytes of values substituted into one record
	maxNames       = 8192    // interned names kept per reader
)

type opKind uint8

const (
	opElem     opKind = iota // a = index of matching opEnd, b = first content op
	opAttr                   // a = index after the attribute's value ops
	opText                   // literal text; lit says which token it came from
	opSub                    // substitution: sub = index, opt = optional
	opEnd                    // end of element
	opPI                     // processing instruction: s = target; data in a following litPIData opText
	opTemplate               // template instance inside a fragment: a = index in template.insts
)

// Literal kinds, kept so the XML writer can reproduce the original token.
const (
	litText    = iota
	litCDATA   // CDATA section
	litCharRef // &#N; – text holds the character
	litEntity  // &name; – s holds the entity name
	litPIData  // data of the preceding opPI
)

// Element flags computed while compiling.
const (
	elemHasSubs  = 1 << iota // a substitution sits directly in the attributes or content
	elemOnlySubs             // the content is nothing but substitutions
)

// op is one step of a compiled BinXML fragment. Templates are compiled once
// per chunk and replayed for every record that instantiates them, so ops
// are kept small (32 bytes).
type op struct {
	kind  opKind
	lit   uint8
	flags uint8
	sub   uint16 // opSub: substitution index
	a, b  int32
	// s is the element, attribute, PI target or entity name, or the
	// literal text of opText.
	s string
}

// inst is a template instance nested in a compiled fragment: its values
// are fixed bytes of the chunk.
type inst struct {
	t    *template
	vals []value
}

// template is a compiled template definition (cached per chunk by
// offset) or a compiled plain fragment.
type template struct {
	ops   []op
	insts []inst // referenced by opTemplate.a
	next  int    // plain fragments: offset after the compiled item
	busy  bool   // being compiled: a reference back to it is a loop
	err   error
}

// Event kinds produced by expansion.
const (
	evStart = iota
	evAttr
	evAttrVal
	evText
	evEnd
	evPI
	evPIData // data of the preceding evPI
)

// event is one node of an expanded record, in document order. Values are
// not rendered yet (consumers render only what they need) and refer to the
// chunk buffer by offset, which keeps events small and pointer-light.
type event struct {
	kind uint8
	lit  uint8
	t    uint8  // value type; typeLiteral: s is the text
	off  int32  // value bytes: chunk[off : off+n]
	n    int32  //
	s    string // element/attribute/PI/entity name, or literal text
}

// val returns the value of a text or attribute-value event.
func (e *event) val(buf []byte) value {
	if e.t == typeLiteral {
		if e.lit == litEntity {
			return value{t: typeLiteral, s: entityText(e.s)}
		}
		return value{t: typeLiteral, s: e.s}
	}
	return value{t: e.t, b: buf[e.off : e.off+e.n], off: e.off}
}

// valueEvent makes an event for the wire value v.
func valueEvent(kind uint8, v value) event {
	return event{kind: kind, t: v.t, off: v.off, n: int32(len(v.b))}
}

// binErr is a BinXML parse error at a chunk offset.
type binErr struct {
	off int
	msg string
}

func (e *binErr) Error() string { return fmt.Sprintf("BinXML at chunk offset 0x%x: %s", e.off, e.msg) }

func errAt(off int, format string, args ...any) error {
	return &binErr{off: off, msg: fmt.Sprintf(format, args...)}
}

// expander turns the BinXML of one record into events. It lives for the
// whole Reader so its buffers and caches are reused.
type expander struct {
	buf     []byte // current chunk
	spent   int    // events expanded in this chunk by earlier records
	names   map[uint32]string
	tmpls   map[uint32]*template
	frags   map[uint32]*template // compiled plain fragments by offset<<1 | noDep
	intern  map[string]string
	ev      []event
	arena   []op   // ops of this chunk's compiled templates and fragments
	scratch [][]op // per compilation in progress
	active  int    // compilations in progress
	vals    [maxDocDepth + 1][]value
	items   []value
	tmp     []byte
	budget  int
}

func newExpander() *expander {
	return &expander{
		names:  make(map[uint32]string),
		tmpls:  make(map[uint32]*template),
		frags:  make(map[uint32]*template),
		intern: make(map[string]string),
	}
}

// reset prepares for a new chunk: names and templates are chunk-relative.
func (x *expander) reset(buf []byte) {
	x.buf = buf
	x.spent = 0
	// Nothing refers to the previous chunk's templates any more.
	clear(x.arena)
	x.arena = x.arena[:0]
	clear(x.names)
	clear(x.tmpls)
	clear(x.frags)
}

// record expands the BinXML document of one event record.
func (x *expander) record(pos, end int) error {
	x.spent += len(x.ev)
	x.ev = x.ev[:0]
	x.budget = maxExpanded
	if x.spent > maxChunkEvents {
		return errAt(pos, "chunk expands to more than %d nodes; record not expanded", maxChunkEvents)
	}
	_, err := x.document(pos, end, 0, false)
	return err
}

// document expands a BinXML document at [pos, end): fragment headers,
// template instances, elements and processing instructions up to EOF.
// noDep is set for nested BinXML values that start directly with an
// element: those omit the dependency identifier (as libfwevt reads them).
func (x *expander) document(pos, end, depth int, noDep bool) (int, error) {
	if depth > maxDocDepth {
		return pos, errAt(pos, "BinXML nested more than %d levels", maxDocDepth)
	}
	for pos < end {
		switch tok := x.buf[pos]; tok &^ tokMore {
		case tokEOF:
			return pos + 1, nil
		case tokFragment:
			if pos+4 > end {
				return pos, errAt(pos, "truncated fragment header")
			}
			pos += 4
		case tokTemplate:
			t, vpos, err := x.instanceHeader(pos, end, depth)
			if err != nil {
				return pos, err
			}
			vals, next, err := x.readValues(vpos, end, x.vals[depth][:0])
			x.vals[depth] = vals
			if err != nil {
				return pos, err
			}
			if err := x.expand(t, vals, depth+1); err != nil {
				return pos, err
			}
			pos = next
		case tokOpenStart, tokPITarget:
			// The compiled form depends on noDep, so it is part of the key.
			key := uint32(pos) << 1
			if noDep {
				key |= 1
			}
			f := x.frags[key]
			if f == nil {
				c := x.newCompiler(noDep, depth)
				next, err := c.item(pos, end)
				ops := x.finish(&c)
				if err != nil {
					return pos, err
				}
				f = &template{ops: ops, insts: c.insts, next: next}
				x.frags[key] = f
			}
			if err := x.expand(f, nil, depth); err != nil {
				return pos, err
			}
			pos = f.next
		default:
			return pos, errAt(pos, "unexpected token 0x%02x in document", tok)
		}
	}
	// Running out of data without EOF is tolerated: the content is complete.
	return pos, nil
}

// instanceHeader reads a template instance token at pos and returns the
// compiled template and the offset of its value descriptors.
func (x *expander) instanceHeader(pos, end, depth int) (*template, int, error) {
	// token, unknown byte, template id (4), definition offset (4)
	if pos+10 > end {
		return nil, 0, errAt(pos, "truncated template instance")
	}
	def := int(binary.LittleEndian.Uint32(x.buf[pos+6:]))
	vpos := pos + 10
	if def > vpos {
		return nil, 0, errAt(pos, "template definition offset 0x%x lies after the instance", def)
	}
	if def+24 > len(x.buf) {
		return nil, 0, errAt(pos, "template definition offset 0x%x out of chunk", def)
	}
	size := int(binary.LittleEndian.Uint32(x.buf[def+20:]))
	if size > len(x.buf)-def-24 {
		return nil, 0, errAt(def, "template definition size %d exceeds chunk", size)
	}
	if def == vpos {
		// Defined inline: the values follow the definition.
		vpos = def + 24 + size
		if vpos > end {
			return nil, 0, errAt(pos, "inline template definition exceeds record")
		}
	}
	t, err := x.template(def, size, depth)
	return t, vpos, err
}

// template returns the compiled template defined at def, compiling it on
// first use. Definitions are found by offset whether they were introduced
// by an earlier (possibly damaged) record or not, as libevtx does.
func (x *expander) template(def, size, depth int) (*template, error) {
	if t := x.tmpls[uint32(def)]; t != nil {
		if t.busy {
			return nil, errAt(def, "template refers to itself")
		}
		return t, t.err
	}
	t := &template{busy: true}
	x.tmpls[uint32(def)] = t
	c := x.newCompiler(false, depth+1)
	_, err := c.seq(def+24, def+24+size)
	ops := x.finish(&c)
	if err == nil && len(ops) == 0 {
		err = errAt(def, "empty template definition")
	}
	t.ops, t.insts, t.err, t.busy = ops, c.insts, err, false
	return t, err
}

// newCompiler starts a compilation into a reusable scratch slice; one per
// compilation in progress, as compiling a template can start another.
func (x *expander) newCompiler(noDep bool, depth int) compiler {
	if x.active == len(x.scratch) {
		x.scratch = append(x.scratch, nil)
	}
	c := compiler{x: x, noDep: noDep, depth: depth, ops: x.scratch[x.active][:0]}
	x.active++
	return c
}

// finish ends a compilation: the ops move to the chunk's op arena, so
// templates, compiled anew in every chunk, cost no allocation once the
// arena has grown to a chunk's needs.
func (x *expander) finish(c *compiler) []op {
	x.active--
	x.scratch[x.active] = c.ops[:0]
	n := len(c.ops)
	if cap(x.arena)-len(x.arena) < n {
		// Templates of this chunk keep the old array; the next chunk
		// reuses the new, larger one.
		x.arena = make([]op, 0, max(2*cap(x.arena), n, 1024))
	}
	start := len(x.arena)
	x.arena = append(x.arena, c.ops...)
	return x.arena[start : start+n : start+n]
}

// readValues reads the value descriptors (count, then size/type pairs) and
// data of a template instance; it returns the offset after the data.
func (x *expander) readValues(pos, end int, dst []value) ([]value, int, error) {
	if pos+4 > end {
		return dst, pos, errAt(pos, "truncated template value count")
	}
	n := int(binary.LittleEndian.Uint32(x.buf[pos:]))
	pos += 4
	if n > (end-pos)/4 {
		return dst, pos, errAt(pos, "template value count %d exceeds record", n)
	}
	data := pos + 4*n
	for i := 0; i < n; i++ {
		d := x.buf[pos+4*i:]
		size := int(binary.LittleEndian.Uint16(d))
		if size > end-data {
			return dst, pos, errAt(pos+4*i, "template value %d of %d bytes exceeds record", i, size)
		}
		dst = append(dst, value{t: d[2], b: x.buf[data : data+size : data+size], off: int32(data)})
		data += size
	}
	return dst, data, nil
}

// name resolves an element/attribute/entity name at nameOff. When the
// name is defined right here (nameOff == pos) its bytes are skipped; the
// returned offset is where parsing continues.
func (x *expander) name(nameOff, pos, end int) (string, int, error) {
	if nameOff > pos {
		return "", pos, errAt(pos, "name offset 0x%x points forward", nameOff)
	}
	limit := len(x.buf)
	if nameOff == pos {
		limit = end
	}
	// next offset (4), hash (2), character count (2), UTF-16, NUL (2)
	if nameOff+8 > limit {
		return "", pos, errAt(pos, "name at 0x%x out of bounds", nameOff)
	}
	n := int(binary.LittleEndian.Uint16(x.buf[nameOff+6:]))
	if nameOff+10+2*n > limit {
		return "", pos, errAt(pos, "name at 0x%x of %d characters out of bounds", nameOff, n)
	}
	if nameOff == pos {
		pos += 10 + 2*n
	}
	if s, ok := x.names[uint32(nameOff)]; ok {
		return s, pos, nil
	}
	s := x.internUTF16(x.buf[nameOff+8 : nameOff+8+2*n])
	x.names[uint32(nameOff)] = s
	return s, pos, nil
}

// internUTF16 decodes a name or template literal and shares the string
// across chunks and files: the same few hundred names and Data Name values
// (System, Data, SubjectUserSid, …) recur in every chunk.
func (x *expander) internUTF16(b []byte) string {
	x.tmp = appendUTF16(x.tmp[:0], b)
	if s, ok := x.intern[string(x.tmp)]; ok {
		return s
	}
	s := string(x.tmp)
	if len(x.intern) < maxNames && len(s) <= 64 {
		x.intern[s] = s
	}
	return s
}

// compiler turns BinXML tokens into ops.
type compiler struct {
	x     *expander
	ops   []op
	insts []inst
	noDep bool
	depth int // document depth, for nested template instances
	nest  int // element nesting
}

// seq compiles a fragment: fragment headers, then elements, template
// instances or PIs, up to EOF or end.
func (c *compiler) seq(pos, end int) (int, error) {
	for pos < end {
		switch tok := c.x.buf[pos]; tok &^ tokMore {
		case tokEOF:
			return pos + 1, nil
		case tokFragment:
			if pos+4 > end {
				return pos, errAt(pos, "truncated fragment header")
			}
			pos += 4
		default:
			next, err := c.item(pos, end)
			if err != nil {
				return pos, err
			}
			pos = next
		}
	}
	return pos, nil
}

// item compiles one element, PI or template instance.
func (c *compiler) item(pos, end int) (int, error) {
	switch tok := c.x.buf[pos]; tok &^ tokMore {
	case tokOpenStart:
		return c.element(pos, end)
	case tokPITarget:
		return c.pi(pos, end)
	case tokTemplate:
		return c.instance(pos, end)
	default:
		return pos, errAt(pos, "unexpected token 0x%02x", tok)
	}
}

func (c *compiler) element(pos, end int) (int, error) {
	buf := c.x.buf
	if c.nest >= maxElemDepth {
		return pos, errAt(pos, "elements nested more than %d deep", maxElemDepth)
	}
	c.nest++
	defer func() { c.nest-- }()
	hasAttrs := buf[pos]&tokMore != 0
	q := pos + 1
	if !c.noDep {
		q += 2 // dependency identifier
	}
	if q+8 > end {
		return pos, errAt(pos, "truncated element")
	}
	// q: data size (4), not needed: the tokens delimit the element.
	nameOff := int(binary.LittleEndian.Uint32(buf[q+4:]))
	name, q, err := c.x.name(nameOff, q+8, end)
	if err != nil {
		return pos, err
	}
	idx := len(c.ops)
	c.ops = append(c.ops, op{kind: opElem, s: name})
	if hasAttrs {
		if q+4 > end {
			return pos, errAt(q, "truncated attribute list")
		}
		size := int(binary.LittleEndian.Uint32(buf[q:]))
		q += 4
		if size > end-q {
			return pos, errAt(q, "attribute list of %d bytes exceeds data", size)
		}
		attrEnd := q + size
		for q < attrEnd {
			if buf[q]&^tokMore != tokAttr {
				return pos, errAt(q, "expected attribute, found token 0x%02x", buf[q])
			}
			if q, err = c.attribute(q, end, idx); err != nil {
				return pos, err
			}
		}
	}
	if q >= end {
		return pos, errAt(q, "element <%s> not closed", name)
	}
	switch buf[q] {
	case tokCloseEmpty:
		c.ops[idx].b = int32(len(c.ops))
		c.ops = append(c.ops, op{kind: opEnd})
		c.ops[idx].a = int32(len(c.ops) - 1)
		return q + 1, nil
	case tokCloseStart:
		q++
	default:
		return pos, errAt(q, "element <%s>: expected end of start tag, found token 0x%02x", name, buf[q])
	}
	c.ops[idx].b = int32(len(c.ops))
	onlySubs, nsubs := true, 0
	for {
		if q >= end {
			return pos, errAt(q, "element <%s> has no end tag", name)
		}
		tok := buf[q]
		if tok&^tokMore == tokEnd {
			q++
			break
		}
		switch tok &^ tokMore {
		case tokOpenStart:
			onlySubs = false
			q, err = c.element(q, end)
		case tokPITarget:
			onlySubs = false
			q, err = c.pi(q, end)
		case tokTemplate:
			onlySubs = false
			q, err = c.instance(q, end)
		case tokSubst, tokOptSubst:
			nsubs++
			q, err = c.subst(q, end)
		default:
			onlySubs = false
			q, err = c.text(q, end)
		}
		if err != nil {
			return pos, err
		}
	}
	if nsubs > 0 {
		c.ops[idx].flags |= elemHasSubs
		if onlySubs {
			c.ops[idx].flags |= elemOnlySubs
		}
	}
	c.ops = append(c.ops, op{kind: opEnd})
	c.ops[idx].a = int32(len(c.ops) - 1)
	return q, nil
}

// attribute compiles an attribute and its value pieces.
func (c *compiler) attribute(q, end, elem int) (int, error) {
	buf := c.x.buf
	if q+5 > end {
		return q, errAt(q, "truncated attribute")
	}
	name, q, err := c.x.name(int(binary.LittleEndian.Uint32(buf[q+1:])), q+5, end)
	if err != nil {
		return q, err
	}
	idx := len(c.ops)
	c.ops = append(c.ops, op{kind: opAttr, s: name})
	for q < end {
		switch buf[q] &^ tokMore {
		case tokValue, tokCharRef, tokEntityRef:
			q, err = c.text(q, end)
		case tokSubst, tokOptSubst:
			c.ops[elem].flags |= elemHasSubs
			q, err = c.subst(q, end)
		default:
			c.ops[idx].a = int32(len(c.ops))
			return q, nil
		}
		if err != nil {
			return q, err
		}
	}
	return q, errAt(q, "attribute %s not terminated", name)
}

func (c *compiler) subst(q, end int) (int, error) {
	if q+4 > end {
		return q, errAt(q, "truncated substitution")
	}
	b := c.x.buf[q:]
	// Normal and optional substitutions behave alike when expanded: a
	// NULL value leaves out the enclosing attribute or value-only element
	// (libevtx does the same for both).
	c.ops = append(c.ops, op{kind: opSub, sub: binary.LittleEndian.Uint16(b[1:])})
	return q + 4, nil
}

// text compiles value text, CDATA and character/entity references.
func (c *compiler) text(q, end int) (int, error) {
	buf := c.x.buf
	switch tok := buf[q]; tok &^ tokMore {
	case tokValue:
		if q+4 > end {
			return q, errAt(q, "truncated value text")
		}
		t := buf[q+1]
		n := int(binary.LittleEndian.Uint16(buf[q+2:]))
		switch t {
		case typeString:
			if q+4+2*n > end {
				return q, errAt(q, "value text of %d characters exceeds data", n)
			}
			s := c.x.internUTF16(buf[q+4 : q+4+2*n])
			c.ops = append(c.ops, op{kind: opText, s: s})
			return q + 4 + 2*n, nil
		case typeAnsiString:
			if q+4+n > end {
				return q, errAt(q, "value text of %d bytes exceeds data", n)
			}
			s := string(appendANSI(nil, buf[q+4:q+4+n]))
			c.ops = append(c.ops, op{kind: opText, s: s})
			return q + 4 + n, nil
		}
		return q, errAt(q, "value text of unsupported type 0x%02x", t)
	case tokCDATA:
		if q+3 > end {
			return q, errAt(q, "truncated CDATA")
		}
		n := int(binary.LittleEndian.Uint16(buf[q+1:]))
		if q+3+2*n > end {
			return q, errAt(q, "CDATA of %d characters exceeds data", n)
		}
		s := string(appendUTF16(nil, buf[q+3:q+3+2*n]))
		c.ops = append(c.ops, op{kind: opText, lit: litCDATA, s: s})
		return q + 3 + 2*n, nil
	case tokCharRef:
		if q+3 > end {
			return q, errAt(q, "truncated character reference")
		}
		r := rune(binary.LittleEndian.Uint16(buf[q+1:]))
		c.ops = append(c.ops, op{kind: opText, lit: litCharRef, s: string(r)})
		return q + 3, nil
	case tokEntityRef:
		if q+5 > end {
			return q, errAt(q, "truncated entity reference")
		}
		name, next, err := c.x.name(int(binary.LittleEndian.Uint32(buf[q+1:])), q+5, end)
		if err != nil {
			return q, err
		}
		c.ops = append(c.ops, op{kind: opText, lit: litEntity, s: name})
		return next, nil
	default:
		return q, errAt(q, "unexpected token 0x%02x in element content", tok)
	}
}

// entityText expands the predefined XML entities; others stay as written.
func entityText(name string) string {
	switch name {
	case "amp":
		return "&"
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "quot":
		return `"`
	case "apos":
		return "'"
	}
	if len(name) > 1 && name[0] == '#' {
		var n uint64
		var err error
		if name[1] == 'x' || name[1] == 'X' {
			n, err = strconv.ParseUint(name[2:], 16, 32)
		} else {
			n, err = strconv.ParseUint(name[1:], 10, 32)
		}
		if err == nil {
			return string(rune(n))
		}
	}
	return "&" + name + ";"
}

// pi compiles a processing instruction: a target, optionally followed by data.
func (c *compiler) pi(q, end int) (int, error) {
	buf := c.x.buf
	if q+5 > end {
		return q, errAt(q, "truncated PI target")
	}
	name, q, err := c.x.name(int(binary.LittleEndian.Uint32(buf[q+1:])), q+5, end)
	if err != nil {
		return q, err
	}
	c.ops = append(c.ops, op{kind: opPI, s: name})
	if q < end && buf[q]&^tokMore == tokPIData {
		if q+3 > end {
			return q, errAt(q, "truncated PI data")
		}
		n := int(binary.LittleEndian.Uint16(buf[q+1:]))
		if q+3+2*n > end {
			return q, errAt(q, "PI data of %d characters exceeds data", n)
		}
		c.ops = append(c.ops, op{kind: opText, lit: litPIData, s: string(appendUTF16(nil, buf[q+3:q+3+2*n]))})
		q += 3 + 2*n
	}
	return q, nil
}

// instance compiles a template instance that appears inside a fragment:
// its values are fixed bytes of the chunk, so they are captured here.
func (c *compiler) instance(q, end int) (int, error) {
	if c.depth+1 > maxDocDepth {
		return q, errAt(q, "template instances nested more than %d levels", maxDocDepth)
	}
	t, vpos, err := c.x.instanceHeader(q, end, c.depth)
	if err != nil {
		return q, err
	}
	vals, next, err := c.x.readValues(vpos, end, nil)
	if err != nil {
		return q, err
	}
	c.ops = append(c.ops, op{kind: opTemplate, a: int32(len(c.insts))})
	c.insts = append(c.insts, inst{t: t, vals: vals})
	return next, nil
}

// expand replays a compiled template or fragment with the instance
// values vals.
func (x *expander) expand(t *template, vals []value, depth int) error {
	if depth > 4*maxDocDepth {
		return errAt(0, "templates nested more than %d levels", 4*maxDocDepth)
	}
	ops := t.ops
	for i := 0; i < len(ops); {
		if err := x.tooBig(); err != nil {
			return err
		}
		var err error
		switch ops[i].kind {
		case opElem:
			i, err = x.element(t, i, vals, depth)
			if err != nil {
				return err
			}
			continue
		case opPI, opTemplate:
			i, err = x.misc(t, i, depth)
			if err != nil {
				return err
			}
			continue
		}
		i++
	}
	return x.tooBig()
}

// misc emits a PI or a nested template instance at ops[i] and returns the
// index of the next op.
func (x *expander) misc(t *template, i, depth int) (int, error) {
	o := &t.ops[i]
	if o.kind == opTemplate {
		in := &t.insts[o.a]
		return i + 1, x.expand(in.t, in.vals, depth+1)
	}
	x.emit(event{kind: evPI, s: o.s})
	if i+1 < len(t.ops) && t.ops[i+1].kind == opText && t.ops[i+1].lit == litPIData {
		i++
		x.emit(event{kind: evPIData, t: typeLiteral, s: t.ops[i].s})
	}
	return i + 1, nil
}

// subValue returns the value for a substitution, or an error when the
// index is outside the instance's values.
func subValue(o *op, vals []value) (value, error) {
	if int(o.sub) >= len(vals) {
		return value{}, errAt(0, "substitution %d but the template instance has %d values", o.sub, len(vals))
	}
	return vals[o.sub], nil
}

// element expands the element whose opElem is ops[i] and returns the index
// after its opEnd. Following libevtx, an element whose content is only
// substitutions that are all NULL is left out, and an element whose
// content substitution is an array is repeated once per item.
func (x *expander) element(t *template, i int, vals []value, depth int) (int, error) {
	ops := t.ops
	e := &ops[i]
	end := int(e.a)
	if end <= i || end >= len(ops) {
		return 0, errAt(0, "corrupt compiled element")
	}
	reps := -1 // not an array element
	if e.flags&elemHasSubs != 0 {
		allNull := true
		for j := int(e.b); j < end; {
			o := &ops[j]
			switch o.kind {
			case opElem:
				j = int(o.a) + 1
				continue
			case opSub:
				v, err := subValue(o, vals)
				if err != nil {
					return 0, err
				}
				if !v.isNull() {
					allNull = false
					if v.t&typeArray != 0 && reps < 0 {
						x.items = arrayItems(v, x.items[:0])
						reps = len(x.items)
					}
				}
			}
			j++
		}
		if allNull && e.flags&elemOnlySubs != 0 {
			return end + 1, nil
		}
	}
	if reps <= 0 {
		return end + 1, x.emitElement(t, i, vals, depth, -1)
	}
	for k := 0; k < reps; k++ {
		if err := x.emitElement(t, i, vals, depth, k); err != nil {
			return 0, err
		}
	}
	return end + 1, nil
}

// emitElement emits one copy of an element; item selects the array item
// for array substitutions (-1: not repeating).
func (x *expander) emitElement(t *template, i int, vals []value, depth, item int) error {
	if err := x.tooBig(); err != nil {
		return err
	}
	ops := t.ops
	e := &ops[i]
	end := int(e.a)
	x.emit(event{kind: evStart, s: e.s})
	for j := i + 1; j < int(e.b); {
		a := &ops[j]
		if a.kind != opAttr || int(a.a) <= j || int(a.a) > int(e.b) {
			return errAt(0, "corrupt compiled attribute")
		}
		if err := x.attribute(ops[j+1:a.a], a.s, vals); err != nil {
			return err
		}
		j = int(a.a)
	}
	for j := int(e.b); j < end; {
		o := &ops[j]
		var err error
		switch o.kind {
		case opElem:
			if j, err = x.element(t, j, vals, depth); err != nil {
				return err
			}
			continue
		case opPI, opTemplate:
			if j, err = x.misc(t, j, depth); err != nil {
				return err
			}
			continue
		case opText:
			x.literal(o, evText)
		case opSub:
			v, err := subValue(o, vals)
			if err != nil {
				return err
			}
			if err := x.content(v, depth, item); err != nil {
				return err
			}
		}
		j++
	}
	x.emit(event{kind: evEnd, s: e.s})
	return nil
}

// literal emits template text (value text, CDATA, references).
func (x *expander) literal(o *op, kind uint8) {
	x.emit(event{kind: kind, lit: o.lit, t: typeLiteral, s: o.s})
}

// content emits a substitution value inside element content.
func (x *expander) content(v value, depth, item int) error {
	switch {
	case v.isNull():
		return nil
	case v.t == typeBinXML:
		if len(v.b) == 0 {
			return nil
		}
		off := int(v.off)
		noDep := v.b[0]&^tokMore == tokOpenStart
		_, err := x.document(off, off+len(v.b), depth+1, noDep)
		return err
	case v.t&typeArray != 0:
		if item < 0 {
			// An array mixed into other content: render every item.
			for _, it := range arrayItems(v, nil) {
				x.emitText(it)
			}
			return nil
		}
		x.items = arrayItems(v, x.items[:0])
		if item < len(x.items) {
			x.emitText(x.items[item])
		}
		return nil
	}
	x.emitText(v)
	return nil
}

func (x *expander) emitText(v value) {
	x.budget -= 16 + 4*len(v.b)
	x.emit(valueEvent(evText, v))
}

// attribute emits an attribute whose value pieces are ops. An attribute
// made only of NULL substitutions is left out (libevtx, Windows). Array
// values are rendered as their items separated by spaces.
func (x *expander) attribute(ops []op, name string, vals []value) error {
	start := len(x.ev)
	x.emit(event{kind: evAttr, s: name})
	onlySubs, allNull := true, true
	for k := range ops {
		o := &ops[k]
		switch o.kind {
		case opText:
			onlySubs = false
			x.literal(o, evAttrVal)
		case opSub:
			v, err := subValue(o, vals)
			if err != nil {
				return err
			}
			if v.isNull() || v.t == typeBinXML {
				continue
			}
			allNull = false
			if v.t&typeArray != 0 {
				for n, it := range arrayItems(v, nil) {
					if n > 0 {
						x.emit(event{kind: evAttrVal, t: typeLiteral, s: " "})
					}
					x.budget -= 16 + 4*len(it.b)
					x.emit(valueEvent(evAttrVal, it))
				}
				continue
			}
			x.budget -= 16 + 4*len(v.b)
			x.emit(valueEvent(evAttrVal, v))
		}
	}
	if onlySubs && allNull && len(ops) > 0 {
		x.ev = x.ev[:start]
	}
	return nil
}

func (x *expander) emit(e event) { x.ev = append(x.ev, e) }

// tooBig reports whether the record has grown past the expansion limits;
// checked at every element and template so that hostile templates that
// instantiate each other many times stop early.
func (x *expander) tooBig() error {
	if len(x.ev) > maxEvents || x.budget < 0 || x.spent+len(x.ev) > maxChunkEvents {
		return errAt(0, "record expands to more than %d nodes or %d bytes", maxEvents, maxExpanded)
	}
	return nil
}
