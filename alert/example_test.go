package alert_test

import (
	"fmt"
	"time"

	"github.com/eqld/eqld/alert"
	"github.com/eqld/eqld/rule"
)

// A two-event sequence becomes a shell alert and two building blocks.
func ExampleBuilder_SequenceAlerts() {
	r := &rule.Rule{UUID: rule.DerivedUUID("2772264c-6fb9-4d9d-9014-b416eed21254")}
	r.RuleID = "2772264c-6fb9-4d9d-9014-b416eed21254"
	r.Name, r.Type, r.Severity, r.RiskScore = "Incoming Execution via PowerShell Remoting", "eql", "medium", 47
	b, err := alert.NewBuilder(r, alert.Options{Now: time.Date(2026, 1, 5, 8, 5, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	alerts, err := b.SequenceAlerts([]*alert.Event{
		{Index: "logs-endpoint.events.network-default", ID: "n1",
			Source: []byte(`{"@timestamp":"2026-01-05T08:00:30Z","event":{"category":["network"]},"host":{"name":"WS-LEG-0006"},"destination":{"ip":"10.30.1.3","port":5985}}`)},
		{Index: "logs-endpoint.events.process-default", ID: "p1",
			Source: []byte(`{"@timestamp":"2026-01-05T08:00:34Z","event":{"category":["process"]},"host":{"name":"WS-LEG-0006"},"process":{"name":"gpupdate.exe"}}`)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range alerts {
		kind := "shell"
		if a.IsBuildingBlock {
			kind = fmt.Sprintf("block %d", a.GroupIndex)
		}
		fmt.Printf("%-7s %s… %s\n", kind, a.ID[:12], a.Reason)
	}
	// Output:
	// shell   3edd4f6491ad… event on WS-LEG-0006 created medium alert Incoming Execution via PowerShell Remoting.
	// block 0 167b60018505… network event with destination 10.30.1.3:5985, on WS-LEG-0006 created medium alert Incoming Execution via PowerShell Remoting.
	// block 1 04335bb10911… process event with process gpupdate.exe, on WS-LEG-0006 created medium alert Incoming Execution via PowerShell Remoting.
}
