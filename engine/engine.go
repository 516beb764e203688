// Package engine runs a set of detection rules over a stream of events the
// way Kibana's detection engine runs EQL rules, and collects what each rule
// found: single events, sequences and samples, truncated to the rule's
// max_signals as Kibana does.
//
// One pass over the input serves every rule. Each event is decoded once,
// reading only the fields some rule references (package eventjson), and
// that pass also validates it (the reader hands documents over unexamined,
// source.Options.DeferValidation); it is then routed to the rules whose index patterns match the event's index and
// whose event categories include the event's, and only those rules evaluate
// it. Event rules keep the most recent max_signals matches. Sequence and
// sample rules see their candidate events in time order: events pass
// through a bounded reorder buffer, so inputs that are roughly in time order
// (log files, EVTX, several files interleaved) are sequenced exactly, and
// events arriving later than the buffer can reorder are counted and reported.
package engine

import (
	"bytes"
	"container/heap"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/eventjson"
	"github.com/eqld/eqld/exception"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

// Options configure a run.
type Options struct {
	// From and To bound the time range each rule searches, on the rule's
	// primary timestamp (timestamp_override, falling back to @timestamp).
	// Zero values mean unbounded: the whole input is one rule execution.
	From, To time.Time
	// IgnoreIndex lets every rule see every event, whatever its index.
	IgnoreIndex bool
	// Exceptions are the exception lists applied to the rules (nil: none).
	Exceptions *exception.Set
	// Now is the execution time (default time.Now()): exception items
	// expired at Now are not applied.
	Now time.Time
	// Schema gives field types; nil uses ECS's (see ECSSchema).
	Schema eql.Schema
	// ReorderBuffer is how many candidate events of sequence rules are held
	// to put them in time order (default 200,000).
	ReorderBuffer int
	// Order says whether sequence rules see events through the reorder
	// buffer from the start (OrderBuffer), only once the input proves out
	// of order (OrderStream), or the first when the input is small enough
	// to hold (OrderAuto, the default; see Engine.Run).
	Order Order
	// StateBudget caps pending sequence state per rule without maxspan.
	StateBudget int
	// Profile measures the time each rule spends evaluating events.
	Profile bool
	// Workers is the number of goroutines working on the events (default
	// GOMAXPROCS). With more than one, one reads and decodes the events and
	// the others evaluate the rules, split between them. Results are the
	// same for any number of workers.
	Workers int
	// Transform, if set, may replace an event's document before the rules
	// see it: it maps documents that are not ECS yet (e.g. raw Winlogbeat
	// events). Documents the engine has decoded that have an event.category
	// are ECS already and skip it. It runs on the reading goroutine; the
	// bytes it returns must stay valid until it is called again.
	Transform func(raw []byte) []byte

	noLateAnchors bool // tests: route busy sequences without their later stages' anchors
	// OnEvent, if set, is called with each input event before the rules
	// see it (for exporting the events as read).
	OnEvent func(*source.Event)
}

// Order selects how sequence rules get their events in time order.
type Order int

// Orders.
const (
	// OrderAuto buffers from the start when the input's size is known and
	// at most AutoBufferBytes, and streams otherwise.
	OrderAuto Order = iota
	// OrderBuffer sorts candidate events of sequence rules through the
	// reorder buffer from the first event: exact for inputs whose disorder
	// spans fewer than ReorderBuffer candidates (several files covering the
	// same period, unsorted exports), at the cost of a copy per candidate.
	OrderBuffer
	// OrderStream feeds events as they come and switches to buffering only
	// when an event arrives out of order: fastest for time-ordered input.
	OrderStream
)

// AutoBufferBytes is the input size up to which OrderAuto buffers.
const AutoBufferBytes = 256 << 20

// Problem is something wrong with a rule that the engine found while
// preparing it (the rule is then not run).
type Problem struct {
	RuleID, Name, File string
	Reason             string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s: rule %s (%s): %s", p.File, p.RuleID, p.Name, p.Reason)
}

// Event is an input event kept by the engine because a rule found it: its
// decoded fields, its source document and the identity alerts are built
// from. It implements eql.Event.
type Event struct {
	rec     *eql.Frozen
	thaw    *thawer // when rec was not kept, rebuilds it from Raw on first use
	once    sync.Once
	Raw     []byte // the _source document
	Index   string
	ID      string
	Version string
	Origin  source.Origin
	Seq     uint64 // position in the input, from 1
	TS      int64  // @timestamp (the ordering timestamp) in ns; 0 if none
}

// Lookup implements eql.Event.
func (e *Event) Lookup(f *eql.FieldRef) (eql.Value, bool) {
	if e.thaw != nil {
		e.once.Do(func() { e.rec = e.thaw.frozen(e.Raw) })
	}
	return e.rec.Lookup(f)
}

// thawer decodes the kept document of an Event whose fields were not kept.
// Most events a sequence keeps are never looked at again (their stage
// matched, the sequence never completed), so copying their decoded fields
// when they are kept is mostly wasted; the document is kept anyway.
type thawer struct {
	fields []*eql.FieldRef
	mu     sync.Mutex // Lookup may come from any goroutine
	dec    *eventjson.Decoder
	rec    *eql.Record
}

func (t *thawer) frozen(raw []byte) *eql.Frozen {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.dec == nil {
		t.dec = eventjson.New(t.fields)
		t.rec = eql.NewRecord(t.dec.NumFields())
	}
	if err := t.dec.Decode(raw, t.rec); err != nil {
		// Not reached: the document was decoded when it was read.
		t.rec.Reset()
	}
	return t.rec.Freeze()
}

// Finding is one result of a rule: an event, a sequence (nil entries are
// missing-event placeholders) or a sample.
type Finding struct {
	Events   []*Event
	JoinKeys []eql.Value
	// TS and Seq order findings: the time of the last event, then input order.
	TS  int64
	Seq uint64
}

// RuleResult is what a rule found in the run.
type RuleResult struct {
	Rule *rule.Rule
	// Kind is the rule query's kind: event findings become single-event
	// alerts, sequences and samples shell alerts with building blocks.
	Kind     eql.QueryKind
	Findings []Finding // most recent max_signals, in time order
	// Total is the number of findings before max_signals truncation.
	Total int
	// Truncated is set when Total exceeded max_signals: Kibana then warns
	// "This rule reached the maximum alert limit for the rule execution".
	Truncated bool
	Stats     RuleStats
}

// RuleStats are per-rule counters (and timings with Options.Profile).
type RuleStats struct {
	Evaluated int64         // events the rule evaluated
	Matched   int64         // events that matched a stage
	Time      time.Duration // evaluation time (Profile only)
	Sequence  eql.Stats     // the sequence runner's counters
}

// Report is the outcome of a run.
type Report struct {
	Results       []*RuleResult // one per rule, in rule order
	Events        int64         // events read
	Malformed     int64         // events that failed to decode
	NoIndex       int64         // events without an index (seen by no rule unless IgnoreIndex)
	OutOfOrder    int64         // candidate events that arrived after the reorder buffer released later ones
	Duration      time.Duration
	RulesRun      int
	FieldsDecoded int // number of distinct fields the decoder extracts
}

// Engine is a compiled rule set.
//
// With one worker, the reading goroutine decodes each event and evaluates
// every rule. With N > 1, one goroutine reads and decodes each event once,
// with the fields of all the rules, and the rules are split into N-1
// shards, each evaluated by a goroutine of its own that sees every event in
// input order, so that a rule's results never depend on the number of
// workers.
type Engine struct {
	opts     Options
	rules    []*compiled // all rules, in input order
	fields   *eql.Fields
	memo     *eql.Memo
	catRef   *eql.FieldRef
	dsRefs   [3]*eql.FieldRef // data_stream.type, .dataset, .namespace: the index of Deferred events
	tsQuery  *eql.Query       // reads @timestamp with the schema's type
	shards   []*shard
	problems []Problem
	found    atomic.Int64
	thaw     *thawer
	decoder  *eventjson.Decoder // all the rules' fields; used by the reading goroutine
	parallel bool               // decode on one goroutine, evaluate on others
}

// shard is the part of the rule set one worker evaluates.
type shard struct {
	e       *Engine
	rules   []*compiled // c.idx is the position in this slice
	routes  map[string]*route
	refs    []*eql.FieldRef // the fields the shard's rules read
	ordered bool            // some rule is a sequence or a sample: events are timed and ordered
}

// Found returns how many findings (matching events, sequences, samples)
// the current run has made so far, before max_signals; safe to call from
// another goroutine, e.g. for a progress bar.
func (e *Engine) Found() int64 { return e.found.Load() }

// New compiles the runnable EQL rules among rules. Rules that cannot run
// are reported as problems and left out.
func New(rules []*rule.Rule, opts Options) (*Engine, []Problem) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Schema == nil {
		opts.Schema = ECSSchema()
	}
	if opts.ReorderBuffer <= 0 {
		opts.ReorderBuffer = 200_000
	}
	e := &Engine{opts: opts, fields: eql.NewFields(), memo: eql.NewMemo()}
	for _, r := range rules {
		c, err := e.compile(r)
		if err != nil {
			e.problems = append(e.problems, Problem{RuleID: r.RuleID, Name: r.Name, File: r.Source.File, Reason: err.Error()})
			continue
		}
		c.global = len(e.rules)
		e.rules = append(e.rules, c)
	}
	e.catRef = e.fields.Ref("event.category")
	e.tsQuery = eql.MustCompile("any where true", &eql.Options{Schema: opts.Schema, Fields: e.fields})
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// With several workers one goroutine reads and decodes (see
	// runParallel) and the others evaluate a shard of the rules each.
	workers = max(1, min(workers, len(e.rules)+1))
	e.parallel = workers > 1
	nShards := max(1, workers-1)
	e.shards = make([]*shard, nShards)
	for i := range e.shards {
		e.shards[i] = &shard{e: e, routes: map[string]*route{}}
	}
	// Deal the rules out in turn, sequences and event rules alike.
	for i, c := range e.rules {
		sh := e.shards[i%nShards]
		c.idx = len(sh.rules)
		sh.rules = append(sh.rules, c)
		sh.ordered = sh.ordered || c.q.Kind() != eql.EventQuery
	}
	base := []*eql.FieldRef{e.catRef}
	// The data_stream fields name the index of Deferred events (see admit).
	for i, name := range []string{"data_stream.type", "data_stream.dataset", "data_stream.namespace"} {
		e.dsRefs[i] = e.fields.Ref(name)
		base = append(base, e.dsRefs[i])
	}
	base = append(base, e.tsQuery.Fields()...)
	all := append([]*eql.FieldRef(nil), base...)
	for _, sh := range e.shards {
		refs := append([]*eql.FieldRef(nil), base...)
		for _, c := range sh.rules {
			refs = append(refs, c.fields()...)
		}
		all = append(all, refs...)
		sh.refs = dedupRefs(refs)
	}
	// Each document is decoded once, for every shard, on the reading
	// goroutine.
	e.decoder = eventjson.New(dedupRefs(all))
	e.decoder.Watch("_source", "hits") // see admit
	e.thaw = &thawer{fields: e.fields.All()}
	return e, e.problems
}

