// Package ecs maps Windows event records (winevent.Record) into Elastic
// Common Schema documents the way Elastic's ingest pipelines do, and knows
// the ECS field types.
//
// The mapping follows Elastic's integration pipelines processor by
// processor (see docs/ecs-mapping.md for the table per channel and event id
// and for the places where eqld deliberately differs), so that Elastic's
// detection rules see the same field values offline as they would in
// Elasticsearch.
package ecs

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// kind is the JSON kind of a node.
type kind uint8

const (
	kObject kind = iota
	kArray
	kString
	kInt
	kBool
	kTime   // num holds Unix nanoseconds; written as Elasticsearch writes a date: UTC, milliseconds
	kNumStr // num written as a decimal JSON string (convert type string), without allocating it
)

// node is one value of a Doc. Nodes live in one slice and link to their
// children by index, so that building a document costs a few appends and
// no per-node allocation, and a Doc can be reused.
type node struct {
	key         string
	str         string
	num         int64
	kind        kind
	first, last int32 // children (objects and arrays), -1 when none
	next        int32 // next sibling, -1 when last
}

// Doc is an ordered, nested JSON document: keys keep the order in which
// they were first set, objects are nested as in ECS (never dotted keys).
// The zero value is an empty document ready to use.
type Doc struct {
	nodes []node
	// lastParent caches the object that the previous slot call resolved
	// for its parent path: mappers set fields in runs with one prefix
	// ("process.", "winlog.event_data."), so most lookups skip the walk.
	lastParentPath string
	lastParent     int32
	// Notes lists what the mapper found odd in the record (unparsable
	// numbers, times or addresses it left in winlog.event_data, a failed
	// pipeline step it skipped). Empty for a clean record.
	Notes []string
}

// Reset empties d, keeping its storage for reuse.
func (d *Doc) Reset() {
	d.nodes = d.nodes[:0]
	d.lastParentPath, d.lastParent = "", 0
	d.Notes = d.Notes[:0]
}

func (d *Doc) root() int32 {
	if len(d.nodes) == 0 {
		d.nodes = append(d.nodes, node{kind: kObject, first: -1, last: -1, next: -1})
	}
	return 0
}

func (d *Doc) newNode(parent int32, key string, k kind) int32 {
	i := int32(len(d.nodes))
	d.nodes = append(d.nodes, node{key: key, kind: k, first: -1, last: -1, next: -1})
	p := &d.nodes[parent]
	if p.last < 0 {
		p.first = i
	} else {
		d.nodes[p.last].next = i
	}
	p.last = i
	return i
}

func (d *Doc) child(parent int32, key string) int32 {
	for c := d.nodes[parent].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].key == key {
			return c
		}
	}
	return -1
}

