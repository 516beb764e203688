package cli

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/eqld/eqld/alert"
	"github.com/eqld/eqld/engine"
	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/exception"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/sink"
	"github.com/eqld/eqld/source"
	"github.com/eqld/eqld/source/windows"
)

// selection is how commands choose rules from what was loaded.
type selection struct {
	Tag                   []string `help:"Only rules with this tag (exact or glob, e.g. 'Tactic: Lateral Movement'); repeatable."`
	Severity              []string `help:"Only rules of this severity (low, medium, high, critical); repeatable."`
	MinSeverity           string   `help:"Only rules at least this severe."`
	RuleID                []string `name:"rule-id" help:"Only the rule with this rule_id; repeatable."`
	Name                  []string `help:"Only rules whose name matches this glob; repeatable."`
	IncludeDeprecated     bool     `help:"Include deprecated rules."`
	IncludeBuildingBlocks bool     `help:"Include building-block rules (Kibana runs them; their alerts are building blocks)."`
}

func (s *selection) selector(types []string) (rule.Selector, error) {
	sel := rule.Selector{Types: types, Tags: s.Tag, Severities: s.Severity, MinSeverity: s.MinSeverity,
		RuleIDs: s.RuleID, Names: s.Name, IncludeDeprecated: s.IncludeDeprecated, IncludeBuildingBlocks: s.IncludeBuildingBlocks}
	if err := sel.Validate(); err != nil {
		return sel, usageError{err}
	}
	return sel, nil
}

type huntCmd struct {
	Inputs []string `arg:"" optional:"" help:"Event files, directories or globs: NDJSON, JSON arrays, Elasticsearch exports, EVTX, Windows event XML; gzip or zstd compressed. Standard input when none, or '-'."`
	Rules  []string `short:"r" required:"" help:"Rule files or directories: detection-rules TOML trees or Kibana rule export NDJSON; repeatable."`
	selection

	Exceptions    []string `help:"Kibana exception-list export NDJSON; lists apply to the rules that reference them (exceptions_list); repeatable."`
	ExceptionsAll bool     `help:"Apply every exception list given with --exceptions to every rule."`
	ValueList     []string `help:"Value list for exception entries of type list, as ID:TYPE:FILE (TYPE keyword, ip, ip_range, text, …); repeatable."`

	From        string `help:"Start of the time range (date math such as now-24h, or RFC 3339), on each rule's timestamp_override with @timestamp fallback. Default: the whole input."`
	To          string `help:"End of the time range (date math or RFC 3339). Default: the whole input."`
	Now         string `help:"The execution time (RFC 3339): alert @timestamp, 'now' in date math, exception expiry. Default: the current time."`
	Index       string `help:"Index name for events that carry neither _index nor data_stream fields."`
	IgnoreIndex bool   `help:"Let every rule see every event, whatever the rules' index patterns."`
	Strict      bool   `help:"Stop at the first malformed document instead of reporting and skipping it."`

	Out         string `short:"o" help:"Write the alert documents (Kibana's alert schema, NDJSON) to this file."`
	Append      bool   `help:"Append to --out, skipping alerts whose id is already in the file (as Kibana de-duplicates re-runs)."`
	Format      string `default:"table" enum:"table,ndjson,csv,timeline,timeline-jsonl,none" help:"Alerts on standard output: table, ndjson (alert documents), csv, timeline (time-sorted CSV), timeline-jsonl, none."`
	Timezone    string `default:"UTC" help:"Time zone for table, csv and timeline output (IANA name or Local)."`
	Space       string `default:"default" help:"Kibana space id used in alert ids and documents."`
	FailOnAlert bool   `help:"Exit with status 3 when any alert was produced (for CI pipelines)."`
	Profile     bool   `help:"Print per-rule cost (time, events evaluated, matches), worst first."`
	NoProgress  bool   `help:"No progress bar on standard error."`
	SummaryJSON string `help:"Also write the run summary as JSON to this file."`
	ExportECS   string `name:"export-ecs" help:"Write every event read, as the rules saw it (EVTX and XML mapped to ECS), as NDJSON to this file."`

	MissingEventContext bool   `help:"Give sequence shell alerts with missing-event placeholders the fields common to the events present (Kibana leaves them empty)."`
	ReorderBuffer       int    `default:"200000" help:"Candidate events held to put out-of-order input back in time order for sequence rules."`
	Workers             int    `default:"0" help:"Goroutines working on the events: one reads and decodes, the others evaluate the rules (0: one per CPU). Results do not depend on it."`
	Order               string `default:"auto" enum:"auto,buffer,stream" help:"How sequence rules get events in time order: buffer (sort through the reorder buffer from the start: exact for several files covering the same period), stream (as they come, buffering once disorder is seen: fastest for time-ordered input), auto (buffer for inputs up to 256 MiB)."`
}

