package rule

import (
	"strings"
	"testing"
)

func selectionRules() []*Rule {
	mk := func(id, name, typ, sev string, tags []string, dep, bb, runnable bool) *Rule {
		r := &Rule{Deprecated: dep, Runnable: runnable}
		r.RuleID, r.Name, r.Type, r.Severity, r.Tags = id, name, typ, sev, tags
		if bb {
			r.BuildingBlockType = "default"
		}
		return r
	}
	return []*Rule{
		mk("a", "Remote Service via WMI", "eql", "medium", []string{"Tactic: Lateral Movement", "OS: Windows"}, false, false, true),
		mk("b", "Shell [Linux] Spawned", "eql", "high", []string{"Tactic: Execution", "OS: Linux"}, false, false, true),
		mk("c", "Old Rule", "eql", "critical", []string{"Tactic: Execution"}, true, false, true),
		mk("d", "Building Block", "eql", "low", []string{"Rule Type: BBR"}, false, true, true),
		mk("e", "New Logon", "new_terms", "low", []string{"Tactic: Initial Access"}, false, false, false),
	}
}

func TestSelector(t *testing.T) {
	tests := []struct {
		name string
		sel  Selector
		want string
	}{
		{"default drops deprecated and building blocks", Selector{}, "abe"},
		{"include deprecated", Selector{IncludeDeprecated: true}, "abce"},
		{"include building blocks", Selector{IncludeBuildingBlocks: true}, "abde"},
		{"type", Selector{Types: []string{"new_terms"}}, "e"},
		{"type is case-insensitive", Selector{Types: []string{"EQL"}}, "ab"},
		{"exact tag", Selector{Tags: []string{"Tactic: Lateral Movement"}}, "a"},
		{"exact tag ignores case", Selector{Tags: []string{"tactic: lateral movement"}}, "a"},
		{"tag glob", Selector{Tags: []string{"Tactic: *"}}, "abe"},
		{"tag glob ?", Selector{Tags: []string{"OS: ?????"}}, "b"},
		{"tags are ORed", Selector{Tags: []string{"OS: Windows", "OS: Linux"}}, "ab"},
		{"severity", Selector{Severities: []string{"low", "high"}}, "be"},
		{"min severity", Selector{MinSeverity: "medium"}, "ab"},
		{"min severity with deprecated", Selector{MinSeverity: "high", IncludeDeprecated: true}, "bc"},
		{"rule id", Selector{RuleIDs: []string{"B"}}, "b"},
		{"name glob", Selector{Names: []string{"*wmi*"}}, "a"},
		{"name glob with brackets is literal", Selector{Names: []string{"Shell [Linux]*"}}, "b"},
		{"criteria are ANDed", Selector{Types: []string{"eql"}, Tags: []string{"Tactic: Execution"}}, "b"},
		{"runnable only", Selector{RunnableOnly: true, IncludeBuildingBlocks: true}, "abd"},
	}
	set := &Set{Rules: selectionRules()}
	for _, tt := range tests {
		var got strings.Builder
		for _, r := range set.Select(tt.sel) {
			got.WriteString(r.RuleID)
		}
		if got.String() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got.String(), tt.want)
		}
	}
}

func TestSelectorValidate(t *testing.T) {
	if err := (Selector{Types: []string{"eql"}, MinSeverity: "High"}).Validate(); err != nil {
		t.Error(err)
	}
	for _, s := range []Selector{{Types: []string{"sigma"}}, {Severities: []string{"severe"}}, {MinSeverity: "urgent"}} {
		if err := s.Validate(); err == nil {
			t.Errorf("%+v: want an error", s)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"", "", true},
		{"*", "", true},
		{"*", "abc", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbb", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"[x]", "[x]", true},
		{"é?", "éé", true},
	}
	for _, tt := range tests {
		if got := Glob(tt.p, tt.s); got != tt.want {
			t.Errorf("Glob(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

func TestCountRules(t *testing.T) {
	rules := selectionRules()
	rules[0].Threat = []Threat{{Tactic: ThreatTactic{Name: "Lateral Movement"}}, {Tactic: ThreatTactic{Name: "Execution"}}, {Tactic: ThreatTactic{Name: "Execution"}}}
	c := CountRules(rules)
	if c.Total != 5 || c.ByType["eql"] != 4 || c.ByType["new_terms"] != 1 {
		t.Errorf("by type %v", c.ByType)
	}
	if c.ByTactic["Execution"] != 1 || c.ByTactic["Lateral Movement"] != 1 || c.ByTactic[NoTactic] != 4 {
		t.Errorf("by tactic %v", c.ByTactic)
	}
	if c.BySeverity["low"] != 2 {
		t.Errorf("by severity %v", c.BySeverity)
	}
}
