package exception

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/rule"
)

// fuzzEvents are evaluated under every fuzzed filter: an empty event, one
// with typical fields, one with arrays and odd types.
var fuzzEvents = []string{
	`{}`,
	`{"host":{"name":"h1","os":{"type":"windows","name":"Windows"}},"process":{"name":"a.exe","args":["x","y"]},"source":{"ip":"10.0.0.5"},"user":{"name":"alice"}}`,
	`{"host":{"name":["h1","h2"]},"a":true,"b":443,"c":null,"d":[{"e":"1"},{"e":2}]}`,
}

// addFixtureSeeds seeds a fuzz target with the named section of every
// testdata/filter archive.
func addFixtureSeeds(f *testing.F, section func(name string) bool) {
	files, _ := filepath.Glob("testdata/filter/*.txtar")
	for _, file := range files {
		ar, err := parseArchiveFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, af := range ar.Files {
			if section(af.Name) {
				f.Add(af.Data)
			}
		}
	}
}

// checkFilter asserts the properties every filter must have: it prints as
// EQL that parses back to the same text, and it evaluates to a boolean —
// never null, never an error — on any event.
func checkFilter(t *testing.T, s *Set) {
	t.Helper()
	s.ApplyToAll = true
	filter, problems := s.FilterFor(&rule.Rule{}, runStart)
	for _, p := range problems {
		if p.Message == "" {
			t.Fatalf("empty problem %+v", p)
		}
	}
	if filter == nil {
		return
	}
	checkReparse(t, filter)
	for _, e := range fuzzEvents {
		ev, err := eql.ParseDoc([]byte(e))
		if err != nil {
			t.Fatal(err)
		}
		v, err := eql.Eval(filter.String(), ev)
		if err != nil {
			t.Fatalf("filter does not evaluate: %v\n%s", err, filter)
		}
		if v.Kind() != eql.KindBool {
			t.Fatalf("filter is %v, not a boolean, on %s:\n%s", v, e, filter)
		}
	}
}

// FuzzReadExceptions: arbitrary export text never panics, every problem is
// located, and whatever loads compiles to a well-formed two-valued filter.
func FuzzReadExceptions(f *testing.F) {
	addFixtureSeeds(f, func(n string) bool { return n == "exceptions.ndjson" })
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewSet()
		if err := s.ReadExceptions(bytes.NewReader(data), "fuzz.ndjson"); err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Problems {
			if p.File == "" || p.Message == "" {
				t.Fatalf("unlocated problem %+v", p)
			}
		}
		checkFilter(t, s)
	})
}

// FuzzReadValueList: arbitrary value-list text (plain or NDJSON), used as
// each list type by a list entry, never panics and yields a valid filter.
func FuzzReadValueList(f *testing.F) {
	addFixtureSeeds(f, func(n string) bool { return len(n) > 5 && n[:5] == "list:" })
	f.Add([]byte("10.0.0.1-10.0.0.9\n::1\n10.0.0.0/8\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range []string{"keyword", "ip", "ip_range", "text", "long", "double", "boolean"} {
			s := NewSet()
			items := `{"item_id":"in","list_id":"l","type":"simple","entries":[{"field":"f","operator":"included","type":"list","list":{"id":"v","type":"` + typ + `"}}]}
{"item_id":"out","list_id":"l","type":"simple","entries":[{"field":"g.caseless","operator":"excluded","type":"list","list":{"id":"v","type":"` + typ + `"}}]}`
			if err := s.ReadExceptions(bytes.NewReader([]byte(items)), "items.ndjson"); err != nil {
				t.Fatal(err)
			}
			if err := s.ReadValueList(bytes.NewReader(data), "fuzz.txt", "v", typ); err != nil {
				t.Fatal(err)
			}
			checkFilter(t, s)
		}
	})
}
