// Package eventjson decodes JSON event documents into eql records, reading
// only the fields that compiled queries use.
//
// The fields are compiled into a trie of path segments. Decoding scans the
// document once and walks it along the trie: values under keys that lead
// to no referenced field are skipped without being converted, and strings
// are not copied, so the cost depends on the document's size and on how
// many referenced fields it holds, not on how many fields the rule set
// references. Nested objects, flattened dotted keys ({"process.pid": 1})
// and arrays of objects are all understood, as in eql.Doc.
package eventjson

import (
	"bytes"
	"fmt"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/internal/jsonscan"
)

// node is one trie node: a path segment.
type node struct {
	children map[string]*node
	id       int       // field slot ending here, or -1
	first    [4]uint64 // bitmap of the first bytes of the children's keys
	watch    bool      // a top-level key Watch asked for
	// table holds the children in open addressing by keyHash (a power of
	// two in size, at most half full): cheaper than a Go map for the short
	// keys of documents, most of which are not there.
	table []child
}

type child struct {
	key string
	n   *node
}

// keyHash mixes the length and three bytes of a non-empty key: enough to
// tell apart the keys of one object, and far cheaper than hashing them
// whole.
func keyHash(k []byte) uint32 {
	n := len(k)
	h := uint32(n)*0x9e3779b1 ^ uint32(k[0]) ^ uint32(k[n-1])<<8 ^ uint32(k[n>>1])<<16
	h ^= h >> 15
	h *= 0x2c1b3c6d
	h ^= h >> 12
	return h
}

// lookup returns the child for key exactly, or nil.
func (n *node) lookup(key []byte) *node {
	if len(key) == 0 {
		return n.children[""]
	}
	mask := uint32(len(n.table) - 1)
	for i := keyHash(key) & mask; ; i = (i + 1) & mask {
		c := &n.table[i]
		if c.n == nil {
			return nil
		}
		if c.key == string(key) {
			return c.n
		}
	}
}

// child returns the child for a document key, following a flattened key
// such as "process.pid" segment by segment, or nil. Most keys of a document
// lead nowhere; the first-byte bitmap turns most of them away before the
// table is probed (a key and its flattened form start with the same byte).
func (n *node) child(key []byte) *node {
	if len(key) == 0 {
		return n.children[""]
	}
	if n.first[key[0]>>6]&(1<<(key[0]&63)) == 0 {
		return nil
	}
	if c := n.lookup(key); c != nil {
		return c
	}
	if bytes.IndexByte(key, '.') < 0 {
		return nil
	}
	c := n
	for _, seg := range bytes.Split(key, []byte{'.'}) {
		if c.table == nil {
			return nil
		}
		if c = c.lookup(seg); c == nil {
			return nil
		}
	}
	return c
}

func newNode() *node { return &node{id: -1} }

// add makes a child for the key seg.
func (n *node) add(seg string) *node {
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := newNode()
	n.children[seg] = c
	if seg != "" {
		n.first[seg[0]>>6] |= 1 << (seg[0] & 63)
	}
	size := 4
	for size < 2*len(n.children) {
		size *= 2
	}
	n.table = make([]child, size)
	mask := uint32(size - 1)
	for k, c := range n.children {
		if k == "" {
			continue
		}
		i := keyHash([]byte(k)) & mask
		for n.table[i].n != nil {
			i = (i + 1) & mask
		}
		n.table[i] = child{k, c}
	}
	return c
}

// Decoder fills eql.Records from JSON. A Decoder is not safe for
// concurrent use: give each goroutine its own (they can share the Fields).
type Decoder struct {
	root  *node
	n     int
	s     scanner
	slots []slot        // per slot, what the current document holds
	vals  [][]eql.Value // per slot, the values of a multi-valued field
	touch []int         // slots set during the current document

	watched bool  // the current document has a watched top-level key
	own     Arena // Decode's arena, reset for each document
}

