package alert

import (
	"slices"
	"strconv"
	"strings"

	"github.com/eqld/eqld/rule"
)

// The overrides of single-event alerts (factories/utils/mappings/*.ts).
// Kibana applies them in transformHitToAlert when applyOverrides is true,
// which is the case for non-sequence EQL hits and never for sequences
// (kibana#120521). All three read the event's _source with lodash's get.

// overrideName is buildRuleNameFromMapping: the value of the
// rule_name_override field when it is a string.
func overrideName(src value, name, field string) string {
	if field == "" {
		return name
	}
	if v := lodashGet(src, field); v.kind == kindString {
		return v.s
	}
	return name
}

var severityRank = map[string]int{"low": 0, "medium": 1, "high": 2, "critical": 3}

// overrideSeverity is buildSeverityFromMapping: the mappings sorted from
// low to high severity (a stable sort), the last one whose value equals the
// event's value (String(value) for numbers and booleans, any element of an
// array) wins, if its severity is a valid one.
func overrideSeverity(src value, severity string, mappings []rule.SeverityMapping) string {
	if len(mappings) == 0 {
		return severity
	}
	sorted := slices.Clone(mappings)
	slices.SortStableFunc(sorted, func(a, b rule.SeverityMapping) int {
		return severityRank[a.Severity] - severityRank[b.Severity]
	})
	match := -1
	for i, m := range sorted {
		if mappingMatches(lodashGet(src, m.Field), m.Value) {
			match = i
		}
	}
	if match < 0 {
		return severity
	}
	if _, ok := severityRank[sorted[match].Severity]; !ok {
		return severity
	}
	return sorted[match].Severity
}

func mappingMatches(v value, want string) bool {
	switch v.kind {
	case kindString, kindNumber:
		return v.s == want
	case kindTrue, kindFalse:
		return jsString(v) == want
	case kindArray:
		for _, e := range v.arr {
			if e.kind != kindArray && mappingMatches(e, want) {
				return true
			}
		}
	}
	return false
}

// overrideRiskScore is buildRiskScoreFromMapping: the first mapping's
// field; its numeric values (numbers or numeric strings) within 0–100;
// the largest one wins.
func overrideRiskScore(src value, mappings []rule.RiskScoreMapping) (float64, bool) {
	if len(mappings) == 0 {
		return 0, false
	}
	v := lodashGet(src, mappings[0].Field)
	vals := []value{v}
	if v.kind == kindArray {
		vals = v.arr
	}
	best, found := 0.0, false
	for _, e := range vals {
		var n float64
		switch e.kind {
		case kindNumber:
			n = e.n
		case kindString:
			f, err := strconv.ParseFloat(strings.TrimSpace(e.s), 64)
			if err != nil {
				continue
			}
			n = f
		default:
			continue
		}
		if n >= 0 && n <= 100 && (!found || n > best) {
			best, found = n, true
		}
	}
	return best, found
}
