package eql

import (
	"encoding/binary"
	"math"
	"sort"
	"strings"
)

// Result is one hit of a query: a single event for an event query, the
// events of a sequence in stage order, or the events of a sample in filter
// order. A nil entry in Events is a missing-event placeholder (a `![…]`
// stage), which Elasticsearch returns as {"missing": true}.
type Result struct {
	Events   []Event
	JoinKeys []Value // the sequence's or sample's key values; nil for event queries

	order ordinal // completion ordinal, for ordering results
}

// Ordinal is an event's position in the order Elasticsearch sorts by:
// timestamp, then tiebreaker (nulls last), then arrival.
type ordinal struct {
	ts  int64
	tb  Value
	seq uint64
}

func (a ordinal) less(b ordinal) bool {
	if a.ts != b.ts {
		return a.ts < b.ts
	}
	if c := compareTiebreak(a.tb, b.tb); c != 0 {
		return c < 0
	}
	return a.seq < b.seq
}

func compareTiebreak(a, b Value) int {
	switch {
	case a.k == KindNull && b.k == KindNull:
		return 0
	case a.k == KindNull:
		return 1
	case b.k == KindNull:
		return -1
	}
	if c, ok := compareDynamic(a, b); ok {
		return c
	}
	return 0
}

// RunOptions configure one run of a query, like the paging parameters of
// an _eql/search request.
type RunOptions struct {
	// MaxSamplesPerKey is the number of samples per key tuple (default 1).
	MaxSamplesPerKey int
	// StateBudget caps the number of join keys a sequence without maxspan
	// keeps pending state for; when exceeded the oldest key is evicted and
	// counted in Stats.Evicted. Default 1,000,000.
	StateBudget int
	// OnResult receives each result as soon as it is final. Sequences are
	// emitted when they complete (after their trailing missing-event window
	// closes, if they have one); samples at Flush.
	OnResult func(Result)
	// Retain, when set, is called on an event the runner is about to keep
	// (in a pending sequence, a result or a sample) and returns the value to
	// keep. Callers that push transient events — a reused record over a
	// reused buffer — copy them here, so only the few kept events are copied.
	Retain func(Event) Event
}

// Stats counts what a run did.
type Stats struct {
	Events           int64 // events pushed
	Matched          int64 // events that matched at least one stage
	NoTimestamp      int64 // events skipped by sequences for lack of a timestamp
	OutOfOrder       int64 // events pushed with a timestamp earlier than the previous one
	Results          int64
	RejectedMaxspan  int64 // sequences that would have completed beyond maxspan
	RejectedUntil    int64 // pending sequences cancelled by an until event
	RejectedMissing  int64 // sequences discarded because a missing-event stage occurred
	Expired          int64 // pending sequences dropped because maxspan passed
	Evicted          int64 // pending key states evicted to stay within StateBudget
	PendingSequences int64 // pending sequences held now
}

// Runner executes a query over a stream of events pushed in time order.
// It is not safe for concurrent use.
type Runner struct {
	q     *Query
	opts  RunOptions
	stats Stats

	seq       uint64
	watermark int64
	started   bool

	// Sequences.
	positive  []int   // indices of positive stages
	posOf     []int   // stage index → position among positives (-1 for missing)
	middleOf  [][]int // positive position j → missing stages between positives j-1 and j
	leading   []int   // missing stages before the first positive
	trailing  []int   // missing stages after the last positive
	keys      map[string]*keyState
	fifo      []fifoEntry // key creations in time order, for expiry and eviction
	fifoHead  int
	awaiting  []*pendingResult // completed sequences waiting for a trailing window
	completed []Result         // results of the current event, sorted before emission

	// Samples.
	samples map[string]*sampleKey

	// Scratch space for the key tuples and encoded keys of one event.
	keyBuf     [][]Value
	keyScratch []Value
	encBuf     []byte

	pendingAt  []int // pending sequences per positive position
	before     []int // missing stage → position of the positive stage before it (-1: leading)
	matchedBuf []int
}

