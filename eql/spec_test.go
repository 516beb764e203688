package eql_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/eqld/eqld/eql"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/spec/*.txtar with the current results")

// TestSpecs runs the executable specification in testdata/spec: txtar
// archives holding events, an optional mapping and options, and pairs of
// "query NAME" / "want NAME" files. A want lists one result per line — the
// ids of its events (- for a missing-event placeholder), then "| keys" and
// the join keys — or "error: <text>" for a query that must be rejected with
// a message containing <text>. Run with -update to rewrite the wants.
func TestSpecs(t *testing.T) {
	files, _ := filepath.Glob("testdata/spec/*.txtar")
	if len(files) == 0 {
		t.Fatal("no spec files")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			runSpecArchive(t, file, ar)
		})
	}
}

func runSpecArchive(t *testing.T, file string, ar *txtar.Archive) {
	var events []eql.Event
	opts := &eql.Options{}
	search := eql.SearchOptions{Size: -1}
	idField := "id"
	sections := map[string]string{}
	var queries []string
	closed := false
	for _, f := range ar.Files {
		sections[f.Name] = string(f.Data)
		switch {
		case f.Name == "events":
			sc := bufio.NewScanner(bytes.NewReader(f.Data))
			sc.Buffer(nil, 1<<20)
			for n := 1; sc.Scan(); n++ {
				line := strings.TrimSpace(sc.Text())
				if line == "" || strings.HasPrefix(line, "#") {
					continue
				}
				d, err := eql.ParseDoc([]byte(line))
				if err != nil {
					t.Fatalf("events line %d: %v", n, err)
				}
				events = append(events, d)
			}
		case f.Name == "mapping":
			m, err := eql.ParseMapping(f.Data)
			if err != nil {
				t.Fatal(err)
			}
			opts.Schema = m
		case f.Name == "options":
			for _, line := range strings.Split(string(f.Data), "\n") {
				k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
				v = strings.TrimSpace(v)
				switch strings.TrimSpace(k) {
				case "tiebreaker":
					opts.TiebreakerField = v
				case "timestamp":
					opts.TimestampField = v
				case "category":
					opts.EventCategoryField = v
				case "id":
					idField = v
				case "size":
					fmt.Sscan(v, &search.Size)
				case "max_samples_per_key":
					fmt.Sscan(v, &search.MaxSamplesPerKey)
				case "closed":
					closed = true
				}
			}
		case strings.HasPrefix(f.Name, "query "):
			queries = append(queries, strings.TrimPrefix(f.Name, "query "))
		}
	}
	if m, ok := opts.Schema.(*eql.Mapping); ok && closed {
		// A closed mapping knows every field of the data, as an index does.
		for _, e := range events {
			m.AddDocument(e.(eql.Doc))
		}
		m.SetClosed(true)
	}
	changed := false
	for _, name := range queries {
		src := sections["query "+name]
		got := runOne(src, opts, events, search, idField)
		want, ok := sections["want "+name]
		if *update {
			if want != got {
				setSection(ar, "want "+name, got)
				changed = true
			}
			continue
		}
		if !ok {
			t.Errorf("%s: no want section", name)
			continue
		}
		if strings.HasPrefix(want, "error: ") {
			frag := strings.TrimSpace(strings.TrimPrefix(want, "error: "))
			if !strings.HasPrefix(got, "error: ") || !strings.Contains(got, frag) {
				t.Errorf("%s: want an error containing %q, got:\n%s", name, frag, got)
			}
			continue
		}
		if got != want {
			t.Errorf("%s:\n%s\ngot:\n%s\nwant:\n%s", name, strings.TrimSpace(src), got, want)
		}
	}
	if changed {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func setSection(ar *txtar.Archive, name, data string) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			if strings.HasPrefix(string(ar.Files[i].Data), "error: ") && strings.HasPrefix(data, "error: ") {
				return // keep hand-written error fragments
			}
			ar.Files[i].Data = []byte(data)
			return
		}
	}
	// Insert right after the query.
	for i := range ar.Files {
		if ar.Files[i].Name == "query "+strings.TrimPrefix(name, "want ") {
			f := txtar.File{Name: name, Data: []byte(data)}
			ar.Files = append(ar.Files[:i+1], append([]txtar.File{f}, ar.Files[i+1:]...)...)
			return
		}
	}
}

func runOne(src string, opts *eql.Options, events []eql.Event, search eql.SearchOptions, idField string) string {
	q, err := eql.Compile(src, opts)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	results, _, _ := q.Search(events, search)
	var b strings.Builder
	for _, r := range results {
		var ids []string
		for _, ev := range r.Events {
			if ev == nil {
				ids = append(ids, "-")
				continue
			}
			v, _ := ev.(eql.Doc).Get(idField)
			ids = append(ids, fmt.Sprint(v))
		}
		b.WriteString(strings.Join(ids, " "))
		if r.JoinKeys != nil {
			var keys []string
			for _, k := range r.JoinKeys {
				j, _ := json.Marshal(k.Interface())
				keys = append(keys, string(j))
			}
			b.WriteString(" | keys " + strings.Join(keys, " "))
		}
		b.WriteString("\n")
	}
	if len(results) == 0 {
		b.WriteString("(none)\n")
	}
	return b.String()
}

// specNames is used by the fuzz seeds: every query in the spec archives.
func specQueries(t testing.TB) []string {
	files, _ := filepath.Glob("testdata/spec/*.txtar")
	var out []string
	for _, f := range files {
		ar, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range ar.Files {
			if strings.HasPrefix(file.Name, "query ") {
				out = append(out, strings.TrimSpace(string(file.Data)))
			}
		}
	}
	sort.Strings(out)
	return out
}