func dedupRefs(refs []*eql.FieldRef) []*eql.FieldRef {
	seen := map[*eql.FieldRef]bool{}
	out := refs[:0]
	for _, r := range refs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// Rules returns how many rules the engine runs.
func (e *Engine) Rules() int { return len(e.rules) }

// Run reads every event from rd, evaluates the rules and returns what
// they found.
func (e *Engine) Run(rd *source.Reader) (*Report, error) {
	start := time.Now()
	rep := &Report{RulesRun: len(e.rules)}
	buffering := false
	switch e.opts.Order {
	case OrderBuffer:
		buffering = true
	case OrderAuto:
		if total := rd.Stats().BytesTotal; total >= 0 && total <= AutoBufferBytes {
			buffering = true
		}
	}
	states := make([]*runState, len(e.shards))
	for i, sh := range e.shards {
		states[i] = newRunState(sh)
		states[i].buffering = buffering
	}
	rep.FieldsDecoded = e.decoder.NumFields()
	var err error
	if !e.parallel {
		err = e.runInline(rd, states[0], rep)
	} else {
		err = e.runParallel(rd, states, rep)
	}
	if err != nil {
		return nil, err
	}
	results := make([]*RuleResult, len(e.rules))
	for _, st := range states {
		st.finish()
		rep.OutOfOrder = max(rep.OutOfOrder, st.outOfOrder)
		rep.Malformed = max(rep.Malformed, st.malformed)
		for _, c := range st.sh.rules {
			results[c.global] = st.result(c)
		}
	}
	rep.Results = results
	rep.Duration = time.Since(start)
	return rep, nil
}

// runInline runs a single shard on the calling goroutine, straight from
// the reader's buffers.
func (e *Engine) runInline(rd *source.Reader, st *runState, rep *Report) error {
	var seq uint64
	sink := &recordSink{dec: e.decoder, rec: st.rec}
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ok, decoded := e.admit(rd, ev, sink)
		if !ok {
			continue
		}
		seq++
		rep.Events++
		e.countIndex(ev, rep)
		if decoded {
			st.process(ev, st.rec, seq)
		} else {
			st.handle(ev, seq)
		}
	}
}

