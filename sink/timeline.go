package sink

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/eqld/eqld/alert"
)

// TimelineColumns are the columns of a timeline row, in order. They follow
// the timelines of DFIR tools such as Hayabusa and Chainsaw: when, how
// bad, which rule, where, who, what ran, why, and the alert to look up.
var TimelineColumns = []string{
	"timestamp", "severity", "risk_score", "rule_name", "rule_id", "tactics", "techniques",
	"host", "user", "process", "command_line", "details", "kind", "alert_id", "group_id",
}

// TimelineRow is one alert as a timeline row. Timestamp is when the
// activity happened (see Alert.EventTime), in the writer's time zone.
type TimelineRow struct {
	Timestamp   string   `json:"timestamp"`
	Severity    string   `json:"severity"`
	RiskScore   float64  `json:"risk_score"`
	RuleName    string   `json:"rule_name"`
	RuleID      string   `json:"rule_id"`
	Tactics     []string `json:"tactics"`
	Techniques  []string `json:"techniques"`
	Host        string   `json:"host"`
	User        string   `json:"user"`
	Process     string   `json:"process"`
	CommandLine string   `json:"command_line"`
	Details     string   `json:"details"`
	Kind        string   `json:"kind"`
	AlertID     string   `json:"alert_id"`
	GroupID     string   `json:"group_id,omitempty"`
}

// NewTimelineRow makes the row of a in the zone loc (nil: UTC).
func NewTimelineRow(a *alert.Alert, loc *time.Location) TimelineRow {
	return TimelineRow{
		Timestamp:   formatTime(when(a), loc),
		Severity:    a.Severity,
		RiskScore:   a.RiskScore,
		RuleName:    a.RuleName,
		RuleID:      a.RuleID,
		Tactics:     tacticsOf(a),
		Techniques:  techniquesOf(a),
		Host:        a.Host,
		User:        a.User,
		Process:     a.Process,
		CommandLine: a.CommandLine,
		Details:     a.Reason,
		Kind:        kindOf(a),
		AlertID:     a.ID,
		GroupID:     a.GroupID,
	}
}

// record is the row as CSV fields; lists are joined with "; ".
func (r *TimelineRow) record(escapeFormulas bool) []string {
	rec := []string{
		r.Timestamp, r.Severity, strconv.FormatFloat(r.RiskScore, 'f', -1, 64), r.RuleName, r.RuleID,
		strings.Join(r.Tactics, "; "), strings.Join(r.Techniques, "; "),
		r.Host, r.User, r.Process, r.CommandLine, r.Details, r.Kind, r.AlertID, r.GroupID,
	}
	if escapeFormulas {
		for i, f := range rec {
			rec[i] = escapeFormula(f)
		}
	}
	return rec
}

// escapeFormula defuses a field that a spreadsheet would run as a formula
// (CSV injection): command lines and event fields are attacker-controlled.
func escapeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// TimelineFormat is the encoding of a timeline.
type TimelineFormat int

// The timeline encodings.
const (
	// TimelineCSV writes a header line and one CSV record per alert.
	TimelineCSV TimelineFormat = iota
	// TimelineJSONL writes one JSON object per alert with the columns as keys.
	TimelineJSONL
)

// ParseTimelineFormat maps the CLI's format names to a TimelineFormat:
// "timeline" (or "csv") and "timeline-jsonl" (or "jsonl").
func ParseTimelineFormat(s string) (TimelineFormat, error) {
	switch s {
	case "timeline", "csv", "timeline-csv":
		return TimelineCSV, nil
	case "timeline-jsonl", "jsonl":
		return TimelineJSONL, nil
	}
	return 0, fmt.Errorf("sink: unknown timeline format %q (want timeline or timeline-jsonl)", s)
}

