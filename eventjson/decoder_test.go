package eventjson_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/eventjson"
	"github.com/eqld/eqld/internal/jsonscan"
)

var docs = []string{
	`{"@timestamp": "2024-01-01T00:00:00Z", "event": {"category": ["process", "start"]}, "process": {"name": "cmd.exe", "pid": 4, "args": ["a", "b"], "parent": {"name": "x"}}}`,
	`{"process.name": "flat", "process.pid": 7, "event.category": "file", "host": {"os.type": "linux"}}`,
	`{"dns": {"answers": [{"data": "1.1.1.1"}, {"data": "2.2.2.2"}, {"name": "n"}]}, "process": {"args": []}, "user": {"name": null}}`,
	`{"a": {"b": {"c": 1.5}}, "a.b.c": 2, "big": 123456789012345678901, "neg": -3, "t": true, "f": false, "esc": "C:\\Windows\\\u00e9"}`,
	`{"process": "not an object", "event": {"category": {"nested": "obj"}}}`,
	`{}`,
}

var fields = []string{"@timestamp", "event.category", "process.name", "process.pid", "process.args",
	"process.parent.name", "host.os.type", "dns.answers.data", "dns.answers.name", "user.name",
	"a.b.c", "big", "neg", "t", "f", "esc", "missing.field", "process"}

func setup() (*eql.Fields, []*eql.FieldRef) {
	t := eql.NewFields()
	var refs []*eql.FieldRef
	for _, f := range fields {
		refs = append(refs, t.Ref(f))
	}
	return t, refs
}

