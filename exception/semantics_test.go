package exception

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/rule"
)

// TestFilterSemantics evaluates filters with eqld's own EQL evaluator on
// events and checks which events are excluded, against what
// Elasticsearch's query DSL does with Kibana's filter. It also checks that
// the filter is two-valued: never null, whatever fields an event lacks,
// since the engine negates it.
func TestFilterSemantics(t *testing.T) {
	tests := []struct {
		name   string
		items  []string          // exception item objects (list fixture-list)
		lists  map[string]string // value list id:type → plain-text values
		events []string
		want   string // 'x' excluded, '.' kept, one per event
	}{
		{
			name:   "match on a missing field does not match",
			items:  []string{`{"field":"host.name","operator":"included","type":"match","value":"h1"}`},
			events: []string{`{"host":{"name":"h1"}}`, `{"host":{"name":"h2"}}`, `{}`, `{"host":{"name":["h2","h1"]}}`, `{"host":{"name":"H1"}}`},
			want:   "x..x.",
		},
		{
			name:   "is not: events without the field match it, as must_not does",
			items:  []string{`{"field":"host.name","operator":"excluded","type":"match","value":"h1"}`},
			events: []string{`{"host":{"name":"h1"}}`, `{"host":{"name":"h2"}}`, `{}`, `{"host":{"name":["h2","h1"]}}`},
			want:   ".xx.",
		},
		{
			name:   "exists and does not exist",
			items:  []string{`{"field":"a","operator":"included","type":"exists"},{"field":"b","operator":"excluded","type":"exists"}`},
			events: []string{`{"a":1}`, `{"a":1,"b":2}`, `{"b":2}`, `{}`, `{"a":null}`},
			want:   "x....",
		},
		{
			name:   "match_any, is not one of",
			items:  []string{`{"field":"p","operator":"included","type":"match_any","value":["a","b"]},{"field":"u","operator":"excluded","type":"match_any","value":["root"]}`},
			events: []string{`{"p":"a","u":"bob"}`, `{"p":"b"}`, `{"p":"b","u":"root"}`, `{"p":"c"}`, `{"u":"bob"}`},
			want:   "xx...",
		},
		{
			name:   "wildcard is case-sensitive; caseless is not",
			items:  []string{`{"field":"path","operator":"included","type":"wildcard","value":"C:\\\\Tools\\\\*"}`, `{"field":"name.caseless","operator":"included","type":"wildcard","value":"evil?.exe"}`},
			events: []string{`{"path":"C:\\Tools\\x.exe"}`, `{"path":"c:\\tools\\x.exe"}`, `{"name":"EVIL1.EXE"}`, `{"name":"evil12.exe"}`},
			want:   "x.x.",
		},
		{
			name:   "numbers, booleans and IPs as a mapping would read them",
			items:  []string{`{"field":"port","operator":"included","type":"match","value":"443"}`, `{"field":"flag","operator":"included","type":"match","value":"true"}`, `{"field":"ip","operator":"included","type":"match","value":"10.0.0.0/8"}`, `{"field":"ip6","operator":"included","type":"match","value":"2001:db8::1"}`},
			events: []string{`{"port":443}`, `{"port":"443"}`, `{"port":8443}`, `{"flag":true}`, `{"flag":"true"}`, `{"flag":false}`, `{"ip":"10.2.3.4"}`, `{"ip":"11.0.0.1"}`, `{"ip6":"2001:DB8:0::1"}`},
			want:   "xx.xx.x.x",
		},
		{
			name:   "os_types",
			items:  []string{`{"field":"process.name","operator":"included","type":"match","value":"p"}], "os_types":["windows"]`},
			events: []string{`{"process":{"name":"p"},"host":{"os":{"type":"windows"}}}`, `{"process":{"name":"p"},"host":{"os":{"name":"Windows"}}}`, `{"process":{"name":"p"},"host":{"os":{"type":"linux"}}}`, `{"process":{"name":"p"}}`},
			want:   "xx..",
		},
		{
			name:   "nested: across array elements (documented approximation)",
			items:  []string{`{"field":"sig","type":"nested","entries":[{"field":"subject","operator":"included","type":"match","value":"A"},{"field":"trusted","operator":"included","type":"match","value":"true"}]}`},
			events: []string{`{"sig":{"subject":"A","trusted":true}}`, `{"sig":[{"subject":"A","trusted":false},{"subject":"B","trusted":true}]}`, `{"sig":{"subject":"A"}}`},
			want:   "xx.",
		},
		{
			name:   "value lists: keyword, ip_range with a dash range, text",
			items:  []string{`{"field":"user","operator":"included","type":"list","list":{"id":"users","type":"keyword"}}`, `{"field":"ip","operator":"included","type":"list","list":{"id":"nets","type":"ip_range"}}`, `{"field":"title","operator":"included","type":"list","list":{"id":"titles","type":"text"}}`},
			lists:  map[string]string{"users:keyword": "alice\nbob\n", "nets:ip_range": "192.168.1.10-192.168.1.20\n10.0.0.0/8\n", "titles:text": "Update Agent\n"},
			events: []string{`{"user":"bob"}`, `{"user":"Bob"}`, `{"ip":"192.168.1.9"}`, `{"ip":"192.168.1.10"}`, `{"ip":"192.168.1.20"}`, `{"ip":"192.168.1.21"}`, `{"ip":"10.9.9.9"}`, `{"title":"windows agent update"}`, `{"title":"update"}`},
			want:   "x..xx.xx.",
		},
		{
			name:   "is not in list",
			items:  []string{`{"field":"user","operator":"excluded","type":"list","list":{"id":"users","type":"keyword"}}`},
			lists:  map[string]string{"users:keyword": "alice\n"},
			events: []string{`{"user":"alice"}`, `{"user":"bob"}`, `{}`},
			want:   ".xx",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ndjson strings.Builder
			for i, it := range tt.items {
				if !strings.Contains(it, `"os_types"`) {
					it += "]"
				}
				fmt.Fprintf(&ndjson, `{"item_id":"i%d","list_id":"fixture-list","namespace_type":"single","type":"simple","entries":[%s}`+"\n", i, it)
			}
			s := NewSet()
			if err := s.ReadExceptions(strings.NewReader(ndjson.String()), "items.ndjson"); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.lists {
				id, typ, _ := strings.Cut(k, ":")
				if err := s.ReadValueList(strings.NewReader(v), id, id, typ); err != nil {
					t.Fatal(err)
				}
			}
			if rule.HasErrors(toRuleProblems(s.Problems)) {
				t.Fatalf("load problems: %v", s.Problems)
			}
			r := &rule.Rule{}
			r.ExceptionsList = []rule.ExceptionListRef{{ListID: "fixture-list", NamespaceType: "single", Type: "detection"}}
			filter, _ := s.FilterFor(r, runStart)
			if filter == nil {
				t.Fatal("no filter")
			}
			checkReparse(t, filter)
			var got bytes.Buffer
			for _, e := range tt.events {
				ev, err := eql.ParseDoc([]byte(e))
				if err != nil {
					t.Fatalf("event %s: %v", e, err)
				}
				v, err := eql.Eval(filter.String(), ev)
				if err != nil {
					t.Fatalf("eval: %v\n%s", err, filter)
				}
				if v.Kind() != eql.KindBool {
					t.Errorf("filter is %v (not a boolean) on %s:\n%s", v, e, filter)
				}
				if v.AsBool() {
					got.WriteByte('x')
				} else {
					got.WriteByte('.')
				}
			}
			if got.String() != tt.want {
				t.Errorf("excluded %q, want %q\nfilter: %s", got.String(), tt.want, filter)
			}
		})
	}
}

