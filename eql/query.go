package eql

import (
	"errors"
	"fmt"
	"strings"

	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/eql/parser"
)

// Options configure how a query is compiled. They mirror the parameters of
// Elasticsearch's _eql/search request that change what a query means.
type Options struct {
	// Schema gives field types (an Elasticsearch mapping, the ECS schema…).
	// Nil means every field is dynamically typed.
	Schema Schema
	// Fields is the table field references are interned in. Queries that
	// share one can be fed from a single decoder pass. Nil: a private table.
	Fields *Fields
	// EventCategoryField is compared with a query's event category
	// (default "event.category").
	EventCategoryField string
	// TimestampField orders events and bounds maxspan (default "@timestamp").
	TimestampField string
	// TiebreakerField breaks ties between equal timestamps (default none).
	TiebreakerField string
	// Memo, when set, lets queries compiled with the same Memo (and the same
	// Fields and Schema) share the results of identical conditions within
	// one event read through a Record, so that a thousand rules testing
	// host.os.type == "windows" test it once per event.
	Memo *Memo
	// Filter, when set, is a condition every event must satisfy to be seen
	// by the query at all — by every stage, by until and by missing-event
	// stages — like the filter of an Elasticsearch request. The detection
	// engine uses it for rule exceptions.
	Filter ast.Expr
}

func (o *Options) withDefaults() Options {
	out := *o
	if out.EventCategoryField == "" {
		out.EventCategoryField = "event.category"
	}
	if out.TimestampField == "" {
		out.TimestampField = "@timestamp"
	}
	if out.Fields == nil {
		out.Fields = NewFields()
	}
	return out
}

// QueryKind tells the three shapes of query apart.
type QueryKind uint8

// Query kinds.
const (
	EventQuery QueryKind = iota
	SequenceQuery
	SampleQuery
)

func (k QueryKind) String() string {
	switch k {
	case SequenceQuery:
		return "sequence"
	case SampleQuery:
		return "sample"
	}
	return "event"
}

// Query is a checked and compiled EQL query, ready to run over events. It
// is immutable and safe for concurrent use; each run has its own Runner.
type Query struct {
	src     string
	tree    *ast.Query
	kind    QueryKind
	stages  []*Stage // in query order, runs expanded; positive and missing
	until   *Stage
	maxspan int64 // nanoseconds; 0 when absent
	pipes   []*ast.Pipe
	fields  []*FieldRef

	ts, tiebreak *fieldAccess
}

// Stage is one compiled event filter of a query: the whole query for an
// event query, one bracketed stage of a sequence or sample, or the until
// clause.
type Stage struct {
	// Index is the stage's position in the query (after expanding runs).
	Index int
	// Missing marks a missing-event stage `![…]`.
	Missing bool
	// Category is the event category the stage selects ("" for any).
	Category string

	cond     condFn // category, filter and where clause together
	where    condFn
	keys     []valueFn
	optional []bool
	keyTypes []FieldType
	query    *ast.EventQuery
}

// Match reports whether the event passes the stage's filter: its category,
// the options' Filter and its where clause.
func (s *Stage) Match(ev Event) bool { return s.cond(ev) == triTrue }

// Query returns the stage's event query.
func (s *Stage) Query() *ast.EventQuery { return s.query }

// Compile parses, checks and compiles an EQL query. Errors are a
// parser.ErrorList whose entries carry line:column, the offending text and
// a caret.
func Compile(src string, opts *Options) (*Query, error) {
	tree, err := parser.ParseQuery(src)
	if err != nil {
		return nil, err
	}
	return CompileAST(src, tree, opts)
}

// MustCompile is like Compile but panics on error; for tests and examples.
func MustCompile(src string, opts *Options) *Query {
	q, err := Compile(src, opts)
	if err != nil {
		panic(err)
	}
	return q
}

