// Package eventjson decodes JSON event documents into eql records, reading
// only the fields that compiled queries use.
//
// The fields are compiled into a trie of path segments. Decoding parses
// the document once (fastjson, which also validates it) and walks it along
// the trie: keys that lead to no referenced field are skipped without
// converting their values, so the cost depends on the document's size and
// on how many referenced fields it holds, not on how many fields the rule
// set references. Nested objects, flattened dotted keys ({"process.pid": 1})
// and arrays of objects are all understood, as in eql.Doc.
package eventjson

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/valyala/fastjson"

	"github.com/eqld/eqld/eql"
)

// node is one trie node: a path segment.
type node struct {
	children map[string]*node
	id       int // field slot ending here, or -1
}

func newNode() *node { return &node{id: -1} }

// Decoder fills eql.Records from JSON. A Decoder is not safe for
// concurrent use: give each goroutine its own (they can share the Fields).
type Decoder struct {
	root   *node
	n      int
	parser fastjson.Parser
	vals   [][]eql.Value // per slot, values gathered while walking (multi-valued)
	seen   []bool        // per slot, touched by the current document
	touch  []int         // slots set during the current document
}

// New compiles a decoder for the given fields.
func New(fields []*eql.FieldRef) *Decoder {
	d := &Decoder{root: newNode()}
	for _, f := range fields {
		n := d.root
		for _, seg := range f.Path {
			c := n.children[seg]
			if c == nil {
				if n.children == nil {
					n.children = map[string]*node{}
				}
				c = newNode()
				n.children[seg] = c
			}
			n = c
		}
		n.id = f.ID
		if f.ID+1 > d.n {
			d.n = f.ID + 1
		}
	}
	d.vals = make([][]eql.Value, d.n)
	d.seen = make([]bool, d.n)
	return d
}

// NumFields is the number of slots a record needs for this decoder.
func (d *Decoder) NumFields() int { return d.n }

// Decode parses raw, a JSON object, and stores every referenced field into
// rec (which it resets first). String values are not copied: they point
// into the decoder's parse buffer and are valid only until the next Decode.
// Callers that keep an event freeze the record (eql.Record.Freeze copies
// them); eql's Runner copies the join keys and tiebreakers it keeps.
func (d *Decoder) Decode(raw []byte, rec *eql.Record) error {
	v, err := d.parser.ParseBytes(raw)
	if err != nil {
		return err
	}
	obj, err := v.Object()
	if err != nil {
		return fmt.Errorf("event is not a JSON object")
	}
	rec.Reset()
	d.touch = d.touch[:0]
	d.walk(obj, d.root)
	for _, id := range d.touch {
		vs := d.vals[id]
		switch {
		case len(vs) == 0:
			rec.Set(id, eql.Null) // present, but null or an empty array
		case len(vs) == 1:
			rec.Set(id, vs[0])
		default:
			rec.Set(id, eql.List(append([]eql.Value(nil), vs...)...))
		}
		d.vals[id] = vs[:0]
		d.seen[id] = false
	}
	return nil
}

func (d *Decoder) walk(obj *fastjson.Object, n *node) {
	obj.Visit(func(key []byte, v *fastjson.Value) {
		c := n.children[string(key)]
		if c == nil {
			if bytes.IndexByte(key, '.') < 0 {
				return
			}
			// A flattened key such as "process.pid": follow each segment.
			c = n
			for _, seg := range bytes.Split(key, []byte{'.'}) {
				if c = c.children[string(seg)]; c == nil {
					return
				}
			}
		}
		d.value(v, c)
	})
}

// value handles the value found at trie node c: a leaf value, an object to
// walk further, or an array of either.
func (d *Decoder) value(v *fastjson.Value, c *node) {
	switch v.Type() {
	case fastjson.TypeObject:
		if c.children != nil {
			o, _ := v.Object()
			d.walk(o, c)
		}
	case fastjson.TypeArray:
		arr, _ := v.Array()
		if c.id >= 0 {
			d.mark(c.id)
		}
		for _, e := range arr {
			d.value(e, c)
		}
	default:
		if c.id < 0 {
			return
		}
		d.mark(c.id)
		if val, ok := scalar(v); ok {
			d.vals[c.id] = append(d.vals[c.id], val)
		}
	}
}

func (d *Decoder) mark(id int) {
	if !d.seen[id] {
		d.touch = append(d.touch, id)
		d.seen[id] = true
	}
}

// scalar converts a JSON scalar; null gives ok == false.
func scalar(v *fastjson.Value) (eql.Value, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		b := v.GetStringBytes()
		if len(b) == 0 {
			return eql.String(""), true
		}
		// Zero-copy: the bytes live in the parser's buffer until the next
		// Decode (see Decode).
		return eql.String(unsafe.String(unsafe.SliceData(b), len(b))), true
	case fastjson.TypeNumber:
		if i, err := v.Int64(); err == nil {
			return eql.Int(i), true
		}
		f, err := v.Float64()
		if err != nil {
			return eql.Null, false
		}
		return eql.Float(f), true
	case fastjson.TypeTrue:
		return eql.Bool(true), true
	case fastjson.TypeFalse:
		return eql.Bool(false), true
	}
	return eql.Null, false
}
