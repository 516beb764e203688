package source

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDeferValidationReject plays a consumer that validates Deferred
// events itself: invalid ones are reported with Reject, and the index comes
// from DataStreamIndex.
func TestDeferValidationReject(t *testing.T) {
	lines := []string{
		`{"a":1,"data_stream":{"type":"logs","dataset":"x","namespace":"d"}}`,
		`{"a":01}`,
		`{"_index":"idx","_source":{"b":2}}`,
		`[1]`,
		`{"c":3}`,
	}
	path := filepath.Join(t.TempDir(), "in.ndjson")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, strict := range []bool{false, true} {
		var problems []string
		r, err := Open([]string{path}, Options{DeferValidation: true, Index: "def", Strict: strict,
			OnProblem: func(p Problem) { problems = append(problems, p.Reason) }})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		var end error
		for {
			ev, err := r.Next()
			if err != nil {
				end = err
				break
			}
			if ev.Deferred {
				if !json.Valid(ev.Raw) {
					r.Reject(ev, errors.New("invalid JSON: bad number"))
					continue
				}
				if bytes.Contains(ev.Raw, []byte(`"_source"`)) && !r.Settle(ev) {
					continue // a hit: its event comes next
				}
				var doc struct {
					DS struct{ Type, Dataset, Namespace string } `json:"data_stream"`
				}
				json.Unmarshal(ev.Raw, &doc)
				if idx := r.DataStreamIndex(doc.DS.Type, doc.DS.Dataset, doc.DS.Namespace); idx != "" {
					ev.Index = idx
				}
			}
			got = append(got, ev.Index+" "+string(ev.Raw))
		}
		r.Close()
		want := []string{`logs-x-d {"a":1,"data_stream":{"type":"logs","dataset":"x","namespace":"d"}}`}
		wantProblems := []string{"invalid JSON: bad number; skipped"}
		if strict {
			var p *Problem
			if !errors.As(end, &p) || p.Line != 2 || p.Reason != wantProblems[0] {
				t.Errorf("strict: ended with %v, want the problem of line 2", end)
			}
		} else {
			if end != io.EOF {
				t.Fatal(end)
			}
			want = append(want, `idx {"b":2}`, `def {"c":3}`)
			wantProblems = append(wantProblems, "not a JSON object but an array; every document must be an object; skipped")
			if s := r.Stats(); s.Events != 3 || s.Malformed != 2 || s.Problems != 2 {
				t.Errorf("stats %+v, want 3 events, 2 malformed, 2 problems", s)
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("strict=%v: events (-want +got):\n%s", strict, d)
		}
		if d := cmp.Diff(wantProblems, problems); d != "" {
			t.Errorf("strict=%v: problems (-want +got):\n%s", strict, d)
		}
	}
}