// CompileAST checks and compiles an already parsed query. src is the text
// it was parsed from, used to render errors.
func CompileAST(src string, tree *ast.Query, opts *Options) (*Query, error) {
	if opts == nil {
		opts = &Options{}
	}
	o := opts.withDefaults()
	c := &compiler{src: src, opts: &o, fields: o.Fields, used: map[*FieldRef]bool{}}
	q := &Query{src: src, tree: tree, pipes: tree.Pipes}

	var filter cnd
	if o.Filter != nil {
		fc := &compiler{src: o.Filter.String(), opts: &o, fields: o.Fields, used: c.used}
		filter = fc.cond(o.Filter, false)
		if len(fc.errs) > 0 {
			return nil, fmt.Errorf("filter %s: %w", o.Filter, fc.errs.Err())
		}
	}

	category := c.field(o.EventCategoryField, false, tree.Pos())
	if category.absent || (!category.known && o.Schema != nil && o.Schema.Closed()) {
		c.errs = nil // an unmapped category field only matters for queries naming a category
	}
	q.ts = c.field(o.TimestampField, true, tree.Pos())
	if o.TiebreakerField != "" {
		q.tiebreak = c.field(o.TiebreakerField, true, tree.Pos())
	}

	compileStage := func(st *ast.Stage, eq *ast.EventQuery, globalKeys []ast.Expr) *Stage {
		s := &Stage{query: eq}
		where := c.cond(eq.Cond, false)
		parts := where
		if !eq.Any {
			s.Category = eq.Category
			catCond := c.categoryCond(category, eq.Category)
			parts = combine(true, catCond, parts)
		}
		if o.Filter != nil {
			parts = combine(true, filter, parts)
		}
		s.cond = parts.fn
		s.where = where.fn
		if st != nil {
			s.Missing = st.Missing
			for _, k := range append(append([]ast.Expr(nil), globalKeys...), st.By...) {
				op := c.expr(k)
				s.keys = append(s.keys, op.fn)
				opt := false
				kt := TypeUnknown
				if f, ok := ast.Unparen(k).(*ast.Field); ok {
					opt = f.Optional
					if op.field != nil {
						kt = op.field.info.Type
					}
				}
				s.optional = append(s.optional, opt)
				s.keyTypes = append(s.keyTypes, kt)
			}
		}
		return s
	}

	switch body := tree.Body.(type) {
	case *ast.EventQuery:
		q.kind = EventQuery
		q.stages = []*Stage{compileStage(nil, body, nil)}
	case *ast.SequenceQuery:
		q.kind = SequenceQuery
		if body.MaxSpan != nil {
			ns, ok := body.MaxSpan.Nanos()
			if !ok {
				c.errorf(body.MaxSpan.Pos(), "maxspan `%s` is too large", body.MaxSpan)
			}
			q.maxspan = ns
		}
		nkeys := -1
		for _, st := range body.Stages {
			runs := max(st.Runs, 1)
			for range runs {
				s := compileStage(st, st.Query, body.By)
				s.Index = len(q.stages)
				q.stages = append(q.stages, s)
			}
			if nkeys >= 0 && len(st.By) != nkeys {
				c.errorf(st.Pos(), "every stage of a sequence needs the same number of join keys: this one has %d, the first has %d", len(st.By), nkeys)
			}
			nkeys = len(st.By)
		}
		if body.Until != nil {
			q.until = compileStage(body.Until, body.Until.Query, body.By)
			q.until.Index = -1
			if nkeys >= 0 && len(body.Until.By) != nkeys {
				c.errorf(body.Until.Pos(), "until needs the same number of join keys as the stages: it has %d, the stages have %d", len(body.Until.By), nkeys)
			}
		}
	case *ast.SampleQuery:
		q.kind = SampleQuery
		nkeys := -1
		for _, st := range body.Stages {
			s := compileStage(st, st.Query, body.By)
			s.Index = len(q.stages)
			q.stages = append(q.stages, s)
			if nkeys >= 0 && len(st.By) != nkeys {
				c.errorf(st.Pos(), "every stage of a sample needs the same number of join keys: this one has %d, the first has %d", len(st.By), nkeys)
			}
			nkeys = len(st.By)
		}
	default:
		return nil, errors.New("eql: unknown query body")
	}
	if len(c.errs) > 0 {
		return nil, c.errs.Err()
	}
	for r := range c.used {
		q.fields = append(q.fields, r)
	}
	sortRefs(q.fields)
	return q, nil
}

// categoryCond is the query leaf `<category field> == "<category>"`.
func (c *compiler) categoryCond(fa *fieldAccess, category string) cnd {
	if fa.absent {
		return constC(triFalse)
	}
	return dynC(c.leaf(fa, "category "+category, func(v Value) bool {
		if v.k == KindString {
			return v.s == category
		}
		return v.String() == category
	}, false))
}

func sortRefs(refs []*FieldRef) {
	for i := 1; i < len(refs); i++ {
		for j := i; j > 0 && refs[j].ID < refs[j-1].ID; j-- {
			refs[j], refs[j-1] = refs[j-1], refs[j]
		}
	}
}

// Kind returns whether q is an event, sequence or sample query.
func (q *Query) Kind() QueryKind { return q.kind }

// Source returns the query text.
func (q *Query) Source() string { return q.src }

// AST returns the parsed query.
func (q *Query) AST() *ast.Query { return q.tree }

// Stages returns the compiled stages in query order, with runs expanded.
func (q *Query) Stages() []*Stage { return q.stages }

// Until returns the until stage of a sequence, or nil.
func (q *Query) Until() *Stage { return q.until }

// MaxSpan returns the sequence's maxspan in nanoseconds, 0 if none.
func (q *Query) MaxSpan() int64 { return q.maxspan }

// Fields returns the fields the query reads (including the timestamp,
// tiebreaker and category fields), for decoders that extract only those.
func (q *Query) Fields() []*FieldRef { return q.fields }

// Categories returns the event categories the query can match; nil means
// any category (a stage uses `any`).
func (q *Query) Categories() []string {
	var out []string
	seen := map[string]bool{}
	all := append(append([]*Stage(nil), q.stages...), q.until)
	for _, s := range all {
		if s == nil {
			continue
		}
		if s.Category == "" {
			return nil
		}
		if !seen[s.Category] {
			seen[s.Category] = true
			out = append(out, s.Category)
		}
	}
	return out
}

// String returns the query text.
func (q *Query) String() string { return strings.TrimSpace(q.src) }

// Eval parses, checks and evaluates a single expression against an event
// (nil for none), e.g. Eval(`substring("hello world", -5)`, nil). It is the
// library form of a scalar query and what the function tests use.
func Eval(src string, ev Event) (Value, error) {
	e, err := parser.ParseExpr(src)
	if err != nil {
		return Null, err
	}
	o := (&Options{}).withDefaults()
	c := &compiler{src: src, opts: &o, fields: o.Fields, used: map[*FieldRef]bool{}}
	op := c.expr(e)
	if len(c.errs) > 0 {
		return Null, c.errs.Err()
	}
	if ev == nil {
		ev = Doc{}
	}
	return op.fn(ev), nil
}
