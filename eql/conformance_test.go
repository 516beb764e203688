package eql_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/internal/shared"
)

// This file runs Elasticsearch's EQL conformance suite (../shared/eql-spec)
// the way Elasticsearch's own harness does (see docs/eql-semantics.md §2 in
// ../shared): each spec file against its dataset and mapping, with the
// request parameters the harness sends, comparing expected event ids and
// join keys exactly. Every query also runs with both result positions and
// with a size that cannot truncate, since the answers must not depend on them.

type specFile struct {
	Queries []specQuery `toml:"queries"`
}

type specQuery struct {
	Name             string `toml:"name"`
	Query            string `toml:"query"`
	ExpectedEventIDs any    `toml:"expected_event_ids"`
	JoinKeys         []any  `toml:"join_keys"`
	Size             *int   `toml:"size"`
	MaxSamplesPerKey *int   `toml:"max_samples_per_key"`
}

// dataset is an index (or several) as the harness loads it.
type dataset struct {
	events     []eql.Event
	mapping    *eql.Mapping
	idField    string
	tiebreaker string
}

func readJSONArray(t *testing.T, path string) []eql.Doc {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// missing-events.data has // comment lines.
	var lines []string
	for _, l := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "//") {
			continue
		}
		lines = append(lines, l)
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(strings.Join(lines, "\n")), &items); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	docs := make([]eql.Doc, 0, len(items))
	for i, it := range items {
		d, err := eql.ParseDoc(it)
		if err != nil {
			t.Fatalf("%s: element %d: %v", path, i, err)
		}
		docs = append(docs, d)
	}
	return docs
}

func readMapping(t *testing.T, path string) *eql.Mapping {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The suite's mapping files start with # comment lines.
	var keep []string
	for _, l := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			keep = append(keep, l)
		}
	}
	m, err := eql.ParseMapping([]byte(strings.Join(keep, "\n")))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func finishDataset(docs []eql.Doc, m *eql.Mapping, idField, tiebreaker string) *dataset {
	for _, d := range docs {
		m.AddDocument(d)
	}
	m.SetClosed(true)
	ds := &dataset{mapping: m, idField: idField, tiebreaker: tiebreaker}
	for _, d := range docs {
		ds.events = append(ds.events, d)
	}
	return ds
}

// endgame loads test_data.json as the harness's endgame-140 index:
// @timestamp in milliseconds from the FILETIME timestamp, or (nanos) the
// raw timestamp read as Unix nanoseconds into a date_nanos field.
func endgame(t *testing.T, root string, nanos bool) *dataset {
	docs := readJSONArray(t, filepath.Join(root, "test_data.json"))
	m := readMapping(t, filepath.Join(root, "data", "endgame-140.mapping"))
	for _, d := range docs {
		ts, _ := d["timestamp"].(json.Number).Int64()
		if nanos {
			d["@timestamp"] = time.Unix(0, ts).UTC().Format("2006-01-02T15:04:05.000000000Z")
		} else {
			d["@timestamp"] = json.Number(strconv.FormatInt(ts/10000-11644473600000, 10))
		}
	}
	if nanos {
		m.Set("@timestamp", eql.FieldInfo{Type: eql.TypeDateNanos})
	}
	return finishDataset(docs, m, "serial_event_id", "serial_event_id")
}

func single(t *testing.T, root, name string) *dataset {
	docs := readJSONArray(t, filepath.Join(root, "data", name+".data"))
	m := readMapping(t, filepath.Join(root, "data", name+".mapping"))
	if name == "extra" {
		// Elasticsearch's harness indexes extra's "version" as a version
		// field (semantic ordering; see eql-semantics.md §2e).
		m.Set("version", eql.FieldInfo{Type: eql.TypeVersion})
	}
	return finishDataset(docs, m, "sequence", "sequence")
}

// samples loads sample1..3 as one multi-index search. The indices map
// @timestamp_pretty with different date formats; the merged mapping accepts
// both, as Elasticsearch parses each index's documents with its own.
func samples(t *testing.T, root string) *dataset {
	var docs []eql.Doc
	merged := eql.NewMapping()
	var formats []string
	for _, n := range []string{"sample1", "sample2", "sample3"} {
		docs = append(docs, readJSONArray(t, filepath.Join(root, "data", n+".data"))...)
		m := readMapping(t, filepath.Join(root, "data", n+".mapping"))
		if fi, ok := m.Field("@timestamp_pretty"); ok {
			formats = append(formats, fi.DateFormats...)
		}
		merged.Merge(m)
	}
	merged.Set("@timestamp_pretty", eql.FieldInfo{Type: eql.TypeDate, DateFormats: formats})
	return finishDataset(docs, merged, "id", "")
}

// patchNullJoinKeys turns bare TOML nulls in join_keys (test_extra.toml
// uses them; TOML has no null) into "null" strings.
var bareNull = regexp.MustCompile(`(^|[\[,\s])null([\],\s]|$)`)

