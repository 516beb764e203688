package engine

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/eqld/eqld/ecs"
	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/exception"
	"github.com/eqld/eqld/internal/ahocorasick"
	"github.com/eqld/eqld/rule"
)

// compiled is a rule prepared for a run.
type compiled struct {
	idx        int // position in its shard
	global     int // position in the engine's rule list
	rule       *rule.Rule
	q          *eql.Query
	stage      *eql.Stage // event rules: the single stage
	patterns   []string   // index patterns; nil with IgnoreIndex
	excludes   []string   // index patterns prefixed with '-'
	categories []string   // categories the query can match; nil = any
	maxSignals int
	ownTS      bool // the rule orders by a timestamp field other than @timestamp

	hasRange       bool
	from, to       int64
	primaryQuery   *eql.Query // gives typed access to primary/fallback
	fallbackQuery  *eql.Query
	filterProblems []string
	// anchors are necessary conditions (see anchor.go) for an event to
	// matter to the rule, nil when there are none, so the rule evaluates
	// every routed event. For an event rule they are its stage's; for a
	// sequence they are those of the stages that can act with no sequence
	// pending (the first positive stage and leading missing stages): later
	// stages only matter while the rule has state, which the engine tracks
	// (see runState.busy).
	anchors []anchor
	// leadCats are the categories of those stages (nil: any).
	leadCats []string
	// lateAnchors are necessary conditions for an event to match one of a
	// sequence's later stages: while the rule holds state it evaluates only
	// the events of its later categories that meet one. nil when a later
	// stage has none, or the query has an until clause or missing-event
	// stages: the rule then evaluates every such event while it holds
	// state.
	lateAnchors []anchor
}

// DefaultMaxSignals is Kibana's default max_signals.
const DefaultMaxSignals = 100

func (e *Engine) compile(r *rule.Rule) (*compiled, error) {
	if r.Type != "eql" || r.Language != "eql" && r.Language != "" {
		return nil, fmt.Errorf("rule type %q is not run by eqld yet (only EQL rules are)", r.Type)
	}
	if !r.Runnable && r.Status != "" && r.Status != rule.StatusRunnable {
		return nil, fmt.Errorf("rule is not runnable: %s", r.Reason)
	}
	opts := &eql.Options{
		Schema:             e.opts.Schema,
		Fields:             e.fields,
		Memo:               e.memo,
		EventCategoryField: r.EventCategoryOverride,
		TimestampField:     r.TimestampField,
		TiebreakerField:    r.TiebreakerField,
	}
	c := &compiled{rule: r, maxSignals: r.MaxSignals}
	if c.maxSignals <= 0 {
		c.maxSignals = DefaultMaxSignals
	}
	if e.opts.Exceptions != nil {
		filter, problems := e.opts.Exceptions.FilterFor(r, e.opts.Now)
		for _, p := range problems {
			c.filterProblems = append(c.filterProblems, p.Error())
		}
		opts.Filter = exception.Keep(filter)
	}
	q, err := eql.Compile(r.Query, opts)
	if err != nil {
		return nil, err
	}
	c.q = q
	if q.Kind() == eql.EventQuery {
		c.stage = q.Stages()[0]
	}
	c.ownTS = r.TimestampField != "" && r.TimestampField != "@timestamp"
	if !e.opts.IgnoreIndex {
		if len(r.Index) == 0 {
			return nil, fmt.Errorf("rule has no index patterns (data_view_id %q cannot be resolved offline); run with --ignore-index", r.DataViewID)
		}
		for _, p := range r.Index {
			for _, part := range strings.Split(p, ",") {
				part = strings.TrimSpace(part)
				if strings.HasPrefix(part, "-") {
					c.excludes = append(c.excludes, part[1:])
				} else if part != "" {
					c.patterns = append(c.patterns, part)
				}
			}
		}
	}
	c.categories = q.Categories()
	c.anchors, c.leadCats = leadAnchors(q, e.opts.Schema)
	if !e.opts.noLateAnchors {
		c.lateAnchors = lateAnchors(q, e.opts.Schema)
	}
	if r.EventCategoryOverride != "" && r.EventCategoryOverride != "event.category" {
		c.categories = nil // routed as "any": the categories live in another field
	}
	if !e.opts.From.IsZero() || !e.opts.To.IsZero() {
		c.hasRange = true
		c.from, c.to = -1<<63, 1<<63-1
		if !e.opts.From.IsZero() {
			c.from = e.opts.From.UnixNano()
		}
		if !e.opts.To.IsZero() {
			c.to = e.opts.To.UnixNano()
		}
		primary := r.TimestampOverride
		if primary == "" {
			primary = "@timestamp"
		}
		c.primaryQuery = eql.MustCompile("any where true", &eql.Options{Schema: e.opts.Schema, Fields: e.fields, TimestampField: primary})
		if primary != "@timestamp" && (r.TimestampOverrideFallbackDisabled == nil || !*r.TimestampOverrideFallbackDisabled) {
			c.fallbackQuery = eql.MustCompile("any where true", &eql.Options{Schema: e.opts.Schema, Fields: e.fields})
		}
	}
	return c, nil
}

