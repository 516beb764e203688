package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/rule"
)

type rulesCmd struct {
	List     rulesListCmd     `cmd:"" help:"List rules with counts by type, tactic and severity."`
	Validate rulesValidateCmd `cmd:"" help:"Load and validate rules: every problem, and per type loaded / runnable / rejected."`
	Show     rulesShowCmd     `cmd:"" help:"Show a rule with its pretty-printed, parsed query."`
}

type rulesListCmd struct {
	Paths []string `arg:"" help:"Rule files or directories (detection-rules TOML, Kibana export NDJSON)."`
	selection
	Type []string `help:"Only rules of this type (eql, query, esql, …); repeatable."`
	JSON bool     `help:"Print the rules and counts as JSON."`
}

func (c *rulesListCmd) Run(env *Env) error {
	set, err := rule.Load(rule.Options{}, c.Paths...)
	if err != nil {
		return err
	}
	sel, err := c.selector(c.Type)
	if err != nil {
		return err
	}
	rules := set.Select(sel)
	counts := rule.CountRules(rules)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	if c.JSON {
		type item struct {
			RuleID   string   `json:"rule_id"`
			Name     string   `json:"name"`
			Type     string   `json:"type"`
			Severity string   `json:"severity"`
			Risk     int      `json:"risk_score"`
			Tactics  []string `json:"tactics"`
			Status   string   `json:"status"`
			File     string   `json:"file"`
		}
		items := make([]item, 0, len(rules))
		for _, r := range rules {
			items = append(items, item{r.RuleID, r.Name, r.Type, r.Severity, r.RiskScore, rule.Tactics(r), string(r.Status), r.Source.File})
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"rules": items, "counts": counts})
	}
	fmt.Fprintf(out, "%-8s  %-36s  %-9s  %-12s  %s\n", "TYPE", "RULE ID", "SEVERITY", "STATUS", "NAME")
	for _, r := range rules {
		fmt.Fprintf(out, "%-8s  %-36s  %-9s  %-12s  %s\n", r.Type, r.RuleID, r.Severity, r.Status, r.Name)
	}
	fmt.Fprintf(out, "\n%d rules\n", counts.Total)
	writeCounts(out, "By type", counts.ByType)
	writeCounts(out, "By severity", counts.BySeverity)
	writeCounts(out, "By tactic", counts.ByTactic)
	return nil
}

func writeCounts(w io.Writer, title string, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(w, "\n%s\n", title)
	for _, k := range keys {
		fmt.Fprintf(w, "  %6d  %s\n", m[k], k)
	}
}

type rulesValidateCmd struct {
	Paths []string `arg:"" help:"Rule files or directories (detection-rules TOML, Kibana export NDJSON)."`
	JSON  bool     `help:"Print one JSON summary for scripts: {files, loaded, by_type: {<type>: {loaded, runnable, rejected}}, problems: [{file, rule_id, field, message}]}."`
	Quiet bool     `help:"Only the counts, not every problem."`
}

func (c *rulesValidateCmd) Run(env *Env) error {
	set, err := rule.Load(rule.Options{}, c.Paths...)
	if err != nil {
		return err
	}
	sum := set.Summary()
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	if c.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		if !c.Quiet {
			for _, p := range sum.Problems {
				fmt.Fprintln(out, p.Error())
			}
			if len(sum.Problems) > 0 {
				fmt.Fprintln(out)
			}
		}
		fmt.Fprintf(out, "%d files, %d rules loaded (%d failed to load, %d non-rule lines skipped); %d errors, %d warnings\n\n",
			sum.Files, sum.Loaded, sum.Failed, sum.Skipped, sum.Errors, sum.Warnings)
		fmt.Fprintf(out, "%-18s %7s %9s %9s %13s %11s %15s\n", "TYPE", "LOADED", "RUNNABLE", "REJECTED", "NOT RUNNABLE", "DEPRECATED", "BUILDING BLOCKS")
		types := make([]string, 0, len(sum.ByType))
		for t := range sum.ByType {
			types = append(types, t)
		}
		sort.Slice(types, func(i, j int) bool { return sum.ByType[types[i]].Loaded > sum.ByType[types[j]].Loaded })
		for _, t := range types {
			tc := sum.ByType[t]
			fmt.Fprintf(out, "%-18s %7d %9d %9d %13d %11d %15d\n", t, tc.Loaded, tc.Runnable, tc.Rejected, tc.NotRunnable, tc.Deprecated, tc.BuildingBlocks)
		}
		if len(sum.Rejections) > 0 {
			fmt.Fprintln(out, "\nRejected rules by field")
			for f, n := range sum.Rejections {
				fmt.Fprintf(out, "  %6d  %s\n", n, f)
			}
		}
		fmt.Fprintln(out, "\nNot runnable: only EQL rules run in this version of eqld.")
	}
	if sum.Errors > 0 || sum.Failed > 0 {
		out.Flush()
		return exitError{ExitUsage}
	}
	return nil
}