// decodeSink is where admit decodes a Deferred document: the shard's
// record in an inline run, the batch in a parallel one.
type decodeSink interface {
	// decode validates and decodes raw, and reports whether it has a
	// watched top-level key (see eventjson.Decoder.Watch).
	decode(raw []byte) (watched bool, err error)
	// lookup reads a field of the document just decoded.
	lookup(f *eql.FieldRef) (eql.Value, bool)
}

type recordSink struct {
	dec *eventjson.Decoder
	rec *eql.Record
}

func (s *recordSink) decode(raw []byte) (bool, error) {
	err := s.dec.Decode(raw, s.rec)
	return s.dec.Watched(), err
}

func (s *recordSink) lookup(f *eql.FieldRef) (eql.Value, bool) { return s.rec.Lookup(f) }

// admit makes an event read ready for the rules: it applies the Transform
// and OnEvent hooks and validates a Deferred event. When sink is not nil
// and the document is used as read, the validation is the decoding into
// the sink (one pass over the document instead of the reader's and then
// the decoder's) and decoded is true. ok is false for an invalid document,
// which has been reported to the reader, and for a hit or response the
// reader turns into the events it returns next.
func (e *Engine) admit(rd *source.Reader, ev *source.Event, sink decodeSink) (ok, decoded bool) {
	if ev.Deferred && sink != nil && e.opts.OnEvent == nil {
		watched, err := sink.decode(ev.Raw)
		if err != nil {
			rd.Reject(ev, err)
			return false, false
		}
		if watched {
			// Maybe a hit or a response, whose events the reader returns
			// next; else a plain event after all.
			if !rd.Settle(ev) {
				return false, false
			}
		} else {
			e.setIndex(rd, ev, sink)
		}
		decoded = true
	} else if !rd.Settle(ev) {
		return false, false
	}
	if e.opts.Transform != nil {
		// Looking for event.category in the decoded fields is much cheaper
		// than any screen Transform can do on the document's bytes.
		if !decoded || !e.isECS(sink) {
			if raw := e.opts.Transform(ev.Raw); len(raw) > 0 && (len(raw) != len(ev.Raw) || &raw[0] != &ev.Raw[0]) {
				ev.Raw = raw
				if ev.Index == "" {
					ev.Index = source.IndexOf(raw)
				}
				decoded = false
			}
		}
	}
	if e.opts.OnEvent != nil {
		e.opts.OnEvent(ev)
	}
	return true, decoded
}