// inRange applies the rule's time range to an event, on the primary
// timestamp (timestamp_override) with the @timestamp fallback, as Kibana's
// range filter does.
func (c *compiled) inRange(ev eql.Event) bool {
	ts, ok := c.primaryQuery.Timestamp(ev)
	if !ok && c.fallbackQuery != nil {
		ts, ok = c.fallbackQuery.Timestamp(ev)
	}
	return ok && ts >= c.from && ts <= c.to
}

// matchIndex reports whether an index name matches the rule's patterns.
func (c *compiled) matchIndex(index string) bool {
	for _, x := range c.excludes {
		if indexGlob(x, index) {
			return false
		}
	}
	for _, p := range c.patterns {
		if indexGlob(p, index) {
			return true
		}
	}
	return false
}

// indexGlob matches an Elasticsearch index pattern, where only * is
// special. A cross-cluster prefix ("cluster:logs-*") matches the local
// index name too, since offline there is one cluster.
func indexGlob(pattern, s string) bool {
	if i := strings.IndexByte(pattern, ':'); i >= 0 {
		pattern = pattern[i+1:]
	}
	for {
		star := strings.IndexByte(pattern, '*')
		if star < 0 {
			return pattern == s
		}
		if !strings.HasPrefix(s, pattern[:star]) {
			return false
		}
		s = s[star:]
		pattern = pattern[star+1:]
		if pattern == "" {
			return true
		}
		// Find the next literal chunk; try each occurrence (patterns are short).
		next := strings.IndexByte(pattern, '*')
		chunk := pattern
		if next >= 0 {
			chunk = pattern[:next]
		}
		for {
			i := strings.Index(s, chunk)
			if i < 0 {
				return false
			}
			if next < 0 {
				return strings.HasSuffix(s, chunk)
			}
			if indexGlob(pattern, s[i:]) {
				return true
			}
			s = s[i+1:]
		}
	}
}

// ecsSchema adapts ECS field types to eql.Schema. It is open: fields ECS
// does not define are dynamically typed.
type ecsSchema struct{}

// ECSSchema returns the ECS 9.5 field types as an eql.Schema.
func ECSSchema() eql.Schema { return ecsSchema{} }

var ecsCache sync.Map // name → fieldResult

type fieldResult struct {
	fi eql.FieldInfo
	ok bool
}

