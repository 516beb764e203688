package eql_test

import (
	"fmt"

	"github.com/eqld/eqld/eql"
)

// Parse a sequence query, run it over a few events and print the matches.
func Example() {
	q, err := eql.Compile(`
		sequence by host.id with maxspan=30s
		  [network where destination.port in (5985, 5986) and network.direction == "incoming"]
		  [process where process.parent.name : "wsmprovhost.exe"]`, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	var events []eql.Event
	for _, raw := range []string{
		`{"@timestamp": "2024-05-01T10:00:00Z", "event": {"category": "network"}, "host": {"id": "h1"}, "destination": {"port": 5985}, "network": {"direction": "incoming"}}`,
		`{"@timestamp": "2024-05-01T10:00:05Z", "event": {"category": "process"}, "host": {"id": "h1"}, "process": {"name": "whoami.exe", "parent": {"name": "WsmProvHost.exe"}}}`,
		`{"@timestamp": "2024-05-01T10:00:07Z", "event": {"category": "process"}, "host": {"id": "h2"}, "process": {"name": "cmd.exe", "parent": {"name": "wsmprovhost.exe"}}}`,
	} {
		doc, err := eql.ParseDoc([]byte(raw))
		if err != nil {
			panic(err)
		}
		events = append(events, doc)
	}
	results, total, _ := q.Search(events, eql.SearchOptions{})
	fmt.Println("sequences:", total)
	for _, r := range results {
		name, _ := r.Events[1].(eql.Doc).Get("process.name")
		fmt.Println("host", r.JoinKeys[0], "ran", name)
	}
	// Output:
	// sequences: 1
	// host h1 ran whoami.exe
}

// Report a query error the way a rule author sees it.
func ExampleCompile_error() {
	_, err := eql.Compile(`process where strlen(process.name) > 20`, nil)
	fmt.Println(err)
	// Output:
	// 1:15: unknown function `strlen`; did you mean `length`?
	//   | process where strlen(process.name) > 20
	//   |               ^
}

// Evaluate a single expression.
func ExampleEval() {
	v, _ := eql.Eval(`substring("hello world", -5)`, nil)
	fmt.Println(v)
	// Output: world
}