type rulesShowCmd struct {
	Paths  []string `arg:"" help:"Rule files or directories."`
	RuleID []string `name:"rule-id" help:"The rule_id to show (default: every rule loaded); repeatable."`
	Name   []string `help:"Rules whose name matches this glob; repeatable."`
	JSON   bool     `help:"Print the rule as Kibana's API would return it (JSON)."`
}

func (c *rulesShowCmd) Run(env *Env) error {
	set, err := rule.Load(rule.Options{}, c.Paths...)
	if err != nil {
		return err
	}
	rules := set.Select(rule.Selector{RuleIDs: c.RuleID, Names: c.Name, IncludeDeprecated: true, IncludeBuildingBlocks: true})
	if len(rules) == 0 {
		return usagef("no rule matches")
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	for i, r := range rules {
		if c.JSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			if err := enc.Encode(r.Params); err != nil {
				return err
			}
			continue
		}
		if i > 0 {
			fmt.Fprintln(out, strings.Repeat("─", 72))
		}
		fmt.Fprintf(out, "%s\n  rule_id   %s\n  type      %s (%s)\n  severity  %s, risk %d\n  status    %s", r.Name, r.RuleID, r.Type, r.Language, r.Severity, r.RiskScore, r.Status)
		if r.Reason != "" {
			fmt.Fprintf(out, ": %s", r.Reason)
		}
		fmt.Fprintf(out, "\n  file      %s\n", r.Source.File)
		if len(r.Index) > 0 {
			fmt.Fprintf(out, "  index     %s\n", strings.Join(r.Index, ", "))
		}
		fmt.Fprintf(out, "  from      %s  interval %s  max_signals %d\n", orDefault(r.From, rule.DefaultFrom), orDefault(r.Interval, "5m"), maxSignals(r))
		if r.TimestampOverride != "" {
			fmt.Fprintf(out, "  timestamp_override  %s\n", r.TimestampOverride)
		}
		for _, t := range rule.Tactics(r) {
			fmt.Fprintf(out, "  tactic    %s\n", t)
		}
		if r.Language == "eql" {
			q, err := eql.Compile(r.Query, &eql.Options{EventCategoryField: r.EventCategoryOverride})
			if err != nil {
				fmt.Fprintf(out, "\nquery (does not compile):\n%s\n%v\n", r.Query, err)
				continue
			}
			fmt.Fprintf(out, "\nquery (%s, parsed and printed):\n%s\n", q.Kind(), indentQuery(q.AST().String()))
			fmt.Fprintf(out, "\nfields read: %s\n", fieldNames(q))
		} else if r.Query != "" {
			fmt.Fprintf(out, "\nquery (%s):\n%s\n", r.Language, strings.TrimSpace(r.Query))
		}
	}
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func maxSignals(r *rule.Rule) int {
	if r.MaxSignals > 0 {
		return r.MaxSignals
	}
	return 100
}

func fieldNames(q *eql.Query) string {
	var names []string
	for _, f := range q.Fields() {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// indentQuery lays a printed query out one clause per line: stages of a
// sequence or sample on their own lines, and top-level `and` conditions
// indented below their stage.
func indentQuery(s string) string {
	var b strings.Builder
	depth, inStr := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inStr:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(s) {
				i++
				b.WriteByte(s[i])
			} else if c == '"' {
				inStr = false
			}
			continue
		case c == '"':
			inStr = true
		case c == '[' && depth == 0:
			b.WriteString("\n  [")
			depth++
			continue
		case c == '[':
			depth++
		case c == ']':
			depth--
		}
		if depth == 1 && strings.HasPrefix(s[i:], " and ") && !strings.HasPrefix(s[i:], " and (") {
			b.WriteString("\n     and ")
			i += len(" and ") - 1
			continue
		}
		if c == ' ' && depth == 0 && strings.HasPrefix(s[i:], " until ") {
			b.WriteString("\n until ")
			i += len(" until ") - 1
			continue
		}
		b.WriteByte(c)
	}
	return strings.TrimSpace(b.String())
}