type keyState struct {
	key      []Value
	pending  []*seqState // by positive position: the latest sequence that reached it
	lastMiss map[int]ordinal
	history  map[int][]ordinal // leading missing stages: recent occurrences
	gen      uint64
}

type seqState struct {
	events  []Event
	ords    []ordinal
	tainted bool // a middle missing-event stage occurred between two matches
}

type fifoEntry struct {
	key string
	ts  int64
	gen uint64
}

type pendingResult struct {
	res       Result
	key       string
	first     ordinal
	last      ordinal
	deadline  int64
	leadingTS int64 // latest leading missing event ts, or math.MinInt64
	found     []bool
	foundTS   []int64
	progress  int // trailing stages found in order so far
}

// NewRunner starts a run of q.
func (q *Query) NewRunner(opts RunOptions) *Runner {
	if opts.MaxSamplesPerKey <= 0 {
		opts.MaxSamplesPerKey = 1
	}
	if opts.StateBudget <= 0 {
		opts.StateBudget = 1_000_000
	}
	r := &Runner{q: q, opts: opts, keys: map[string]*keyState{}, samples: map[string]*sampleKey{}}
	if q.kind == SequenceQuery {
		r.posOf = make([]int, len(q.stages))
		r.before = make([]int, len(q.stages))
		var pendingMiddle []int
		for i, s := range q.stages {
			r.before[i] = len(r.positive) - 1
			if s.Missing {
				r.posOf[i] = -1
				if len(r.positive) == 0 {
					r.leading = append(r.leading, i)
				} else {
					pendingMiddle = append(pendingMiddle, i)
				}
				continue
			}
			r.posOf[i] = len(r.positive)
			r.middleOf = append(r.middleOf, pendingMiddle)
			pendingMiddle = nil
			r.positive = append(r.positive, i)
		}
		r.trailing = pendingMiddle
		r.pendingAt = make([]int, len(r.positive))
	}
	return r
}

// Stats returns the run's counters so far.
func (r *Runner) Stats() Stats { return r.stats }

// Timestamp returns the event's timestamp in nanoseconds since the epoch,
// as the query's timestamp field gives it.
func (q *Query) Timestamp(ev Event) (int64, bool) {
	rec := recordOf(ev)
	if rec == nil || rec.epoch == 0 || q.ts.ref == nil {
		return q.timestamp(ev)
	}
	m := &rec.ts
	if m.epoch != rec.epoch || m.field != int32(q.ts.ref.ID) || m.typ != q.ts.info.Type {
		ns, ok := q.timestamp(ev)
		*m = tsMemo{epoch: rec.epoch, field: int32(q.ts.ref.ID), typ: q.ts.info.Type, ok: ok, ns: ns}
	}
	return m.ns, m.ok
}

func (q *Query) timestamp(ev Event) (int64, bool) {
	v := q.ts.get(ev)
	if v.k == KindList {
		v = v.l[0]
	}
	switch q.ts.info.Type {
	case TypeDate, TypeDateNanos:
		if v.k == KindInt {
			return v.AsInt(), true
		}
		return 0, false
	}
	if v.k == KindNull {
		return 0, false
	}
	return parseDateValue(v, &FieldInfo{Type: TypeDate})
}

// Tiebreaker returns the event's tiebreaker value (null without one).
func (q *Query) Tiebreaker(ev Event) Value {
	if q.tiebreak == nil {
		return Null
	}
	v := q.tiebreak.get(ev)
	if v.k == KindList {
		return v.l[0]
	}
	return v
}

// Push feeds the next event. Events must come in (timestamp, tiebreaker)
// order for sequences; an earlier timestamp is counted in Stats.OutOfOrder
// and processed as if it came at the current time.
func (r *Runner) Push(ev Event) {
	r.stats.Events++
	switch r.q.kind {
	case EventQuery:
		if r.q.stages[0].Match(ev) {
			r.stats.Matched++
			r.emit(Result{Events: []Event{ev}})
		}
	case SampleQuery:
		r.pushSample(ev)
	case SequenceQuery:
		r.pushSequence(ev)
	}
}

