package rule_test

import (
	"fmt"
	"strings"

	"github.com/eqld/eqld/rule"
)

// Load a Kibana export, then select and summarise the rules.
func ExampleLoadNDJSON() {
	export := `{"id":"0d9f3a52-6a3e-4c1e-9d55-2b2f7f0e1c11","rule_id":"8a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","name":"Remote WMI","type":"eql","language":"eql","query":"process where process.parent.name == \"WmiPrvSE.exe\"","index":["logs-*"],"risk_score":47,"severity":"medium","description":"d","tags":["Tactic: Lateral Movement"]}
{"id":"c3d4e5f6-0a1b-4c2d-9e3f-4a5b6c7d8e9f","rule_id":"1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b","name":"New logon","type":"new_terms","language":"kuery","query":"event.category:authentication","index":["logs-*"],"new_terms_fields":["user.name"],"history_window_start":"now-10d","risk_score":21,"severity":"low","description":"d"}
{"exported_count":2,"exported_rules_count":2}`
	rules, problems, stats := rule.LoadNDJSON(strings.NewReader(export), "export.ndjson", rule.Options{})
	fmt.Println(stats.Rules, "rules,", len(problems), "problems")
	for _, r := range rules {
		fmt.Println(r.RuleID, r.Type, r.Status, r.UUID)
	}
	sel := rule.Selector{Tags: []string{"Tactic: *"}, RunnableOnly: true}
	for _, r := range rules {
		if sel.Match(r) {
			fmt.Println("selected:", r.Name)
		}
	}
	// Output:
	// 2 rules, 0 problems
	// 8a1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d eql runnable 0d9f3a52-6a3e-4c1e-9d55-2b2f7f0e1c11
	// 1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b new_terms not_runnable c3d4e5f6-0a1b-4c2d-9e3f-4a5b6c7d8e9f
	// selected: Remote WMI
}
