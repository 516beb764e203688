package sink

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/eqld/eqld/alert"
	"github.com/eqld/eqld/rule"
)

// Summary accumulates the alerts of a run and renders an overview at the
// end: alerts by severity, the rules that fired most, a MITRE ATT&CK
// tactic → technique table, and notes the caller adds (malformed input
// lines, rules skipped and why, …).
//
// Shells and single-event alerts count as alerts; building blocks are
// counted apart (see Counts).
type Summary struct {
	// TopRules is how many rules Render lists; 0 means 10, <0 all.
	TopRules int

	alerts         int
	buildingBlocks int
	severities     map[string]int
	rules          map[string]*RuleCount
	tactics        map[string]*TacticCount
	notes          []Note
}

// NewSummary returns an empty summary.
func NewSummary() *Summary {
	return &Summary{
		severities: map[string]int{},
		rules:      map[string]*RuleCount{},
		tactics:    map[string]*TacticCount{},
	}
}

// Note is a line of extra information for the summary, grouped under
// Section ("Input", "Rules skipped", …).
type Note struct {
	Section string `json:"section"`
	Text    string `json:"text"`
}

// RuleCount is how many alerts one rule produced.
type RuleCount struct {
	RuleID   string `json:"rule_id"`
	Name     string `json:"name"`
	Severity string `json:"severity"`
	Alerts   int    `json:"alerts"`
}

// TacticCount is how many alerts came from rules mapped to a MITRE tactic,
// with the techniques under it.
type TacticCount struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Alerts     int               `json:"alerts"`
	Techniques []*TechniqueCount `json:"techniques"`
}

// TechniqueCount is how many alerts came from rules mapped to a technique
// or sub-technique (ID "T1021.006") under a tactic.
type TechniqueCount struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Alerts int    `json:"alerts"`
}

// Report is the summary as data: what Render prints and JSON encodes.
type Report struct {
	// Alerts counts shells and single-event alerts; BuildingBlocks the
	// building blocks of sequences, which are not counted as alerts.
	Alerts         int `json:"alerts"`
	BuildingBlocks int `json:"building_blocks"`
	// Severity maps critical, high, medium and low (always present) and
	// any other severity seen to alert counts.
	Severity map[string]int `json:"severity"`
	// Rules are all rules that produced alerts, most alerts first.
	Rules []RuleCount `json:"rules"`
	// Tactics are the MITRE tactics, most alerts first; rules without a
	// mapping count under rule.NoTactic.
	Tactics []TacticCount `json:"tactics"`
	Notes   []Note        `json:"notes"`
}

// Write adds a to the summary, so that a Summary can be used as a Writer.
func (s *Summary) Write(a *alert.Alert) error {
	if a == nil {
		return errNilAlert
	}
	s.Add(a)
	return nil
}

// Close does nothing; render the summary with Render or WriteJSON.
func (s *Summary) Close() error { return nil }

// Add counts a (nil is ignored).
func (s *Summary) Add(a *alert.Alert) {
	if a == nil {
		return
	}
	if !Counts(a) {
		s.buildingBlocks++
		return
	}
	s.alerts++
	s.severities[a.Severity]++
	rc := s.rules[a.RuleID]
	if rc == nil {
		rc = &RuleCount{RuleID: a.RuleID, Name: a.RuleName, Severity: a.Severity}
		if a.Rule != nil {
			// The rule's own name and severity: overrides vary per alert.
			rc.Name, rc.Severity = a.Rule.Name, a.Rule.Severity
		}
		s.rules[a.RuleID] = rc
	}
	rc.Alerts++
	s.addThreat(a)
}

// addThreat counts a once per tactic and once per technique of its rule.
func (s *Summary) addThreat(a *alert.Alert) {
	var threats []rule.Threat
	if a.Rule != nil {
		threats = a.Rule.Threat
	}
	seenTactic := map[string]bool{}
	seenTech := map[string]bool{}
	for _, th := range threats {
		key := th.Tactic.ID + "\x00" + th.Tactic.Name
		tc := s.tactics[key]
		if tc == nil {
			tc = &TacticCount{ID: th.Tactic.ID, Name: th.Tactic.Name}
			s.tactics[key] = tc
		}
		if !seenTactic[key] {
			seenTactic[key] = true
			tc.Alerts++
		}
		count := func(id, name string) {
			k := key + "\x00" + id
			if id == "" || seenTech[k] {
				return
			}
			seenTech[k] = true
			for _, t := range tc.Techniques {
				if t.ID == id {
					t.Alerts++
					return
				}
			}
			tc.Techniques = append(tc.Techniques, &TechniqueCount{ID: id, Name: name, Alerts: 1})
		}
		for _, tech := range th.Technique {
			count(tech.ID, tech.Name)
			for _, sub := range tech.Subtechnique {
				count(sub.ID, sub.Name)
			}
		}
	}
	if len(threats) == 0 {
		key := "\x00" + rule.NoTactic
		tc := s.tactics[key]
		if tc == nil {
			tc = &TacticCount{Name: rule.NoTactic}
			s.tactics[key] = tc
		}
		tc.Alerts++
	}
}

