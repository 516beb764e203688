package rule

import (
	"fmt"
	"sort"
	"strings"
)

// Selector chooses rules. Each non-empty list is a filter that a rule must
// pass (the lists are ANDed); within a list any entry may match (ORed).
// Matching of tags, names and rule ids ignores case, so that command-line
// use is forgiving; tags and names may be globs with * and ?.
type Selector struct {
	// Types are rule types such as "eql".
	Types []string
	// Tags are exact tags ("Tactic: Lateral Movement") or globs
	// ("Tactic: *"). A rule passes if any of its tags matches any entry.
	Tags []string
	// Severities are exact severities.
	Severities []string
	// MinSeverity keeps rules at least this severe ("high" keeps high and
	// critical).
	MinSeverity string
	// RuleIDs are exact rule_ids.
	RuleIDs []string
	// Names are globs over the rule name.
	Names []string
	// IncludeDeprecated keeps deprecated rules, which are dropped otherwise.
	IncludeDeprecated bool
	// IncludeBuildingBlocks keeps building-block rules, dropped otherwise.
	IncludeBuildingBlocks bool
	// RunnableOnly keeps only rules eqld can run.
	RunnableOnly bool
}

// Validate reports selector values that can never match, such as an
// unknown severity, so that a typo on the command line is not silently an
// empty selection.
func (s Selector) Validate() error {
	for _, t := range s.Types {
		if !oneOf(strings.ToLower(t), RuleTypes) {
			return fmt.Errorf("unknown rule type %q; use one of %s", t, quoteList(RuleTypes))
		}
	}
	for _, sev := range append(append([]string(nil), s.Severities...), s.MinSeverity) {
		if sev != "" && severityRank(sev) < 0 {
			return fmt.Errorf("unknown severity %q; use one of %s", sev, quoteList(Severities))
		}
	}
	return nil
}

func severityRank(s string) int {
	for i, v := range Severities {
		if strings.EqualFold(s, v) {
			return i
		}
	}
	return -1
}

// Match reports whether r passes the selector.
func (s Selector) Match(r *Rule) bool {
	if r.Deprecated && !s.IncludeDeprecated {
		return false
	}
	if r.IsBuildingBlock() && !s.IncludeBuildingBlocks {
		return false
	}
	if s.RunnableOnly && !r.Runnable {
		return false
	}
	if len(s.Types) > 0 && !anyEqualFold(s.Types, r.Type) {
		return false
	}
	if len(s.Severities) > 0 && !anyEqualFold(s.Severities, r.Severity) {
		return false
	}
	if s.MinSeverity != "" && severityRank(r.Severity) < severityRank(s.MinSeverity) {
		return false
	}
	if len(s.RuleIDs) > 0 && !anyEqualFold(s.RuleIDs, r.RuleID) {
		return false
	}
	if len(s.Names) > 0 && !anyGlob(s.Names, r.Name) {
		return false
	}
	if len(s.Tags) > 0 {
		found := false
		for _, t := range r.Tags {
			if anyGlob(s.Tags, t) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Select returns the rules of the set that pass the selector, in load order.
func (set *Set) Select(s Selector) []*Rule {
	var out []*Rule
	for _, r := range set.Rules {
		if s.Match(r) {
			out = append(out, r)
		}
	}
	return out
}

func anyEqualFold(list []string, v string) bool {
	for _, e := range list {
		if strings.EqualFold(e, v) {
			return true
		}
	}
	return false
}

func anyGlob(patterns []string, v string) bool {
	lv := strings.ToLower(v)
	for _, p := range patterns {
		if Glob(strings.ToLower(p), lv) {
			return true
		}
	}
	return false
}

// Glob reports whether s matches pattern, where * matches any run of
// characters (including none) and ? exactly one character. Nothing else is
// special, so tags with brackets or colons match literally. Matching is
// case-sensitive; Selector lower-cases both sides.
func Glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	// Iterative matching with backtracking to the last star: linear in
	// practice and never exponential.
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// TypeCounts are the per-type counts of a Summary. Loaded = Runnable +
// Rejected + NotRunnable.
type TypeCounts struct {
	Loaded         int `json:"loaded"`
	Runnable       int `json:"runnable"`
	Rejected       int `json:"rejected"`
	NotRunnable    int `json:"not_runnable"`
	Deprecated     int `json:"deprecated"`
	BuildingBlocks int `json:"building_blocks"`
}

// Summary is the report of `eqld rules validate --json`.
type Summary struct {
	Files    int                    `json:"files"`
	Loaded   int                    `json:"loaded"`
	Failed   int                    `json:"failed"`
	Skipped  int                    `json:"skipped"`
	Runnable int                    `json:"runnable"`
	Errors   int                    `json:"errors"`
	Warnings int                    `json:"warnings"`
	ByType   map[string]*TypeCounts `json:"by_type"`
	// Rejections counts rejected rules by the field of their first error,
	// named as in Kibana's API (for example "query" or "risk_score").
	Rejections map[string]int `json:"rejections"`
	Problems   []Problem      `json:"problems"`
}

// Summary computes the validation summary of the set.
func (set *Set) Summary() Summary {
	s := Summary{
		Files:      set.Files,
		Loaded:     len(set.Rules),
		Failed:     set.Failed,
		Skipped:    set.Skipped,
		ByType:     map[string]*TypeCounts{},
		Rejections: map[string]int{},
		Problems:   append([]Problem{}, set.Problems...),
	}
	for _, r := range set.Rules {
		c := s.ByType[typeName(r.Type)]
		if c == nil {
			c = &TypeCounts{}
			s.ByType[typeName(r.Type)] = c
		}
		c.Loaded++
		switch r.Status {
		case StatusRunnable:
			c.Runnable++
			s.Runnable++
		case StatusRejected:
			c.Rejected++
			field, _, _ := strings.Cut(r.Reason, ":")
			s.Rejections[strings.TrimPrefix(field, "rule.")]++
		default:
			c.NotRunnable++
		}
		if r.Deprecated {
			c.Deprecated++
		}
		if r.IsBuildingBlock() {
			c.BuildingBlocks++
		}
	}
	for _, p := range set.Problems {
		if p.Severity == LevelError {
			s.Errors++
		} else {
			s.Warnings++
		}
	}
	return s
}

// Counts are the tallies of `eqld rules list`.
type Counts struct {
	Total      int            `json:"total"`
	ByType     map[string]int `json:"by_type"`
	ByTactic   map[string]int `json:"by_tactic"`
	BySeverity map[string]int `json:"by_severity"`
}

// NoTactic is the ByTactic key of rules without a MITRE mapping.
const NoTactic = "(none)"

// CountRules tallies rules by type, MITRE tactic name and severity. A rule
// with several tactics counts once under each.
func CountRules(rules []*Rule) Counts {
	c := Counts{Total: len(rules), ByType: map[string]int{}, ByTactic: map[string]int{}, BySeverity: map[string]int{}}
	for _, r := range rules {
		c.ByType[typeName(r.Type)]++
		c.BySeverity[r.Severity]++
		for _, t := range Tactics(r) {
			c.ByTactic[t]++
		}
	}
	return c
}

// Tactics returns the distinct MITRE tactic names of r, sorted, or
// []string{NoTactic} when it has none.
func Tactics(r *Rule) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range r.Threat {
		if n := t.Tactic.Name; n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return []string{NoTactic}
	}
	sort.Strings(out)
	return out
}
