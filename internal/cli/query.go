package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/eventjson"
	"github.com/eqld/eqld/source"
	"github.com/eqld/eqld/source/windows" // EVTX and Windows XML inputs, Winlogbeat JSON
)

type queryCmd struct {
	Query string   `arg:"" help:"The EQL query."`
	Files []string `arg:"" optional:"" help:"Event files, directories or globs: NDJSON, JSON arrays, Elasticsearch _search/_eql responses, gzip or zstd compressed. Standard input when none, or '-'."`

	Size                 int    `default:"10" help:"Maximum number of events, sequences or samples to return (Elasticsearch's default is 10; -1 for all)."`
	TimestampField       string `default:"@timestamp" help:"Field that orders events and bounds maxspan."`
	TiebreakerField      string `help:"Field that breaks ties between equal timestamps."`
	EventCategoryField   string `default:"event.category" help:"Field compared with the query's event category."`
	ResultPosition       string `default:"tail" enum:"head,tail" help:"Keep the first (head) or last (tail) results when more than --size match."`
	MaxSamplesPerKey     int    `default:"1" help:"Samples per join-key tuple for sample queries."`
	FetchSize            int    `default:"1000" help:"Accepted for compatibility with _eql/search; results never depend on it."`
	Mapping              string `type:"existingfile" help:"Elasticsearch index mapping JSON giving field types ({\"mappings\":{\"properties\":…}} or {\"properties\":…})."`
	Format               string `default:"text" enum:"text,es,ndjson" help:"Output: text (a readable listing), es (the _eql/search response body), ndjson (one result per line)."`
	Index                string `help:"Index name for events that carry neither _index nor data_stream fields."`
	Strict               bool   `help:"Stop at the first malformed document instead of reporting and skipping it."`
	AllowPartialSequence bool   `hidden:"" help:"Accepted for compatibility; ignored."`
}

// hit is an event as the query command keeps it: the decoded document for
// the query and what the response prints.
type hit struct {
	eql.Event
	raw     []byte
	index   string
	id      string
	version string
}

func (c *queryCmd) Run(env *Env) error {
	start := time.Now()
	opts := &eql.Options{
		TimestampField:     c.TimestampField,
		TiebreakerField:    c.TiebreakerField,
		EventCategoryField: c.EventCategoryField,
	}
	if c.Mapping != "" {
		data, err := os.ReadFile(c.Mapping)
		if err != nil {
			return err
		}
		m, err := eql.ParseMapping(data)
		if err != nil {
			return usagef("--mapping %s: %v", c.Mapping, err)
		}
		opts.Schema = m
	}
	q, err := eql.Compile(c.Query, opts)
	if err != nil {
		return usageError{fmt.Errorf("invalid query:\n%v", err)}
	}
	paths := c.Files
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	problems := 0
	rd, err := source.Open(paths, source.Options{
		Index:  c.Index,
		Strict: c.Strict,
		Stdin:  env.Stdin,
		OnProblem: func(p source.Problem) {
			problems++
			if problems <= 20 {
				fmt.Fprintf(env.Stderr, "eqld: %v\n", p.Error())
			}
		},
	})
	if err != nil {
		return err
	}
	defer rd.Close()
	// Keep only events some stage could match: the rest cannot appear in a
	// result, and memory stays proportional to the matches.
	var events []eql.Event
	wlb := windows.NewWinlogbeat() // raw Winlogbeat JSON → ECS
	dec := eventjson.New(q.Fields())
	rec := eql.NewRecord(dec.NumFields())
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		raw := wlb.Map(ev.Raw)
		if ev.Index == "" && len(raw) != len(ev.Raw) {
			ev.Index = source.IndexOf(raw)
		}
		ev.Raw = raw
		if err := dec.Decode(ev.Raw, rec); err != nil {
			continue // the reader validated the JSON; this cannot happen for objects
		}
		if !q.Accepts(rec) {
			continue
		}
		events = append(events, &hit{Event: rec.Freeze(), raw: bytes.Clone(ev.Raw), index: ev.Index, id: ev.ID, version: ev.Version})
	}
	if problems > 20 {
		fmt.Fprintf(env.Stderr, "eqld: %d more problems not shown\n", problems-20)
	}
	pos := eql.Tail
	if c.ResultPosition == "head" {
		pos = eql.Head
	}
	size := c.Size
	if size == 0 {
		size = -2
	}
	var results []eql.Result
	total := 0
	if size != -2 {
		results, total, _ = q.Search(events, eql.SearchOptions{Size: size, ResultPosition: pos, MaxSamplesPerKey: c.MaxSamplesPerKey})
	}
	out := bufio.NewWriterSize(env.Stdout, 1<<16)
	defer out.Flush()
	switch c.Format {
	case "es":
		return writeES(out, q, results, total, time.Since(start))
	case "ndjson":
		return writeNDJSON(out, q, results)
	}
	return writeText(out, q, results, total, rd.Stats())
}

