package eql

import (
	"math"
	"sort"

	"github.com/eqld/eqld/eql/ast"
)

// ResultPosition selects which results a size-limited search keeps.
type ResultPosition uint8

// Result positions, as the result_position request parameter.
const (
	Tail ResultPosition = iota // the most recent results (Elasticsearch's default)
	Head                       // the earliest results
)

// SearchOptions are the paging parameters of an _eql/search request.
type SearchOptions struct {
	// Size is the maximum number of events, sequences or samples returned.
	// Zero means Elasticsearch's default of 10; a negative size means no limit.
	Size int
	// ResultPosition keeps the first (Head) or last (Tail) Size results.
	ResultPosition ResultPosition
	// MaxSamplesPerKey is the number of samples per key tuple (default 1).
	MaxSamplesPerKey int
	// StateBudget caps pending sequence state (see RunOptions).
	StateBudget int
}

// Search runs q over a finite set of events the way Elasticsearch's
// _eql/search does: events are put in (timestamp, tiebreaker) order first —
// input order does not matter — then the pipes and size are applied.
// It returns the results, the total number of results before size and pipes
// (hits.total), and the run's counters.
func (q *Query) Search(events []Event, opts SearchOptions) ([]Result, int, Stats) {
	type item struct {
		ev Event
		o  ordinal
	}
	items := make([]item, 0, len(events))
	var skipped int64
	for i, ev := range events {
		if q.kind == SampleQuery {
			items = append(items, item{ev: ev, o: ordinal{seq: uint64(i)}})
			continue
		}
		if !q.mightMatch(ev) {
			continue
		}
		ts, ok := q.Timestamp(ev)
		if !ok {
			if q.kind == SequenceQuery {
				skipped++
				continue
			}
			ts = math.MaxInt64 // events without a timestamp sort last
		}
		items = append(items, item{ev: ev, o: ordinal{ts: ts, tb: q.Tiebreaker(ev), seq: uint64(i)}})
	}
	if q.kind != SampleQuery {
		sort.SliceStable(items, func(i, j int) bool { return items[i].o.less(items[j].o) })
	}
	var results []Result
	r := q.NewRunner(RunOptions{
		MaxSamplesPerKey: opts.MaxSamplesPerKey,
		StateBudget:      opts.StateBudget,
		OnResult:         func(res Result) { results = append(results, res) },
	})
	for _, it := range items {
		r.Push(it.ev)
	}
	r.Flush()
	stats := r.Stats()
	stats.NoTimestamp += skipped
	total := len(results)
	results = ApplyPipes(results, q.pipes)
	pos := opts.ResultPosition
	if q.kind == SampleQuery {
		pos = Head // samples are ordered by key and always taken from the start
	}
	results = Limit(results, opts.Size, pos)
	return results, total, stats
}

// mightMatch reports whether any stage or the until clause accepts ev.
func (q *Query) mightMatch(ev Event) bool {
	for _, s := range q.stages {
		if s.Match(ev) {
			return true
		}
	}
	return q.until != nil && q.until.Match(ev)
}

// ApplyPipes applies `| head N` and `| tail N` pipes in order.
func ApplyPipes(results []Result, pipes []*ast.Pipe) []Result {
	for _, p := range pipes {
		n := int(min(p.N, int64(len(results))))
		if p.Kind == ast.PipeHead {
			results = results[:n]
		} else {
			results = results[len(results)-n:]
		}
	}
	return results
}

// Limit keeps size results from the head or the tail (size 0 means 10,
// negative means all).
func Limit(results []Result, size int, pos ResultPosition) []Result {
	if size == 0 {
		size = 10
	}
	if size < 0 || size >= len(results) {
		return results
	}
	if pos == Head {
		return results[:size]
	}
	return results[len(results)-size:]
}

// Pipes returns the query's pipes.
func (q *Query) Pipes() []*ast.Pipe { return q.pipes }

// Accepts reports whether some stage of q (or its until clause) could
// match ev. Events it rejects can never appear in a result, so callers that
// buffer events before a Search keep only those it accepts.
func (q *Query) Accepts(ev Event) bool { return q.mightMatch(ev) }