func (ecsSchema) Field(name string) (eql.FieldInfo, bool) {
	if v, ok := ecsCache.Load(name); ok {
		r := v.(fieldResult)
		return r.fi, r.ok
	}
	typ, ok := ecs.FieldType(name)
	fi := eql.FieldInfo{Type: eql.ParseFieldType(typ)}
	switch typ {
	case "match_only_text", "text":
		// ECS text fields are multi-fields of a keyword (process.command_line
		// and friends); EQL compares the keyword.
		fi.Type = eql.TypeKeyword
	case "flattened", "object", "nested":
		fi.Type = eql.TypeUnknown
	}
	ecsCache.Store(name, fieldResult{fi, ok && fi.Type != eql.TypeUnknown})
	return fi, ok && fi.Type != eql.TypeUnknown
}

func (ecsSchema) Closed() bool { return false }

// route is the routing table for one index name: for each event category
// (and for rules matching any category) the dispatch of rules.
type route struct {
	byCat map[string]*dispatch
	any   *dispatch
}

// dispatch finds the rules that must evaluate an event: those whose every
// stage is anchored are found through the event's values of the anchor
// fields; the rest always evaluate.
type dispatch struct {
	always []int
	fields []*fieldIndex
	// later marks, by rule index, the sequence rules whose later stages
	// (and until) can match events routed here; they evaluate such an event
	// only while they hold state.
	later    []bool
	anyLater bool
	// lateAnchored marks the later rules indexed under their lateAnchors,
	// with n+i for rule i (n rules): they evaluate an event only if it
	// listed n+i.
	lateAnchored []bool
}

type fieldIndex struct {
	ref *eql.FieldRef
	// values maps a value to the rules indexed under it, so that one lookup
	// serves the case-sensitive and the case-insensitive terms. If any term
	// ignores case (folds), the keys are lower-case (strings.ToLower).
	values map[string]*valueRules
	folds  bool
	maxLen int // of the keys: no longer ASCII value has an entry
	terms  []valueTerm
	// lits holds the literals that values must contain, found with one
	// Aho-Corasick scan whatever their case sensitivity.
	lits literalIndex
}

type valueRules struct {
	fold  []int        // rules whose term ignores case
	exact []exactRules // rules whose term wants one spelling
}

type exactRules struct {
	value string
	rules []int
}

// valueTerm is a rule's "field holds value" until finish indexes it.
type valueTerm struct {
	value string
	fold  bool
	rule  int
}

// finish builds the lookup structures once every rule is added.
func (f *fieldIndex) finish() {
	for _, t := range f.terms {
		f.folds = f.folds || t.fold
	}
	for _, t := range f.terms {
		if f.values == nil {
			f.values = map[string]*valueRules{}
		}
		k := t.value
		if f.folds {
			k = strings.ToLower(k)
		}
		f.maxLen = max(f.maxLen, len(k))
		e := f.values[k]
		if e == nil {
			e = &valueRules{}
			f.values[k] = e
		}
		if t.fold {
			e.fold = appendRule(e.fold, t.rule)
			continue
		}
		found := false
		for i := range e.exact {
			if e.exact[i].value == t.value {
				e.exact[i].rules = appendRule(e.exact[i].rules, t.rule)
				found = true
			}
		}
		if !found {
			e.exact = append(e.exact, exactRules{value: t.value, rules: []int{t.rule}})
		}
	}
	f.terms = nil
	if len(f.lits.lits) > 0 {
		f.lits.ac = ahocorasick.New(f.lits.lits, f.lits.fold)
	}
}

// appendRule adds a rule to a list built in rule order, once.
func appendRule(l []int, rule int) []int {
	if len(l) == 0 || l[len(l)-1] != rule {
		l = append(l, rule)
	}
	return l
}

type literalIndex struct {
	lits  []string
	fold  []bool  // per literal: matches regardless of case (the literal is lower-case)
	rules [][]int // per literal
	pos   map[literalKey]int
	// anyFold and anyExact say which kinds of literals there are.
	anyFold, anyExact bool
	ac                *ahocorasick.Matcher
}

type literalKey struct {
	lit  string
	fold bool
}