func loadSpec(t *testing.T, path string) []specQuery {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	inKeys := false
	for i, l := range lines {
		trim := strings.TrimSpace(l)
		if strings.HasPrefix(trim, "join_keys") {
			inKeys = true
		}
		if inKeys {
			for bareNull.MatchString(lines[i]) {
				lines[i] = bareNull.ReplaceAllString(lines[i], `$1"null"$2`)
			}
			if strings.Contains(l, "]") {
				inKeys = false
			}
		}
	}
	var f specFile
	if err := toml.Unmarshal([]byte(strings.Join(lines, "\n")), &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f.Queries
}

// expectations returns the accepted alternatives of expected_event_ids.
func expectations(x any) [][]int64 {
	list, _ := x.([]any)
	if len(list) > 0 {
		if _, nested := list[0].([]any); nested {
			var alts [][]int64
			for _, a := range list {
				alts = append(alts, ints(a.([]any)))
			}
			return alts
		}
	}
	return [][]int64{ints(list)}
}

func ints(l []any) []int64 {
	out := make([]int64, 0, len(l))
	for _, v := range l {
		switch n := v.(type) {
		case int64:
			out = append(out, n)
		case float64:
			out = append(out, int64(n))
		}
	}
	return out
}

func idOf(ev eql.Event, field string) int64 {
	if ev == nil {
		return -1
	}
	v, _ := ev.(eql.Doc).Get(field)
	if n, ok := v.(json.Number); ok {
		i, _ := n.Int64()
		return i
	}
	return -2
}

func keyString(v eql.Value) string {
	if v.IsNull() {
		return "null"
	}
	return v.String()
}

type specResult struct {
	passed, failed int
	failures       []string
}

func runSpec(t *testing.T, name string, queries []specQuery, ds *dataset) specResult {
	var res specResult
	for _, sq := range queries {
		src := strings.TrimSpace(sq.Query)
		fail := func(format string, args ...any) {
			res.failed++
			res.failures = append(res.failures, fmt.Sprintf("%s %s: %s\n    %s", name, sq.Name, fmt.Sprintf(format, args...), strings.Join(strings.Fields(src), " ")))
		}
		q, err := eql.Compile(src, &eql.Options{Schema: ds.mapping, TiebreakerField: ds.tiebreaker})
		if err != nil {
			fail("compile error: %v", err)
			continue
		}
		alts := expectations(sq.ExpectedEventIDs)
		var wantKeys []string
		for _, k := range sq.JoinKeys {
			wantKeys = append(wantKeys, fmt.Sprint(k))
		}
		size := 50
		if sq.Size != nil {
			size = *sq.Size
			if size == 0 {
				size = -2 // size 0: no results (distinct from our "default" zero)
			}
		}
		ok := true
		for _, pos := range []eql.ResultPosition{eql.Head, eql.Tail} {
			opts := eql.SearchOptions{Size: size, ResultPosition: pos}
			if sq.MaxSamplesPerKey != nil {
				opts.MaxSamplesPerKey = *sq.MaxSamplesPerKey
			}
			var results []eql.Result
			if size == -2 {
				results = nil
			} else {
				results, _, _ = q.Search(ds.events, opts)
			}
			var got []int64
			var gotKeys []string
			for _, r := range results {
				for _, ev := range r.Events {
					got = append(got, idOf(ev, ds.idField))
				}
				for _, k := range r.JoinKeys {
					gotKeys = append(gotKeys, keyString(k))
				}
			}
			match := false
			for _, want := range alts {
				if fmt.Sprint(want) == fmt.Sprint(got) {
					match = true
				}
			}
			if !match {
				fail("result position %v: got ids %v, want %v", pos, got, alts)
				ok = false
				break
			}
			if sq.JoinKeys != nil && fmt.Sprint(wantKeys) != fmt.Sprint(gotKeys) {
				fail("result position %v: got join keys %v, want %v", pos, gotKeys, wantKeys)
				ok = false
				break
			}
		}
		if ok {
			res.passed++
		}
	}
	return res
}

func TestConformance(t *testing.T) {
	root := shared.Path(t, "eql-spec")
	var eg, egNanos, extra, missing, smp *dataset
	load := func(p **dataset, f func() *dataset) *dataset {
		if *p == nil {
			*p = f()
		}
		return *p
	}
	files := []struct {
		file string
		ds   func() *dataset
	}{
		{"test_queries.toml", func() *dataset { return load(&eg, func() *dataset { return endgame(t, root, false) }) }},
		{"test_queries_date.toml", func() *dataset { return load(&eg, func() *dataset { return endgame(t, root, false) }) }},
		{"test_queries_date_nanos.toml", func() *dataset {
			return load(&egNanos, func() *dataset { return endgame(t, root, true) })
		}},
		{"test_extra.toml", func() *dataset { return load(&extra, func() *dataset { return single(t, root, "extra") }) }},
		{"test_missing_events.toml", func() *dataset {
			return load(&missing, func() *dataset { return single(t, root, "missing-events") })
		}},
		{"test_sample.toml", func() *dataset { return load(&smp, func() *dataset { return samples(t, root) }) }},
	}
	total := specResult{}
	for _, f := range files {
		queries := loadSpec(t, filepath.Join(root, f.file))
		r := runSpec(t, f.file, queries, f.ds())
		t.Logf("%-30s %3d passed, %3d failed", f.file, r.passed, r.failed)
		for _, msg := range r.failures {
			t.Error(msg)
		}
		total.passed += r.passed
		total.failed += r.failed
	}
	t.Logf("%d passed, %d failed", total.passed, total.failed)
}

// TestSeriesSpec runs unit/sequences.series-spec: abstract two- to
// four-stage sequences where each line lists the events of one stage as
// [key|]Label<time> and the expected sequences follow.
func TestSeriesSpec(t *testing.T) {
	path := shared.Path(t, "eql-spec/unit/sequences.series-spec")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	type spec struct {
		name   string
		stages [][]string
		want   [][]string
	}
	var specs []spec
	var cur *spec
	part := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		trim := strings.TrimSpace(line)
		switch {
		case trim == "" && (cur == nil || part == 0):
			continue
		case cur == nil:
			specs = append(specs, spec{name: trim})
			cur = &specs[len(specs)-1]
			part = 1
		case trim == ";":
			part++
			if part == 3 {
				cur, part = nil, 0
			}
		case trim == "":
		case part == 1:
			cur.stages = append(cur.stages, strings.Fields(line))
		case part == 2:
			cur.want = append(cur.want, strings.Fields(trim))
		}
	}
	tok := regexp.MustCompile(`^(?:(\w+)\|)?([A-Za-z]+)(\d+)$`)
	passed, failed := 0, 0
	for _, sp := range specs {
		var docs []eql.Event
		keyed := false
		for stage, evs := range sp.stages {
			for _, e := range evs {
				m := tok.FindStringSubmatch(e)
				if m == nil {
					t.Fatalf("%s: bad token %q", sp.name, e)
				}
				ts, _ := strconv.Atoi(m[3])
				d := eql.Doc{"@timestamp": json.Number(strconv.Itoa(ts)), "event": map[string]any{"category": "s"},
					"stage": json.Number(strconv.Itoa(stage)), "label": m[2] + m[3]}
				if m[1] != "" {
					d["key"] = m[1]
					keyed = true
				}
				docs = append(docs, d)
			}
		}
		var b strings.Builder
		b.WriteString("sequence")
		if keyed {
			b.WriteString(" by key")
		}
		for i := range sp.stages {
			fmt.Fprintf(&b, " [s where stage == %d]", i)
		}
		q := eql.MustCompile(b.String(), nil)
		results, _, _ := q.Search(docs, eql.SearchOptions{Size: -1})
		var got []string
		for _, r := range results {
			var labels []string
			for _, ev := range r.Events {
				l, _ := ev.(eql.Doc).Get("label")
				labels = append(labels, l.(string))
			}
			got = append(got, strings.Join(labels, " "))
		}
		var want []string
		for _, w := range sp.want {
			var labels []string
			for _, e := range w {
				m := tok.FindStringSubmatch(e)
				labels = append(labels, m[2]+m[3])
			}
			want = append(want, strings.Join(labels, " "))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			failed++
			t.Errorf("%s: got %q, want %q", sp.name, got, want)
			continue
		}
		passed++
	}
	t.Logf("sequences.series-spec: %d passed, %d failed", passed, failed)
}