// isECS reports whether the document just decoded into sink has an
// event.category.
func (e *Engine) isECS(sink decodeSink) bool {
	_, ok := sink.lookup(e.catRef)
	return ok
}

// countIndex counts events without an index, which no rule sees unless
// IgnoreIndex is set.
func (e *Engine) countIndex(ev *source.Event, rep *Report) {
	if ev.Index == "" && !e.opts.IgnoreIndex {
		rep.NoIndex++
	}
}

// setIndex sets the index of a Deferred event from its decoded
// data_stream fields, as the reader would have from the document.
func (e *Engine) setIndex(rd *source.Reader, ev *source.Event, sink decodeSink) {
	ev.Deferred = false
	var parts [3]string
	for i, f := range e.dsRefs {
		v, ok := sink.lookup(f)
		if !ok || v.Kind() != eql.KindString {
			return
		}
		parts[i] = v.AsString()
	}
	if idx := rd.DataStreamIndex(parts[0], parts[1], parts[2]); idx != "" {
		ev.Index = idx
	}
}

// batch is a run of events read and decoded once and evaluated by every
// shard. The decoded fields point into the batch (arena, fieldArena), so
// they stay valid until the batch is reused.
type batch struct {
	events     []source.Event
	offs       []int             // per event, its document's start in arena
	spans      [][2]int32        // per event, its fields in fields
	fields     []eventjson.Field // decoded fields of all the events
	arena      []byte            // the documents
	fieldArena eventjson.Arena   // what fields point to besides the documents
	refs       atomic.Int32
	first      uint64 // seq of events[0]
	pending    int    // the fields of the event being admitted start here
}