func (li *literalIndex) add(lit string, fold bool, rule int) {
	if li.pos == nil {
		li.pos = map[literalKey]int{}
	}
	k, ok := li.pos[literalKey{lit, fold}]
	if !ok {
		k = len(li.lits)
		li.pos[literalKey{lit, fold}] = k
		li.lits = append(li.lits, lit)
		li.fold = append(li.fold, fold)
		li.rules = append(li.rules, nil)
	}
	li.rules[k] = appendRule(li.rules[k], rule)
	if fold {
		li.anyFold = true
	} else {
		li.anyExact = true
	}
}

func (d *dispatch) add(sh *shard, i int) {
	c := sh.rules[i]
	if c.anchors == nil {
		d.always = append(d.always, i)
		return
	}
	d.index(sh, c.anchors, i)
}

// index lists rule id under each term of the anchors.
func (d *dispatch) index(sh *shard, anchors []anchor, i int) {
	for _, a := range anchors {
		for _, t := range a {
			fi := d.field(sh, t.field)
			for _, v := range t.values {
				if t.contains {
					fi.lits.add(v, t.fold, i)
				} else {
					fi.terms = append(fi.terms, valueTerm{v, t.fold, i})
				}
			}
		}
	}
}

func (d *dispatch) field(sh *shard, name string) *fieldIndex {
	for _, f := range d.fields {
		if f.ref.Name == name {
			return f
		}
	}
	f := &fieldIndex{ref: sh.e.fields.Ref(name)}
	d.fields = append(d.fields, f)
	return f
}

func (sh *shard) route(index string) *route {
	e := sh.e
	if rt, ok := sh.routes[index]; ok {
		return rt
	}
	rt := &route{byCat: map[string]*dispatch{}}
	// Each category's dispatch also holds the rules that take any
	// category, so that an event's anchor fields are scanned once.
	type placement struct {
		i          int
		lead, late []string // nil: any category
		seq        bool
	}
	var places []placement
	cats := map[string]bool{}
	for i, c := range sh.rules {
		if !e.opts.IgnoreIndex && !c.matchIndex(index) {
			continue
		}
		p := placement{i: i, lead: c.categories, seq: c.q.Kind() == eql.SequenceQuery}
		if p.seq {
			p.lead, p.late = c.leadCats, c.categories
		}
		for _, cat := range append(append([]string(nil), p.lead...), p.late...) {
			cats[cat] = true
		}
		places = append(places, p)
	}
	build := func(cat string) *dispatch {
		d := &dispatch{later: make([]bool, len(sh.rules)), lateAnchored: make([]bool, len(sh.rules))}
		for _, p := range places {
			if p.lead == nil || slices.Contains(p.lead, cat) {
				d.add(sh, p.i)
			}
			if p.seq && (p.late == nil || slices.Contains(p.late, cat)) {
				d.later[p.i], d.anyLater = true, true
				if late := sh.rules[p.i].lateAnchors; late != nil {
					d.index(sh, late, len(sh.rules)+p.i)
					d.lateAnchored[p.i] = true
				}
			}
		}
		for _, f := range d.fields {
			f.finish()
		}
		return d
	}
	rt.any = build("")
	for cat := range cats {
		rt.byCat[cat] = build(cat)
	}
	if len(sh.routes) < 100_000 { // index names are few; guard against hostile input
		sh.routes[index] = rt
	}
	return rt
}

// candidates lists the rules that must evaluate the event, without
// duplicates: st.seen holds, per rule, the stamp of the last event that
// listed it.
func (rt *route) candidates(rec eql.Event, catRef *eql.FieldRef, st *runState) []int {
	st.scratch = st.scratch[:0]
	st.stamp++
	// Dispatches per category include the any-category rules; an event
	// with none of the indexed categories goes to the any dispatch alone.
	v, _ := rec.Lookup(catRef)
	hit := false
	for _, cv := range v.Values() {
		if cv.Kind() == eql.KindString {
			if d := rt.byCat[cv.AsString()]; d != nil {
				d.visit(rec, st)
				hit = true
			}
		}
	}
	if !hit {
		rt.any.visit(rec, st)
	}
	return st.scratch
}