// TestStringFunctionFolds runs unit/test_string_functions.toml: constant
// function calls and their folded values (a missing expected means null),
// and verifier failures that must be rejected.
func TestStringFunctionFolds(t *testing.T) {
	path := shared.Path(t, "eql-spec/unit/test_string_functions.toml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := toml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(doc))
	for n := range doc {
		names = append(names, n)
	}
	sort.Strings(names)
	passed, failed := 0, 0
	check := func(expr string, want any, hasWant bool) {
		got, err := eql.Eval(expr, nil)
		if err != nil {
			failed++
			t.Errorf("%s: %v", expr, err)
			return
		}
		var ok bool
		if !hasWant {
			ok = got.IsNull()
		} else {
			ok = fmt.Sprint(got.Interface()) == fmt.Sprint(want)
		}
		if !ok {
			failed++
			t.Errorf("%s = %v, want %v", expr, got.Interface(), want)
			return
		}
		passed++
	}
	for _, n := range names {
		sec := doc[n]
		for _, key := range []string{"fold", ""} {
			var tests []any
			if key == "" {
				tests, _ = sec["tests"].([]any)
			} else if f, ok := sec["fold"].(map[string]any); ok {
				tests, _ = f["tests"].([]any)
			}
			for _, tc := range tests {
				m := tc.(map[string]any)
				want, has := m["expected"]
				check(m["expression"].(string), want, has)
			}
		}
		if v, ok := sec["verifier"].(map[string]any); ok {
			fails, _ := v["failures"].([]any)
			for _, tc := range fails {
				expr := tc.(map[string]any)["expression"].(string)
				if _, err := eql.Eval(expr, nil); err == nil {
					failed++
					t.Errorf("%s: accepted, but Elasticsearch's verifier rejects it", expr)
				} else {
					passed++
				}
			}
		}
	}
	t.Logf("test_string_functions.toml: %d passed, %d failed", passed, failed)
}
