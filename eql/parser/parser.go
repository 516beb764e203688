// Package parser turns EQL text into the syntax tree of package ast.
//
// The accepted language is Elasticsearch's EQL as defined by its grammar
// EqlBase.g4 and the checks its parser makes while building the query
// plan: event queries, sequences (with join keys, maxspan, runs, until and
// missing-event stages), samples, and the pipes head and tail. Constructs that
// Elasticsearch rejects while parsing are rejected here too, with a
// message that names the construct and, where there is one, the EQL way
// to write it: Endgame-only syntax such as join, lineage, array indexes,
// single-quoted strings and the filter/unique/count/sort pipes, and
// structural mistakes such as a one-stage sequence or a missing-event stage
// without maxspan.
//
// Names are not resolved here: any identifier is accepted as a function
// name and any dotted path as a field. Function names, argument counts,
// types and Elasticsearch's rule against comparing two fields are checked
// later, on the tree.
//
// The parser is hand-written recursive descent with one token of
// look-ahead (two in a few places), in the style of go/parser. Binary
// operators are parsed by precedence climbing. Errors come back as an
// ErrorList whose entries point at the offending text.
package parser

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/eqld/eqld/eql/ast"
)

const (
	// MaxQueryLen is the longest query text accepted, in bytes. Real rule
	// queries are a few kilobytes; the limit keeps hostile input cheap.
	MaxQueryLen = 1 << 20

	// MaxNesting bounds how deeply parentheses, function calls, `in`
	// lists and the prefix operators `not`, `-` and `+` may nest, so that
	// hostile input cannot exhaust the stack here or in later passes
	// that walk the tree recursively.
	MaxNesting = 1000

	// maxErrors is the number of errors after which parsing stops.
	maxErrors = 10
)

// ParseQuery parses a whole EQL query: an event, sequence or sample query
// followed by optional pipes. When the query has errors it returns a nil
// tree and an ErrorList.
func ParseQuery(src string) (*ast.Query, error) {
	var p parser
	var q *ast.Query
	p.run(src, "query", func() { q = p.parseStatement() })
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return q, nil
}

// ParseExpr parses a bare EQL expression, such as the condition after
// `where`. When the expression has errors it returns a nil tree and an
// ErrorList.
func ParseExpr(src string) (ast.Expr, error) {
	var p parser
	var x ast.Expr
	p.run(src, "expression", func() {
		p.next()
		x = p.parseExpr()
		if p.tok.tok != tEOF {
			p.failExpected("an operator or end of expression")
		}
	})
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return x, nil
}

// bailout is the panic value that unwinds the parser after a syntax error
// or after maxErrors errors. It never escapes the package.
type bailout struct{}

type parser struct {
	src  string
	what string // "query" or "expression", for "found end of query"
	sc   scanner

	tok      item    // the current token
	ahead    item    // the token after it, when hasAhead
	hasAhead bool    //
	prevEnd  ast.Pos // end of the token before the current one

	errs    ErrorList
	nest    int  // current nesting depth, see MaxNesting
	badRuns bool // a `with runs` value was rejected
}

// run checks the input, then calls parse, turning the bailout panic into a
// normal return and any other panic into an internal error.
func (p *parser) run(src, what string, parse func()) {
	p.src = src
	p.what = what
	if len(src) > MaxQueryLen {
		p.errs = append(p.errs, NewError(src, 0, fmt.Sprintf("the %s is too long: %d bytes, the limit is %d", what, len(src), MaxQueryLen)))
		return
	}
	if !utf8.ValidString(src) {
		off := invalidUTF8(src)
		p.errs = append(p.errs, NewError(src, ast.Pos(off), fmt.Sprintf("the %s is not valid UTF-8: byte 0x%02X cannot start a character here", what, src[off])))
		return
	}
	p.sc.init(src, p.scanError)
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bailout); ok {
					return
				}
				e := NewError(p.src, p.tok.pos, fmt.Sprintf("internal error: %v (this is a bug in eqld's parser)", r))
				e.internal = true
				p.errs = append(p.errs, e)
			}
		}()
		parse()
	}()
	p.errs.sortAndDedup()
}

// invalidUTF8 returns the offset of the first byte that is not part of a
// valid UTF-8 sequence.
func invalidUTF8(s string) int {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return 0
}

// --- Tokens and errors ---

func (p *parser) scanError(pos ast.Pos, msg string, fatal bool) {
	if fatal {
		p.fail(pos, msg)
	}
	p.error(pos, msg)
}