// emit lists the rules not yet listed for the current event. Ids past the
// rules (later stages' anchors, see dispatch.lateAnchored) are only noted.
func (st *runState) emit(rules []int) {
	n := len(st.isBusy)
	for _, i := range rules {
		if st.seen[i] != st.stamp {
			st.seen[i] = st.stamp
			if i < n {
				st.scratch = append(st.scratch, i)
			}
		}
	}
}

func (d *dispatch) visit(rec eql.Event, st *runState) {
	st.emit(d.always)
	for _, f := range d.fields {
		v, ok := rec.Lookup(f.ref)
		if !ok {
			continue
		}
		if v.Kind() == eql.KindList {
			for _, x := range v.Values() {
				f.probeValue(x, st)
			}
		} else {
			f.probeValue(v, st)
		}
	}
	if !d.anyLater {
		return
	}
	n := len(st.isBusy)
	if st.buffering {
		// Out of order: state at arrival says nothing about state when the
		// event is released, so every later rule whose later stages the
		// event could match gets it.
		for i, ok := range d.later {
			if ok && st.seen[i] != st.stamp && (!d.lateAnchored[i] || st.seen[n+i] == st.stamp) {
				st.seen[i] = st.stamp
				st.scratch = append(st.scratch, i)
			}
		}
		return
	}
	for _, i := range st.busy {
		if d.later[i] && st.seen[i] != st.stamp && (!d.lateAnchored[i] || st.seen[n+i] == st.stamp) {
			st.seen[i] = st.stamp
			st.scratch = append(st.scratch, i)
		}
	}
}

// probeValue finds the rules indexed under a scalar, read the way anchor
// values are written: strings as they are, integers (and numeric strings)
// in decimal, floats also as written, booleans as true and false.
func (f *fieldIndex) probeValue(x eql.Value, st *runState) {
	switch x.Kind() {
	case eql.KindString:
		s := x.AsString()
		f.probe(s, st)
		if looksInteger(s) {
			if i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil {
				var buf [20]byte
				if n := strconv.AppendInt(buf[:0], i, 10); string(n) != s {
					f.probeNumber(n, st)
				}
			}
		}
	case eql.KindInt:
		var buf [20]byte
		f.probeNumber(strconv.AppendInt(buf[:0], x.AsInt(), 10), st)
	case eql.KindFloat:
		if fl := x.AsFloat(); fl == float64(int64(fl)) {
			var buf [20]byte
			f.probeNumber(strconv.AppendInt(buf[:0], int64(fl), 10), st)
		}
		f.probe(x.String(), st)
	case eql.KindBool:
		f.probe(x.String(), st)
	}
}

// probeNumber is probe for a decimal integer, which needs no folding:
// looking up string(n) does not allocate.
func (f *fieldIndex) probeNumber(n []byte, st *runState) {
	if len(n) <= f.maxLen {
		if e := f.values[string(n)]; e != nil {
			st.emit(e.fold)
			for _, x := range e.exact {
				if x.value == string(n) {
					st.emit(x.rules)
				}
			}
		}
	}
	if f.lits.ac != nil {
		f.scan(string(n), true, st)
	}
}

