package eql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Event is what a compiled query reads from: the values of fields. The
// executor never looks inside an event any other way, so callers can back
// it with a decoded map (Doc), a slot array filled by a fast decoder
// (Record), or anything else.
type Event interface {
	// Lookup returns the value of the field f and whether the document has
	// the field at all; an explicit JSON null is present with value Null.
	// Arrays are returned as a KindList value (see List).
	Lookup(f *FieldRef) (Value, bool)
}

// FieldRef is a field name resolved for fast lookups. FieldRefs are
// interned in a Fields table; two queries compiled with the same table share
// them, so a decoder can fill every field any of them reads in one pass.
type FieldRef struct {
	Name string   // the dotted field name (after following aliases)
	Path []string // Name split at dots
	ID   int      // position in the Fields table

	// prefixes[i] is Path[:i+1] joined with dots, for documents that carry
	// flattened keys such as {"process.pid": 1}.
	prefixes []string
}

func newFieldRef(name string, id int) *FieldRef {
	path := strings.Split(name, ".")
	prefixes := make([]string, len(path))
	for i := range path {
		prefixes[i] = strings.Join(path[:i+1], ".")
	}
	return &FieldRef{Name: name, Path: path, ID: id, prefixes: prefixes}
}

// Fields interns field references. It is safe for concurrent use.
type Fields struct {
	mu   sync.RWMutex
	ids  map[string]*FieldRef
	refs []*FieldRef
}

// NewFields returns an empty table.
func NewFields() *Fields { return &Fields{ids: map[string]*FieldRef{}} }

// Ref returns the reference for name, adding it if needed.
func (t *Fields) Ref(name string) *FieldRef {
	t.mu.RLock()
	r, ok := t.ids[name]
	t.mu.RUnlock()
	if ok {
		return r
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if r, ok := t.ids[name]; ok {
		return r
	}
	r = newFieldRef(name, len(t.refs))
	t.ids[name] = r
	t.refs = append(t.refs, r)
	return r
}

// All returns every interned reference, in ID order.
func (t *Fields) All() []*FieldRef {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return append([]*FieldRef(nil), t.refs...)
}

// Len returns the number of interned references.
func (t *Fields) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.refs)
}

// Doc is an Event backed by a decoded JSON object. Nested objects and
// flattened dotted keys are both understood; arrays of objects yield the
// values found in each element.
type Doc map[string]any

// ParseDoc decodes one JSON object into a Doc, keeping integers exact.
func ParseDoc(data []byte) (Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("event is not a JSON object")
	}
	return Doc(m), nil
}

// Lookup implements Event.
func (d Doc) Lookup(f *FieldRef) (Value, bool) {
	raw, ok := lookupAny(d, f.Path, f.prefixes, 0)
	if !ok {
		return Null, false
	}
	return valueOfJSON(raw), true
}

// Get returns the raw JSON value at a dotted name.
func (d Doc) Get(name string) (any, bool) {
	r := newFieldRef(name, -1)
	return lookupAny(d, r.Path, r.prefixes, 0)
}

// lookupAny finds path[from:] in m. Keys may be nested objects or dotted
// keys covering several segments at once; when a document holds a field in
// both forms, or in several elements of an array of objects, all the values
// are gathered, as Elasticsearch indexes them all.
func lookupAny(m map[string]any, path, prefixes []string, from int) (any, bool) {
	var found []any
	for i := from; i < len(path); i++ {
		var key string
		if i == from {
			key = path[from]
		} else if from == 0 {
			key = prefixes[i]
		} else {
			key = strings.Join(path[from:i+1], ".")
		}
		v, ok := m[key]
		if !ok {
			continue
		}
		if i == len(path)-1 {
			if _, isObj := v.(map[string]any); !isObj {
				found = append(found, v)
			}
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			if r, ok := lookupAny(x, path, prefixes, i+1); ok {
				found = append(found, r)
			}
		case []any:
			for _, el := range x {
				if mm, ok := el.(map[string]any); ok {
					if r, ok := lookupAny(mm, path, prefixes, i+1); ok {
						found = append(found, r)
					}
				}
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, false
	case 1:
		return found[0], true
	}
	return found, true
}

// valueOfJSON converts a decoded JSON value into a Value. Objects have no
// scalar value and yield Null.
func valueOfJSON(x any) Value {
	switch v := x.(type) {
	case nil:
		return Null
	case bool:
		return Bool(v)
	case string:
		return String(v)
	case json.Number:
		return numberValue(string(v))
	case float64:
		return Float(v)
	case int64:
		return Int(v)
	case int:
		return Int(int64(v))
	case []any:
		vs := make([]Value, 0, len(v))
		for _, e := range v {
			vs = append(vs, valueOfJSON(e))
		}
		return List(vs...)
	}
	return Null
}

// numberValue parses a JSON number literal: integers that fit in an int64
// stay exact, everything else becomes a float.
func numberValue(s string) Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Int(i)
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return Null
	}
	return Float(f)
}

// Record is an Event whose values sit in slots indexed by FieldRef.ID,
// filled by a decoder that reads only the fields the queries need. A slot
// that was never set reads as missing. Resetting costs the number of slots
// set, not the number of slots, so one record can serve a rule set that
// references thousands of fields.
type Record struct {
	vals    []Value
	present []bool
	touched []int32

	// Memoised leaf results for the current event (see Options.Memo):
	// valid where mstamp equals epoch.
	epoch  uint32
	mstamp []uint32
	mval   []uint8

	// The timestamp last read from the current event (see Query.Timestamp):
	// the engine and each sequence rule read it, and parsing dates costs.
	ts tsMemo
}

