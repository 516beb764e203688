package sink

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/eqld/eqld/alert"
)

// writeAligned writes rows as columns separated by two spaces, each as
// wide as its widest cell; right[i] right-aligns column i. Widths count
// runes, which is right for the text alerts carry except East Asian wide
// characters and emoji. Write errors are left to the caller's writer
// (a bufio.Writer or errWriter reports them).
func writeAligned(w io.Writer, indent string, headers []string, right []bool, rows [][]string) {
	cols := len(headers)
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	for i, h := range headers {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		b.Reset()
		b.WriteString(indent)
		for i, c := range cells {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if right != nil && right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	if headers != nil {
		line(headers)
	}
	for _, r := range rows {
		line(r)
	}
}

// truncate shortens s to n runes, marking the cut with "…".
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// TableOptions configure a TableWriter.
type TableOptions struct {
	// Width is the terminal width in columns; 0 means 120.
	Width int
	// Location is the time zone of the TIME column; nil means UTC.
	Location *time.Location
	// BuildingBlocks adds the building blocks of sequences.
	BuildingBlocks bool
}

// tableHeaders are the TableWriter's columns; the last one shows the
// command line (or process name) when the alert has one, else the reason.
var tableHeaders = []string{"TIME", "SEVERITY", "RULE", "HOST", "USER", "PROCESS / REASON"}

// Fixed widths of the first two columns ("2006-01-02 15:04:05", "critical").
const (
	tableTimeWidth     = 19
	tableSeverityWidth = 8
	tableMinWidth      = 6
)

// TableWriter renders alerts as a terminal table sorted by time, fitted to
// a terminal width. It writes at Close.
type TableWriter struct {
	w      io.Writer
	opts   TableOptions
	alerts []*alert.Alert
	closed bool
}

// NewTableWriter returns a table writer to w.
func NewTableWriter(w io.Writer, opts TableOptions) *TableWriter {
	if opts.Width <= 0 {
		opts.Width = 120
	}
	return &TableWriter{w: w, opts: opts}
}

// Write adds a to the table.
func (t *TableWriter) Write(a *alert.Alert) error {
	if a == nil {
		return errNilAlert
	}
	if t.closed {
		return fmt.Errorf("sink: table: write after close")
	}
	if Counts(a) || t.opts.BuildingBlocks {
		t.alerts = append(t.alerts, light(a))
	}
	return nil
}

// Close writes the table. It does not close w.
func (t *TableWriter) Close() error {
	if t.closed {
		return nil
	}
	t.closed = true
	bw := bufio.NewWriter(t.w)
	if len(t.alerts) == 0 {
		fmt.Fprintln(bw, "No alerts.")
		return t.flush(bw)
	}
	sortGrouped(t.alerts)
	loc := t.opts.Location
	if loc == nil {
		loc = time.UTC
	}
	rows := make([][]string, len(t.alerts))
	for i, a := range t.alerts {
		detail := a.CommandLine
		if detail == "" {
			detail = a.Process
		}
		if detail == "" {
			detail = a.Reason
		}
		ts := ""
		if at := when(a); !at.IsZero() {
			ts = at.In(loc).Format("2006-01-02 15:04:05")
		}
		rule := oneLine(a.RuleName)
		if a.IsBuildingBlock {
			rule = fmt.Sprintf("└%d %s", a.GroupIndex, rule)
		}
		rows[i] = []string{ts, a.Severity, rule, oneLine(a.Host), oneLine(a.User), oneLine(detail)}
	}
	headers := slices.Clone(tableHeaders)
	headers[0] = "TIME (" + zoneName(loc, t.alerts) + ")"
	widths := fitWidths(headers, rows, t.opts.Width)
	for _, r := range append(rows, headers) {
		for i := 2; i < len(r); i++ {
			r[i] = truncate(r[i], widths[i])
		}
	}
	writeAligned(bw, "", headers, nil, rows)
	return t.flush(bw)
}

func (t *TableWriter) flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("sink: table: %w", err)
	}
	return nil
}

// zoneName names the zone of the TIME column briefly: its abbreviation
// ("EST", "CET") when all alerts share it, else the location's name
// ("Europe/Paris"), which stays right across a daylight-saving change.
func zoneName(loc *time.Location, as []*alert.Alert) string {
	if loc == time.UTC {
		return "UTC"
	}
	abbrev := ""
	for _, a := range as {
		at := when(a)
		if at.IsZero() {
			continue
		}
		z, _ := at.In(loc).Zone()
		if abbrev != "" && z != abbrev {
			return loc.String()
		}
		abbrev = z
	}
	if abbrev == "" {
		return loc.String()
	}
	return abbrev
}

// fitWidths chooses the widths of the flexible columns (rule, host, user,
// detail) so that a row fits in width: columns that fit are left as they
// are, the rest share what remains, the detail column taking the most.
func fitWidths(headers []string, rows [][]string, width int) []int {
	natural := make([]int, len(headers))
	for i, h := range headers {
		natural[i] = utf8.RuneCountInString(h)
	}
	for _, r := range rows {
		for i, c := range r {
			natural[i] = max(natural[i], utf8.RuneCountInString(c))
		}
	}
	widths := slices.Clone(natural)
	avail := width - max(natural[0], tableTimeWidth) - max(natural[1], tableSeverityWidth) - 2*(len(headers)-1)
	flex := []int{2, 3, 4, 5}
	total := 0
	for _, i := range flex {
		total += natural[i]
	}
	if total <= avail {
		return widths
	}
	// Shares of what is available: rule 28%, host 16%, user 12%, detail
	// the rest. A column narrower than its share gives the rest back.
	shares := map[int]int{2: 28, 3: 16, 4: 12, 5: 44}
	avail = max(avail, len(flex)*tableMinWidth)
	remaining := avail
	var wide []int
	for _, i := range flex {
		if share := avail * shares[i] / 100; natural[i] <= share {
			widths[i] = natural[i]
			remaining -= natural[i]
		} else {
			wide = append(wide, i)
		}
	}
	shareSum := 0
	for _, i := range wide {
		shareSum += shares[i]
	}
	used := 0
	for k, i := range wide {
		w := remaining * shares[i] / shareSum
		if k == len(wide)-1 {
			w = remaining - used
		}
		widths[i] = max(tableMinWidth, min(w, natural[i]))
		used += widths[i]
	}
	return widths
}