// AddNote adds a line of text under section.
func (s *Summary) AddNote(section, text string) {
	s.notes = append(s.notes, Note{Section: section, Text: text})
}

// Report returns the summary as data, sorted deterministically.
func (s *Summary) Report() Report {
	r := Report{
		Alerts:         s.alerts,
		BuildingBlocks: s.buildingBlocks,
		Severity:       map[string]int{},
		Rules:          []RuleCount{},
		Tactics:        []TacticCount{},
		Notes:          slices.Clone(s.notes),
	}
	if r.Notes == nil {
		r.Notes = []Note{}
	}
	for _, sev := range Severities {
		r.Severity[sev] = 0
	}
	for sev, n := range s.severities {
		r.Severity[sev] = n
	}
	for _, rc := range s.rules {
		r.Rules = append(r.Rules, *rc)
	}
	slices.SortFunc(r.Rules, func(a, b RuleCount) int {
		return cmp.Or(cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.Name, b.Name), cmp.Compare(a.RuleID, b.RuleID))
	})
	for _, tc := range s.tactics {
		c := *tc
		c.Techniques = make([]*TechniqueCount, len(tc.Techniques))
		for i, t := range tc.Techniques {
			tt := *t
			c.Techniques[i] = &tt
		}
		slices.SortFunc(c.Techniques, func(a, b *TechniqueCount) int {
			return cmp.Or(cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.ID, b.ID))
		})
		r.Tactics = append(r.Tactics, c)
	}
	slices.SortFunc(r.Tactics, func(a, b TacticCount) int {
		// The "(none)" row goes last whatever its count.
		return cmp.Or(cmp.Compare(boolInt(a.Name == rule.NoTactic), boolInt(b.Name == rule.NoTactic)),
			cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WriteJSON writes the report as one indented JSON object, for scripts.
func (s *Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s.Report()); err != nil {
		return fmt.Errorf("sink: summary: %w", err)
	}
	return nil
}

// Render writes the summary as aligned text.
func (s *Summary) Render(w io.Writer) error {
	r := s.Report()
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "Alerts: %d", r.Alerts)
	if r.BuildingBlocks > 0 {
		fmt.Fprintf(ew, " (plus %d building-block alerts of sequences)", r.BuildingBlocks)
	}
	fmt.Fprintln(ew)

	fmt.Fprintln(ew, "\nBy severity")
	var sev [][]string
	for _, name := range Severities {
		sev = append(sev, []string{name, strconv.Itoa(r.Severity[name])})
	}
	var others []string
	for name := range r.Severity {
		if severityRank(name) == len(Severities) {
			others = append(others, name)
		}
	}
	slices.Sort(others)
	for _, name := range others {
		label := name
		if label == "" {
			label = "(none)"
		}
		sev = append(sev, []string{label, strconv.Itoa(r.Severity[name])})
	}
	writeAligned(ew, "  ", nil, []bool{false, true}, sev)

	if len(r.Rules) > 0 {
		top := s.TopRules
		if top == 0 {
			top = 10
		}
		rules := r.Rules
		title := "Rules"
		if top > 0 && len(rules) > top {
			rules = rules[:top]
			title = fmt.Sprintf("Top %d of %d rules", top, len(r.Rules))
		}
		fmt.Fprintln(ew, "\n"+title)
		var rows [][]string
		for _, rc := range rules {
			rows = append(rows, []string{strconv.Itoa(rc.Alerts), rc.Severity, rc.Name, rc.RuleID})
		}
		writeAligned(ew, "  ", []string{"ALERTS", "SEVERITY", "RULE", "RULE ID"}, []bool{true, false, false, false}, rows)
	}

	if len(r.Tactics) > 0 {
		fmt.Fprintln(ew, "\nMITRE ATT&CK")
		var rows [][]string
		for _, tc := range r.Tactics {
			name := tc.Name
			if tc.ID != "" {
				name += " (" + tc.ID + ")"
			}
			rows = append(rows, []string{name, "", strconv.Itoa(tc.Alerts)})
			for _, t := range tc.Techniques {
				rows = append(rows, []string{"", t.ID + " " + t.Name, strconv.Itoa(t.Alerts)})
			}
		}
		writeAligned(ew, "  ", []string{"TACTIC", "TECHNIQUE", "ALERTS"}, []bool{false, false, true}, rows)
		fmt.Fprintln(ew, "  (an alert counts once under each tactic and technique of its rule)")
	}

	// Notes under their sections, sections in order of first appearance.
	var sections []string
	bySection := map[string][]string{}
	for _, n := range r.Notes {
		if _, ok := bySection[n.Section]; !ok {
			sections = append(sections, n.Section)
		}
		bySection[n.Section] = append(bySection[n.Section], n.Text)
	}
	for _, sec := range sections {
		fmt.Fprintln(ew, "\n"+sec)
		for _, text := range bySection[sec] {
			fmt.Fprintln(ew, "  "+text)
		}
	}
	if ew.err != nil {
		return fmt.Errorf("sink: summary: %w", ew.err)
	}
	return nil
}

// errWriter keeps the first write error so that rendering code can write
// freely and check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
