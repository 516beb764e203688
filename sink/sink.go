// Package sink writes the alerts eqld produces: Kibana's alert documents as
// NDJSON (with Kibana's de-duplication by alert id), a time-sorted timeline
// as DFIR tools offer (CSV or JSON lines), a terminal table, and a summary of
// a run (alerts by severity, top rules, MITRE ATT&CK tactics and techniques).
//
// Every writer takes *alert.Alert values and is closed once at the end of a
// run. Writers that sort (timeline, table) buffer the alerts and write at
// Close: alerts are rare compared with events, so holding them is cheap.
// Writers are not safe for concurrent use; feed them from one goroutine.
//
// Which alerts count: a shell alert stands for its sequence and a
// single-event alert for its event; building blocks are parts of a shell.
// Kibana schedules actions only for the former (detection-engine.md §2.4),
// so the summary counts only those, and the timeline and table show only
// those unless asked to include building blocks. The NDJSON writer writes
// every document, as Kibana indexes every one.
package sink

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/eqld/eqld/alert"
)

// Writer receives alerts and is closed at the end of a run.
type Writer interface {
	Write(a *alert.Alert) error
	Close() error
}

// Counts reports whether a counts as an alert of its own: a single-event
// alert or a shell, not a building block of a sequence.
func Counts(a *alert.Alert) bool { return !a.IsBuildingBlock }

var errNilAlert = errors.New("sink: nil alert")

// light returns a copy of a without its document, for writers that hold
// alerts until Close: they need the facts, not the (much larger) document.
func light(a *alert.Alert) *alert.Alert {
	c := *a
	c.Doc = alert.Doc{}
	return &c
}

// Severities are Kibana's severities from the most to the least severe.
var Severities = []string{"critical", "high", "medium", "low"}

// severityRank orders severities most severe first; unknown ones last.
func severityRank(s string) int {
	for i, x := range Severities {
		if x == s {
			return i
		}
	}
	return len(Severities)
}

// when is the time an alert is placed at in a timeline: when the detected
// activity happened, else Kibana's original_time, else the alert time.
func when(a *alert.Alert) time.Time {
	switch {
	case !a.EventTime.IsZero():
		return a.EventTime
	case !a.OriginalTime.IsZero():
		return a.OriginalTime
	}
	return a.Timestamp
}

// compareAlerts is the timeline order: time, then the most severe first,
// then rule name, a shell before the building blocks of its sequence (a
// shell has its first event's time), building blocks by position, and the
// alert id last, so that equal times sort the same way on every run
// whatever order the alerts arrived in.
func compareAlerts(a, b *alert.Alert) int {
	return cmp.Or(
		when(a).Compare(when(b)),
		cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
		cmp.Compare(a.RuleName, b.RuleName),
		cmp.Compare(a.GroupID, b.GroupID),
		cmp.Compare(a.GroupIndex, b.GroupIndex), // -1 for the shell
		cmp.Compare(a.ID, b.ID),
	)
}

// sortGrouped sorts alerts in timeline order, except that building blocks
// whose shell is among the alerts follow it directly, in sequence order,
// so that a reader sees each sequence as one block of lines.
func sortGrouped(as []*alert.Alert) {
	shells := map[string]*alert.Alert{}
	for _, a := range as {
		if a.IsShell {
			shells[a.GroupID] = a
		}
	}
	anchor := func(a *alert.Alert) *alert.Alert {
		if a.IsBuildingBlock {
			if s := shells[a.GroupID]; s != nil {
				return s
			}
		}
		return a
	}
	slices.SortStableFunc(as, func(a, b *alert.Alert) int {
		return cmp.Or(compareAlerts(anchor(a), anchor(b)), compareAlerts(a, b))
	})
}

// timeLayout is RFC 3339 with fixed milliseconds, so that timestamps line
// up and sort as text within one zone.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(timeLayout)
}

// kindOf names the alert kind in timelines.
func kindOf(a *alert.Alert) string {
	switch {
	case a.IsShell:
		return "sequence"
	case a.IsBuildingBlock:
		return "building_block"
	}
	return "event"
}

// tacticsOf lists the rule's MITRE tactic names, sorted and distinct.
func tacticsOf(a *alert.Alert) []string {
	if a.Rule == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range a.Rule.Threat {
		if n := t.Tactic.Name; n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return sortedStrings(out)
}

// techniquesOf lists the rule's MITRE technique ids, sorted and distinct.
func techniquesOf(a *alert.Alert) []string {
	if a.Rule == nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range a.Rule.Threat {
		for _, tech := range t.Technique {
			if tech.ID != "" && !seen[tech.ID] {
				seen[tech.ID] = true
				out = append(out, tech.ID)
			}
			for _, sub := range tech.Subtechnique {
				if sub.ID != "" && !seen[sub.ID] {
					seen[sub.ID] = true
					out = append(out, sub.ID)
				}
			}
		}
	}
	return sortedStrings(out)
}

func sortedStrings(ss []string) []string {
	// Insertion sort: the lists are a handful of entries.
	for i := 1; i < len(ss); i++ {
		for j := i; j > 0 && ss[j] < ss[j-1]; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
	return ss
}

// oneLine folds whitespace runs (newlines in command lines and reasons) to
// single spaces so that a value stays on its row.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// Multi returns a Writer that writes every alert to each of ws in order
// and closes them all. Write stops at the first error; Close closes every
// writer and returns their errors joined.
func Multi(ws ...Writer) Writer { return multi(ws) }

type multi []Writer

func (m multi) Write(a *alert.Alert) error {
	for _, w := range m {
		if err := w.Write(a); err != nil {
			return err
		}
	}
	return nil
}

func (m multi) Close() error {
	var errs []error
	for _, w := range m {
		errs = append(errs, w.Close())
	}
	return errors.Join(errs...)
}
