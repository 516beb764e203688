package engine

import (
	"fmt"
	"slices"
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
}

type fieldIndex struct {
	ref   *eql.FieldRef
	exact map[string][]int
	fold  map[string][]int
	// contains holds literals that values must contain, case-sensitive
	// ([0]) and lower-cased ([1]), found with one Aho-Corasick scan each.
	contains [2]literalIndex
}

type literalIndex struct {
	lits  []string
	rules [][]int // per literal
	pos   map[string]int
	ac    *ahocorasick.Matcher
}

func (li *literalIndex) add(lit string, rule int) {
	if li.pos == nil {
		li.pos = map[string]int{}
	}
	k, ok := li.pos[lit]
	if !ok {
		k = len(li.lits)
		li.pos[lit] = k
		li.lits = append(li.lits, lit)
		li.rules = append(li.rules, nil)
	}
	if l := li.rules[k]; len(l) == 0 || l[len(l)-1] != rule {
		li.rules[k] = append(l, rule)
	}
	li.ac = nil
}

func (li *literalIndex) matcher() *ahocorasick.Matcher {
	if li.ac == nil && len(li.lits) > 0 {
		li.ac = ahocorasick.New(li.lits)
	}
	return li.ac
}

func (d *dispatch) add(sh *shard, i int) {
	c := sh.rules[i]
	if c.anchors == nil {
		d.always = append(d.always, i)
		return
	}
	for _, a := range c.anchors {
		for _, t := range a {
			fi := d.field(sh, t.field)
			if t.contains {
				li := &fi.contains[0]
				if t.fold {
					li = &fi.contains[1]
				}
				for _, v := range t.values {
					li.add(v, i)
				}
				continue
			}
			m := fi.exact
			if t.fold {
				m = fi.fold
			}
			for _, v := range t.values {
				if l := m[v]; len(l) == 0 || l[len(l)-1] != i {
					m[v] = append(l, i)
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
	f := &fieldIndex{ref: sh.e.fields.Ref(name), exact: map[string][]int{}, fold: map[string][]int{}}
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
		d := &dispatch{later: make([]bool, len(sh.rules))}
		for _, p := range places {
			if p.lead == nil || slices.Contains(p.lead, cat) {
				d.add(sh, p.i)
			}
			if p.seq && (p.late == nil || slices.Contains(p.late, cat)) {
				d.later[p.i], d.anyLater = true, true
			}
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

// candidates appends to out the rules that must evaluate the event, in
// rule order without duplicates. stamp/seen deduplicate across dispatches.
func (rt *route) candidates(rec eql.Event, catRef *eql.FieldRef, st *runState) []int {
	out := st.scratch[:0]
	st.stamp++
	visit := func(d *dispatch) {
		if d == nil {
			return
		}
		for _, i := range d.always {
			if st.seen[i] != st.stamp {
				st.seen[i] = st.stamp
				out = append(out, i)
			}
		}
		for _, f := range d.fields {
			v, ok := rec.Lookup(f.ref)
			if !ok {
				continue
			}
			st.keys = anchorKeys(v, st.keys[:0])
			for ci := range f.contains {
				li := &f.contains[ci]
				ac := li.matcher()
				if ac == nil {
					continue
				}
				for _, k := range st.keys {
					if ci == 1 && !isASCII(k) {
						k = strings.ToLower(k)
					}
					ac.Scan(k, ci == 1, func(id int32) {
						for _, i := range li.rules[id] {
							if st.seen[i] != st.stamp {
								st.seen[i] = st.stamp
								out = append(out, i)
							}
						}
					})
				}
			}
			for _, k := range st.keys {
				for _, i := range f.exact[k] {
					if st.seen[i] != st.stamp {
						st.seen[i] = st.stamp
						out = append(out, i)
					}
				}
				if len(f.fold) > 0 {
					for _, i := range f.fold[foldKey(k)] {
						if st.seen[i] != st.stamp {
							st.seen[i] = st.stamp
							out = append(out, i)
						}
					}
				}
			}
		}
	}
	later := func(d *dispatch) {
		if d == nil || !d.anyLater {
			return
		}
		if st.buffering {
			// Out of order: state at arrival says nothing; be conservative.
			for i, ok := range d.later {
				if ok && st.seen[i] != st.stamp {
					st.seen[i] = st.stamp
					out = append(out, i)
				}
			}
			return
		}
		for _, i := range st.busy {
			if d.later[i] && st.seen[i] != st.stamp {
				st.seen[i] = st.stamp
				out = append(out, i)
			}
		}
	}
	// Dispatches per category include the any-category rules; an event
	// with none of the indexed categories goes to the any dispatch alone.
	v, _ := rec.Lookup(catRef)
	hit := false
	for _, cv := range v.Values() {
		if cv.Kind() == eql.KindString {
			if d := rt.byCat[cv.AsString()]; d != nil {
				visit(d)
				later(d)
				hit = true
			}
		}
	}
	if !hit {
		visit(rt.any)
		later(rt.any)
	}
	st.scratch = out
	return out
}

// foldKey lower-cases a key, without allocating when it already is.
func foldKey(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || (c >= 'A' && c <= 'Z') {
			return strings.ToLower(s)
		}
	}
	return s
}

func sortUnique(xs []int) []int {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
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

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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
