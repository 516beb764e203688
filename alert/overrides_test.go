package alert

import (
	"testing"

	"github.com/eqld/eqld/rule"
)

func intp(i int) *int { return &i }

func TestOverrideName(t *testing.T) {
	src := objectValue(mustObject(t, `{"message":"Suspicious thing","event":{"action":["a"]},"n":5}`))
	tests := []struct{ field, want string }{
		{"", "Rule"},
		{"message", "Suspicious thing"},
		{"event.action", "Rule"}, // not a string
		{"n", "Rule"},
		{"missing", "Rule"},
	}
	for _, tt := range tests {
		if got := overrideName(src, "Rule", tt.field); got != tt.want {
			t.Errorf("overrideName(%q) = %q, want %q", tt.field, got, tt.want)
		}
	}
}

func TestOverrideSeverity(t *testing.T) {
	src := objectValue(mustObject(t, `{"verdict":"SUSPICIOUS","score":7,"flag":true,"tags":["x","crit"]}`))
	m := func(field, value, sev string) rule.SeverityMapping {
		return rule.SeverityMapping{Field: field, Operator: "equals", Value: value, Severity: sev}
	}
	tests := []struct {
		name string
		maps []rule.SeverityMapping
		want string
	}{
		{"no mapping", nil, "medium"},
		{"string match", []rule.SeverityMapping{m("verdict", "SUSPICIOUS", "low")}, "low"},
		{"number as string", []rule.SeverityMapping{m("score", "7", "high")}, "high"},
		{"boolean as string", []rule.SeverityMapping{m("flag", "true", "high")}, "high"},
		{"array element", []rule.SeverityMapping{m("tags", "crit", "critical")}, "critical"},
		{"no match", []rule.SeverityMapping{m("verdict", "BENIGN", "low")}, "medium"},
		{
			"highest matching severity wins regardless of order",
			[]rule.SeverityMapping{m("verdict", "SUSPICIOUS", "critical"), m("score", "7", "low")},
			"critical",
		},
		{"invalid severity ignored", []rule.SeverityMapping{m("verdict", "SUSPICIOUS", "severe")}, "medium"},
	}
	for _, tt := range tests {
		if got := overrideSeverity(src, "medium", tt.maps); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestOverrideRiskScore(t *testing.T) {
	src := objectValue(mustObject(t, `{"a":73.5,"b":["12","150","40"],"c":"x","d":-1}`))
	tests := []struct {
		field string
		want  float64
		ok    bool
	}{
		{"a", 73.5, true},
		{"b", 40, true},
		{"c", 0, false},
		{"d", 0, false},
		{"missing", 0, false},
	}
	for _, tt := range tests {
		got, ok := overrideRiskScore(src, []rule.RiskScoreMapping{{Field: tt.field, Operator: "equals", RiskScore: intp(0)}})
		if got != tt.want || ok != tt.ok {
			t.Errorf("overrideRiskScore(%s) = %v %v, want %v %v", tt.field, got, ok, tt.want, tt.ok)
		}
	}
}