type tsMemo struct {
	epoch uint32 // valid when equal to the record's epoch
	field int32
	typ   FieldType
	ok    bool
	ns    int64
}

// recordOf returns the Record an event is or wraps, or nil.
func recordOf(ev Event) *Record {
	switch e := ev.(type) {
	case *Record:
		return e
	case RecordBacked:
		return e.Record()
	}
	return nil
}

// NewRecord returns a record with room for n fields.
func NewRecord(n int) *Record {
	return &Record{vals: make([]Value, n), present: make([]bool, n)}
}

// Reset clears every slot so the record can be reused for the next event.
func (r *Record) Reset() {
	for _, id := range r.touched {
		r.vals[id] = Value{}
		r.present[id] = false
	}
	r.touched = r.touched[:0]
	r.epoch++
	if r.epoch == 0 { // wrapped: old stamps could look current
		clear(r.mstamp)
		r.epoch = 1
	}
}

func (r *Record) memoGet(id int) (uint8, bool) {
	if id < len(r.mstamp) && r.mstamp[id] == r.epoch && r.epoch != 0 {
		return r.mval[id], true
	}
	return 0, false
}

func (r *Record) memoSet(id int, v uint8) {
	if id >= len(r.mstamp) {
		n := max(id+1, 2*len(r.mstamp))
		r.mstamp = append(r.mstamp, make([]uint32, n-len(r.mstamp))...)
		r.mval = append(r.mval, make([]uint8, n-len(r.mval))...)
	}
	r.mstamp[id] = r.epoch
	r.mval[id] = v
}

// RecordBacked is implemented by events that wrap the Record being
// evaluated together with context of their own (a source position, a lazy
// copy). Query leaves then read the Record's slots and share its per-event
// memo (see Options.Memo) as they do when given the Record itself, instead
// of evaluating every condition afresh through Lookup.
type RecordBacked interface {
	Event
	// Record returns the record the event's Lookup reads, holding the
	// current event.
	Record() *Record
}

// Memo interns the conditions of queries compiled with it, so that equal
// conditions share one memoised result per event (see Options.Memo). It is
// safe for concurrent use.
type Memo struct {
	mu  sync.Mutex
	ids map[string]int
}

// NewMemo returns an empty Memo.
func NewMemo() *Memo { return &Memo{ids: map[string]int{}} }

func (m *Memo) id(key string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.ids[key]
	if !ok {
		id = len(m.ids)
		m.ids[key] = id
	}
	return id
}

// Set stores the value of field id.
func (r *Record) Set(id int, v Value) {
	if id >= len(r.vals) {
		r.grow(id + 1)
	}
	if !r.present[id] {
		r.present[id] = true
		r.touched = append(r.touched, int32(id))
	}
	r.vals[id] = v
}

func (r *Record) grow(n int) {
	vals := make([]Value, n)
	copy(vals, r.vals)
	present := make([]bool, n)
	copy(present, r.present)
	r.vals, r.present = vals, present
}

// Lookup implements Event.
func (r *Record) Lookup(f *FieldRef) (Value, bool) {
	if f.ID < 0 || f.ID >= len(r.vals) {
		return Null, false
	}
	return r.vals[f.ID], r.present[f.ID]
}

// Freeze returns an immutable, compact copy of the fields set in the
// record, for keeping an event beyond the decoder's next call. The record
// may point into a reused buffer, so strings are copied — into one shared
// allocation, as are the elements of lists, rather than one per value.
func (r *Record) Freeze() *Frozen {
	ids := slices.Clone(r.touched)
	slices.Sort(ids)
	size, elems := 0, 0
	for _, id := range ids {
		v := &r.vals[id]
		size += len(v.s)
		if v.k == KindList {
			elems += len(v.l)
			for i := range v.l {
				size += len(v.l[i].s)
			}
		}
	}
	var b strings.Builder
	b.Grow(size)
	for _, id := range ids {
		v := &r.vals[id]
		b.WriteString(v.s)
		for i := range v.l {
			b.WriteString(v.l[i].s)
		}
	}
	arena, off := b.String(), 0
	copyStr := func(s string) string {
		if s == "" {
			return ""
		}
		off += len(s)
		return arena[off-len(s) : off]
	}
	all := make([]Value, len(ids)+elems)
	vals, rest := all[:len(ids):len(ids)], all[len(ids):]
	for i, id := range ids {
		v := r.vals[id]
		v.s = copyStr(v.s)
		if v.k == KindList {
			l := rest[:len(v.l):len(v.l)]
			rest = rest[len(v.l):]
			for j, e := range v.l {
				e.s = copyStr(e.s)
				l[j] = e
			}
			v.l = l
		}
		vals[i] = v
	}
	return &Frozen{ids: ids, vals: vals}
}

// Frozen is an immutable Event holding the fields a Record had set.
type Frozen struct {
	ids  []int32
	vals []Value
}

// Lookup implements Event.
func (f *Frozen) Lookup(ref *FieldRef) (Value, bool) {
	id := int32(ref.ID)
	lo, hi := 0, len(f.ids)
	for lo < hi {
		m := (lo + hi) / 2
		if f.ids[m] < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(f.ids) && f.ids[lo] == id {
		return f.vals[lo], true
	}
	return Null, false
}