// New compiles a decoder for the given fields.
func New(fields []*eql.FieldRef) *Decoder {
	d := &Decoder{root: newNode()}
	for _, f := range fields {
		n := d.root
		for _, seg := range f.Path {
			c := n.children[seg]
			if c == nil {
				c = n.add(seg)
			}
			n = c
		}
		n.id = f.ID
		if f.ID+1 > d.n {
			d.n = f.ID + 1
		}
	}
	d.vals = make([][]eql.Value, d.n)
	d.slots = make([]slot, d.n)
	return d
}

// Watch makes Decode note whether a document has one of keys as a
// top-level member (written as is, not nested or flattened): see Watched.
// A reader that hands documents over unexamined uses it to spot the rare
// ones that are not events, at no cost to the others.
func (d *Decoder) Watch(keys ...string) {
	for _, k := range keys {
		c := d.root.children[k]
		if c == nil {
			c = d.root.add(k)
		}
		c.watch = true
	}
}

// Watched reports whether the document last decoded has a top-level key
// given to Watch.
func (d *Decoder) Watched() bool { return d.watched }

// NumFields is the number of slots a record needs for this decoder.
func (d *Decoder) NumFields() int { return d.n }

// Decode reads raw, a JSON object, and stores every referenced field into
// rec (which it resets first). String values are not copied: they point
// into raw (or, when they had escapes, into the decoder's buffer) and are
// valid only until raw is reused or the next Decode; so are the elements of
// multi-valued fields, which live in the decoder. Callers that keep an
// event freeze the record (eql.Record.Freeze copies them); eql's Runner
// copies the join keys and tiebreakers it keeps.
//
// Decode converts only the parts of the document that lead to referenced
// fields and skips the rest, but it validates all of it: a document Decode
// accepts is valid JSON (as encoding/json.Valid has it, nested at most
// 300 deep), so input needs no separate validation pass. The error for an
// invalid document says what is wrong and where.
func (d *Decoder) Decode(raw []byte, rec *eql.Record) error {
	rec.Reset()
	d.own.Reset()
	if err := d.decode(raw, &d.own); err != nil {
		return err
	}
	for _, id := range d.touch {
		rec.Set(id, d.gathered(id, &d.own))
	}
	d.clear()
	return nil
}

// Field is one decoded field: its slot (eql.FieldRef.ID) and value.
type Field struct {
	ID    int
	Value eql.Value
}

// Arena holds what decoded values point to besides the document itself:
// unescaped strings and the elements of multi-valued fields. Decode uses
// one of the decoder's own for each document; AppendFields lets the caller
// keep the values of several documents valid at once.
type Arena struct {
	strs  []byte
	lists []eql.Value
}

// Reset empties the arena for reuse: the values that point into it become
// invalid.
func (a *Arena) Reset() {
	a.strs = a.strs[:0]
	a.lists = a.lists[:0]
}

// AppendFields decodes raw as Decode does, and appends the fields found to
// dst instead of storing them in a record. The values point into raw and
// into a (never into the decoder), so they stay valid until raw or a is
// reused: a reader can decode a batch of documents for other goroutines to
// evaluate. On error dst is returned unchanged.
func (d *Decoder) AppendFields(dst []Field, raw []byte, a *Arena) ([]Field, error) {
	if err := d.decode(raw, a); err != nil {
		return dst, err
	}
	for _, id := range d.touch {
		dst = append(dst, Field{id, d.gathered(id, a)})
	}
	d.clear()
	return dst, nil
}

// decode walks raw, gathering the values of the referenced fields in
// d.vals (slots listed in d.touch) with unescaped strings in a.
func (d *Decoder) decode(raw []byte, a *Arena) error {
	d.touch = d.touch[:0]
	d.watched = false
	d.s = scanner{b: raw, arena: a.strs}
	defer func() { a.strs = d.s.arena }()
	s := &d.s
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		d.clear()
		return fmt.Errorf("event is not a JSON object")
	}
	if err := d.object(d.root); err != nil {
		d.clear()
		return invalid(raw)
	}
	s.ws()
	if s.i != len(s.b) {
		d.clear()
		return invalid(raw)
	}
	return nil
}