func (c *huntCmd) Run(env *Env) error {
	now := time.Now().UTC()
	if c.Now != "" {
		t, err := time.Parse(time.RFC3339Nano, c.Now)
		if err != nil {
			return usagef("--now %q: %v (use RFC 3339, e.g. 2024-05-01T12:00:00Z)", c.Now, err)
		}
		now = t.UTC()
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return usagef("--timezone %q: %v", c.Timezone, err)
	}
	from, err := parseWhen(c.From, now, false)
	if err != nil {
		return usagef("--from: %v", err)
	}
	to, err := parseWhen(c.To, now, true)
	if err != nil {
		return usagef("--to: %v", err)
	}

	// Rules.
	set, err := rule.Load(rule.Options{}, c.Rules...)
	if err != nil {
		return err
	}
	sel, err := c.selector(nil)
	if err != nil {
		return err
	}
	selected := set.Select(sel)
	summary := sink.NewSummary()
	var runnable []*rule.Rule
	skipped := map[string]int{}
	for _, r := range selected {
		switch {
		case r.Runnable:
			runnable = append(runnable, r)
		case r.Type != "eql":
			skipped[fmt.Sprintf("%s rules are not run yet (only EQL)", r.Type)]++
		default:
			skipped["rejected: "+r.Reason]++
		}
	}
	for _, p := range set.Problems {
		if p.Severity == rule.LevelError {
			summary.AddNote("rule problems", p.Error())
		}
	}
	if len(runnable) == 0 {
		return usagef("no runnable EQL rule selected from %s (%d rules loaded, %d selected)", strings.Join(c.Rules, ", "), len(set.Rules), len(selected))
	}

	// Exceptions.
	var exc *exception.Set
	if len(c.Exceptions) > 0 || len(c.ValueList) > 0 {
		exc = exception.NewSet()
		exc.ApplyToAll = c.ExceptionsAll
		for _, spec := range c.ValueList {
			id, rest, ok1 := strings.Cut(spec, ":")
			typ, path, ok2 := strings.Cut(rest, ":")
			if !ok1 || !ok2 {
				return usagef("--value-list %q: want ID:TYPE:FILE", spec)
			}
			if err := exc.LoadValueListFile(path, id, typ); err != nil {
				return err
			}
		}
		for _, f := range c.Exceptions {
			if err := exc.LoadExceptionsFile(f); err != nil {
				return err
			}
		}
		for _, p := range exc.Problems {
			summary.AddNote("exception problems", p.Error())
		}
	}

	// Events.
	problems := 0
	var exportW *bufio.Writer
	if c.ExportECS != "" {
		f, err := os.Create(c.ExportECS)
		if err != nil {
			return err
		}
		defer f.Close()
		exportW = bufio.NewWriterSize(f, 1<<20)
	}
	inputs := c.Inputs
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	rd, err := source.Open(inputs, source.Options{
		Index:          c.Index,
		Strict:         c.Strict,
		Stdin:          env.Stdin,
		DeferContentID: true,
		// The engine validates while it decodes (one pass per document).
		DeferValidation: true,
		OnProblem: func(p source.Problem) {
			problems++
			if problems <= 20 {
				fmt.Fprintf(env.Stderr, "\reqld: %v\n", p.Error())
			}
			if problems <= 100 {
				summary.AddNote("input problems", p.Error())
			}
		},
	})
	if err != nil {
		return err
	}
	defer rd.Close()

	eopts := engine.Options{From: from, To: to, IgnoreIndex: c.IgnoreIndex, Exceptions: exc, Now: now,
		ReorderBuffer: c.ReorderBuffer, Profile: c.Profile, Workers: c.Workers, Order: map[string]engine.Order{"auto": engine.OrderAuto,
			"buffer": engine.OrderBuffer, "stream": engine.OrderStream}[c.Order]}
	if exportW != nil {
		eopts.OnEvent = func(ev *source.Event) {
			exportW.Write(ev.Raw)
			exportW.WriteByte('\n')
		}
	}
	eopts.Transform = windows.NewWinlogbeat().Map // raw Winlogbeat JSON → ECS
	eng, eprobs := engine.New(runnable, eopts)
	for _, p := range eprobs {
		skipped["could not be prepared"]++
		summary.AddNote("rules skipped", p.Error())
	}
	if eng.Rules() == 0 {
		return usagef("none of the %d selected rules could be prepared to run", len(runnable))
	}

	var prog *progress
	if env.IsTerminal && !c.NoProgress {
		prog = startProgress(env.Stderr, rd, eng)
	}
	rep, err := eng.Run(rd)
	if prog != nil {
		prog.stop()
	}
	if err != nil {
		return err
	}
	if exportW != nil {
		if err := exportW.Flush(); err != nil {
			return err
		}
	}

	// Alerts.
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	defer out.Flush()
	var writers []sink.Writer
	var stdoutW sink.Writer
	switch c.Format {
	case "table":
		stdoutW = sink.NewTableWriter(out, sink.TableOptions{Width: 160, Location: loc})
	case "ndjson":
		stdoutW = sink.NewNDJSONWriter(out)
	case "csv":
		stdoutW = sink.NewCSVWriter(out, sink.TimelineOptions{Location: loc})
	case "timeline", "timeline-jsonl":
		tf, _ := sink.ParseTimelineFormat(c.Format)
		stdoutW = sink.NewTimelineWriter(out, sink.TimelineOptions{Format: tf, Location: loc})
	}
	if stdoutW != nil {
		writers = append(writers, stdoutW)
	}
	var fileW *sink.NDJSONWriter
	if c.Out != "" {
		fileW, err = sink.OpenNDJSON(c.Out, c.Append)
		if err != nil {
			return err
		}
		writers = append(writers, fileW)
	}
	writers = append(writers, summary)
	w := sink.Multi(writers...)
	alerts, ownAlerts, err := writeAlerts(w, rep, now, c.Space, c.MissingEventContext)
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}

	// Summary.
	for reason, n := range skipped {
		summary.AddNote("rules skipped", fmt.Sprintf("%d: %s", n, reason))
	}
	if problems > 0 {
		summary.AddNote("input", fmt.Sprintf("%d malformed or unreadable inputs were reported and skipped", problems))
	}
	if rep.NoIndex > 0 && !c.IgnoreIndex {
		summary.AddNote("input", fmt.Sprintf("%d events had no index (no _index, no data_stream.* fields, no --index): no rule saw them; pass --index NAME or --ignore-index", rep.NoIndex))
	}
	if rep.OutOfOrder > 0 {
		summary.AddNote("input", fmt.Sprintf("%d events arrived out of time order (beyond --reorder-buffer) and were sequenced at the time they arrived; sort the input or raise --reorder-buffer for exact sequences", rep.OutOfOrder))
	}
	if ownAlerts > 0 {
		summary.AddNote("input", fmt.Sprintf("%d events were alerts of the same rule and were skipped (no alerts on own alerts)", ownAlerts))
	}
	for _, r := range rep.Results {
		if r.Truncated {
			summary.AddNote("max_signals", fmt.Sprintf("%s: %d matches, kept the %d most recent (max_signals); Kibana warns: This rule reached the maximum alert limit for the rule execution. Some alerts were not created.", r.Rule.Name, r.Total, len(r.Findings)))
		}
	}
	if fileW != nil {
		st := fileW.Stats()
		msg := fmt.Sprintf("%d alert documents written to %s", st.Written, c.Out)
		if st.Skipped > 0 {
			msg += fmt.Sprintf(" (%d already there, skipped)", st.Skipped)
		}
		summary.AddNote("output", msg)
	}
	summaryOut := env.Stderr
	if c.Format == "table" || c.Format == "none" {
		out.Flush()
		summaryOut = env.Stdout
	}
	fmt.Fprintf(summaryOut, "\n%d rules over %d events (%s) in %s: %d alerts\n", rep.RulesRun, rep.Events,
		humanBytes(rd.Stats().BytesRead), rep.Duration.Round(time.Millisecond), alerts)
	if err := summary.Render(summaryOut); err != nil {
		return err
	}
	if c.Profile {
		writeProfile(summaryOut, rep)
	}
	if c.SummaryJSON != "" {
		f, err := os.Create(c.SummaryJSON)
		if err != nil {
			return err
		}
		if err := summary.WriteJSON(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if c.FailOnAlert && alerts > 0 {
		out.Flush()
		return exitError{ExitAlerts}
	}
	return nil
}

// writeAlerts builds Kibana's alert documents for every finding and hands
// them to w. It returns the number of alerts (shells and single-event
// alerts; building blocks are parts of a shell) and of events skipped
// because they were this rule's own alerts.
func writeAlerts(w sink.Writer, rep *engine.Report, now time.Time, space string, missingContext bool) (int, int, error) {
	alerts, own := 0, 0
	for _, res := range rep.Results {
		if len(res.Findings) == 0 {
			continue
		}
		b, err := alert.NewBuilder(res.Rule, alert.Options{SpaceID: space, Now: now,
			ExecutionUUID: executionUUID(now, res.Rule.UUID), MissingEventContext: missingContext})
		if err != nil {
			return alerts, own, fmt.Errorf("rule %s: %w", res.Rule.RuleID, err)
		}
		for _, f := range res.Findings {
			var docs []*alert.Alert
			if res.Kind == eql.EventQuery {
				a, err := b.EventAlert(alertEvent(f.Events[0]))
				if errors.Is(err, alert.ErrOwnAlert) {
					own++
					continue
				}
				if err != nil {
					return alerts, own, err
				}
				docs = []*alert.Alert{a}
			} else {
				evs := make([]*alert.Event, len(f.Events))
				for i, ev := range f.Events {
					if ev != nil {
						ae := alertEvent(ev)
						evs[i] = &ae
					}
				}
				docs, err = b.SequenceAlerts(evs)
				if errors.Is(err, alert.ErrOwnAlert) {
					own++
					continue
				}
				if err != nil {
					return alerts, own, err
				}
			}
			for _, a := range docs {
				if sink.Counts(a) {
					alerts++
				}
				if err := w.Write(a); err != nil {
					return alerts, own, err
				}
			}
		}
	}
	return alerts, own, nil
}

func alertEvent(ev *engine.Event) alert.Event {
	id := ev.ID
	if id == "" {
		id = source.ContentID(ev.Raw)
	}
	return alert.Event{Index: ev.Index, ID: id, Version: ev.Version, Source: ev.Raw}
}

// executionUUID is a stable id for one rule's execution at a given time.
func executionUUID(now time.Time, ruleUUID string) string {
	h := sha256.Sum256([]byte(now.Format(time.RFC3339Nano) + "/" + ruleUUID))
	h[6] = h[6]&0x0f | 0x50
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// parseWhen reads --from/--to: empty, Elasticsearch date math relative to
// now, or an RFC 3339 time.
func parseWhen(s string, now time.Time, roundUp bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	t, err := rule.EvalDateMath(s, now, roundUp)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither date math (now-24h, now-1d/d) nor an RFC 3339 time: %v", s, err)
	}
	return t, nil
}

func writeProfile(w io.Writer, rep *engine.Report) {
	rs := append([]*engine.RuleResult(nil), rep.Results...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Stats.Time > rs[j].Stats.Time })
	fmt.Fprintf(w, "\nPer-rule cost, worst first\n%10s  %12s  %9s  %s\n", "time", "evaluated", "matched", "rule")
	for i, r := range rs {
		if i == 30 {
			fmt.Fprintf(w, "… %d more rules\n", len(rs)-30)
			break
		}
		fmt.Fprintf(w, "%10s  %12d  %9d  %s\n", r.Stats.Time.Round(time.Microsecond), r.Stats.Evaluated, r.Stats.Matched, r.Rule.Name)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// progress draws a one-line progress bar on a terminal.
type progress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startProgress(w io.Writer, rd *source.Reader, eng *engine.Engine) *progress {
	p := &progress{done: make(chan struct{})}
	start := time.Now()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				st := rd.Stats()
				el := time.Since(start).Seconds()
				line := fmt.Sprintf("%s read", humanBytes(st.BytesRead))
				if st.BytesTotal > 0 {
					frac := float64(st.BytesRead) / float64(st.BytesTotal)
					line = fmt.Sprintf("%s / %s (%3.0f%%)", humanBytes(st.BytesRead), humanBytes(st.BytesTotal), 100*frac)
					if frac > 0.01 {
						eta := time.Duration(el/frac*(1-frac)) * time.Second
						line += "  ETA " + eta.Round(time.Second).String()
					}
				}
				line += fmt.Sprintf("  %d events  %.0f events/s  %d matches", st.Events, float64(st.Events)/el, eng.Found())
				fmt.Fprintf(w, "\r\033[K%s", line)
			}
		}
	}()
	return p
}

func (p *progress) stop() {
	close(p.done)
	p.wg.Wait()
}
