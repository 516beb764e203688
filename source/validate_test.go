package source

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidator(t *testing.T) {
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	tooDeep := `{"a":` + deep + `}`
	huge := strings.Repeat("[", 10_000_000) // must not exhaust the stack
	for _, c := range []struct {
		doc, why string
	}{
		{`{}`, ""},
		{` {"a" : [1, -2.5e+3, 0, true, false, null, "x\u00e9\"\\\/\b\f\n\r\t", {}, []]} `, ""},
		{deep, ""},
		{tooDeep, "nested deeper than 300 levels"},
		{huge, "nested deeper than 300 levels"},
		{`{"a":1,}`, `unexpected "}" at byte 8 where an object key was expected`},
		{`{"a" 1}`, `unexpected "1}" at byte 6 where ':' was expected`},
		{`{"a":01}`, `unexpected "1}" at byte 7`},
		{`{"a":1.}`, `unexpected "1.}" at byte 6`},
		{`{"a":1e}`, `unexpected "1e}" at byte 6`},
		{`{"a":-}`, `unexpected "-}" at byte 6`},
		{`{"a":tru}`, `unexpected "tru}" at byte 6`},
		{`{"a":"\q"}`, `invalid escape "\\q\"}" at byte 7`},
		{`{"a":"\u12G4"}`, `invalid escape "\\u12G4\"}" at byte 7`},
		{"{\"a\":\"\x01\"}", "control character 0x01 in string at byte 7 (must be escaped)"},
		{"{\"a\":\"\x19\\b\"}", "control character 0x19 in string at byte 7 (must be escaped)"}, // fastjson.Validate accepts this
		{`{"a":"open`, "string starting at byte 6 is not closed"},
		{`{"a":1} x`, `unexpected "x" at byte 9 after the document`},
		{`{"a":[1 2]}`, `unexpected "2]}" at byte 9`},
		{`{"a":[1}`, `unexpected "}" at byte 8`},
		{`{"a":`, "unexpected end of document"},
		{``, "unexpected end of document"},
	} {
		got := validateDoc([]byte(c.doc), nil)
		if got != c.why {
			t.Errorf("doc(%.40q) = %q, want %q", c.doc, got, c.why)
		}
	}
}

// FuzzValidate checks the validator against encoding/json.Valid (within
// MaxDepth) and the members it records against the scanner. (Not against
// fastjson.Validate: it misses a control character that comes before an
// escape in the same string, as the committed corpus entry 8ba150f36b5d3666
// shows.)
func FuzzValidate(f *testing.F) {
	addSeeds(f, "FuzzValidate")
	f.Fuzz(func(t *testing.T, data []byte) {
		var tp top
		why := validateDoc(data, &tp)
		if strings.HasPrefix(why, "nested deeper") {
			return
		}
		if want := json.Valid(data); (why == "") != want {
			t.Fatalf("validator says %q, encoding/json.Valid says %v, for %q", why, want, data)
		}
		if why != "" {
			return
		}
		d := trimSpace(data)
		if d[0] != '{' {
			return
		}
		var ts top
		ts.scan(d)
		if d := cmpTop(tp, ts); d != "" {
			t.Fatalf("validator and scanner disagree on %s", d)
		}
	})
}

func cmpTop(a, b top) string {
	for _, c := range []struct {
		name string
		x, y []byte
	}{
		{"_source", a.source, b.source}, {"_index", a.index, b.index}, {"_id", a.id, b.id},
		{"_version", a.version, b.version}, {"hits", a.hits, b.hits}, {"missing", a.missing, b.missing},
		{"data_stream", a.ds, b.ds}, {"data_stream.type", a.dsType, b.dsType},
		{"data_stream.dataset", a.dsDataset, b.dsDataset}, {"data_stream.namespace", a.dsNamespace, b.dsNamespace},
	} {
		if string(c.x) != string(c.y) || (c.x == nil) != (c.y == nil) {
			return c.name + ": " + string(c.x) + " vs " + string(c.y)
		}
	}
	return ""
}