// slot is what a document holds for one field. Most fields have one
// value, kept here; a second moves them to Decoder.vals.
type slot struct {
	n     uint32 // 0: absent; 1: present without values (null, []); 2: one value, first; 3: several, in vals
	first eql.Value
}

// mark notes a field present, with or without values.
func (d *Decoder) mark(id int) {
	if d.slots[id].n == 0 {
		d.slots[id].n = 1
		d.touch = append(d.touch, id)
	}
}

// add gathers a value of a field.
func (d *Decoder) add(id int, v eql.Value) {
	st := &d.slots[id]
	switch st.n {
	case 0:
		d.touch = append(d.touch, id)
		st.n, st.first = 2, v
	case 1:
		st.n, st.first = 2, v
	case 2:
		st.n = 3
		d.vals[id] = append(d.vals[id][:0], st.first, v)
	default:
		d.vals[id] = append(d.vals[id], v)
	}
}

// gathered is the value gathered for slot id: null for a field present
// without values (null, []), a list (in a) for several.
func (d *Decoder) gathered(id int, a *Arena) eql.Value {
	switch st := &d.slots[id]; st.n {
	case 1:
		return eql.Null
	case 2:
		return st.first
	}
	vs := d.vals[id]
	start := len(a.lists)
	a.lists = append(a.lists, vs...)
	return eql.List(a.lists[start:len(a.lists):len(a.lists)]...)
}

// invalid explains why raw is not a valid document.
func invalid(raw []byte) error {
	if why := jsonscan.Explain(raw); why != "" {
		return fmt.Errorf("invalid JSON: %s", why)
	}
	return errSyntax
}

func (d *Decoder) clear() {
	for _, id := range d.touch {
		d.slots[id].n = 0
	}
	d.touch = d.touch[:0]
}

// object reads an object whose fields are looked up under trie node n.
func (d *Decoder) object(n *node) error {
	s := &d.s
	s.i++ // {
	if s.depth++; s.depth > maxDepth {
		return errSyntax
	}
	defer func() { s.depth-- }()
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key, esc, err := s.str()
		if err != nil {
			return err
		}
		if esc {
			k, err := s.unescape(key)
			if err != nil {
				return err
			}
			key = []byte(k)
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errSyntax
		}
		s.i++
		s.ws()
		if s.i >= len(s.b) {
			return errSyntax
		}
		c := n.child(key)
		if c != nil && c.watch {
			d.watched = true
		}
		if c == nil {
			err = s.skip()
		} else {
			err = d.value(c)
		}
		if err != nil {
			return err
		}
		if more, err := s.more('}'); !more {
			return err
		}
	}
}

// value reads the value found at trie node c: a leaf value, an object to
// walk further, or an array of either.
func (d *Decoder) value(c *node) error {
	s := &d.s
	switch s.b[s.i] {
	case '{':
		if c.children == nil {
			return s.skip()
		}
		return d.object(c)
	case '[':
		s.i++
		if s.depth++; s.depth > maxDepth {
			return errSyntax
		}
		defer func() { s.depth-- }()
		if c.id >= 0 {
			d.mark(c.id)
		}
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' {
			s.i++
			return nil
		}
		for {
			s.ws()
			if s.i >= len(s.b) {
				return errSyntax
			}
			if err := d.value(c); err != nil {
				return err
			}
			if more, err := s.more(']'); !more {
				return err
			}
		}
	}
	if c.id < 0 {
		return s.skip()
	}
	v, ok, err := s.scalar()
	if err != nil {
		return err
	}
	if ok {
		d.add(c.id, v)
	} else {
		d.mark(c.id)
	}
	return nil
}
