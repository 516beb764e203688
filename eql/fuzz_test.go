package eql_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/internal/shared"
)

var writeSeeds = flag.Bool("write-seeds", false, "regenerate testdata/fuzz/FuzzEval from the spec, suite and rule queries")

// fuzzEvents are the documents every fuzzed query runs over: several
// categories, missing and multi-valued fields, odd types.
var fuzzEvents = []string{
	`{"@timestamp": 1, "event": {"category": "process", "type": ["start"]}, "process": {"name": "cmd.exe", "args": ["cmd.exe", "/c"], "pid": 4, "parent": {"name": "explorer.exe"}}, "host": {"id": "h1", "os": {"type": "windows"}}, "user": {"name": "bob"}}`,
	`{"@timestamp": "2024-01-01T00:00:01Z", "event.category": ["network"], "source.ip": "10.0.0.1", "destination": {"port": 5985, "ip": "::1"}, "host.id": "h1", "process.entity_id": "e1"}`,
	`{"@timestamp": 3, "event": {"category": "file"}, "file": {"path": "C:\\Windows\\x.dll", "name": null, "size": 1.5e3}, "host": {"id": ["h1", "h2"]}, "process": {"entity_id": "e1", "pid": "77"}}`,
	`{"@timestamp": -5, "event": {"category": "registry"}, "registry": {"path": "HKLM\\SOFTWARE\\x", "data": {"strings": []}}, "serial_event_id": 9223372036854775807}`,
	`{"event": {"category": "process"}, "process": {"name": "\u00e9\u00e8\ud83d\ude00", "args_count": -1}}`,
}

func fuzzDocs(t testing.TB) []eql.Event {
	var out []eql.Event
	for _, e := range fuzzEvents {
		d, err := eql.ParseDoc([]byte(e))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// seedQueries collects every query the project knows: the executable
// spec, Elasticsearch's suite and Elastic's rules (when ../shared exists).
func seedQueries(t testing.TB) []string {
	qs := specQueries(t)
	if shared.Root() != "" {
		root := filepath.Join(shared.Root(), "eql-spec")
		for _, f := range []string{"test_queries.toml", "test_queries_date.toml", "test_queries_date_nanos.toml",
			"test_extra.toml", "test_missing_events.toml", "test_sample.toml"} {
			for _, q := range loadSpec(t.(*testing.T), filepath.Join(root, f)) {
				qs = append(qs, q.Query)
			}
		}
		for _, r := range ruleQueries(t) {
			qs = append(qs, r.query)
		}
	}
	return qs
}

// FuzzEval compiles arbitrary queries and runs them over arbitrary events
// (the fuzzer mutates both). Errors are fine; panics and hangs are bugs.
func FuzzEval(f *testing.F) {
	f.Add(`process where process.name : "cmd*"`, fuzzEvents[0])
	f.Add(`sequence by host.id with maxspan=1m [network where true] [process where true]`, fuzzEvents[1])
	f.Fuzz(func(t *testing.T, query string, event string) {
		q, err := eql.Compile(query, nil)
		if err != nil {
			return
		}
		events := fuzzDocs(t)
		if d, err := eql.ParseDoc([]byte(event)); err == nil {
			events = append(events, d)
		}
		for _, size := range []int{-1, 1} {
			results, total, _ := q.Search(events, eql.SearchOptions{Size: size})
			if total < len(results) {
				t.Fatalf("total %d < %d results", total, len(results))
			}
		}
		// The streaming runner must agree with itself on replay.
		r := q.NewRunner(eql.RunOptions{})
		for _, ev := range events {
			r.Push(ev)
		}
		r.Flush()
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpus of FuzzEval
// (go test ./eql -run TestWriteFuzzSeeds -write-seeds).
func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to regenerate testdata/fuzz/FuzzEval")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzEval")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, q := range seedQueries(t) {
		ev := fuzzEvents[i%len(fuzzEvents)]
		body := fmt.Sprintf("go test fuzz v1\nstring(%s)\nstring(%s)\n", strconv.Quote(q), strconv.Quote(ev))
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%04d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSeedCorpusSize guards against an emptied corpus, as Prometheus does.
func TestSeedCorpusSize(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzEval", "*"))
	if len(files) < 1000 {
		t.Fatalf("FuzzEval seed corpus has %d entries, want at least 1000 (regenerate with -write-seeds)", len(files))
	}
}