// TestAgreesWithDoc checks the trie decoder against the reference
// map-based lookup for every field of every document.
func TestAgreesWithDoc(t *testing.T) {
	_, refs := setup()
	d := eventjson.New(refs)
	rec := eql.NewRecord(d.NumFields())
	for i, raw := range docs {
		if err := d.Decode([]byte(raw), rec); err != nil {
			t.Fatalf("doc %d: %v", i, err)
		}
		doc, err := eql.ParseDoc([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range refs {
			checkField(t, fmt.Sprintf("doc %d %s", i, f.Name), rec, doc, f)
		}
	}
}

func checkField(t *testing.T, what string, rec *eql.Record, doc eql.Doc, f *eql.FieldRef) {
	t.Helper()
	gv, gok := rec.Lookup(f)
	wv, wok := doc.Lookup(f)
	if wv.Kind() == eql.KindNull {
		wok = wok && true
	}
	if gok != wok || !sameValue(gv, wv) {
		t.Errorf("%s: decoder gives (%v, %v), Doc gives (%v, %v)", what, gv, gok, wv, wok)
	}
}

// sameValue compares values as multisets of scalars: the decoder gathers
// nested and flattened forms of one field in document order.
func sameValue(a, b eql.Value) bool {
	av, bv := a.Values(), b.Values()
	if len(av) != len(bv) {
		return false
	}
	used := make([]bool, len(bv))
	for _, x := range av {
		found := false
		for j, y := range bv {
			if !used[j] && eql.Equal(x, y) && x.Kind() == y.Kind() {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func TestReuse(t *testing.T) {
	_, refs := setup()
	d := eventjson.New(refs)
	rec := eql.NewRecord(d.NumFields())
	if err := d.Decode([]byte(docs[0]), rec); err != nil {
		t.Fatal(err)
	}
	if err := d.Decode([]byte(`{"x": 1}`), rec); err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Lookup(refs[2]); ok {
		t.Fatal("process.name survived a reset")
	}
	for _, bad := range []string{`[1,2]`, `{"a":`, `nul`, ``, `{"x": 01}`, `{"x": [1,]}`,
		`{"x": {"y": tru}}`, "{\"x\": \"a\tb\"}", `{"process": {"pid": 1-2}}`, `{"a": 1} x`} {
		if err := d.Decode([]byte(bad), rec); err == nil {
			t.Errorf("Decode(%q) succeeded", bad)
		}
	}
}

// FuzzDecode checks the decoder against eql.Doc on arbitrary documents.
func FuzzDecode(f *testing.F) {
	for _, d := range docs {
		f.Add(d)
	}
	_, refs := setup()
	d := eventjson.New(refs)
	rec := eql.NewRecord(d.NumFields())
	f.Fuzz(func(t *testing.T, raw string) {
		err := d.Decode([]byte(raw), rec)
		// Decode validates: it accepts exactly the valid JSON objects.
		trimmed := strings.TrimLeft(raw, " \t\r\n")
		valid := jsonscan.Valid([]byte(raw)) && strings.HasPrefix(trimmed, "{")
		if (err == nil) != valid {
			t.Fatalf("Decode error %v, but valid object = %v for %q", err, valid, raw)
		}
		if json.Valid([]byte(raw)) != jsonscan.Valid([]byte(raw)) && !strings.Contains(raw, strings.Repeat("[", 100)) && !strings.Contains(raw, strings.Repeat("{", 100)) {
			t.Fatalf("jsonscan.Valid disagrees with encoding/json.Valid for %q", raw)
		}
		doc, derr := eql.ParseDoc([]byte(raw))
		if err != nil || derr != nil || hasDuplicateKeys(raw) {
			// Duplicate keys have no agreed meaning (Elasticsearch rejects
			// such documents): the decoder keeps every value, maps the last.
			return
		}
		for _, f := range refs {
			checkField(t, f.Name, rec, doc, f)
		}
	})
}

// hasDuplicateKeys reports whether some object of the JSON document has a
// key twice (as written, or once nested and once dotted).
func hasDuplicateKeys(raw string) bool {
	dec := json.NewDecoder(strings.NewReader(raw))
	type frame struct {
		obj  bool
		keys map[string]bool
		key  bool // the next token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			if top.obj && top.key {
				if k, ok := tok.(string); ok {
					for _, part := range append([]string{k}, strings.Split(k, ".")[0]) {
						if top.keys[part] {
							return true
						}
					}
					top.keys[k] = true
					top.keys[strings.Split(k, ".")[0]] = true
					top.key = false
					continue
				}
			}
			if top.obj && !top.key {
				top.key = true // this token is a value (or starts one)
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, key: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

func TestWatch(t *testing.T) {
	_, refs := setup()
	d := eventjson.New(refs)
	d.Watch("_source", "hits")
	rec := eql.NewRecord(d.NumFields())
	for _, c := range []struct {
		doc  string
		want bool
	}{
		{`{"process": {"name": "a"}}`, false},
		{`{"_source": {"process": {"name": "a"}}, "_id": "x"}`, true},
		{`{"hits": {"hits": []}}`, true},
		{`{"hits.total": 1}`, false},
		{`{"process": {"hits": 1, "_source": 2}}`, false},
		{`{"a": [{"hits": 1}]}`, false},
	} {
		if err := d.Decode([]byte(c.doc), rec); err != nil {
			t.Fatal(err)
		}
		if d.Watched() != c.want {
			t.Errorf("Watched() = %v for %s", d.Watched(), c.doc)
		}
	}
	// Watching changes no field.
	if err := d.Decode([]byte(docs[0]), rec); err != nil {
		t.Fatal(err)
	}
	if v, _ := rec.Lookup(refs[2]); v.AsString() != "cmd.exe" {
		t.Errorf("process.name = %v", v)
	}
}

// TestAppendFields decodes every document into one slice and one arena,
// then checks each document's fields: values of earlier documents must
// survive later ones (escapes and lists included).
func TestAppendFields(t *testing.T) {
	_, refs := setup()
	d := eventjson.New(refs)
	var a eventjson.Arena
	var fields []eventjson.Field
	var spans [][2]int
	for _, raw := range docs {
		start := len(fields)
		var err error
		if fields, err = d.AppendFields(fields, []byte(raw), &a); err != nil {
			t.Fatal(err)
		}
		spans = append(spans, [2]int{start, len(fields)})
	}
	if _, err := d.AppendFields(fields, []byte(`{"a":`), &a); err == nil {
		t.Error("AppendFields accepted an invalid document")
	}
	rec := eql.NewRecord(d.NumFields())
	for i, raw := range docs {
		rec.Reset()
		for _, f := range fields[spans[i][0]:spans[i][1]] {
			rec.Set(f.ID, f.Value)
		}
		doc, _ := eql.ParseDoc([]byte(raw))
		for _, f := range refs {
			checkField(t, fmt.Sprintf("doc %d %s", i, f.Name), rec, doc, f)
		}
	}
}