func (b *batch) reset() {
	b.events, b.offs, b.spans, b.fields, b.arena = b.events[:0], b.offs[:0], b.spans[:0], b.fields[:0], b.arena[:0]
	b.fieldArena.Reset()
}

// batchSink decodes into a batch with the engine's decoder of all fields.
type batchSink struct {
	dec *eventjson.Decoder
	b   *batch
}

func (s *batchSink) decode(raw []byte) (bool, error) {
	b := s.b
	b.fields = b.fields[:b.pending]
	var err error
	b.fields, err = s.dec.AppendFields(b.fields, raw, &b.fieldArena)
	return s.dec.Watched(), err
}

func (s *batchSink) lookup(f *eql.FieldRef) (eql.Value, bool) {
	for _, x := range s.b.fields[s.b.pending:] {
		if x.ID == f.ID {
			return x.Value, true
		}
	}
	return eql.Null, false
}

const batchSize = 256

// runParallel reads and decodes on this goroutine and evaluates on one
// goroutine per shard. Each shard sees every event in input order; each
// document is decoded once, with the fields of all the shards' rules.
func (e *Engine) runParallel(rd *source.Reader, states []*runState, rep *Report) error {
	free := make(chan *batch, 4*len(states)+4)
	chans := make([]chan *batch, len(states))
	var wg sync.WaitGroup
	for i, st := range states {
		chans[i] = make(chan *batch, 4)
		wg.Add(1)
		go func(st *runState, in <-chan *batch) {
			defer wg.Done()
			for b := range in {
				for k := range b.events {
					st.rec.Reset()
					for _, f := range b.fields[b.spans[k][0]:b.spans[k][1]] {
						st.rec.Set(f.ID, f.Value)
					}
					st.process(&b.events[k], st.rec, b.first+uint64(k))
				}
				if b.refs.Add(-1) == 0 {
					select {
					case free <- b:
					default:
					}
				}
			}
		}(st, chans[i])
	}
	send := func(b *batch) {
		b.refs.Store(int32(len(chans)))
		for _, c := range chans {
			c <- b
		}
	}
	var (
		seq       uint64
		err       error
		malformed int64
	)
	cur := &batch{}
	sink := &batchSink{dec: e.decoder, b: cur}
	for {
		ev, rerr := rd.Next()
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			break
		}
		// Copy the document first: the reader reuses its buffer, and the
		// decoded fields point into the copy. (When the arena grows, the
		// fields of earlier events keep the old copy alive; Raw is pointed
		// at the final one once the batch is full.)
		off := len(cur.arena)
		cur.arena = append(cur.arena, ev.Raw...)
		ev.Raw = cur.arena[off:len(cur.arena):len(cur.arena)]
		cur.pending = len(cur.fields)
		ok, decoded := e.admit(rd, ev, sink)
		if !ok {
			cur.arena, cur.fields = cur.arena[:off], cur.fields[:cur.pending]
			continue
		}
		if !decoded {
			if len(ev.Raw) == 0 || &ev.Raw[0] != &cur.arena[off] { // transformed
				cur.arena = append(cur.arena[:off], ev.Raw...)
				ev.Raw = cur.arena[off:len(cur.arena):len(cur.arena)]
			}
			if _, derr := sink.decode(ev.Raw); derr != nil {
				malformed++
				cur.arena, cur.fields = cur.arena[:off], cur.fields[:cur.pending]
				continue
			}
		}
		seq++
		rep.Events++
		e.countIndex(ev, rep)
		if len(cur.events) == 0 {
			cur.first = seq
		}
		cur.events = append(cur.events, *ev)
		cur.offs = append(cur.offs, off)
		cur.spans = append(cur.spans, [2]int32{int32(cur.pending), int32(len(cur.fields))})
		if len(cur.events) == batchSize {
			fixRaw(cur)
			send(cur)
			select {
			case cur = <-free:
				cur.reset()
			default:
				cur = &batch{}
			}
			sink.b = cur
		}
	}
	if len(cur.events) > 0 {
		fixRaw(cur)
		send(cur)
	}
	for _, c := range chans {
		close(c)
	}
	wg.Wait()
	for _, st := range states {
		st.malformed += malformed
	}
	return err
}