// lookup finds the node at a dotted path, -1 when absent.
func (d *Doc) lookup(path string) int32 {
	if len(d.nodes) == 0 {
		return -1
	}
	n := int32(0)
	for path != "" {
		if d.nodes[n].kind != kObject {
			return -1
		}
		seg := path
		if i := strings.IndexByte(path, '.'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if n = d.child(n, seg); n < 0 {
			return -1
		}
	}
	return n
}

// slot returns the node at a dotted path, creating intermediate objects,
// and resets it to kind k (a value set twice keeps its first position, as
// a JSON object key would).
func (d *Doc) slot(path string, k kind) int32 {
	n := d.root()
	parentPath := ""
	if i := strings.LastIndexByte(path, '.'); i > 0 {
		parentPath = path[:i]
		if parentPath == d.lastParentPath && d.nodes[d.lastParent].kind == kObject {
			n, path = d.lastParent, path[i+1:]
		}
	}
	for {
		seg, rest := path, ""
		if i := strings.IndexByte(path, '.'); i >= 0 {
			seg, rest = path[:i], path[i+1:]
		}
		if rest == "" {
			if parentPath != "" {
				d.lastParentPath, d.lastParent = parentPath, n
			}
			c := d.child(n, seg)
			if c < 0 {
				return d.newNode(n, seg, k)
			}
			nd := &d.nodes[c]
			if nd.kind == kObject && nd.first >= 0 {
				// Its subtree is dropped: the cached parent may be in it.
				d.lastParentPath = ""
			}
			nd.kind, nd.first, nd.last, nd.str, nd.num = k, -1, -1, "", 0
			return c
		}
		c := d.child(n, seg)
		if c < 0 {
			c = d.newNode(n, seg, kObject)
		} else if d.nodes[c].kind != kObject {
			nd := &d.nodes[c]
			nd.kind, nd.first, nd.last = kObject, -1, -1
		}
		n, path = c, rest
	}
}

// Has reports whether a value exists at the dotted path.
func (d *Doc) Has(path string) bool { return d.lookup(path) >= 0 }

// SetString sets a string value at a dotted path such as "process.name".
func (d *Doc) SetString(path, v string) { d.nodes[d.slot(path, kString)].str = v }

// SetInt sets an integer value at a dotted path.
func (d *Doc) SetInt(path string, v int64) { d.nodes[d.slot(path, kInt)].num = v }

// SetBool sets a boolean value at a dotted path.
func (d *Doc) SetBool(path string, v bool) {
	var n int64
	if v {
		n = 1
	}
	d.nodes[d.slot(path, kBool)].num = n
}

// SetTime sets a date at a dotted path from Unix nanoseconds. It is
// written like an Elasticsearch date processor result:
// 2006-01-02T15:04:05.000Z (UTC, millisecond precision).
func (d *Doc) SetTime(path string, unixNano int64) { d.nodes[d.slot(path, kTime)].num = unixNano }

// SetStrings sets an array of strings at a dotted path.
func (d *Doc) SetStrings(path string, vs ...string) {
	a := d.slot(path, kArray)
	for _, v := range vs {
		d.nodes[d.newNode(a, "", kString)].str = v
	}
}

// setStringIfAbsent is Elastic's rename semantics: a rename onto an
// existing field fails (and the pipelines ignore the failure), so the first
// writer wins. It reports whether the value was set.
func (d *Doc) setStringIfAbsent(path, v string) bool {
	if d.lookup(path) >= 0 {
		return false
	}
	d.SetString(path, v)
	return true
}

// setUintString sets a number that is written as a JSON string.
func (d *Doc) setUintString(path string, v uint64) { d.nodes[d.slot(path, kNumStr)].num = int64(v) }

// addChildString adds key: v under the object node obj unless key is
// already there (duplicate EventData names keep the first value).
func (d *Doc) addChildString(obj int32, key, v string) {
	if d.child(obj, key) >= 0 {
		return
	}
	d.nodes[d.newNode(obj, key, kString)].str = v
}

// addChildStrings adds key: [vs…] under obj unless key is already there.
func (d *Doc) addChildStrings(obj int32, key string, vs []string) {
	if d.child(obj, key) >= 0 {
		return
	}
	a := d.newNode(obj, key, kArray)
	for _, v := range vs {
		d.nodes[d.newNode(a, "", kString)].str = v
	}
}

// object returns the object node at path, creating it.
func (d *Doc) object(path string) int32 {
	if n := d.lookup(path); n >= 0 && d.nodes[n].kind == kObject {
		return n
	}
	return d.slot(path, kObject)
}

// appendUnique appends v to the string array at path (creating it),
// skipping duplicates: the pipelines' `append` with allow_duplicates false.
func (d *Doc) appendUnique(path, v string) {
	a := d.lookup(path)
	if a < 0 {
		a = d.slot(path, kArray)
	} else if d.nodes[a].kind != kArray {
		// A scalar becomes an array holding the old value, as the
		// append processor does.
		old := d.nodes[a]
		a = d.slot(path, kArray)
		if old.kind == kString {
			d.nodes[d.newNode(a, "", kString)].str = old.str
		}
	}
	for c := d.nodes[a].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].kind == kString && d.nodes[c].str == v {
			return
		}
	}
	d.nodes[d.newNode(a, "", kString)].str = v
}

// appendObject appends an empty object to the array at path and returns a
// handle to fill it with objSet.
func (d *Doc) appendObject(path string) int32 {
	a := d.lookup(path)
	if a < 0 || d.nodes[a].kind != kArray {
		a = d.slot(path, kArray)
	}
	return d.newNode(a, "", kObject)
}

// objSet sets a string member of an object obtained from appendObject.
func (d *Doc) objSet(obj int32, key, v string) {
	d.nodes[d.newNode(obj, key, kString)].str = v
}

