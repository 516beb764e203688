package source

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/valyala/fastjson"
)

func TestUnquote(t *testing.T) {
	for _, c := range []struct{ tok, want string }{
		{`"plain"`, "plain"},
		{`""`, ""},
		{`"a\"b\\c\/d"`, `a"b\c/d`},
		{`"\b\f\n\r\t"`, "\b\f\n\r\t"},
		{`"\u0041\u00e9\u4e2d"`, "Aé中"},
		{`"\ud83d\ude00"`, "😀"},
		{`"\ud800x"`, "\ufffdx"},
		{`"\ud800\u0041"`, "\ufffdA"},
		{`"C:\\Windows\\System32"`, `C:\Windows\System32`},
	} {
		got, ok := unquote(nil, []byte(c.tok))
		if !ok || string(got) != c.want {
			t.Errorf("unquote(%s) = %q, %v; want %q", c.tok, got, ok, c.want)
		}
	}
	if _, ok := unquote(nil, []byte(`12`)); ok {
		t.Error("unquote accepted a number")
	}
}

func TestScanTop(t *testing.T) {
	doc := []byte(`{ "a" : [1, {"_source": 2}] , "_source" :{"x":"}"} ,"_index":"i","_id":7,"_source":"dup",
		"data_stream": {"type":"logs"}, "hits" : null, "data_stream.type":"t", "z": -1.5e3 }`)
	var tp top
	tp.scan(doc)
	for name, c := range map[string]struct{ got, want string }{
		"source":  {string(tp.source), `{"x":"}"}`},
		"index":   {string(tp.index), `"i"`},
		"id":      {string(tp.id), `7`},
		"hits":    {string(tp.hits), `null`},
		"ds":      {string(tp.ds), `{"type":"logs"}`},
		"dsType":  {string(tp.dsType), `"t"`},
		"version": {string(tp.version), ``},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", name, c.got, c.want)
		}
	}
}

// FuzzScan checks the validated-input scanner against fastjson and
// encoding/json: the members it finds and the strings it decodes.
func FuzzScan(f *testing.F) {
	addSeeds(f, "FuzzScan")
	f.Fuzz(func(t *testing.T, data []byte) {
		data = trimSpace(data)
		if fastjson.ValidateBytes(data) != nil || data[0] != '{' {
			return
		}
		var tp top
		tp.scan(data)
		var p fastjson.Parser
		v, err := p.ParseBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		o, _ := v.Object()
		for _, c := range []struct {
			key string
			got []byte
		}{{"_source", tp.source}, {"_index", tp.index}, {"_id", tp.id}, {"hits", tp.hits}, {"data_stream", tp.ds}, {"data_stream.type", tp.dsType}} {
			fv := o.Get(c.key)
			if fv == nil {
				if c.got != nil {
					t.Fatalf("scan found %s = %q; fastjson finds none", c.key, c.got)
				}
				continue
			}
			want := string(fv.MarshalTo(nil))
			if got := string(appendCompact(nil, c.got)); got != want {
				t.Fatalf("%s: scan %q, fastjson %q", c.key, got, want)
			}
			if c.got[0] == '"' && utf8.Valid(c.got) {
				var s string
				if err := json.Unmarshal(c.got, &s); err != nil {
					t.Fatal(err)
				}
				if u, _ := unquote(nil, c.got); string(u) != s {
					t.Fatalf("unquote(%s) = %q, encoding/json %q", c.got, u, s)
				}
			}
		}
		if tp.hits != nil && tp.hits[0] == '[' {
			n := 0
			elements(tp.hits, func([]byte) { n++ })
			if a, _ := o.Get("hits").Array(); len(a) != n {
				t.Fatalf("elements counted %d in %s; fastjson %d", n, tp.hits, len(a))
			}
		}
	})
}

func TestAppendCompact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":1}`, `{"a":1}`},
		{"{\r\n  \"a\" : [ 1 , 2 ],\n\t\"b\": \"x y \\\" z\"\n}", `{"a":[1,2],"b":"x y \" z"}`},
		{`{"s":"\\", "t" : "\\\" "}`, `{"s":"\\","t":"\\\" "}`},
		{`  {}  `, `{}`},
		{`{"u":"\u0020 "}`, `{"u":"\u0020 "}`},
	} {
		if got := string(appendCompact([]byte("prefix:"), []byte(c.in))); got != "prefix:"+c.want {
			t.Errorf("appendCompact(%q) = %q, want %q", c.in, got, "prefix:"+c.want)
		}
	}
}