// fixRaw points each event of a full batch at its document in the arena,
// which may have moved while it grew.
func fixRaw(b *batch) {
	for k := range b.events {
		start := b.offs[k]
		end := len(b.arena)
		if k+1 < len(b.events) {
			end = b.offs[k+1]
		}
		b.events[k].Raw = b.arena[start:end:end]
	}
}

// runState is the mutable state of one shard's run.
type runState struct {
	e          *Engine
	sh         *shard
	rec        *eql.Record
	malformed  int64
	perRule    []*ruleState
	reorder    eventHeap
	released   int64 // timestamp of the last event released in order
	anyRelease bool
	outOfOrder int64
	scratch    []int
	seen       []uint64 // per rule, then per rule's later anchors: the stamp of the last event that listed it
	stamp      uint64
	cur        transient
	buffering  bool // the input proved out of order: sequence candidates are reordered
	// busy lists the sequence rules holding state (pending sequences or
	// sequences awaiting a trailing window); only they evaluate events that
	// could extend a sequence.
	busy   []int
	isBusy []bool
	events int64
	// Events out of the reorder buffer are decoded again (see release).
	relDec *eventjson.Decoder
	relRec *eql.Record
	rel    released
}

type ruleState struct {
	top     topN // event rules: most recent matches; sequences: most recent results
	total   int
	runner  *eql.Runner
	samples []Finding
	stats   RuleStats
}

func newRunState(sh *shard) *runState {
	e := sh.e
	st := &runState{e: e, sh: sh, seen: make([]uint64, 2*len(sh.rules)), isBusy: make([]bool, len(sh.rules)),
		rec: eql.NewRecord(e.fields.Len())}
	for _, c := range sh.rules {
		rs := &ruleState{top: topN{limit: c.maxSignals}}
		if c.q.Kind() != eql.EventQuery {
			c := c
			rs.runner = c.q.NewRunner(eql.RunOptions{
				StateBudget: e.opts.StateBudget,
				OnResult:    func(r eql.Result) { st.onResult(c, r) },
				Retain:      retain,
			})
		}
		st.perRule = append(st.perRule, rs)
	}
	return st
}

// pending is an event waiting in the reorder buffer with the sequence
// rules that want it.
type pending struct {
	ev    *Event
	rules []int
}

// handle decodes one event and runs the shard's rules on it.
func (st *runState) handle(ev *source.Event, seq uint64) {
	if err := st.e.decoder.Decode(ev.Raw, st.rec); err != nil {
		st.malformed++
		return
	}
	st.process(ev, st.rec, seq)
}

