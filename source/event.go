package source

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"unsafe"
)

// handle turns one frame into events, or reports why it cannot.
func (r *Reader) handle(f *file, fr *frame) {
	if fr.problem != "" {
		r.docProblem(f, fr, fr.problem)
		return
	}
	b := fr.b
	if len(b) > 0 && !startsValue(b[0]) {
		r.docProblem(f, fr, fmt.Sprintf("not JSON (starts with %q); skipped", excerpt(b)))
		return
	}
	if r.opts.DeferValidation && f.dec == nil && !fr.compact && fr.line == fr.fileLine && len(b) > 0 && b[0] == '{' {
		if fr.copy {
			start := len(r.arena)
			r.arena = append(r.arena, b...)
			b = r.arena[start:]
		}
		r.emit(f, fr, b, f.index, "", "")
		r.queue[len(r.queue)-1].Deferred = true
		return
	}
	// Validation is real: fastjson's Parse would accept bad escapes,
	// control characters and numbers such as 1-2 or 01.
	if fr.copy && !fr.compact {
		// Copy first, so that one pass validates and finds the members.
		start := len(r.arena)
		r.arena = append(r.arena, b...)
		b = r.arena[start:]
	}
	var t top
	tp := &t
	if fr.compact {
		tp = nil // the members are found in the compacted copy below
	}
	if why := validateDoc(b, tp); why != "" {
		r.docProblem(f, fr, "invalid JSON: "+why+"; skipped")
		return
	}
	if b[0] != '{' {
		r.docProblem(f, fr, "not a JSON object but "+kindOf(b[0])+"; every document must be an object; skipped")
		return
	}
	if fr.compact {
		start := len(r.arena)
		r.arena = appendCompact(r.arena, b)
		b = r.arena[start:]
		t.scan(b)
	}
	if f.dec != nil && (f.dec.doc.Index != "" || f.dec.doc.ID != "") {
		// A format that knows the identity of its records.
		d := &f.dec.doc
		idx := d.Index
		if idx == "" {
			idx = r.dataStreamIndex(&t)
		}
		if idx == "" {
			idx = f.index
		}
		r.emit(f, fr, b, idx, d.ID, d.Version)
		return
	}
	switch {
	case t.isHit():
		r.hit(f, fr, &t, false)
	case t.source == nil && isResponse(t.hits):
		r.response(f, fr, t.hits)
	default:
		idx := r.dataStreamIndex(&t)
		if idx == "" {
			idx = f.index
		}
		r.emit(f, fr, b, idx, "", "")
	}
}

func (r *Reader) emit(f *file, fr *frame, raw []byte, index, id, version string) {
	if id == "" && !r.opts.DeferContentID {
		id = r.contentID(raw)
	}
	r.queue = append(r.queue, Event{
		Raw: raw, Index: index, ID: id, Version: version,
		Origin: Origin{File: f.name, Line: fr.line, Offset: fr.off, Hit: fr.hit},
	})
	f.events++
}

// isResponse reports whether hits is the "hits" member of a _search or
// _eql/search response: an object with a hits, events or sequences array.
func isResponse(hits []byte) bool {
	if len(hits) == 0 || hits[0] != '{' {
		return false
	}
	found := false
	members(hits, 0, func(key, val []byte) {
		switch string(key) {
		case "hits", "events", "sequences":
			found = found || val[0] == '['
		}
	})
	return found
}

// hit emits the _source of an Elasticsearch hit. Raw is the _source as
// written in the input (compacted if the input was multi-line). A hit from
// a response is copied into r.pend, as it is returned by later calls.
func (r *Reader) hit(f *file, fr *frame, t *top, fromResponse bool) {
	raw := t.source
	if raw[0] != '{' {
		r.docProblem(f, fr, hitName(fr)+" _source is not an object; skipped")
		return
	}
	if fromResponse {
		start := len(r.pend)
		r.pend = append(r.pend, raw...)
		raw = r.pend[start:]
	}
	index := r.stringOf(t.index, true)
	if index == "" {
		var st top
		st.scan(raw)
		index = r.dataStreamIndex(&st)
	}
	if index == "" {
		index = f.index
	}
	id := r.stringOf(t.id, false)
	version := r.stringOf(t.version, true)
	r.emit(f, fr, raw, index, id, version)
}

func hitName(fr *frame) string {
	if fr.hit > 0 {
		return fmt.Sprintf("hit %d:", fr.hit)
	}
	return "hit:"
}

// response emits the hits of a _search response (hits.hits[]) or an
// _eql/search response (hits.events[], hits.sequences[].events[]). An event
// that appears in several sequences is emitted once; the placeholders that
// sequences with missing events carry ("missing": true) are dropped.
func (r *Reader) response(f *file, fr *frame, hits []byte) {
	if r.seen == nil {
		r.seen = make(map[string]struct{})
	}
	clear(r.seen)
	n := 0
	var t top
	one := func(e []byte) {
		n++
		hf := *fr
		hf.hit = n
		if e[0] != '{' {
			r.docProblem(f, &hf, fmt.Sprintf("hit %d is not an object; skipped", n))
			return
		}
		t.scan(e)
		if string(t.missing) == "true" {
			return
		}
		if t.source == nil {
			r.docProblem(f, &hf, fmt.Sprintf("hit %d has no _source (was _source disabled in the search?); skipped", n))
			return
		}
		if t.id != nil {
			k := string(t.index) + "\x00" + string(t.id)
			if _, dup := r.seen[k]; dup {
				return
			}
			r.seen[k] = struct{}{}
		}
		r.hit(f, &hf, &t, true)
	}
	members(hits, 0, func(key, val []byte) {
		if val[0] != '[' {
			return
		}
		switch string(key) {
		case "hits", "events":
			elements(val, one)
		case "sequences":
			elements(val, func(seq []byte) {
				if seq[0] == '{' {
					members(seq, 0, func(k, v []byte) {
						if string(k) == "events" && v[0] == '[' {
							elements(v, one)
						}
					})
				}
			})
		}
	})
}