func (r *Runner) emit(res Result) {
	r.stats.Results++
	if r.opts.OnResult != nil {
		r.opts.OnResult(res)
	}
}

// Flush ends the input: sequences waiting for a trailing missing-event
// window are decided and samples are emitted.
func (r *Runner) Flush() {
	switch r.q.kind {
	case SequenceQuery:
		r.finishAwaiting(math.MaxInt64)
	case SampleQuery:
		r.flushSamples()
	}
}

// stageKeys computes the key tuples of ev for stage s: one tuple per
// combination of the values of multi-valued keys, duplicates removed.
// ok is false when a non-optional key is null (the event cannot join).
// The tuples live in buf and scratch, so they are only valid until the
// next call with the same buffers; callers copy what they keep.
func stageKeys(s *Stage, ev Event, buf [][]Value, scratch []Value) ([][]Value, bool) {
	buf = buf[:0]
	if len(s.keys) == 0 {
		return append(buf, nil), true
	}
	// Usually every key has one value: the tuple is those values.
	one := scratch[:0]
	lists := false
	for i, k := range s.keys {
		v := k(ev)
		switch v.k {
		case KindNull:
			if !s.optional[i] {
				return buf, false
			}
			v = Null
		case KindList:
			lists = true
		}
		one = append(one, v)
	}
	if !lists {
		return append(buf, one), true
	}
	vals := make([][]Value, len(one))
	total := 1
	for i, v := range one {
		if v.k == KindList {
			vals[i] = dedupValues(v.l)
		} else {
			vals[i] = []Value{v}
		}
		total *= len(vals[i])
		if total > 4096 { // a hostile cartesian product: keep the first combinations
			total = 4096
		}
	}
	idx := make([]int, len(vals))
	for n := 0; n < total; n++ {
		tuple := make([]Value, len(vals))
		for i := range vals {
			tuple[i] = vals[i][idx[i]]
		}
		buf = append(buf, tuple)
		for i := len(idx) - 1; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(vals[i]) {
				break
			}
			idx[i] = 0
		}
	}
	return buf, true
}

// stageKeys is the package function over the runner's reusable buffers.
func (r *Runner) stageKeys(s *Stage, ev Event) ([][]Value, bool) {
	tuples, ok := stageKeys(s, ev, r.keyBuf, r.keyScratch)
	if cap(tuples) > cap(r.keyBuf) {
		r.keyBuf = tuples[:0]
	}
	if len(tuples) == 1 && cap(tuples[0]) > cap(r.keyScratch) {
		r.keyScratch = tuples[0][:0]
	}
	return tuples, ok
}