func (st *runState) process(src *source.Event, rec *eql.Record, seq uint64) {
	e := st.e
	rt := st.sh.route(src.Index)
	cands := rt.candidates(rec, e.catRef, st)
	if len(cands) == 0 {
		return
	}
	tr := &st.cur
	*tr = transient{rec: rec, src: src, seq: seq, e: e}
	// Only sequences and samples need every candidate's time; event rules
	// need the time of the events they keep.
	ordered := st.sh.ordered
	if ordered {
		tr.time()
	}
	buffered := st.buffering
	if ordered && !buffered && st.anyRelease && tr.ts < st.released {
		// The input is not in time order: from here on, candidate events of
		// sequence rules go through the reorder buffer.
		st.outOfOrder++
		if e.opts.ReorderBuffer > 0 {
			st.buffering, buffered = true, true
		}
	}
	var seqRules []int
	for _, i := range cands {
		c := st.sh.rules[i]
		rs := st.perRule[i]
		if c.hasRange && !c.inRange(rec) {
			continue
		}
		var t0 time.Time
		if e.opts.Profile {
			t0 = time.Now()
		}
		rs.stats.Evaluated++
		switch {
		case c.q.Kind() == eql.EventQuery:
			if c.stage.Match(rec) {
				rs.stats.Matched++
				rs.total++
				e.found.Add(1)
				ev := tr.keep()
				ts := ev.TS
				if c.ownTS {
					ts, _ = c.q.Timestamp(ev)
				}
				rs.top.offer(Finding{Events: []*Event{ev}, TS: ts, Seq: seq})
			}
		case buffered:
			if c.q.Accepts(rec) {
				seqRules = append(seqRules, i)
			}
		default:
			// In time order: the runner sees the event now, evaluating only
			// the stages that can matter, and copies it only if it keeps it.
			rs.runner.Push(tr)
			if !st.isBusy[i] && rs.runner.Busy() {
				st.isBusy[i] = true
				st.busy = append(st.busy, i)
			}
		}
		if e.opts.Profile {
			rs.stats.Time += time.Since(t0)
		}
	}
	if !buffered {
		if !ordered {
			return
		}
		if !st.anyRelease || tr.ts > st.released {
			st.released, st.anyRelease = tr.ts, true
		}
		if st.events++; st.events%1024 == 0 {
			st.sweepBusy()
		}
		return
	}
	if len(seqRules) > 0 {
		heap.Push(&st.reorder, pending{ev: tr.keep(), rules: seqRules})
		for st.reorder.Len() > e.opts.ReorderBuffer {
			st.release()
		}
	}
}

// transient is the event being processed, over the decoder's reused record
// and the reader's reused buffer; keep copies it once when a rule keeps it.
type transient struct {
	rec   *eql.Record
	src   *source.Event
	seq   uint64
	ts    int64 // set by time
	timed bool
	kept  *Event
	e     *Engine
}

// time reads the event's @timestamp, once.
func (t *transient) time() {
	if !t.timed {
		t.timed = true
		if ts, ok := t.e.tsQuery.Timestamp(t.rec); ok {
			t.ts = ts
		}
	}
}

func (t *transient) Lookup(f *eql.FieldRef) (eql.Value, bool) { return t.rec.Lookup(f) }

// Record implements eql.RecordBacked: conditions read the decoder's record
// directly and share its per-event memo.
func (t *transient) Record() *eql.Record { return t.rec }

func (t *transient) keep() *Event {
	if t.kept == nil {
		t.time()
		t.kept = &Event{thaw: t.e.thaw, Raw: bytes.Clone(t.src.Raw), Index: t.src.Index, ID: t.src.ID,
			Version: t.src.Version, Origin: t.src.Origin, Seq: t.seq, TS: t.ts}
	}
	return t.kept
}

// retain is the runners' Retain hook: transient events are copied.
func retain(ev eql.Event) eql.Event {
	switch t := ev.(type) {
	case *transient:
		return t.keep()
	case *released:
		return t.ev
	}
	return ev
}

// released is an event out of the reorder buffer over a record decoded
// again from its document (see release).
type released struct {
	ev  *Event
	rec *eql.Record
}

func (r *released) Lookup(f *eql.FieldRef) (eql.Value, bool) { return r.rec.Lookup(f) }

// Record implements eql.RecordBacked.
func (r *released) Record() *eql.Record { return r.rec }

// sweepBusy moves the busy rules' clocks to the current time, which
// expires their stale state, and drops rules that hold none any more.
func (st *runState) sweepBusy() {
	kept := st.busy[:0]
	for _, i := range st.busy {
		r := st.perRule[i].runner
		r.Advance(st.released)
		if r.Busy() {
			kept = append(kept, i)
		} else {
			st.isBusy[i] = false
		}
	}
	st.busy = kept
}