func toRuleProblems(ps []Problem) []rule.Problem {
	out := make([]rule.Problem, len(ps))
	for i, p := range ps {
		out[i] = rule.Problem{Message: p.Message, Severity: p.Severity}
	}
	return out
}

// TestKeepWithCompiler runs a rule query with the exceptions as the
// compiler's event filter, as the engine will: the excluded event is not
// seen, and a missing field does not hide an event.
func TestKeepWithCompiler(t *testing.T) {
	s := NewSet()
	items := `{"item_id":"a","list_id":"l","type":"simple","entries":[{"field":"process.name","operator":"included","type":"match","value":"backup.exe"}]}`
	if err := s.ReadExceptions(strings.NewReader(items), "x.ndjson"); err != nil {
		t.Fatal(err)
	}
	r := &rule.Rule{}
	r.ExceptionsList = []rule.ExceptionListRef{{ListID: "l", NamespaceType: "single", Type: "detection"}}
	filter, _ := s.FilterFor(r, runStart)
	if Keep(nil) != nil {
		t.Error("Keep(nil) must be nil")
	}
	q, err := eql.Compile(`process where true`, &eql.Options{Filter: Keep(filter)})
	if err != nil {
		t.Fatal(err)
	}
	for e, want := range map[string]bool{
		`{"event":{"category":"process"},"process":{"name":"backup.exe"}}`: false,
		`{"event":{"category":"process"},"process":{"name":"cmd.exe"}}`:    true,
		`{"event":{"category":"process"}}`:                                 true,
	} {
		ev, _ := eql.ParseDoc([]byte(e))
		if got := q.Stages()[0].Match(ev); got != want {
			t.Errorf("%s: seen %v, want %v", e, got, want)
		}
	}
}