// next advances to the next token.
func (p *parser) next() {
	p.prevEnd = p.tok.end
	if p.hasAhead {
		p.tok = p.ahead
		p.hasAhead = false
		return
	}
	p.tok = p.sc.scan()
}

// peek returns the token after the current one without consuming it.
func (p *parser) peek() item {
	if !p.hasAhead {
		p.ahead = p.sc.scan()
		p.hasAhead = true
	}
	return p.ahead
}

// error records a problem and lets parsing go on, so that several
// independent mistakes are reported at once.
func (p *parser) error(pos ast.Pos, msg string) {
	p.errs = append(p.errs, NewError(p.src, pos, msg))
	if len(p.errs) >= maxErrors {
		panic(bailout{})
	}
}

// fail records a syntax error and stops parsing: after a syntax error any
// guess at what was meant would produce follow-on noise.
func (p *parser) fail(pos ast.Pos, msg string) {
	p.errs = append(p.errs, NewError(p.src, pos, msg))
	panic(bailout{})
}

// failExpected fails with "expected <what>, found <current token>".
func (p *parser) failExpected(what string) {
	p.fail(p.foundPos(), "expected "+what+", found "+p.describe(p.tok))
}

// foundPos is where an error about the current token points. At the end of
// the input it is just past the last token rather than after any trailing
// blank lines, so that the snippet shows the text that is incomplete.
func (p *parser) foundPos() ast.Pos {
	if p.tok.tok == tEOF {
		return p.prevEnd
	}
	return p.tok.pos
}

// maxShown is the most bytes of a token quoted in a message.
const maxShown = 40

// describe names a token for a message, quoting its text.
func (p *parser) describe(it item) string {
	switch it.tok {
	case tEOF:
		return "end of " + p.what
	case tString:
		return "string " + p.text(it)
	case tQuotedIdent:
		return "field " + p.text(it)
	}
	return "`" + p.text(it) + "`"
}