// Delete removes the value at a dotted path, if any.
func (d *Doc) Delete(path string) {
	d.lastParentPath = ""
	parent := int32(0)
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		parent = d.lookup(path[:i])
		path = path[i+1:]
	} else if len(d.nodes) == 0 {
		return
	}
	if parent < 0 || d.nodes[parent].kind != kObject {
		return
	}
	prev := int32(-1)
	for c := d.nodes[parent].first; c >= 0; c = d.nodes[c].next {
		if d.nodes[c].key == path {
			if prev < 0 {
				d.nodes[parent].first = d.nodes[c].next
			} else {
				d.nodes[prev].next = d.nodes[c].next
			}
			if d.nodes[parent].last == c {
				d.nodes[parent].last = prev
			}
			return
		}
		prev = c
	}
}

// String returns the string at a dotted path ("" and false when absent or
// not a string).
func (d *Doc) String(path string) (string, bool) {
	n := d.lookup(path)
	if n < 0 {
		return "", false
	}
	switch d.nodes[n].kind {
	case kString:
		return d.nodes[n].str, true
	case kNumStr:
		return strconv.FormatUint(uint64(d.nodes[n].num), 10), true
	}
	return "", false
}

// Get returns the value at a dotted path as a Go value: string, int64,
// bool, []any or map[string]any. It is meant for tests and tools, not the
// hot path.
func (d *Doc) Get(path string) (any, bool) {
	n := d.lookup(path)
	if n < 0 {
		return nil, false
	}
	return d.value(n), true
}

func (d *Doc) value(n int32) any {
	nd := &d.nodes[n]
	switch nd.kind {
	case kString:
		return nd.str
	case kInt:
		return nd.num
	case kBool:
		return nd.num != 0
	case kTime:
		return string(appendTime(nil, nd.num))
	case kNumStr:
		return strconv.FormatUint(uint64(nd.num), 10)
	case kArray:
		out := []any{}
		for c := nd.first; c >= 0; c = d.nodes[c].next {
			out = append(out, d.value(c))
		}
		return out
	default:
		out := map[string]any{}
		for c := nd.first; c >= 0; c = d.nodes[c].next {
			out[d.nodes[c].key] = d.value(c)
		}
		return out
	}
}

// AppendJSON appends the document as compact JSON to dst. Empty objects are
// written as {} (the mapper does not leave any).
func (d *Doc) AppendJSON(dst []byte) []byte {
	if len(d.nodes) == 0 {
		return append(dst, "{}"...)
	}
	return d.appendNode(dst, 0)
}

func (d *Doc) appendNode(dst []byte, n int32) []byte {
	nd := &d.nodes[n]
	switch nd.kind {
	case kString:
		return appendJSONString(dst, nd.str)
	case kInt:
		return strconv.AppendInt(dst, nd.num, 10)
	case kBool:
		return strconv.AppendBool(dst, nd.num != 0)
	case kTime:
		dst = append(dst, '"')
		dst = appendTime(dst, nd.num)
		return append(dst, '"')
	case kNumStr:
		dst = append(dst, '"')
		dst = strconv.AppendUint(dst, uint64(nd.num), 10)
		return append(dst, '"')
	case kArray:
		dst = append(dst, '[')
		for c := nd.first; c >= 0; c = d.nodes[c].next {
			if c != nd.first {
				dst = append(dst, ',')
			}
			dst = d.appendNode(dst, c)
		}
		return append(dst, ']')
	default:
		dst = append(dst, '{')
		for c := nd.first; c >= 0; c = d.nodes[c].next {
			if c != nd.first {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, d.nodes[c].key)
			dst = append(dst, ':')
			dst = d.appendNode(dst, c)
		}
		return append(dst, '}')
	}
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes that need no escaping in a JSON string.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD
// so that the output is always valid JSON, whatever the record held.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && jsonSafe[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript readers.
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendTime formats Unix nanoseconds as 2006-01-02T15:04:05.000Z (what
// time.AppendFormat does, three times faster).
func appendTime(dst []byte, unixNano int64) []byte {
	t := time.Unix(0, unixNano).UTC()
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	ms := t.Nanosecond() / 1e6
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05.000Z07:00")
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+int(mo)/10), byte('0'+int(mo)%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z')
	return dst
}
