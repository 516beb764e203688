package exception_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/eqld/eqld/exception"
	"github.com/eqld/eqld/rule"
)

// Build the exclusion filter of a rule from an exception list export.
func ExampleSet_FilterFor() {
	export := `{"list_id":"admins","namespace_type":"single","type":"detection","name":"Admin activity"}
{"item_id":"backup","list_id":"admins","namespace_type":"single","type":"simple","name":"Backup job","entries":[{"field":"process.name","operator":"included","type":"match","value":"backup.exe"},{"field":"user.name","operator":"excluded","type":"match","value":"guest"}]}
{"exported_exception_list_count":1,"exported_exception_list_item_count":1}`
	s := exception.NewSet()
	if err := s.ReadExceptions(strings.NewReader(export), "exceptions.ndjson"); err != nil {
		panic(err)
	}
	r := &rule.Rule{}
	r.ExceptionsList = []rule.ExceptionListRef{{ID: "so-id", ListID: "admins", NamespaceType: "single", Type: "detection"}}
	filter, problems := s.FilterFor(r, time.Now())
	fmt.Println(filter)
	fmt.Println(len(problems), "problems")
	// The engine gives every stage the condition to keep an event:
	fmt.Println(exception.Keep(filter))
	// Output:
	// ?process.name != null and ?process.name == "backup.exe" and not (?user.name != null and ?user.name == "guest")
	// 0 problems
	// not (?process.name != null and ?process.name == "backup.exe" and not (?user.name != null and ?user.name == "guest"))
}