// release hands the earliest buffered event to its sequence rules.
func (st *runState) release() {
	p := heap.Pop(&st.reorder).(pending)
	if st.anyRelease && p.ev.TS < st.released {
		st.outOfOrder++
	} else {
		st.released = p.ev.TS
		st.anyRelease = true
	}
	// Decode the document again into a record of its own, so that the
	// runners' conditions read it directly rather than through a frozen
	// copy; runners that keep it keep the Event.
	var ev eql.Event = p.ev
	if st.relDec == nil {
		st.relDec = eventjson.New(st.sh.refs)
		st.relRec = eql.NewRecord(st.e.fields.Len())
	}
	if st.relDec.Decode(p.ev.Raw, st.relRec) == nil {
		st.rel = released{ev: p.ev, rec: st.relRec}
		ev = &st.rel
	}
	for _, i := range p.rules {
		rs := st.perRule[i]
		var t0 time.Time
		if st.e.opts.Profile {
			t0 = time.Now()
		}
		rs.runner.Push(ev)
		if st.e.opts.Profile {
			rs.stats.Time += time.Since(t0)
		}
	}
}

func (st *runState) onResult(c *compiled, r eql.Result) {
	rs := st.perRule[c.idx]
	f := Finding{JoinKeys: r.JoinKeys, Events: make([]*Event, len(r.Events))}
	for i, ev := range r.Events {
		if ev != nil {
			f.Events[i] = ev.(*Event)
			if f.Events[i].TS >= f.TS {
				f.TS, f.Seq = f.Events[i].TS, f.Events[i].Seq
			}
		}
	}
	rs.total++
	st.e.found.Add(1)
	if c.q.Kind() == eql.SampleQuery {
		rs.samples = append(rs.samples, f)
		return
	}
	rs.top.offer(f)
}

func (st *runState) finish() {
	for st.reorder.Len() > 0 {
		st.release()
	}
	for _, rs := range st.perRule {
		if rs.runner != nil {
			rs.runner.Flush()
			rs.stats.Sequence = rs.runner.Stats()
		}
	}
}

func (st *runState) result(c *compiled) *RuleResult {
	rs := st.perRule[c.idx]
	res := &RuleResult{Rule: c.rule, Kind: c.q.Kind(), Total: rs.total, Stats: rs.stats}
	if c.q.Kind() == eql.SampleQuery {
		// Samples come in key order; the request size keeps the first ones.
		res.Findings = rs.samples
		if len(res.Findings) > c.maxSignals {
			res.Findings = res.Findings[:c.maxSignals]
		}
	} else {
		res.Findings = rs.top.sorted()
	}
	res.Truncated = res.Total > c.maxSignals
	return res
}

// eventHeap orders buffered events by (timestamp, input position).
type eventHeap []pending

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].ev.TS != h[j].ev.TS {
		return h[i].ev.TS < h[j].ev.TS
	}
	return h[i].ev.Seq < h[j].ev.Seq
}
func (h eventHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)   { *h = append(*h, x.(pending)) }
func (h *eventHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = pending{}
	*h = old[:len(old)-1]
	return x
}

// topN keeps the limit most recent findings (by TS, then Seq).
type topN struct {
	limit int
	items []Finding // a min-heap on (TS, Seq)
}

func findingLess(a, b Finding) bool {
	if a.TS != b.TS {
		return a.TS < b.TS
	}
	return a.Seq < b.Seq
}

func (t *topN) offer(f Finding) {
	if t.limit <= 0 {
		return
	}
	if len(t.items) < t.limit {
		t.items = append(t.items, f)
		t.up(len(t.items) - 1)
		return
	}
	if !findingLess(t.items[0], f) {
		return // older than everything kept
	}
	t.items[0] = f
	t.down(0)
}

func (t *topN) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !findingLess(t.items[i], t.items[p]) {
			return
		}
		t.items[i], t.items[p] = t.items[p], t.items[i]
		i = p
	}
}

func (t *topN) down(i int) {
	n := len(t.items)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && findingLess(t.items[r], t.items[l]) {
			m = r
		}
		if !findingLess(t.items[m], t.items[i]) {
			return
		}
		t.items[i], t.items[m] = t.items[m], t.items[i]
		i = m
	}
}

// sorted returns the kept findings in time order.
func (t *topN) sorted() []Finding {
	out := append([]Finding(nil), t.items...)
	sort.Slice(out, func(i, j int) bool { return findingLess(out[i], out[j]) })
	return out
}
