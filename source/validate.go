package source

import (
	"github.com/eqld/eqld/internal/jsonscan"
)

// MaxDepth is the deepest nesting of objects and arrays a document may
// have. It is fastjson's parse limit, so that the engine can parse every
// document the source yields; deeper documents are reported as malformed.
const MaxDepth = jsonscan.MaxDepth

// validateDoc validates b as one JSON value followed only by whitespace
// and, if t is not nil and the value is an object, records its members in
// t (as top.scan would). It returns "" or why b is invalid.
//
// It uses package jsonscan (one pass, no recursion, the RFC 8259 grammar as
// encoding/json.Valid has it; string bytes are not checked for UTF-8);
// FuzzValidate checks it against encoding/json.Valid. It is slightly
// stricter than fastjson.Validate, which misses a control character that
// comes before an escape in the same string.
func validateDoc(b []byte, t *top) string {
	i := skipWS(b, 0)
	if t == nil || i >= len(b) || b[i] != '{' {
		if jsonscan.Valid(b) {
			return ""
		}
		return jsonscan.Explain(b)
	}
	*t = top{}
	if !topMembers(b, i, t) {
		*t = top{}
		return jsonscan.Explain(b)
	}
	return ""
}

// topMembers validates the object at b[i], which must be the whole
// document but for whitespace, recording its members in t.
func topMembers(b []byte, i int, t *top) bool {
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipWS(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		k, _ := jsonscan.StringEnd(b, i)
		if k < 0 {
			return false
		}
		key := b[i+1 : k]
		i = skipWS(b, k+1)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipWS(b, i+1)
		e := jsonscan.Skip(b, i, 1)
		if e < 0 {
			return false
		}
		t.set(key, b[i:e])
		i = skipWS(b, e)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
		case '}':
			return skipWS(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// set records a top-level member, first of duplicates winning.
func (t *top) set(key, val []byte) {
	var p *[]byte
	switch string(key) {
	case "_source":
		p = &t.source
	case "_index":
		p = &t.index
	case "_id":
		p = &t.id
	case "_version":
		p = &t.version
	case "hits":
		p = &t.hits
	case "missing":
		p = &t.missing
	case "data_stream":
		p = &t.ds
	case "data_stream.type":
		p = &t.dsType
	case "data_stream.dataset":
		p = &t.dsDataset
	case "data_stream.namespace":
		p = &t.dsNamespace
	default:
		return
	}
	if *p == nil {
		*p = val
	}
}