// probe finds the rules indexed under the value k.
func (f *fieldIndex) probe(k string, st *runState) {
	ascii, knownASCII := false, false
	if f.values != nil {
		var e *valueRules
		switch {
		case !f.folds:
			if len(k) <= f.maxLen {
				e = f.values[k]
			}
		case isASCII(k):
			ascii, knownASCII = true, true
			if len(k) > f.maxLen {
				break // an ASCII value folds to one as long
			}
			if len(k) > 128 {
				e = f.values[strings.ToLower(k)]
				break
			}
			// Fold into a buffer on the stack: looking up string(b) does
			// not allocate.
			var buf [128]byte
			b := buf[:len(k)]
			for i := 0; i < len(k); i++ {
				c := k[i]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				b[i] = c
			}
			e = f.values[string(b)]
		default:
			knownASCII = true
			e = f.values[strings.ToLower(k)]
		}
		if e != nil {
			st.emit(e.fold)
			for _, x := range e.exact {
				if x.value == k {
					st.emit(x.rules)
				}
			}
		}
	}
	if f.lits.ac != nil {
		if !knownASCII && f.lits.anyFold {
			ascii = isASCII(k)
		}
		f.scan(k, ascii, st)
	}
}

// scan finds the literals the value contains. The automaton folds ASCII
// case as it reads; case-insensitive literals are lower-case as
// strings.ToLower writes them, so a value with other bytes is lower-cased
// for them and scanned apart.
func (f *fieldIndex) scan(k string, ascii bool, st *runState) {
	li := &f.lits
	if ascii || !li.anyFold {
		li.ac.Scan(k, func(id int32) { st.emit(li.rules[id]) })
		return
	}
	if li.anyExact {
		li.ac.Scan(k, func(id int32) {
			if !li.fold[id] {
				st.emit(li.rules[id])
			}
		})
	}
	li.ac.Scan(strings.ToLower(k), func(id int32) {
		if li.fold[id] {
			st.emit(li.rules[id])
		}
	})
}

// isASCII reports whether s is all ASCII, eight bytes at a time.
func isASCII(s string) bool {
	for ; len(s) >= 8; s = s[8:] {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// leadAnchors collects one anchor per stage that can act when nothing is
// pending — every stage of an event or sample query; the first positive
// stage and leading missing stages of a sequence — and their categories.
// The anchors are nil if any such stage has none; the categories are nil if
// any such stage matches any category.
func leadAnchors(q *eql.Query, schema eql.Schema) ([]anchor, []string) {
	var stages []*eql.Stage
	if q.Kind() == eql.SequenceQuery {
		for _, s := range q.Stages() {
			stages = append(stages, s)
			if !s.Missing {
				break
			}
		}
	} else {
		stages = q.Stages()
	}
	var out []anchor
	var cats []string
	anyCat, unanchored := false, false
	for _, s := range stages {
		if s.Category == "" {
			anyCat = true
		} else {
			cats = append(cats, s.Category)
		}
		if a := anchorFor(s.Query().Cond, schema); a != nil {
			out = append(out, a)
		} else {
			unanchored = true
		}
	}
	if unanchored {
		out = nil
	}
	if anyCat {
		cats = nil
	}
	return out, cats
}

// lateAnchors collects one anchor per stage after the first of a sequence
// without until and missing-event stages (see compiled.lateAnchors).
//
// An event that meets none cannot match a later stage, so the runner need
// not see it: pushing it would only move the runner's clock, which expires
// sequences older than maxspan, and the clock also moves with the events
// the runner does see and with the periodic sweep (runState.sweepBusy).
// Missing-event stages and until are left out because for them the clock
// is what produces or cancels results.
func lateAnchors(q *eql.Query, schema eql.Schema) []anchor {
	if q.Kind() != eql.SequenceQuery || q.Until() != nil {
		return nil
	}
	var out []anchor
	for k, s := range q.Stages() {
		if s.Missing {
			return nil
		}
		if k == 0 {
			continue
		}
		a := anchorFor(s.Query().Cond, schema)
		if a == nil {
			return nil
		}
		out = append(out, a)
	}
	return out
}

// fields returns every field the rule reads, including those of its
// anchors (the router reads them) and time range.
func (c *compiled) fields() []*eql.FieldRef {
	out := append([]*eql.FieldRef(nil), c.q.Fields()...)
	for _, q := range []*eql.Query{c.primaryQuery, c.fallbackQuery} {
		if q != nil {
			out = append(out, q.Fields()...)
		}
	}
	return out
}