func dedupValues(vs []Value) []Value {
	out := make([]Value, 0, len(vs))
	for _, v := range vs {
		dup := false
		for _, o := range out {
			if Equal(o, v) && o.k == v.k {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// encodeKey turns a key tuple into a map key. Numbers are encoded by value
// so 1 and 1.0 join, strings by content; kinds are kept apart.
func encodeKey(dst []byte, key []Value) []byte {
	for _, v := range key {
		switch v.k {
		case KindNull:
			dst = append(dst, 0)
		case KindBool:
			dst = append(dst, 1, byte(v.n))
		case KindInt, KindFloat:
			f := v.AsFloat()
			if v.k == KindInt {
				dst = append(dst, 2)
				dst = binary.BigEndian.AppendUint64(dst, v.n)
				continue
			}
			if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				dst = append(dst, 2)
				dst = binary.BigEndian.AppendUint64(dst, uint64(int64(f)))
				continue
			}
			dst = append(dst, 3)
			dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(f))
		case KindString:
			dst = append(dst, 4)
			dst = binary.AppendUvarint(dst, uint64(len(v.s)))
			dst = append(dst, v.s...)
		}
	}
	return dst
}

func (r *Runner) ordinalOf(ev Event) (ordinal, bool) {
	ts, ok := r.q.Timestamp(ev)
	if !ok {
		return ordinal{}, false
	}
	r.seq++
	return ordinal{ts: ts, tb: r.q.Tiebreaker(ev).Clone(), seq: r.seq}, true
}

func (r *Runner) pushSequence(ev Event) {
	q := r.q
	// Which stages does the event match? Most events match none, and a
	// stage that could only extend a pending sequence is not even evaluated
	// while no sequence is pending there.
	matched := r.matchedBuf[:0]
	for i, s := range q.stages {
		if r.relevant(i) && s.Match(ev) {
			matched = append(matched, i)
		}
	}
	r.matchedBuf = matched
	untilHit := q.until != nil && r.stats.PendingSequences > 0 && q.until.Match(ev)
	if len(matched) == 0 && !untilHit {
		if r.started {
			// Still advance time from unmatched events when they carry a timestamp.
			if ts, ok := q.Timestamp(ev); ok && ts > r.watermark {
				r.advance(ts)
			}
		}
		return
	}
	r.stats.Matched++
	o, ok := r.ordinalOf(ev)
	if !ok {
		r.stats.NoTimestamp++
		return
	}
	if r.started && o.ts < r.watermark {
		r.stats.OutOfOrder++
		o.ts = r.watermark
	}
	r.started = true
	r.advance(o.ts)

	enc := r.encBuf[:0]
	defer func() { r.encBuf = enc[:0] }()
	// Positive stages from last to first, so that an event matching two
	// consecutive stages does not extend the sequence it just started.
	for m := len(matched) - 1; m >= 0; m-- {
		i := matched[m]
		s := q.stages[i]
		if s.Missing {
			continue
		}
		tuples, ok := r.stageKeys(s, ev)
		if !ok {
			continue
		}
		for _, t := range tuples {
			enc = encodeKey(enc[:0], t)
			r.advanceStage(r.posOf[i], string(enc), t, ev, o)
		}
	}
	// Until: cancel the key's pending sequences whose last match is at or
	// before this event. It runs after the stages, so an event that both
	// completes a sequence and matches until does not cancel it, while one
	// that matches until and an intermediate stage does (Elasticsearch takes
	// the nearest until strictly before a match, and kills the sequence when
	// that until is at or after the sequence's last match).
	if untilHit {
		tuples, ok := r.stageKeys(q.until, ev)
		if ok {
			for _, t := range tuples {
				enc = encodeKey(enc[:0], t)
				if ks := r.keys[string(enc)]; ks != nil {
					for j, p := range ks.pending {
						if p != nil && !o.less(p.ords[len(p.ords)-1]) {
							r.stats.RejectedUntil++
							r.clearPending(ks, j)
						}
					}
				}
			}
		}
	}
	// Missing-event stages: remember when they occurred, per key.
	for _, i := range matched {
		s := q.stages[i]
		if !s.Missing {
			continue
		}
		tuples, ok := r.stageKeys(s, ev)
		if !ok {
			continue
		}
		for _, t := range tuples {
			enc = encodeKey(enc[:0], t)
			r.noteMissing(i, string(enc), t, o)
		}
	}
	r.flushCompleted()
}

// relevant reports whether stage i can affect anything now: the first
// positive stage and leading missing stages always can; a later positive
// stage only when a sequence is pending before it; a middle missing stage
// only when a sequence is pending at the positive stage before it; a
// trailing one only while completed sequences await their window.
func (r *Runner) relevant(i int) bool {
	if pos := r.posOf[i]; pos >= 0 {
		return pos == 0 || r.pendingAt[pos-1] > 0
	}
	if r.before[i] < 0 {
		return true // leading
	}
	if r.before[i] == len(r.positive)-1 {
		return len(r.awaiting) > 0 // trailing
	}
	return r.pendingAt[r.before[i]] > 0
}

// setPending stores seq as the key's pending sequence at position pos.
func (r *Runner) setPending(ks *keyState, pos int, seq *seqState) {
	if ks.pending[pos] == nil {
		r.stats.PendingSequences++
		r.pendingAt[pos]++
	}
	ks.pending[pos] = seq
}

// clearPending drops the key's pending sequence at position pos.
func (r *Runner) clearPending(ks *keyState, pos int) {
	if ks.pending[pos] != nil {
		ks.pending[pos] = nil
		r.stats.PendingSequences--
		r.pendingAt[pos]--
	}
}

func (r *Runner) keyState(enc string, key []Value, create bool) *keyState {
	ks := r.keys[enc]
	if ks == nil && create {
		ks = &keyState{key: cloneValues(key), pending: make([]*seqState, len(r.positive))}
		r.keys[enc] = ks
		if r.q.maxspan == 0 && len(r.keys) > r.opts.StateBudget {
			r.evictOldest()
		}
	}
	return ks
}

func (r *Runner) advanceStage(pos int, enc string, key []Value, ev Event, o ordinal) {
	last := len(r.positive) - 1
	if pos == 0 {
		seq := &seqState{events: []Event{ev}, ords: []ordinal{o}}
		if last == 0 {
			r.complete(enc, key, r.retain(seq))
			return
		}
		ks := r.keyState(enc, key, true)
		r.setPending(ks, 0, r.retain(seq))
		ks.gen++
		r.fifo = append(r.fifo, fifoEntry{key: enc, ts: o.ts, gen: ks.gen})
		if r.q.maxspan == 0 && len(r.fifo)-r.fifoHead > 2*len(r.keys)+1024 {
			r.dropStaleFIFO()
		}
		return
	}
	ks := r.keyState(enc, key, false)
	if ks == nil || ks.pending[pos-1] == nil {
		return
	}
	seq := ks.pending[pos-1]
	r.clearPending(ks, pos-1)
	if r.q.maxspan > 0 && o.ts-seq.ords[0].ts > r.q.maxspan {
		r.stats.RejectedMaxspan++
		return
	}
	prev := seq.ords[len(seq.ords)-1]
	for _, m := range r.middleOf[pos] {
		if lm, ok := ks.lastMiss[m]; ok && prev.less(lm) {
			seq.tainted = true
		}
	}
	seq.events = append(seq.events, r.retainEvent(ev))
	seq.ords = append(seq.ords, o)
	if pos == last {
		r.complete(enc, key, seq)
		return
	}
	r.setPending(ks, pos, seq)
}

// retain makes the events of a new sequence safe to keep.
func (r *Runner) retain(seq *seqState) *seqState {
	for i, ev := range seq.events {
		seq.events[i] = r.retainEvent(ev)
	}
	return seq
}

func (r *Runner) retainEvent(ev Event) Event {
	if r.opts.Retain != nil {
		return r.opts.Retain(ev)
	}
	return ev
}

func (r *Runner) noteMissing(stage int, enc string, key []Value, o ordinal) {
	for _, l := range r.leading {
		if l == stage {
			ks := r.keyState(enc, key, true)
			if ks.history == nil {
				ks.history = map[int][]ordinal{}
			}
			h := ks.history[stage]
			// Keep only what a future sequence could still see.
			cut := 0
			for cut < len(h) && h[cut].ts < o.ts-r.q.maxspan {
				cut++
			}
			ks.history[stage] = append(h[cut:], o)
		}
	}
	isMiddle := false
	for _, ms := range r.middleOf {
		for _, m := range ms {
			if m == stage {
				isMiddle = true
			}
		}
	}
	if isMiddle {
		if ks := r.keyState(enc, key, false); ks != nil {
			if ks.lastMiss == nil {
				ks.lastMiss = map[int]ordinal{}
			}
			ks.lastMiss[stage] = o
		}
	}
	// Trailing stages: sequences waiting for their window.
	for ti, t := range r.trailing {
		if t != stage {
			continue
		}
		for _, p := range r.awaiting {
			if p.key != enc || !p.last.less(o) || o.ts > p.deadline {
				continue
			}
			if p.progress == ti {
				p.progress++
				p.foundTS = append(p.foundTS, o.ts)
			}
		}
	}
}

// complete handles a sequence whose positive stages all matched.
func (r *Runner) complete(enc string, key []Value, seq *seqState) {
	res := Result{JoinKeys: r.sequenceKeyValues(cloneValues(key)), order: seq.ords[len(seq.ords)-1]}
	res.Events = make([]Event, len(r.q.stages))
	for j, i := range r.positive {
		res.Events[i] = seq.events[j]
	}
	if seq.tainted {
		r.stats.RejectedMissing++
		return
	}
	if len(r.leading) == 0 && len(r.trailing) == 0 {
		r.completed = append(r.completed, res)
		return
	}
	first, last := seq.ords[0], seq.ords[len(seq.ords)-1]
	p := &pendingResult{res: res, key: enc, first: first, last: last,
		deadline: first.ts + r.q.maxspan, leadingTS: math.MinInt64}
	if len(r.leading) > 0 {
		p.leadingTS, p.found = r.leadingFound(enc, first, last)
	}
	if len(r.trailing) == 0 {
		if p.found != nil && p.found[0] {
			r.stats.RejectedMissing++
			return
		}
		r.completed = append(r.completed, res)
		return
	}
	r.awaiting = append(r.awaiting, p)
}

// leadingFound looks for events of every leading missing stage, in order,
// before the first positive event and within maxspan of the last one. It
// returns the timestamp of the latest such event (nearest the sequence) and
// whether all stages were found.
func (r *Runner) leadingFound(enc string, first, last ordinal) (int64, []bool) {
	ks := r.keys[enc]
	found := []bool{false}
	if ks == nil || ks.history == nil {
		return math.MinInt64, found
	}
	bound := first
	latest := int64(math.MinInt64)
	for li := len(r.leading) - 1; li >= 0; li-- {
		h := ks.history[r.leading[li]]
		hit := false
		for k := len(h) - 1; k >= 0; k-- {
			if h[k].less(bound) && h[k].ts >= last.ts-r.q.maxspan {
				if latest == math.MinInt64 {
					latest = h[k].ts
				}
				bound = h[k]
				hit = true
				break
			}
		}
		if !hit {
			return latest, found
		}
	}
	found[0] = true
	return latest, found
}

// advance moves event time forward: sequences waiting for a trailing
// window that has closed are decided, and pending sequences that can no
// longer complete within maxspan are dropped.
func (r *Runner) advance(ts int64) {
	if ts > r.watermark || !r.started {
		r.watermark = ts
	}
	if len(r.awaiting) > 0 {
		r.finishAwaiting(ts)
	}
	if r.q.maxspan > 0 {
		r.expire(ts)
	}
}

func (r *Runner) finishAwaiting(now int64) {
	kept := r.awaiting[:0]
	var done []*pendingResult
	for _, p := range r.awaiting {
		if now != math.MaxInt64 && now <= p.deadline {
			kept = append(kept, p)
			continue
		}
		done = append(done, p)
	}
	r.awaiting = kept
	for _, p := range done {
		allTrailing := p.progress == len(r.trailing)
		discard := false
		switch {
		case len(r.leading) > 0:
			// Leading and trailing stages are judged together: the sequence
			// is discarded only when events for all of them occurred within
			// one maxspan (Elasticsearch's behaviour in its test suite).
			if p.found != nil && p.found[0] && allTrailing {
				lastTrail := p.foundTS[len(p.foundTS)-1]
				discard = lastTrail-p.leadingTS <= r.q.maxspan
			}
		default:
			discard = allTrailing
		}
		if discard {
			r.stats.RejectedMissing++
			continue
		}
		r.completed = append(r.completed, p.res)
	}
	r.flushCompleted()
}

func (r *Runner) flushCompleted() {
	if len(r.completed) == 0 {
		return
	}
	sort.SliceStable(r.completed, func(i, j int) bool {
		a, b := r.completed[i], r.completed[j]
		if a.order.less(b.order) || b.order.less(a.order) {
			return a.order.less(b.order)
		}
		return compareKeys(a.JoinKeys, b.JoinKeys) < 0
	})
	for _, res := range r.completed {
		r.emit(res)
	}
	r.completed = r.completed[:0]
}

// compareKeys orders key tuples as Elasticsearch orders join keys: nulls
// first, then by value.
func compareKeys(a, b []Value) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		switch {
		case x.k == KindNull && y.k == KindNull:
			continue
		case x.k == KindNull:
			return -1
		case y.k == KindNull:
			return 1
		}
		c, ok := compareDynamic(x, y)
		if !ok {
			c = strings.Compare(x.String(), y.String())
		}
		if c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// expire drops pending sequences whose first event is more than maxspan
// older than now: no event at or after now can complete them.
func (r *Runner) expire(now int64) {
	limit := now - r.q.maxspan
	for r.fifoHead < len(r.fifo) && r.fifo[r.fifoHead].ts < limit {
		e := r.fifo[r.fifoHead]
		r.fifoHead++
		ks := r.keys[e.key]
		if ks == nil {
			continue
		}
		live := false
		for j, p := range ks.pending {
			if p == nil {
				continue
			}
			if p.ords[0].ts < limit {
				r.clearPending(ks, j)
				r.stats.Expired++
				continue
			}
			live = true
		}
		if !live && !r.keyHasHistory(ks, limit) {
			delete(r.keys, e.key)
		}
	}
	r.compactFIFO()
}

func (r *Runner) keyHasHistory(ks *keyState, limit int64) bool {
	for _, h := range ks.history {
		if len(h) > 0 && h[len(h)-1].ts >= limit {
			return true
		}
	}
	for _, o := range ks.lastMiss {
		if o.ts >= limit {
			return true
		}
	}
	return false
}

func (r *Runner) compactFIFO() {
	if r.fifoHead > 4096 && r.fifoHead*2 > len(r.fifo) {
		n := copy(r.fifo, r.fifo[r.fifoHead:])
		r.fifo = r.fifo[:n]
		r.fifoHead = 0
	}
}

// evictOldest removes the key state created longest ago, to keep a
// sequence without maxspan within its state budget.
func (r *Runner) evictOldest() {
	for r.fifoHead < len(r.fifo) {
		e := r.fifo[r.fifoHead]
		r.fifoHead++
		ks := r.keys[e.key]
		if ks == nil || ks.gen != e.gen {
			continue
		}
		for j := range ks.pending {
			r.clearPending(ks, j)
		}
		delete(r.keys, e.key)
		r.stats.Evicted++
		r.compactFIFO()
		return
	}
}

// sequenceKeyValues renders date keys as Elasticsearch returns them in a
// sequence's join_keys: ISO 8601 in UTC with milliseconds.
func (r *Runner) sequenceKeyValues(key []Value) []Value {
	s := r.q.stages[r.positive[0]]
	var out []Value
	for i, v := range key {
		if i < len(s.keyTypes) && (s.keyTypes[i] == TypeDate || s.keyTypes[i] == TypeDateNanos) && v.k == KindInt {
			if out == nil {
				out = append([]Value(nil), key...)
			}
			out[i] = String(formatDate(v.AsInt(), s.keyTypes[i] == TypeDateNanos))
		}
	}
	if out == nil {
		return key
	}
	return out
}

// dropStaleFIFO removes queue entries superseded by a newer creation of
// the same key, so that a storm of events on few keys cannot grow the queue.
func (r *Runner) dropStaleFIFO() {
	out := r.fifo[:0]
	for _, e := range r.fifo[r.fifoHead:] {
		if ks := r.keys[e.key]; ks != nil && ks.gen == e.gen {
			out = append(out, e)
		}
	}
	r.fifo = out
	r.fifoHead = 0
}

// Advance tells the runner that event time has reached ts even though no
// event was pushed: pending sequences past their maxspan are dropped and
// trailing missing-event windows that closed are decided. Callers that push
// only the events a query can match call it to keep state bounded.
func (r *Runner) Advance(ts int64) {
	if r.q.kind != SequenceQuery || (r.started && ts <= r.watermark) {
		return
	}
	r.started = true
	r.advance(ts)
}

// Busy reports whether the runner holds state that later events can act
// on: pending sequences, or completed ones awaiting a trailing window. A
// sequence runner that is not busy can only be affected by events matching
// its first positive stage or a leading missing-event stage.
func (r *Runner) Busy() bool {
	return r.stats.PendingSequences > 0 || len(r.awaiting) > 0
}