// stringOf returns a hit field as a string: a JSON string's value, or a
// number's text (_version is a number). Interned values are for fields that
// repeat (_index, _version).
func (r *Reader) stringOf(v []byte, intern bool) string {
	if len(v) == 0 {
		return ""
	}
	var b []byte
	switch c := v[0]; {
	case c == '"':
		b, _ = unquote(r.scratch[:0], v)
		r.scratch = b
	case c == '-' || (c >= '0' && c <= '9'):
		b = v
	default:
		return ""
	}
	if intern {
		return r.internBytes(b)
	}
	return r.strs.str(b)
}

// dataStreamIndex returns "<type>-<dataset>-<namespace>" from the
// document's data_stream fields, nested or flattened ("data_stream.type"),
// or "" unless all three are non-empty strings.
func (r *Reader) dataStreamIndex(t *top) string {
	tt, d, n := t.dsType, t.dsDataset, t.dsNamespace
	if t.ds != nil {
		if t.ds[0] != '{' {
			return ""
		}
		tt, d, n = nil, nil, nil
		members(t.ds, 0, func(key, val []byte) {
			switch string(key) {
			case "type":
				if tt == nil {
					tt = val
				}
			case "dataset":
				if d == nil {
					d = val
				}
			case "namespace":
				if n == nil {
					n = val
				}
			}
		})
	}
	if len(tt) <= 2 || len(d) <= 2 || len(n) <= 2 || tt[0] != '"' || d[0] != '"' || n[0] != '"' {
		return "" // missing, empty or not strings
	}
	s, _ := unquote(r.scratch[:0], tt)
	s = append(s, '-')
	s, _ = unquote(s, d)
	s = append(s, '-')
	s, _ = unquote(s, n)
	r.scratch = s
	return r.internBytes(s)
}

// internBytes returns a shared string for values that repeat across events,
// so that they cost no allocation per event. The table is cleared when it
// gets large, bounding memory for inputs with many distinct values.
func (r *Reader) internBytes(b []byte) string {
	if s, ok := r.intern[string(b)]; ok {
		return s
	}
	if len(r.intern) >= 4096 {
		clear(r.intern)
	}
	s := string(b)
	r.intern[s] = s
	return s
}

// IDLen is the length of a content id.
const IDLen = 20

// ContentID returns the id eqld gives a document that has no _id: the
// unpadded base64url encoding of the first 15 bytes of the SHA-256 of raw,
// 20 characters like an Elasticsearch auto-generated id.
//
// Why: Kibana derives alert ids from the event's _index, _id and _version
// (detection-engine.md §2.5), so an event must have the same _id on every
// run for re-runs and overlapping inputs not to produce duplicate alerts. A
// hash of the content is the only id stable across runs, file names and
// positions. 120 bits make accidental collisions negligible; two
// byte-identical documents get the same id, which is what de-duplication
// wants. The hash is over Raw as yielded: the line itself for NDJSON, the
// compacted form for other framings (compaction keeps every token, so a
// compact document hashes the same in every framing).
func ContentID(raw []byte) string {
	var dst [IDLen]byte
	encodeID(dst[:], raw)
	return string(dst[:])
}

func encodeID(dst, raw []byte) {
	sum := sha256.Sum256(raw)
	base64.RawURLEncoding.Encode(dst, sum[:15])
}

func (r *Reader) contentID(raw []byte) string {
	d := r.strs.alloc(IDLen)
	encodeID(d, raw)
	return unsafe.String(&d[0], IDLen)
}

// strArena hands out strings carved from larger blocks, to avoid one
// allocation per event for ids. A block's bytes are never written again
// once a string refers to them, so the strings are immutable as Go requires;
// a string kept alive keeps its (small) block alive.
type strArena struct{ buf []byte }

const strBlock = 4096

func (a *strArena) alloc(n int) []byte {
	if cap(a.buf)-len(a.buf) < n {
		a.buf = make([]byte, 0, max(strBlock, n))
	}
	l := len(a.buf)
	a.buf = a.buf[:l+n]
	return a.buf[l : l+n : l+n]
}

func (a *strArena) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	d := a.alloc(len(b))
	copy(d, b)
	return unsafe.String(&d[0], len(d))
}

// IndexOf returns the index name that the data_stream fields of the JSON
// document raw imply ("<type>-<dataset>-<namespace>"), or "" when raw is not
// a valid JSON object or lacks any of the three fields.
func IndexOf(raw []byte) string {
	var t top
	if validateDoc(raw, &t) != "" || raw[skipWS(raw, 0)] != '{' {
		return ""
	}
	r := Reader{intern: map[string]string{}}
	return r.dataStreamIndex(&t)
}

func kindOf(c byte) string {
	switch c {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// startsValue reports whether c can start a JSON value.
func startsValue(c byte) bool {
	switch c {
	case '{', '[', '"', '-', 't', 'f', 'n':
		return true
	}
	return c >= '0' && c <= '9'
}