// esHit is one event of an _eql/search response.
type esHit struct {
	Index   string          `json:"_index"`
	ID      string          `json:"_id"`
	Version *int64          `json:"_version,omitempty"`
	Source  json.RawMessage `json:"_source"`
	Missing bool            `json:"missing,omitempty"`
}

func toESHit(ev eql.Event) esHit {
	if ev == nil {
		return esHit{Source: json.RawMessage("{}"), Missing: true}
	}
	h := ev.(*hit)
	e := esHit{Index: h.index, ID: h.id, Source: h.raw}
	if h.version != "" {
		var v int64
		if _, err := fmt.Sscan(h.version, &v); err == nil {
			e.Version = &v
		}
	}
	return e
}

func keysJSON(keys []eql.Value) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = k.Interface()
	}
	return out
}

// writeES prints exactly the body of an _eql/search response.
func writeES(w io.Writer, q *eql.Query, results []eql.Result, total int, took time.Duration) error {
	type sequence struct {
		JoinKeys []any   `json:"join_keys,omitempty"`
		Events   []esHit `json:"events"`
	}
	type totalHits struct {
		Value    int    `json:"value"`
		Relation string `json:"relation"`
	}
	type hitsBody struct {
		Total     totalHits   `json:"total"`
		Events    *[]esHit    `json:"events,omitempty"`
		Sequences *[]sequence `json:"sequences,omitempty"`
	}
	hits := hitsBody{Total: totalHits{Value: total, Relation: "eq"}}
	switch q.Kind() {
	case eql.EventQuery:
		evs := make([]esHit, 0, len(results))
		for _, r := range results {
			evs = append(evs, toESHit(r.Events[0]))
		}
		hits.Events = &evs
	default:
		seqs := make([]sequence, 0, len(results))
		for _, r := range results {
			s := sequence{JoinKeys: keysJSON(r.JoinKeys)}
			for _, ev := range r.Events {
				s.Events = append(s.Events, toESHit(ev))
			}
			seqs = append(seqs, s)
		}
		hits.Sequences = &seqs
	}
	body := struct {
		IsPartial bool     `json:"is_partial"`
		IsRunning bool     `json:"is_running"`
		Took      int64    `json:"took"`
		TimedOut  bool     `json:"timed_out"`
		Hits      hitsBody `json:"hits"`
	}{Took: took.Milliseconds(), Hits: hits}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(body)
}

func writeNDJSON(w io.Writer, q *eql.Query, results []eql.Result) error {
	enc := json.NewEncoder(w)
	for _, r := range results {
		if q.Kind() == eql.EventQuery {
			if err := enc.Encode(toESHit(r.Events[0])); err != nil {
				return err
			}
			continue
		}
		evs := make([]esHit, 0, len(r.Events))
		for _, ev := range r.Events {
			evs = append(evs, toESHit(ev))
		}
		if err := enc.Encode(map[string]any{"join_keys": keysJSON(r.JoinKeys), "events": evs}); err != nil {
			return err
		}
	}
	return nil
}

// writeText prints a compact listing: one line per event, sequences and
// samples as numbered groups.
func writeText(w io.Writer, q *eql.Query, results []eql.Result, total int, st source.Stats) error {
	line := func(prefix string, ev eql.Event) {
		if ev == nil {
			fmt.Fprintf(w, "%s(missing event)\n", prefix)
			return
		}
		h := ev.(*hit)
		ts := "-"
		if ns, ok := q.Timestamp(h); ok {
			ts = time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000Z")
		}
		fmt.Fprintf(w, "%s%s  %s  %s\n", prefix, ts, summary(h), shorten(string(h.raw), 160))
	}
	for i, r := range results {
		if q.Kind() == eql.EventQuery {
			line("", r.Events[0])
			continue
		}
		var keys []string
		for _, k := range r.JoinKeys {
			j, _ := json.Marshal(k.Interface())
			keys = append(keys, string(j))
		}
		fmt.Fprintf(w, "%s %d", q.Kind(), i+1)
		if len(keys) > 0 {
			fmt.Fprintf(w, "  by %s", strings.Join(keys, ", "))
		}
		fmt.Fprintln(w)
		for j, ev := range r.Events {
			line(fmt.Sprintf("  [%d] ", j+1), ev)
		}
	}
	noun := map[eql.QueryKind]string{eql.EventQuery: "events", eql.SequenceQuery: "sequences", eql.SampleQuery: "samples"}[q.Kind()]
	fmt.Fprintf(w, "%d of %d %s (read %d events from %d files", len(results), total, noun, st.Events, st.Files)
	if st.Problems > 0 {
		fmt.Fprintf(w, ", %d problems", st.Problems)
	}
	fmt.Fprintln(w, ")")
	return nil
}

// summary names the event: its index and id.
func summary(h *hit) string {
	idx := h.index
	if idx == "" {
		idx = "-"
	}
	return idx + "/" + h.id
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