// TimelineOptions configure timeline and CSV writers.
type TimelineOptions struct {
	// Format is CSV (default) or JSON lines.
	Format TimelineFormat
	// Location is the time zone of the timestamps; nil means UTC.
	Location *time.Location
	// BuildingBlocks adds the building blocks of sequences, one row per
	// event of the sequence, next to the sequence's own row.
	BuildingBlocks bool
	// EscapeFormulas prefixes CSV fields that start with =, +, -, @, tab
	// or carriage return with a single quote, so that opening the file in
	// a spreadsheet cannot run a formula planted in an event. Off by
	// default: values are written as they are.
	EscapeFormulas bool
}

// TimelineWriter writes a time-sorted timeline of alerts. It buffers the
// alerts' rows and sorts and writes them at Close (see compareAlerts for
// the order of equal times).
type TimelineWriter struct {
	w      io.Writer
	opts   TimelineOptions
	alerts []*alert.Alert
	closed bool
}

// NewTimelineWriter returns a timeline writer to w.
func NewTimelineWriter(w io.Writer, opts TimelineOptions) *TimelineWriter {
	return &TimelineWriter{w: w, opts: opts}
}

// Write adds a to the timeline.
func (t *TimelineWriter) Write(a *alert.Alert) error {
	if a == nil {
		return errNilAlert
	}
	if t.closed {
		return fmt.Errorf("sink: timeline: write after close")
	}
	if Counts(a) || t.opts.BuildingBlocks {
		t.alerts = append(t.alerts, light(a))
	}
	return nil
}

// Close sorts the alerts and writes the timeline. It does not close w.
func (t *TimelineWriter) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	slices.SortStableFunc(t.alerts, compareAlerts)
	bw := bufio.NewWriterSize(t.w, 64<<10)
	var err error
	switch t.opts.Format {
	case TimelineJSONL:
		err = writeJSONL(bw, t.alerts, t.opts.Location)
	default:
		err = writeCSV(bw, t.alerts, &t.opts, true)
	}
	if err != nil {
		return fmt.Errorf("sink: timeline: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sink: timeline: %w", err)
	}
	return nil
}

func writeJSONL(w io.Writer, alerts []*alert.Alert, loc *time.Location) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, a := range alerts {
		row := NewTimelineRow(a, loc)
		if row.Tactics == nil {
			row.Tactics = []string{}
		}
		if row.Techniques == nil {
			row.Techniques = []string{}
		}
		if err := enc.Encode(&row); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(w io.Writer, alerts []*alert.Alert, opts *TimelineOptions, header bool) error {
	cw := csv.NewWriter(w)
	if header {
		if err := cw.Write(TimelineColumns); err != nil {
			return err
		}
	}
	for _, a := range alerts {
		row := NewTimelineRow(a, opts.Location)
		if err := cw.Write(row.record(opts.EscapeFormulas)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVWriter writes the timeline columns as CSV as the alerts arrive,
// without sorting: for long runs and pipes, where holding every alert
// until the end is not wanted. The header is written with the first row
// (or at Close when there was none).
type CSVWriter struct {
	w      *bufio.Writer
	opts   TimelineOptions
	header bool
	one    [1]*alert.Alert
}

// NewCSVWriter returns a streaming CSV writer to w. Format is ignored.
func NewCSVWriter(w io.Writer, opts TimelineOptions) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriterSize(w, 64<<10), opts: opts}
}

// Write writes a's row (building blocks only with BuildingBlocks).
func (c *CSVWriter) Write(a *alert.Alert) error {
	if a == nil {
		return errNilAlert
	}
	if !Counts(a) && !c.opts.BuildingBlocks {
		return nil
	}
	c.one[0] = a
	err := writeCSV(c.w, c.one[:], &c.opts, !c.header)
	c.header = true
	if err != nil {
		return fmt.Errorf("sink: csv: alert %s: %w", a.ID, err)
	}
	return nil
}

// Close writes the header if no row was written and flushes. It does not
// close the underlying writer.
func (c *CSVWriter) Close() error {
	if !c.header {
		c.header = true
		if err := writeCSV(c.w, nil, &c.opts, true); err != nil {
			return fmt.Errorf("sink: csv: %w", err)
		}
	}
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("sink: csv: %w", err)
	}
	return nil
}