// text returns the source text of a token, shortened for messages.
func (p *parser) text(it item) string {
	s := p.src[it.pos:it.end]
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i] + "…"
	}
	if len(s) > maxShown {
		i := maxShown
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

// enter records one more level of nesting, failing past MaxNesting.
func (p *parser) enter(pos ast.Pos) {
	p.nest++
	if p.nest > MaxNesting {
		p.fail(pos, fmt.Sprintf("the %s is nested too deeply (more than %d levels of parentheses, calls, lists or prefix operators)", p.what, MaxNesting))
	}
}

func (p *parser) leave() { p.nest-- }

// position renders an offset as line:col for messages that refer back to
// an earlier spot, such as the `(` that a `)` should close.
func (p *parser) position(pos ast.Pos) string { return ast.PositionFor(p.src, pos).String() }

// --- Queries ---

// parseStatement parses `query pipe*` up to the end of the input.
func (p *parser) parseStatement() *ast.Query {
	p.next()
	q := &ast.Query{Body: p.parseBody()}
	p.parsePipes(q)
	if p.tok.tok != tEOF {
		p.failTrailing(q)
	}
	return q
}

func (p *parser) parseBody() ast.Body {
	switch p.tok.tok {
	case tSequence:
		return p.parseSequence()
	case tSample:
		return p.parseSample()
	case tJoin:
		p.fail(p.tok.pos, "`join` queries are not supported by Elasticsearch EQL; use `sequence` for events in order or `sample` for events in any order")
	}
	return p.parseEventQuery(false)
}

// failTrailing reports text left over after a complete query.
func (p *parser) failTrailing(q *ast.Query) {
	if p.tok.tok == tIdent && p.tok.val == "fork" {
		p.fail(p.tok.pos, "`fork` is not supported by Elasticsearch EQL")
	}
	if len(q.Pipes) > 0 {
		p.failExpected("`|` or end of query")
	}
	switch b := q.Body.(type) {
	case *ast.SequenceQuery:
		if b.Until != nil {
			p.failExpected("`|` or end of query after the `until` stage")
		}
		p.failExpected("`[` to start another stage, `until`, `|` or end of query")
	case *ast.SampleQuery:
		p.failExpected("`[` to start another stage or end of query")
	}
	p.failExpected("`and`, `or`, `|` or end of query after the condition")
}

// parseEventQuery parses `<category> where <condition>`. inStage tells
// whether it is the inside of a sequence or sample stage.
func (p *parser) parseEventQuery(inStage bool) *ast.EventQuery {
	cat := p.tok
	eq := &ast.EventQuery{CategoryPos: cat.pos, CategoryEnd: cat.end}
	switch cat.tok {
	case tAny:
		eq.Any = true
		eq.Category = "any"
	case tIdent:
		eq.Category = cat.val
	case tString:
		eq.Category = cat.val
		eq.Quoted = true
	case tQuotedIdent:
		p.fail(cat.pos, fmt.Sprintf("an event category is written as a name or a string, not in backquotes: write %s", quoteString(cat.val)))
	case tWhere:
		p.fail(cat.pos, "expected an event category or `any` before `where`, as in `process where …`")
	default:
		if cat.tok.isKeyword() && p.peek().tok == tWhere {
			p.fail(cat.pos, fmt.Sprintf("`%s` is a keyword; write the event category as a string: %s where …", cat.tok, quoteString(cat.tok.String())))
		}
		if inStage {
			p.failExpected("an event category or `any` after `[`, as in `[process where …]`")
		}
		p.failExpected("a query: an event category or `any` followed by `where`, or `sequence` or `sample`")
	}
	p.next()
	if p.tok.tok != tWhere {
		p.fail(p.foundPos(), fmt.Sprintf("expected `where` after the event category %s, found %s; an event query reads `<category> where <condition>`", p.describe(cat), p.describe(p.tok)))
	}
	eq.Where = p.tok.pos
	p.next()
	eq.Cond = p.parseExpr()
	return eq
}

// parseSequence parses
//
//	sequence [by keys] [with maxspan=N unit] stage+ [until stage]
func (p *parser) parseSequence() *ast.SequenceQuery {
	seq := &ast.SequenceQuery{Sequence: p.tok.pos}
	p.next()
	if p.tok.tok == tBy {
		seq.By = p.parseJoinKeys()
	}
	if p.tok.tok == tWith {
		seq.MaxSpan = p.parseMaxSpan()
		if p.tok.tok == tBy && seq.By == nil {
			// The grammar admits this order only to reject it, as
			// Elasticsearch does ("specify sequence [by] before [with]").
			p.error(p.tok.pos, "the sequence's `by` keys must come before `with maxspan`, as in `sequence by host.id with maxspan=5m`")
			seq.By = p.parseJoinKeys()
		}
	}
	for p.tok.tok == tLbrack || p.tok.tok == tBangLbrack {
		seq.Stages = append(seq.Stages, p.parseStage(true))
	}
	if len(seq.Stages) == 0 {
		p.failExpected("`[` to start the first stage of the sequence")
	}
	if p.tok.tok == tUntil {
		p.next()
		if p.tok.tok != tLbrack && p.tok.tok != tBangLbrack {
			p.failExpected("`[` after `until`")
		}
		st := p.parseStage(true)
		if st.Missing {
			p.error(st.Bang, "the `until` stage cannot be a missing-event stage `![ … ]`")
		}
		if st.RunsPos != ast.NoPos {
			p.error(st.RunsPos, "`with runs` is not allowed on the `until` stage")
		}
		seq.Until = st
	}
	p.checkSequence(seq)
	return seq
}

// checkSequence applies the structural rules Elasticsearch checks when it
// builds a sequence.
func (p *parser) checkSequence(seq *ast.SequenceQuery) {
	positive, total := 0, 0
	var firstMissing *ast.Stage
	for _, st := range seq.Stages {
		total += max(st.Runs, 1)
		if !st.Missing {
			positive++
		} else if firstMissing == nil {
			firstMissing = st
		}
	}
	switch {
	case positive == 0:
		p.error(seq.Sequence, "a sequence needs at least one stage that is not a missing-event stage `![ … ]`")
	case total < 2 && !p.badRuns:
		p.error(seq.Sequence, "a sequence needs at least two stages, found one; add a stage or repeat it with `with runs=N`")
	}
	if firstMissing != nil && (seq.MaxSpan == nil || seq.MaxSpan.Value == 0) {
		p.error(firstMissing.Bang, "a sequence with missing-event stages `![ … ]` needs a time window: add `with maxspan=…` after `sequence`")
	}
	p.checkKeyCounts(seq.Stages, seq.Until)
}

// checkKeyCounts checks that every stage, and the until stage, has as many
// `by` keys as the first stage: join keys are compared position by
// position.
func (p *parser) checkKeyCounts(stages []*ast.Stage, until *ast.Stage) {
	want := len(stages[0].By)
	check := func(st *ast.Stage, what string) {
		if len(st.By) == want {
			return
		}
		pos := st.ByPos
		if pos == ast.NoPos {
			pos = st.Pos()
		}
		p.error(pos, fmt.Sprintf("%s has %s but the first stage has %d; every stage must have the same number of `by` keys", what, plural(len(st.By), "`by` key"), want))
	}
	for _, st := range stages[1:] {
		check(st, "this stage")
	}
	if until != nil {
		check(until, "the `until` stage")
	}
}

func plural(n int, noun string) string {
	switch n {
	case 0:
		return "no " + noun + "s"
	case 1:
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// parseSample parses `sample [by keys] stage+`.
func (p *parser) parseSample() *ast.SampleQuery {
	s := &ast.SampleQuery{Sample: p.tok.pos}
	p.next()
	if p.tok.tok == tBy {
		s.By = p.parseJoinKeys()
	}
	if p.tok.tok == tWith {
		p.fail(p.tok.pos, "`with maxspan` is not allowed in a `sample`; only sequences take a time window")
	}
	for p.tok.tok == tLbrack || p.tok.tok == tBangLbrack {
		s.Stages = append(s.Stages, p.parseStage(false))
	}
	if len(s.Stages) == 0 {
		p.failExpected("`[` to start the first stage of the sample")
	}
	if p.tok.tok == tUntil {
		p.fail(p.tok.pos, "`until` is only allowed in sequences, not in a `sample`")
	}
	if len(s.Stages) < 2 {
		p.error(s.Sample, "a sample needs at least two stages, found one")
	}
	p.checkKeyCounts(s.Stages, nil)
	return s
}

// parseStage parses `[query]` or `![query]` with its optional `by` keys
// and, in a sequence, `with runs=N`.
func (p *parser) parseStage(inSequence bool) *ast.Stage {
	st := &ast.Stage{Bang: ast.NoPos, Lbrack: p.tok.pos, ByPos: ast.NoPos, RunsPos: ast.NoPos}
	if p.tok.tok == tBangLbrack {
		st.Missing = true
		st.Bang = p.tok.pos
		st.Lbrack = p.tok.pos + 1
		if !inSequence {
			p.error(st.Bang, "missing-event stages `![ … ]` are only allowed in sequences, not in a `sample`")
		}
	}
	p.next()
	st.Query = p.parseEventQuery(true)
	if p.tok.tok != tRbrack {
		what := "`]` to close the stage"
		if ast.PositionFor(p.src, st.Lbrack).Line != ast.PositionFor(p.src, p.foundPos()).Line {
			what += " opened at " + p.position(st.Lbrack)
		}
		p.failExpected(what)
	}
	st.Rbrack = p.tok.pos
	st.EndPos = p.tok.end
	p.next()
	if p.tok.tok == tBy {
		st.ByPos = p.tok.pos
		st.By = p.parseJoinKeys()
		st.EndPos = st.By[len(st.By)-1].End()
	}
	if p.tok.tok == tWith {
		if !inSequence {
			p.fail(p.tok.pos, "`with` options are not allowed in a `sample`; `with runs=N` belongs to sequence stages")
		}
		p.parseRuns(st)
		if p.tok.tok == tBy {
			p.fail(p.tok.pos, "a stage's `by` keys must come before `with runs=N`")
		}
	}
	if p.tok.tok == tIdent && p.tok.val == "fork" {
		p.fail(p.tok.pos, "`fork` is not supported by Elasticsearch EQL")
	}
	return st
}

// parseRuns parses `with runs=N` after a stage. Elasticsearch lexes the
// option name as an identifier and checks it afterwards, so `runs` is not
// a keyword.
func (p *parser) parseRuns(st *ast.Stage) {
	p.next() // with
	switch {
	case p.tok.tok == tMaxspan:
		p.fail(p.tok.pos, "`maxspan` applies to the whole sequence: write `with maxspan=…` right after `sequence` (and its `by` keys), before the first stage")
	case p.tok.tok != tIdent:
		p.failExpected("`runs=N` after `with`")
	case p.tok.val != "runs":
		p.error(p.tok.pos, fmt.Sprintf("unknown stage option `%s`; the only option on a stage is `runs`, as in `with runs=3`", p.text(p.tok)))
		p.badRuns = true
	}
	p.next()
	if p.tok.tok != tAssign {
		p.failExpected("`=` after `runs`")
	}
	p.next()
	const rule = "`runs` must be a whole number from 1 to 100"
	switch p.tok.tok {
	case tInt:
		n, err := strconv.ParseInt(p.tok.val, 10, 64)
		if err != nil || n < 1 || n > 100 {
			p.error(p.tok.pos, fmt.Sprintf("%s, found `%s`", rule, p.text(p.tok)))
			p.badRuns = true
		} else {
			st.Runs = int(n)
		}
	case tFloat:
		p.error(p.tok.pos, fmt.Sprintf("%s, found `%s`", rule, p.text(p.tok)))
		p.badRuns = true
	default:
		p.failExpected("a number after `runs=`, as in `with runs=3`")
	}
	st.RunsPos = p.tok.pos
	st.EndPos = p.tok.end
	p.next()
}

// parseMaxSpan parses `with maxspan=N unit`. The unit may be separated
// from the number by spaces, as Elasticsearch's grammar allows.
func (p *parser) parseMaxSpan() *ast.Duration {
	p.next() // with
	if p.tok.tok != tMaxspan {
		if p.tok.tok == tIdent && p.tok.val == "runs" {
			p.fail(p.tok.pos, "`with runs=N` goes after a stage, as in `[process where …] with runs=3`; after `sequence` only `with maxspan=…` is allowed")
		}
		p.failExpected("`maxspan` after `with`")
	}
	p.next()
	if p.tok.tok != tAssign {
		p.failExpected("`=` after `maxspan`")
	}
	p.next()
	num := p.tok
	d := &ast.Duration{ValuePos: num.pos, EndPos: num.end}
	switch num.tok {
	case tInt:
		v, err := strconv.ParseInt(num.val, 10, 64)
		if err != nil {
			p.error(num.pos, fmt.Sprintf("the `maxspan` value `%s` is too large", p.text(num)))
		}
		d.Value = v
	case tFloat:
		p.error(num.pos, fmt.Sprintf("`maxspan` must be a whole number of time units, found `%s`; use a smaller unit instead, as in `500ms` for half a second", p.text(num)))
	default:
		p.failExpected("a time span after `maxspan=`, as in `maxspan=5m`")
	}
	p.next()
	if p.tok.tok != tIdent {
		if num.tok == tInt {
			p.error(num.pos, fmt.Sprintf("`maxspan` needs a time unit: did you mean `maxspan=%ss`? The units are ms, s, m, h and d", num.val))
		}
		return d
	}
	d.Unit = p.tok.val
	d.EndPos = p.tok.end
	if !ast.ValidTimeUnit(d.Unit) {
		p.error(p.tok.pos, fmt.Sprintf("unknown time unit `%s` in `maxspan`; the units are ms, s, m, h and d", p.text(p.tok)))
	}
	p.next()
	return d
}

// parseJoinKeys parses `by expr, expr…`.
func (p *parser) parseJoinKeys() []ast.Expr {
	p.next() // by
	keys := []ast.Expr{p.parseExpr()}
	for p.tok.tok == tComma {
		p.next()
		keys = append(keys, p.parseExpr())
	}
	return keys
}

// parsePipes parses `| head N` and `| tail N` pipes. An unsupported pipe
// is reported and skipped, so that later pipes are still checked.
func (p *parser) parsePipes(q *ast.Query) {
	_, isSample := q.Body.(*ast.SampleQuery)
	for first := true; p.tok.tok == tPipe; first = false {
		bar := p.tok.pos
		if isSample && first {
			p.error(bar, "pipes are not supported after a `sample` query")
		}
		p.next()
		if p.tok.tok != tIdent {
			p.failExpected("a pipe name after `|`: `head` or `tail`")
		}
		name := p.tok
		p.next()
		var kind ast.PipeKind
		switch name.val {
		case "head":
			kind = ast.PipeHead
		case "tail":
			kind = ast.PipeTail
		default:
			p.error(name.pos, fmt.Sprintf("pipe `%s` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`", p.text(name)))
			p.skipPipe()
			continue
		}
		if p.tok.tok != tInt {
			p.error(p.foundPos(), fmt.Sprintf("`%s` needs a positive whole number, as in `| %s 10`, found %s", name.val, name.val, p.describe(p.tok)))
			p.skipPipe()
			continue
		}
		count := p.tok
		n, err := strconv.ParseInt(count.val, 10, 64)
		if err != nil || n < 1 {
			p.error(count.pos, fmt.Sprintf("`%s` needs a positive whole number, found `%s`", name.val, p.text(count)))
		}
		q.Pipes = append(q.Pipes, &ast.Pipe{Bar: bar, Kind: kind, N: n, EndPos: count.end})
		p.next()
		switch p.tok.tok {
		case tPipe, tEOF:
		case tComma:
			p.error(p.tok.pos, fmt.Sprintf("`%s` takes exactly one number", name.val))
			p.skipPipe()
		default:
			p.failExpected(fmt.Sprintf("`|` or end of query after `| %s %s`", name.val, p.text(count)))
		}
	}
}

// skipPipe skips the arguments of a pipe that was already reported.
func (p *parser) skipPipe() {
	for p.tok.tok != tPipe && p.tok.tok != tEOF {
		p.next()
	}
}

// --- Expressions ---

// Binary operator precedences, lowest first. `not` sits between `and` and
// the comparisons; the predicates (in, :, like, regex) bind to a single
// primary expression, tighter than any binary operator, exactly as in
// Elasticsearch's grammar where they are part of operatorExpression.
const (
	precNone = iota
	precOr
	precAnd
	precNot
	precCmp
	precAdd
	precMul
	precUnary
)

func binaryOp(t token) (ast.BinaryOp, int) {
	switch t {
	case tOr:
		return ast.Or, precOr
	case tAnd:
		return ast.And, precAnd
	case tEq:
		return ast.Eq, precCmp
	case tNeq:
		return ast.Neq, precCmp
	case tLt:
		return ast.Lt, precCmp
	case tLe:
		return ast.Le, precCmp
	case tGt:
		return ast.Gt, precCmp
	case tGe:
		return ast.Ge, precCmp
	case tPlus:
		return ast.Add, precAdd
	case tMinus:
		return ast.Sub, precAdd
	case tStar:
		return ast.Mul, precMul
	case tSlash:
		return ast.Div, precMul
	case tPercent:
		return ast.Mod, precMul
	}
	return 0, precNone
}

// parseExpr parses a full boolean expression.
func (p *parser) parseExpr() ast.Expr { return p.parseBinary(precOr) }

// parseBinary parses operands joined by binary operators of precedence
// prec1 or higher (precedence climbing, as in go/parser). Comparisons do
// not associate: `a < b < c` is an error, as in Elasticsearch.
func (p *parser) parseBinary(prec1 int) ast.Expr {
	x := p.parseUnary(prec1)
	lastCmp := false
	for {
		if p.tok.tok == tAssign {
			p.fail(p.tok.pos, "`=` is not a comparison operator in EQL: use `==`")
		}
		op, prec := binaryOp(p.tok.tok)
		if prec == precNone || prec < prec1 {
			return x
		}
		if prec == precCmp && lastCmp {
			p.fail(p.tok.pos, fmt.Sprintf("comparisons cannot be chained: `%s` follows another comparison; join them with `and`, as in `a < b and b < c`", p.tok.tok))
		}
		pos := p.tok.pos
		p.next()
		y := p.parseBinary(prec + 1)
		x = &ast.Binary{Op: op, OpPos: pos, X: x, Y: y}
		lastCmp = prec == precCmp
	}
}

// parseUnary parses the prefix operators and then a postfix expression.
// `not` is only allowed where a boolean expression may start: below the
// comparisons. `-` and `+` bind tighter than every binary operator.
func (p *parser) parseUnary(prec1 int) ast.Expr {
	switch p.tok.tok {
	case tNot:
		if prec1 > precNot {
			p.fail(p.tok.pos, "`not` cannot start an operand of a comparison or arithmetic; wrap the negated condition in parentheses, as in `(not x)`")
		}
		return p.parseNot()
	case tMinus, tPlus:
		op := ast.Neg
		if p.tok.tok == tPlus {
			op = ast.Plus
		}
		pos := p.tok.pos
		p.next()
		p.enter(pos)
		x := p.parseUnary(precUnary)
		p.leave()
		return &ast.Unary{Op: op, OpPos: pos, X: x}
	}
	return p.parsePostfix()
}

// parseNot parses `not x`, where x is a comparison or another `not`.
func (p *parser) parseNot() ast.Expr {
	pos := p.tok.pos
	p.next()
	p.enter(pos)
	var x ast.Expr
	if p.tok.tok == tNot {
		x = p.parseNot()
	} else {
		x = p.parseBinary(precCmp)
	}
	p.leave()
	return &ast.Unary{Op: ast.Not, OpPos: pos, X: x}
}

// isPredicate reports whether t starts a predicate after an operand.
func isPredicate(t token) bool {
	switch t {
	case tIn, tInI, tColon, tLike, tLikeI, tRegex, tRegexI:
		return true
	}
	return false
}

// parsePostfix parses a primary expression and at most one predicate
// after it: `in (…)`, `not in (…)`, `in~`, `: p`, `like p`, `regex p` and
// their `~` forms.
func (p *parser) parsePostfix() ast.Expr {
	x := p.parsePrimary()
	switch t := p.tok.tok; {
	case t == tIn || t == tInI:
		x = p.parseIn(x, ast.NoPos)
	case t == tNot:
		switch next := p.peek().tok; next {
		case tIn, tInI:
			notPos := p.tok.pos
			p.next()
			x = p.parseIn(x, notPos)
		case tColon, tLike, tLikeI, tRegex, tRegexI:
			p.fail(p.tok.pos, fmt.Sprintf("`not %s` is not EQL; negate the whole test instead, as in `not x %s …`", next, next))
		default:
			return x
		}
	case isPredicate(t):
		x = p.parseMatch(x)
	default:
		return x
	}
	if isPredicate(p.tok.tok) || p.tok.tok == tNot && (p.peek().tok == tIn || p.peek().tok == tInI) {
		p.fail(p.tok.pos, "only one `in`, `:`, `like` or `regex` test can apply to a value; combine tests with `and` or `or`")
	}
	return x
}

// parseIn parses `in (…)` or `in~ (…)`; notPos is the position of a
// preceding `not`, or NoPos.
func (p *parser) parseIn(x ast.Expr, notPos ast.Pos) ast.Expr {
	op := p.tok.tok
	in := &ast.In{X: x, Not: notPos != ast.NoPos, CaseInsensitive: op == tInI, OpPos: p.tok.pos}
	if in.Not {
		in.OpPos = notPos
	}
	p.next()
	if p.tok.tok != tLparen {
		p.failExpected(fmt.Sprintf("`(` after `%s`: the values go in parentheses, as in `x %s (\"a\", \"b\")`", op, op))
	}
	lparen := p.tok.pos
	p.next()
	p.enter(lparen)
	if p.tok.tok == tRparen {
		p.fail(p.tok.pos, fmt.Sprintf("the list after `%s` is empty; it needs at least one value", op))
	}
	for {
		in.List = append(in.List, p.parseExpr())
		if p.tok.tok != tComma {
			break
		}
		p.next()
	}
	if p.tok.tok != tRparen {
		p.failExpected(fmt.Sprintf("`,` or `)` in the list after `%s`", op))
	}
	in.EndPos = p.tok.end
	p.next()
	p.leave()
	return in
}

var matchOps = map[token]ast.MatchOp{
	tColon:  ast.Colon,
	tLike:   ast.Like,
	tLikeI:  ast.LikeI,
	tRegex:  ast.Regex,
	tRegexI: ast.RegexI,
}

// parseMatch parses `: p`, `like p`, `regex~ (p1, p2)` and the like. The
// patterns must be literals, as in Elasticsearch's grammar.
func (p *parser) parseMatch(x ast.Expr) ast.Expr {
	op := p.tok.tok
	m := &ast.Match{Op: matchOps[op], OpPos: p.tok.pos, X: x}
	p.next()
	if p.tok.tok != tLparen {
		pat := p.parsePattern(op)
		m.Patterns = []ast.Expr{pat}
		m.EndPos = pat.End()
		return m
	}
	m.List = true
	p.next()
	for {
		m.Patterns = append(m.Patterns, p.parsePattern(op))
		if p.tok.tok != tComma {
			break
		}
		p.next()
	}
	if p.tok.tok != tRparen {
		p.failExpected(fmt.Sprintf("`,` or `)` in the list of patterns after `%s`", op))
	}
	m.EndPos = p.tok.end
	p.next()
	return m
}

func (p *parser) parsePattern(op token) ast.Expr {
	if lit := p.parseLiteral(); lit != nil {
		return lit
	}
	p.failExpected(fmt.Sprintf("a literal pattern after `%s`, such as a string", op))
	return nil
}

// parseLiteral parses null, true, false, a number or a string, or returns
// nil when the current token is none of these.
func (p *parser) parseLiteral() ast.Expr {
	t := p.tok
	var x ast.Expr
	switch t.tok {
	case tNull:
		x = &ast.Null{ValuePos: t.pos}
	case tTrue, tFalse:
		x = &ast.Bool{Value: t.tok == tTrue, ValuePos: t.pos}
	case tString:
		x = &ast.String{Value: t.val, Raw: t.raw, ValuePos: t.pos, EndPos: t.end}
	case tInt:
		if v, err := strconv.ParseInt(t.val, 10, 64); err == nil {
			x = &ast.Int{Value: v, ValuePos: t.pos, EndPos: t.end}
		} else {
			// Too large for a long: Elasticsearch quietly reads it as a
			// double instead.
			x = p.float(t)
		}
	case tFloat:
		x = p.float(t)
	default:
		return nil
	}
	p.next()
	return x
}

func (p *parser) float(t item) ast.Expr {
	v, err := strconv.ParseFloat(t.val, 64)
	if err != nil && (v > 1 || v < -1) {
		p.error(t.pos, fmt.Sprintf("the number `%s` is too large", p.text(t)))
	}
	// A value too small to represent becomes 0, as in Java.
	return &ast.Float{Value: v, Text: t.val, ValuePos: t.pos, EndPos: t.end}
}

// wordKeywords are keywords that a rule author may plausibly have meant as
// a field name; when one appears where an expression is expected, the
// message suggests backquotes.
var wordKeywords = map[token]bool{
	tAny: true, tBy: true, tJoin: true, tMaxspan: true, tOf: true, tSample: true,
	tSequence: true, tUntil: true, tWhere: true, tWith: true,
}

// parsePrimary parses a literal, function call, field reference or
// parenthesised expression.
func (p *parser) parsePrimary() ast.Expr {
	if lit := p.parseLiteral(); lit != nil {
		return lit
	}
	switch p.tok.tok {
	case tIdent:
		if p.peek().tok == tLparen {
			return p.parseCall()
		}
		return p.parseField()
	case tTildeIdent:
		return p.parseCall()
	case tQuotedIdent, tQuestion:
		return p.parseField()
	case tLparen:
		lparen := p.tok.pos
		p.next()
		p.enter(lparen)
		x := p.parseExpr()
		if p.tok.tok != tRparen {
			p.failExpected("`)` to close the `(` at " + p.position(lparen))
		}
		paren := &ast.Paren{Lparen: lparen, X: x, Rparen: p.tok.pos}
		p.next()
		p.leave()
		return paren
	}
	if wordKeywords[p.tok.tok] {
		p.fail(p.tok.pos, fmt.Sprintf("expected an expression, found `%s`, which is a keyword; to use it as a field name, write it between backquotes", p.tok.tok))
	}
	p.failExpected("an expression")
	return nil
}

// parseCall parses `name(args)` or `name~(args)`.
func (p *parser) parseCall() ast.Expr {
	call := &ast.Call{Name: p.tok.val, CaseInsensitive: p.tok.tok == tTildeIdent, NamePos: p.tok.pos}
	p.next()
	if p.tok.tok != tLparen {
		p.failExpected(fmt.Sprintf("`(` after the function name `%s~`", call.Name))
	}
	lparen := p.tok.pos
	p.next()
	p.enter(lparen)
	if p.tok.tok != tRparen {
		for {
			call.Args = append(call.Args, p.parseExpr())
			if p.tok.tok != tComma {
				break
			}
			p.next()
		}
	}
	if p.tok.tok != tRparen {
		p.failExpected(fmt.Sprintf("`,` or `)` in the arguments of `%s`", call.Name))
	}
	call.EndPos = p.tok.end
	p.next()
	p.leave()
	return call
}

// parseField parses a field reference: an optional `?`, then names or
// backquoted names joined by dots.
func (p *parser) parseField() ast.Expr {
	f := &ast.Field{NamePos: p.tok.pos}
	if p.tok.tok == tQuestion {
		f.Optional = true
		p.next()
		if p.tok.tok != tIdent && p.tok.tok != tQuotedIdent {
			p.failFieldName("after `?`")
		}
	}
	plain := p.tok.tok == tIdent && !f.Optional
	name := p.tok.val
	f.EndPos = p.tok.end
	p.next()
	var b strings.Builder // builds names of two or more parts
	for {
		if p.tok.tok == tDot {
			p.next()
			if p.tok.tok != tIdent && p.tok.tok != tQuotedIdent {
				p.failFieldName("after `.`")
			}
			if b.Len() == 0 {
				b.WriteString(name)
			}
			b.WriteByte('.')
			b.WriteString(p.tok.val)
			plain = false
			f.EndPos = p.tok.end
			p.next()
			continue
		}
		if p.tok.tok == tFloat && p.tok.pos == f.EndPos && p.tok.val[0] == '.' {
			// `a.1b` scans as a, .1, b.
			p.fail(p.tok.pos+1, "a part of a field name cannot start with a digit unless it is written between backquotes")
		}
		if p.tok.tok == tLbrack && p.peek().tok == tInt {
			p.fail(p.tok.pos, "array indexes such as `[0]` are not supported by Elasticsearch EQL")
		}
		break
	}
	if b.Len() > 0 {
		name = b.String()
	}
	f.Name = name
	if plain && p.tok.tok == tOf {
		p.fail(f.NamePos, fmt.Sprintf("lineage queries such as `%s of [ … ]` are not supported by Elasticsearch EQL", name))
	}
	return f
}

// failFieldName fails where a field name (part) was expected.
func (p *parser) failFieldName(where string) {
	if p.tok.tok.isKeyword() {
		p.fail(p.tok.pos, fmt.Sprintf("expected a field name %s, found `%s`, which is a keyword; to use it in a field name, write it between backquotes", where, p.tok.tok))
	}
	p.failExpected("a field name " + where)
}
