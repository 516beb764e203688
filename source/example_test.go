package source_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/eqld/eqld/source"
)

func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "events.ndjson"), []byte(
		`{"@timestamp":"2024-05-01T12:00:00Z","data_stream":{"type":"logs","dataset":"endpoint.events.process","namespace":"default"}}`+"\n"+
			`{"broken"`+"\n"+
			`{"_index":"winlogbeat-8.14","_id":"abc","_version":2,"_source":{"event":{"code":"4688"}}}`+"\n"), 0o644)

	r, err := source.Open([]string{dir}, source.Options{
		Index:     "fallback",
		OnProblem: func(p source.Problem) { fmt.Println("skipped", filepath.Base(p.File), "line", p.Line) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("line %d: index=%s id=%s version=%q %s\n", ev.Origin.Line, ev.Index, ev.ID, ev.Version, ev.Raw)
	}
	s := r.Stats()
	fmt.Printf("%d events, %d problems\n", s.Events, s.Problems)
	// Output:
	// line 1: index=logs-endpoint.events.process-default id=A50-v-rKyg-SkMfwO-K5 version="" {"@timestamp":"2024-05-01T12:00:00Z","data_stream":{"type":"logs","dataset":"endpoint.events.process","namespace":"default"}}
	// skipped events.ndjson line 2
	// line 3: index=winlogbeat-8.14 id=abc version="2" {"event":{"code":"4688"}}
	// 2 events, 1 problems
}
