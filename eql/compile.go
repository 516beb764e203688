package eql

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/eql/parser"
)

// This file is the checker and compiler: it walks a parsed query once,
// rejecting what Elasticsearch rejects (unknown functions, wrong argument
// types, non-boolean conditions, unknown fields under a closed mapping) and
// turning every condition into a closure over an Event.
//
// Conditions follow Elasticsearch's split between what it evaluates as
// Query DSL and what it evaluates as a script:
//
//   - A comparison, pattern match, `in` or string predicate between a field
//     and constants is a query leaf. It holds when any value of the field
//     satisfies it and never holds for a missing field; `not` takes its
//     complement — so `not x : "a"` and `x != "a"` match events without x,
//     as Elasticsearch's must_not does — except for the range operators,
//     which Elasticsearch negates into the opposite range.
//   - Anything else is a script: three-valued, null propagating, and an
//     event matches only when the whole condition is true.
//
// `not` is pushed down to the leaves (De Morgan), as Elasticsearch's
// optimizer does before translating.

// condFn evaluates a condition.
type condFn func(Event) tri

// valueFn evaluates an expression.
type valueFn func(Event) Value

// staticType is what the checker knows about an expression's type.
type staticType uint8

const (
	tUnknown staticType = iota
	tNull
	tBool
	tNumber
	tString
)

func (t staticType) String() string {
	switch t {
	case tNull:
		return "null"
	case tBool:
		return "boolean"
	case tNumber:
		return "numeric"
	case tString:
		return "string"
	}
	return "unknown"
}

// fieldAccess reads one field with its mapping applied.
type fieldAccess struct {
	ref      *FieldRef
	info     FieldInfo
	known    bool // the schema knows the field
	optional bool // written ?field
	absent   bool // optional and unknown to a closed schema: always null
}

func (f *fieldAccess) get(ev Event) Value {
	if f.absent {
		return Null
	}
	v, ok := ev.Lookup(f.ref)
	return f.mapped(v, ok)
}

// mapped applies the field's mapping to the value a lookup returned.
func (f *fieldAccess) mapped(v Value, ok bool) Value {
	if !ok {
		return Null
	}
	if v.k == KindNull {
		return f.info.NullValue
	}
	if f.info.Type != TypeUnknown && !coerceKeeps(f.info.Type, v.k) {
		return coerce(&f.info, v)
	}
	return v
}

// operand is a compiled expression with what is known about it statically.
type operand struct {
	fn      valueFn
	typ     staticType
	isConst bool
	val     Value        // the constant, when isConst
	field   *fieldAccess // set when the expression is a plain field reference
	node    ast.Expr
}

type compiler struct {
	// script is set while compiling a condition used as a value (e.g. the
	// right side of `null == (x > 1)`): Elasticsearch evaluates those in a
	// script, where a comparison with a missing field is null, not false.
	script bool
	src    string
	opts   *Options
	fields *Fields
	errs   parser.ErrorList
	used   map[*FieldRef]bool
}

func (c *compiler) errorf(pos ast.Pos, format string, args ...any) {
	if len(c.errs) >= 10 {
		return
	}
	c.errs = append(c.errs, parser.NewError(c.src, pos, fmt.Sprintf(format, args...)))
}

// fieldAccess resolves a field reference against the schema.
func (c *compiler) field(name string, optional bool, pos ast.Pos) *fieldAccess {
	resolved, info, known := resolve(c.opts.Schema, name)
	fa := &fieldAccess{info: info, known: known, optional: optional}
	if !known && c.opts.Schema != nil && c.opts.Schema.Closed() {
		if optional {
			fa.absent = true
		} else {
			c.errorf(pos, "unknown field `%s`; if it may be absent from the data, write it as an optional field: `?%s`", name, ast.FieldString(name))
		}
	}
	if known && info.Type == TypeObject {
		c.errorf(pos, "field `%s` is an object, not a value; name one of its sub-fields", name)
	}
	fa.ref = c.fields.Ref(resolved)
	if !fa.absent {
		c.used[fa.ref] = true
	}
	return fa
}

func fieldStatic(fa *fieldAccess) staticType {
	if fa.absent {
		return tNull
	}
	switch fa.info.Type {
	case TypeKeyword, TypeText, TypeIP, TypeVersion:
		return tString
	case TypeLong, TypeDouble:
		return tNumber
	case TypeBool:
		return tBool
	}
	return tUnknown
}

func constOperand(v Value, node ast.Expr) operand {
	t := tUnknown
	switch v.k {
	case KindNull:
		t = tNull
	case KindBool:
		t = tBool
	case KindInt, KindFloat:
		t = tNumber
	case KindString:
		t = tString
	}
	return operand{fn: func(Event) Value { return v }, typ: t, isConst: true, val: v, node: node}
}

// expr compiles an expression used for its value.
func (c *compiler) expr(e ast.Expr) operand {
	switch x := e.(type) {
	case *ast.Paren:
		op := c.expr(x.X)
		op.node = e
		return op
	case *ast.Null:
		return constOperand(Null, e)
	case *ast.Bool:
		return constOperand(Bool(x.Value), e)
	case *ast.Int:
		return constOperand(Int(x.Value), e)
	case *ast.Float:
		return constOperand(Float(x.Value), e)
	case *ast.String:
		return constOperand(String(x.Value), e)
	case *ast.Field:
		fa := c.field(x.Name, x.Optional, x.Pos())
		if fa.absent {
			op := constOperand(Null, e)
			op.field = fa
			return op
		}
		return operand{fn: fa.get, typ: fieldStatic(fa), field: fa, node: e}
	case *ast.Unary:
		if x.Op == ast.Not {
			return c.condOperand(e)
		}
		inner := c.expr(x.X)
		if inner.typ != tUnknown && inner.typ != tNumber && inner.typ != tNull {
			c.errorf(x.Pos(), "unary %s needs a number, found %s `%s`", opText(x.Op), inner.typ, x.X)
		}
		if x.Op == ast.Plus {
			return inner
		}
		if inner.isConst {
			return constOperand(arith('-', Int(0), inner.val), e)
		}
		fn := inner.fn
		return operand{fn: func(ev Event) Value { return liftUnaryNeg(fn(ev)) }, typ: tNumber, node: e}
	case *ast.Binary:
		if x.Op.IsArithmetic() {
			return c.arith(x)
		}
		return c.condOperand(e)
	case *ast.Match, *ast.In:
		return c.condOperand(e)
	case *ast.Call:
		return c.call(x)
	}
	c.errorf(e.Pos(), "unsupported expression `%s`", e)
	return constOperand(Null, e)
}

func opText(op ast.UnaryOp) string {
	if op == ast.Neg {
		return "-"
	}
	return "+"
}

func liftUnaryNeg(v Value) Value {
	if v.k == KindList {
		out := make([]Value, len(v.l))
		for i, e := range v.l {
			out[i] = arith('-', Int(0), e)
		}
		return List(out...)
	}
	return arith('-', Int(0), v)
}

// condOperand compiles a condition used as a value (e.g. `null == (x > 1)`).
func (c *compiler) condOperand(e ast.Expr) operand {
	saved := c.script
	c.script = true
	cd := c.cond(e, false)
	c.script = saved
	if cd.konst {
		return constOperand(cd.k.value(), e)
	}
	fn := cd.fn
	return operand{fn: func(ev Event) Value { return fn(ev).value() }, typ: tBool, node: e}
}

// cnd is a compiled condition, with its value when known at compile time.
type cnd struct {
	fn    condFn
	konst bool
	k     tri
	// parts are the operands of fn when it is an `and` (isAnd) or `or` of
	// several conditions, so that chains compile to one flat loop.
	parts []condFn
	isAnd bool
}

func constC(t tri) cnd {
	return cnd{fn: func(Event) tri { return t }, konst: true, k: t}
}

func dynC(fn condFn) cnd { return cnd{fn: fn} }

func (c *compiler) arith(x *ast.Binary) operand {
	l, r := c.expr(x.X), c.expr(x.Y)
	for _, o := range []operand{l, r} {
		if o.typ != tUnknown && o.typ != tNumber && o.typ != tNull {
			c.errorf(o.node.Pos(), "arithmetic `%s` needs numbers, found %s `%s`", x.Op, o.typ, o.node)
		}
	}
	op := map[ast.BinaryOp]byte{ast.Add: '+', ast.Sub: '-', ast.Mul: '*', ast.Div: '/', ast.Mod: '%'}[x.Op]
	if l.isConst && r.isConst {
		return constOperand(arith(op, l.val, r.val), x)
	}
	lf, rf := l.fn, r.fn
	return operand{fn: func(ev Event) Value {
		return liftBinary(lf(ev), rf(ev), func(a, b Value) Value { return arith(op, a, b) })
	}, typ: tNumber, node: x}
}

// liftBinary applies f over every pair of values of two possibly
// multi-valued operands.
func liftBinary(a, b Value, f func(a, b Value) Value) Value {
	if a.k != KindList && b.k != KindList {
		return f(a, b)
	}
	var out []Value
	a.each(func(x Value) bool {
		b.each(func(y Value) bool {
			out = append(out, f(x, y))
			return true
		})
		return true
	})
	return List(out...)
}

// call compiles a function call.
func (c *compiler) call(x *ast.Call) operand {
	spec, ok := lookupFunc(x.Name)
	if !ok {
		c.errorf(x.NamePos, "%s", unknownFunctionMessage(x.Name))
		return constOperand(Null, x)
	}
	if x.CaseInsensitive && !spec.insens {
		c.errorf(x.NamePos, "function `%s` has no case-insensitive variant; remove the `~`", spec.name)
	}
	n := len(x.Args)
	if n < spec.minArgs || (spec.maxArgs >= 0 && n > spec.maxArgs) {
		c.errorf(x.NamePos, "function `%s` takes %s, found %d", spec.name, arityText(spec), n)
		return constOperand(Null, x)
	}
	args := make([]operand, n)
	allConst := true
	for i, a := range x.Args {
		args[i] = c.expr(a)
		if !args[i].isConst {
			allConst = false
		}
		want := spec.kindAt(i)
		if !typeFits(args[i].typ, want) {
			c.errorf(a.Pos(), "argument %d of `%s` must be %s, found %s `%s`", i+1, spec.name, want, args[i].typ, a)
		}
	}
	for _, ci := range spec.constArgs {
		for i := range args {
			if (ci == -1 && i >= 1) || ci == i {
				if !args[i].isConst {
					c.errorf(x.Args[i].Pos(), "argument %d of `%s` must be a constant", i+1, spec.name)
				}
			}
		}
	}
	if spec.name == "cidrMatch" {
		for i := 1; i < n; i++ {
			if args[i].isConst && args[i].val.k == KindString {
				if _, err := parseCIDR(args[i].val.s); err != nil {
					c.errorf(x.Args[i].Pos(), "`%s` is not a valid CIDR block or IP address", args[i].val.s)
				}
			}
		}
	}
	ci := x.CaseInsensitive
	typ := funcResultType(spec)
	if allConst {
		vals := make([]Value, n)
		for i, a := range args {
			vals[i] = a.val
		}
		op := constOperand(callLifted(spec, vals, ci), x)
		op.typ = typ
		return op
	}
	fns := make([]valueFn, n)
	for i, a := range args {
		fns[i] = a.fn
	}
	return operand{fn: func(ev Event) Value {
		var buf [4]Value
		vals := buf[:0]
		for _, f := range fns {
			vals = append(vals, f(ev))
		}
		return callLifted(spec, vals, ci)
	}, typ: typ, node: x}
}

func funcResultType(f *funcSpec) staticType {
	switch f.name {
	case "between", "concat", "string", "substring":
		return tString
	case "add", "divide", "indexOf", "length", "modulo", "multiply", "number", "subtract":
		return tNumber
	}
	if f.boolean {
		return tBool
	}
	return tUnknown
}

func typeFits(have staticType, want argKind) bool {
	if have == tUnknown || have == tNull || want == argAny {
		return true
	}
	switch want {
	case argString:
		return have == tString
	case argNumber, argInt:
		return have == tNumber
	case argBool:
		return have == tBool
	}
	return true
}

func arityText(f *funcSpec) string {
	switch {
	case f.maxArgs < 0:
		return fmt.Sprintf("at least %d arguments", f.minArgs)
	case f.minArgs == f.maxArgs && f.minArgs == 1:
		return "1 argument"
	case f.minArgs == f.maxArgs:
		return fmt.Sprintf("%d arguments", f.minArgs)
	}
	return fmt.Sprintf("%d to %d arguments", f.minArgs, f.maxArgs)
}

// unsupportedFunctions are Endgame/Python EQL functions that Elasticsearch
// does not have, with what to use instead.
var unsupportedFunctions = map[string]string{
	"wildcard":      "use the `like` or `:` operator",
	"match":         "use the `regex` operator",
	"matchlite":     "use the `regex` operator",
	"arraycontains": "multi-valued fields already match when any value does: compare the field directly",
	"arraycount":    "array functions are not supported by Elasticsearch EQL",
	"arraysearch":   "array functions are not supported by Elasticsearch EQL",
	"safe":          "Elasticsearch EQL has no safe(); missing values are already null",
}

var functionAliases = map[string]string{
	"strlen": "length", "len": "length", "contains": "stringContains", "substr": "substring",
	"index": "indexOf", "str": "string", "tostring": "string", "int": "number", "tonumber": "number",
	"startswith": "startsWith", "endswith": "endsWith", "cidr": "cidrMatch", "sum": "add",
	"mod": "modulo", "div": "divide", "mul": "multiply", "sub": "subtract",
}

func unknownFunctionMessage(name string) string {
	lower := strings.ToLower(name)
	if hint, ok := unsupportedFunctions[lower]; ok {
		return fmt.Sprintf("function `%s` is not supported by Elasticsearch EQL; %s", name, hint)
	}
	if alias, ok := functionAliases[lower]; ok {
		return fmt.Sprintf("unknown function `%s`; did you mean `%s`?", name, alias)
	}
	best, bestD := "", 4
	for _, f := range FunctionNames() {
		if d := editDistance(lower, strings.ToLower(f)); d < bestD {
			best, bestD = f, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown function `%s`; did you mean `%s`?", name, best)
	}
	return fmt.Sprintf("unknown function `%s`; the functions are %s", name, strings.Join(FunctionNames(), ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// cond compiles a condition; neg compiles its negation (not pushed down).
func (c *compiler) cond(e ast.Expr, neg bool) cnd {
	switch x := e.(type) {
	case *ast.Paren:
		return c.cond(x.X, neg)
	case *ast.Unary:
		if x.Op == ast.Not {
			return c.cond(x.X, !neg)
		}
	case *ast.Bool:
		return constC(triOf(x.Value != neg))
	case *ast.Null:
		return constC(triNull)
	case *ast.Binary:
		switch x.Op {
		case ast.And, ast.Or:
			l, r := c.cond(x.X, neg), c.cond(x.Y, neg)
			isAnd := (x.Op == ast.And) != neg
			return combine(isAnd, l, r)
		case ast.Eq, ast.Neq, ast.Lt, ast.Le, ast.Gt, ast.Ge:
			op := x.Op
			if neg {
				op = negateCmp(op)
			}
			return c.comparison(op, x.X, x.Y, x)
		}
	case *ast.Match:
		return c.match(x, neg)
	case *ast.In:
		return c.in(x, neg)
	case *ast.Call:
		return c.predicateCall(x, neg)
	case *ast.Field:
		op := c.expr(x)
		if op.typ != tUnknown && op.typ != tBool && op.typ != tNull {
			c.errorf(x.Pos(), "condition must be boolean, but field `%s` is %s; compare it with a value", x.Name, op.typ)
		}
		if op.isConst { // an absent optional field: null
			return constC(triNull)
		}
		fa := op.field
		pred := func(v Value) bool { return v.k == KindBool && v.AsBool() }
		return dynC(c.leaf(fa, "bool", pred, neg))
	}
	op := c.expr(e)
	if op.typ != tUnknown && op.typ != tBool && op.typ != tNull {
		c.errorf(e.Pos(), "condition must be boolean, found %s `%s`", op.typ, e)
		return constC(triNull)
	}
	return c.constPredicate(op, neg)
}

// combine is three-valued `and` (isAnd) or `or`. The two are duals: a
// dominant value decides the result alone (false for and, true for or),
// the other is the identity.
func combine(isAnd bool, lc, rc cnd) cnd {
	dom, id := triFalse, triTrue
	if !isAnd {
		dom, id = triTrue, triFalse
	}
	switch {
	case lc.konst && lc.k == dom, rc.konst && rc.k == dom:
		return constC(dom)
	case lc.konst && lc.k == id:
		return rc
	case rc.konst && rc.k == id:
		return lc
	case lc.konst && rc.konst:
		return constC(triNull)
	}
	// Operands that are the same connective are spliced in: `a and b and
	// c` is one loop over three conditions, not two nested closures.
	var parts []condFn
	for _, x := range []cnd{lc, rc} {
		if x.parts != nil && x.isAnd == isAnd {
			parts = append(parts, x.parts...)
		} else {
			parts = append(parts, x.fn)
		}
	}
	out := dynC(junction(parts, dom, id))
	out.parts, out.isAnd = parts, isAnd
	return out
}

// junction evaluates parts left to right: the dominant value decides at
// once; otherwise the result is null if any part was null, else id.
func junction(parts []condFn, dom, id tri) condFn {
	if len(parts) == 2 {
		l, r := parts[0], parts[1]
		return func(ev Event) tri {
			a := l(ev)
			if a == dom {
				return dom
			}
			b := r(ev)
			if b == dom {
				return dom
			}
			if a == triNull || b == triNull {
				return triNull
			}
			return id
		}
	}
	return func(ev Event) tri {
		res := id
		for _, p := range parts {
			switch p(ev) {
			case dom:
				return dom
			case triNull:
				res = triNull
			}
		}
		return res
	}
}

// leaf builds a query-leaf condition: true when any value of the field
// satisfies pred, false when none does or the field is missing; neg takes
// the complement. Leaves are most of what rules evaluate, so the common
// case — an event read through a Record — is one closure that reads the
// slot directly and memoises its result per event when the queries share a
// Memo, since many rules test the same leaves.
func (c *compiler) leaf(fa *fieldAccess, key string, pred func(Value) bool, neg bool) condFn {
	memo := -1
	if m := c.opts.Memo; m != nil {
		memo = m.id(fa.ref.Name + "\x00" + key)
	}
	// Results: 0 no value satisfies pred, 1 one does, 2 the field is missing.
	missing := triOf(neg)
	if c.script {
		missing = triNull
	}
	results := [3]tri{triOf(neg), triOf(!neg), missing}
	return func(ev Event) tri {
		rec, ok := ev.(*Record)
		if !ok {
			rb, ok := ev.(RecordBacked)
			if !ok {
				return results[leafResult(fa.get(ev), pred)]
			}
			rec = rb.Record()
		}
		if memo < 0 {
			return results[fa.leafRecord(rec, pred)]
		}
		r, ok := rec.memoGet(memo)
		if !ok {
			r = fa.leafRecord(rec, pred)
			rec.memoSet(memo, r)
		}
		return results[r]
	}
}

// leafRecord is leafResult(f.get(r), pred) for a Record, reading the slot
// in place rather than copying the value through Lookup and mapped.
func (f *fieldAccess) leafRecord(r *Record, pred func(Value) bool) uint8 {
	id := f.ref.ID
	if f.absent || uint(id) >= uint(len(r.vals)) || !r.present[id] {
		return 2
	}
	v := &r.vals[id]
	switch {
	case v.k == KindNull:
		return leafResult(f.info.NullValue, pred)
	case f.info.Type != TypeUnknown && !coerceKeeps(f.info.Type, v.k):
		return leafResult(coerce(&f.info, *v), pred)
	case v.k == KindList:
		for i := range v.l {
			if pred(v.l[i]) {
				return 1
			}
		}
		return 0
	}
	if pred(*v) {
		return 1
	}
	return 0
}

// leafResult applies a leaf's predicate to a field value: 0 no value
// satisfies it, 1 one does, 2 the value is null (the field is missing).
func leafResult(v Value, pred func(Value) bool) uint8 {
	switch v.k {
	case KindNull:
		return 2
	case KindList:
		for _, e := range v.l {
			if pred(e) {
				return 1
			}
		}
		return 0
	}
	if pred(v) {
		return 1
	}
	return 0
}

func negateCmp(op ast.BinaryOp) ast.BinaryOp {
	switch op {
	case ast.Eq:
		return ast.Neq
	case ast.Neq:
		return ast.Eq
	case ast.Lt:
		return ast.Ge
	case ast.Le:
		return ast.Gt
	case ast.Gt:
		return ast.Le
	case ast.Ge:
		return ast.Lt
	}
	return op
}

// swapCmp mirrors an operator for swapped operands (1 < x  ==>  x > 1).
func swapCmp(op ast.BinaryOp) ast.BinaryOp {
	switch op {
	case ast.Lt:
		return ast.Gt
	case ast.Le:
		return ast.Ge
	case ast.Gt:
		return ast.Lt
	case ast.Ge:
		return ast.Le
	}
	return op
}

func (c *compiler) comparison(op ast.BinaryOp, le, re ast.Expr, node ast.Expr) cnd {
	l, r := c.expr(le), c.expr(re)
	// Literal null on either side: == and != test for null; ordering
	// comparisons against null are null.
	if l.isConst && l.val.k == KindNull && l.field == nil {
		l, r = r, l
		op = swapCmp(op)
	}
	if r.isConst && r.val.k == KindNull && r.field == nil {
		switch op {
		case ast.Eq, ast.Neq:
			isNull := op == ast.Eq
			if l.isConst {
				return constC(triOf((l.val.k == KindNull) == isNull))
			}
			fn := l.fn
			return dynC(func(ev Event) tri { return triOf((fn(ev).k == KindNull) == isNull) })
		}
		return constC(triNull)
	}
	c.checkComparable(l, r, node)
	if l.isConst && r.isConst {
		return constC(compareScript(op, l.val, r.val, TypeUnknown, l.field != nil || r.field != nil))
	}
	if l.isConst && r.field != nil {
		l, r = r, l
		op = swapCmp(op)
	}
	if l.field != nil && !l.isConst && r.isConst {
		pred := c.leafComparison(op, l.field, r.val, r.node)
		posOp := op
		if op == ast.Neq {
			posOp = ast.Eq
		}
		key := "cmp " + posOp.String() + " " + r.val.k.String() + ":" + r.val.String()
		return dynC(c.leaf(l.field, key, pred, op == ast.Neq))
	}
	// Script comparison. Optional fields compare null-safely with ==/!=,
	// reproducing Elasticsearch, which folds an unmapped ?field to null.
	nullSafe := (l.field != nil && l.field.optional) || (r.field != nil && r.field.optional)
	typ := TypeUnknown
	if l.field != nil {
		typ = l.field.info.Type
	} else if r.field != nil {
		typ = r.field.info.Type
	}
	lf, rf := l.fn, r.fn
	return dynC(func(ev Event) tri { return compareScript(op, lf(ev), rf(ev), typ, nullSafe) })
}

// checkComparable reports comparisons Elasticsearch's verifier rejects
// because the two sides can never be compared.
func (c *compiler) checkComparable(l, r operand, node ast.Expr) {
	if l.typ == tUnknown || r.typ == tUnknown || l.typ == tNull || r.typ == tNull || l.typ == r.typ {
		return
	}
	// Numbers against strings are allowed: keyword fields often hold
	// numbers and long fields accept numeric strings.
	if (l.typ == tNumber && r.typ == tString) || (l.typ == tString && r.typ == tNumber) {
		return
	}
	c.errorf(node.Pos(), "cannot compare %s `%s` with %s `%s`", l.typ, l.node, r.typ, r.node)
}

// leafComparison returns the per-value predicate of `field op const`,
// with the constant converted to the field's type once.
func (c *compiler) leafComparison(op ast.BinaryOp, fa *fieldAccess, k Value, node ast.Expr) func(Value) bool {
	cmpOp := op
	if op == ast.Neq {
		cmpOp = ast.Eq // complemented by the caller
	}
	test := func(cmp int) bool {
		switch cmpOp {
		case ast.Eq:
			return cmp == 0
		case ast.Lt:
			return cmp < 0
		case ast.Le:
			return cmp <= 0
		case ast.Gt:
			return cmp > 0
		case ast.Ge:
			return cmp >= 0
		}
		return false
	}
	switch fa.info.Type {
	case TypeDate, TypeDateNanos:
		ns, ok := parseDateValue(k, &fa.info)
		if !ok {
			c.errorf(node.Pos(), "`%s` is not a date that field `%s` can be compared with", node, fa.ref.Name)
			return func(Value) bool { return false }
		}
		return func(v Value) bool {
			if v.k != KindInt {
				return false
			}
			x := v.AsInt()
			switch {
			case x < ns:
				return test(-1)
			case x > ns:
				return test(1)
			}
			return test(0)
		}
	case TypeIP:
		s, _ := str(k)
		ip, ok := parseIP(s)
		if !ok {
			c.errorf(node.Pos(), "`%s` is not an IP address that field `%s` can be compared with", node, fa.ref.Name)
			return func(Value) bool { return false }
		}
		return func(v Value) bool {
			a, ok := parseIP(v.s)
			if !ok {
				return false
			}
			return test(a.Compare(ip))
		}
	case TypeVersion:
		s, _ := str(k)
		ver := parseVersion(s)
		if cmpOp == ast.Eq {
			return func(v Value) bool { return v.s == s }
		}
		return func(v Value) bool { return test(compareVersions(parseVersion(v.s), ver)) }
	case TypeKeyword, TypeText:
		if k.k != KindString {
			k = String(k.String())
		}
		s := k.s
		return func(v Value) bool {
			if v.k != KindString {
				return false
			}
			return test(strings.Compare(v.s, s))
		}
	}
	if cmpOp == ast.Eq && k.k == KindString {
		// Most untyped comparisons test a string for equality.
		ks := k.s
		return func(v Value) bool {
			if v.k == KindString {
				return v.s == ks
			}
			cmp, ok := compareDynamic(v, k)
			return ok && cmp == 0
		}
	}
	return func(v Value) bool {
		cmp, ok := compareDynamic(v, k)
		return ok && test(cmp)
	}
}

// compareDynamic orders two scalar values of unknown mapping: numbers
// numerically, strings by code point, booleans false < true; a numeric
// string compares with a number as the number it spells.
func compareDynamic(a, b Value) (int, bool) {
	switch {
	case a.k == KindInt && b.k == KindInt:
		x, y := a.AsInt(), b.AsInt()
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		}
		return 0, true
	case a.isNumber() && b.isNumber():
		x, y := a.AsFloat(), b.AsFloat()
		switch {
		case x < y:
			return -1, true
		case x > y:
			return 1, true
		case x == y:
			return 0, true
		}
		return 0, false // NaN
	case a.k == KindString && b.k == KindString:
		return strings.Compare(a.s, b.s), true
	case a.k == KindBool && b.k == KindBool:
		return int(a.n) - int(b.n), true
	case a.k == KindString && b.isNumber():
		n := numberValue(strings.TrimSpace(a.s))
		if n.k == KindNull {
			return 0, false
		}
		return compareDynamic(n, b)
	case a.isNumber() && b.k == KindString:
		n := numberValue(strings.TrimSpace(b.s))
		if n.k == KindNull {
			return 0, false
		}
		return compareDynamic(a, n)
	}
	return 0, false
}

// compareTyped orders two values using a field type where one is known.
func compareTyped(a, b Value, t FieldType) (int, bool) {
	switch t {
	case TypeIP:
		if a.k == KindString && b.k == KindString {
			x, ok1 := parseIP(a.s)
			y, ok2 := parseIP(b.s)
			if ok1 && ok2 {
				return x.Compare(y), true
			}
		}
	case TypeVersion:
		if a.k == KindString && b.k == KindString {
			return compareVersions(parseVersion(a.s), parseVersion(b.s)), true
		}
	case TypeDate, TypeDateNanos:
		fi := FieldInfo{Type: t}
		if a.k == KindString {
			if ns, ok := parseDateValue(a, &fi); ok {
				a = Int(ns)
			}
		}
		if b.k == KindString {
			if ns, ok := parseDateValue(b, &fi); ok {
				b = Int(ns)
			}
		}
	}
	return compareDynamic(a, b)
}

// compareScript evaluates a comparison with script semantics: null if
// either side is null (unless nullSafe), true if any pair of values
// satisfies it (for != : if no pair is equal).
func compareScript(op ast.BinaryOp, a, b Value, t FieldType, nullSafe bool) tri {
	if a.k == KindNull || b.k == KindNull {
		if nullSafe && (op == ast.Eq || op == ast.Neq) {
			bothNull := a.k == KindNull && b.k == KindNull
			return triOf(bothNull == (op == ast.Eq))
		}
		return triNull
	}
	if op == ast.Neq {
		return compareScript(ast.Eq, a, b, t, false).not()
	}
	hit := false
	a.each(func(x Value) bool {
		b.each(func(y Value) bool {
			cmp, ok := compareTyped(x, y, t)
			if ok {
				switch op {
				case ast.Eq:
					hit = cmp == 0
				case ast.Lt:
					hit = cmp < 0
				case ast.Le:
					hit = cmp <= 0
				case ast.Gt:
					hit = cmp > 0
				case ast.Ge:
					hit = cmp >= 0
				}
			}
			return !hit
		})
		return !hit
	})
	return triOf(hit)
}

// match compiles `x : p`, like, like~, regex and regex~.
func (c *compiler) match(x *ast.Match, neg bool) cnd {
	subject := c.expr(x.X)
	var ms []matcher
	for _, p := range x.Patterns {
		po := c.expr(p)
		if !po.isConst || po.val.k != KindString {
			c.errorf(p.Pos(), "the pattern of `%s` must be a constant string, found `%s`", x.Op, p)
			continue
		}
		switch x.Op {
		case ast.Colon, ast.LikeI:
			ms = append(ms, compileWildcard(po.val.s, true))
		case ast.Like:
			ms = append(ms, compileWildcard(po.val.s, false))
		case ast.Regex, ast.RegexI:
			m, err := compileRegex(po.val.s, x.Op == ast.RegexI)
			if err != nil {
				c.errorf(p.Pos(), "%v", err)
				continue
			}
			ms = append(ms, m)
		}
	}
	if subject.typ != tUnknown && subject.typ != tString && subject.typ != tNull {
		c.errorf(x.X.Pos(), "`%s` matches strings, but `%s` is %s", x.Op, x.X, subject.typ)
	}
	m := combineMatchers(ms)
	pred := func(v Value) bool {
		s, ok := str(v)
		return ok && m.match(s)
	}
	// Built with a Builder: lists of hundreds of patterns made the
	// repeated += quadratic (over 100 MB of garbage compiling Elastic's rules).
	var key strings.Builder
	key.WriteString("match ")
	key.WriteString(x.Op.String())
	for _, p := range x.Patterns {
		key.WriteByte(' ')
		key.WriteString(p.String())
	}
	return c.predicate(subject, key.String(), pred, neg)
}

// predicate builds a condition from a per-value predicate: a query leaf on
// a field, or a null-propagating script on any other expression.
func (c *compiler) predicate(subject operand, key string, pred func(Value) bool, neg bool) cnd {
	if subject.field != nil && !subject.isConst {
		return dynC(c.leaf(subject.field, key, pred, neg))
	}
	if subject.isConst {
		v := subject.val
		if v.k == KindNull {
			return constC(triNull)
		}
		return constC(triOf(anyValue(v, pred) != neg))
	}
	fn := subject.fn
	return dynC(func(ev Event) tri {
		v := fn(ev)
		if v.k == KindNull {
			return triNull
		}
		return triOf(anyValue(v, pred) != neg)
	})
}

func anyValue(v Value, pred func(Value) bool) bool {
	hit := false
	v.each(func(x Value) bool {
		hit = pred(x)
		return !hit
	})
	return hit
}

// multiMatcher matches when any of its matchers does; exact strings are
// looked up in a set, and the case-insensitive wildcard patterns are tested
// together (see foldList) when the subject is short ASCII.
type multiMatcher struct {
	exact     map[string]bool
	foldExact map[string]bool
	folded    []matcher // case-insensitive patterns other than exact ones
	fast      *foldList // foldExact and folded, for short ASCII subjects
	others    []matcher
}

func (m *multiMatcher) match(s string) bool {
	if len(m.exact) > 0 && m.exact[s] {
		return true
	}
	if m.fast != nil {
		var buf [shortFold]byte
		if low, ok := lowerShortASCII(&buf, s); ok {
			if m.fast.match(low) {
				return true
			}
		} else if m.matchFolded(s) {
			return true
		}
	}
	for _, o := range m.others {
		if o.match(s) {
			return true
		}
	}
	return false
}

// matchFolded is the general path for the case-insensitive patterns.
func (m *multiMatcher) matchFolded(s string) bool {
	if len(m.foldExact) > 0 && foldedIn(m.foldExact, s) {
		return true
	}
	for _, o := range m.folded {
		if o.match(s) {
			return true
		}
	}
	return false
}

func combineMatchers(ms []matcher) matcher {
	if len(ms) == 1 {
		return ms[0]
	}
	mm := &multiMatcher{exact: map[string]bool{}, foldExact: map[string]bool{}}
	fast := &foldList{}
	for _, m := range ms {
		if e, ok := m.(exactMatcher); ok && !e.fold {
			mm.exact[e.lit] = true
			continue
		}
		if !fast.add(m) {
			mm.others = append(mm.others, m)
			continue
		}
		if e, ok := m.(exactMatcher); ok {
			mm.foldExact[e.lit] = true
		} else {
			mm.folded = append(mm.folded, m)
		}
		mm.fast = fast
	}
	return mm
}

// in compiles `x in (...)`, `x not in (...)` and their ~ forms.
func (c *compiler) in(x *ast.In, neg bool) cnd {
	subject := c.expr(x.X)
	negate := x.Not != neg
	list := make([]operand, len(x.List))
	allConst := true
	for i, e := range x.List {
		list[i] = c.expr(e)
		if !list[i].isConst {
			allConst = false
		}
		c.checkComparable(subject, list[i], e)
	}
	ci := x.CaseInsensitive
	var typ FieldType
	if subject.field != nil {
		typ = subject.field.info.Type
	}
	if allConst {
		set := newValueSet(list, typ, ci)
		var key strings.Builder
		key.WriteString("in")
		if ci {
			key.WriteString("~")
		}
		for _, o := range list {
			key.WriteString(" " + o.val.k.String() + ":")
			key.WriteString(o.val.String())
		}
		return c.predicate(subject, key.String(), set.contains, negate)
	}
	// Non-constant members: evaluate as a script.
	fns := make([]valueFn, len(list))
	for i, o := range list {
		fns[i] = o.fn
	}
	sfn := subject.fn
	return dynC(func(ev Event) tri {
		v := sfn(ev)
		if v.k == KindNull {
			return triNull
		}
		for _, f := range fns {
			m := f(ev)
			if m.k == KindNull {
				continue
			}
			var t tri
			if ci {
				t = compareScript(ast.Eq, foldValue(v), foldValue(m), typ, false)
			} else {
				t = compareScript(ast.Eq, v, m, typ, false)
			}
			if t == triTrue {
				return triOf(!negate)
			}
		}
		return triOf(negate)
	})
}

func foldValue(v Value) Value {
	switch v.k {
	case KindString:
		return String(strings.ToLower(v.s))
	case KindList:
		out := make([]Value, len(v.l))
		for i, e := range v.l {
			out[i] = foldValue(e)
		}
		return List(out...)
	}
	return v
}

// valueSet is the constant list of an `in`, indexed for fast membership.
type valueSet struct {
	strs   map[string]bool
	others []Value
	typ    FieldType
	fold   bool
	ips    map[netip.Addr]bool
}

func newValueSet(list []operand, typ FieldType, fold bool) *valueSet {
	s := &valueSet{strs: map[string]bool{}, typ: typ, fold: fold}
	for _, o := range list {
		v := o.val
		if v.k == KindNull {
			continue
		}
		switch {
		case typ == TypeIP:
			if str, ok := str(v); ok {
				if ip, ok := parseIP(str); ok {
					if s.ips == nil {
						s.ips = map[netip.Addr]bool{}
					}
					s.ips[ip] = true
				}
			}
		case v.k == KindString && (typ == TypeKeyword || typ == TypeText || typ == TypeUnknown || typ == TypeVersion):
			key := v.s
			if fold {
				key = strings.ToLower(key)
			}
			s.strs[key] = true
			if typ == TypeUnknown {
				s.others = append(s.others, v) // numeric strings may equal numbers
			}
		case (typ == TypeKeyword || typ == TypeText) && v.k != KindString:
			s.strs[v.String()] = true
		default:
			s.others = append(s.others, v)
		}
	}
	return s
}

func (s *valueSet) contains(v Value) bool {
	if s.ips != nil {
		if v.k != KindString {
			return false
		}
		ip, ok := parseIP(v.s)
		return ok && s.ips[ip]
	}
	if v.k == KindString {
		var hit bool
		if s.fold {
			hit = foldedIn(s.strs, v.s)
		} else {
			hit = s.strs[v.s]
		}
		if hit {
			return true
		}
		if s.typ == TypeKeyword || s.typ == TypeText {
			return false
		}
	}
	for _, o := range s.others {
		if cmp, ok := compareTyped(v, o, s.typ); ok && cmp == 0 {
			if o.k == KindString && v.k == KindString {
				continue // string equality was decided by the set
			}
			return true
		}
	}
	return false
}

// predicateCall compiles a boolean function used as a condition.
func (c *compiler) predicateCall(x *ast.Call, neg bool) cnd {
	spec, ok := lookupFunc(x.Name)
	if ok && spec.boolean && len(x.Args) >= 1 {
		first := ast.Unparen(x.Args[0])
		if f, isField := first.(*ast.Field); isField {
			rest := make([]operand, 0, len(x.Args)-1)
			allConst := true
			for _, a := range x.Args[1:] {
				o := c.expr(a)
				rest = append(rest, o)
				if !o.isConst {
					allConst = false
				}
			}
			if allConst && len(c.errs) == 0 {
				whole := c.call(x) // type checks and errors
				subject := c.expr(f)
				if subject.isConst || whole.isConst {
					return c.constPredicate(whole, neg)
				}
				args := make([]Value, 1+len(rest))
				for i, o := range rest {
					args[i+1] = o.val
				}
				ci := x.CaseInsensitive
				pred := func(v Value) bool {
					a := make([]Value, len(args))
					copy(a, args)
					a[0] = v
					r := spec.eval(a, ci)
					return r.k == KindBool && r.AsBool()
				}
				pred = specialisePredicate(spec, rest, ci, pred)
				return dynC(c.leaf(subject.field, "call "+x.String(), pred, neg))
			}
		}
	}
	op := c.call(x)
	if op.typ != tUnknown && op.typ != tBool && op.typ != tNull {
		c.errorf(x.Pos(), "condition must be boolean, but `%s` returns %s", x.Name, op.typ)
		return constC(triNull)
	}
	return c.constPredicate(op, neg)
}

func (c *compiler) constPredicate(op operand, neg bool) cnd {
	if op.isConst {
		t := truth(op.val)
		if neg {
			t = t.not()
		}
		return constC(t)
	}
	fn := op.fn
	if neg {
		return dynC(func(ev Event) tri { return truth(fn(ev)).not() })
	}
	return dynC(func(ev Event) tri { return truth(fn(ev)) })
}

// specialisePredicate replaces the generic call of a string predicate with
// a precompiled matcher when the argument is a constant string.
func specialisePredicate(spec *funcSpec, rest []operand, ci bool, generic func(Value) bool) func(Value) bool {
	if len(rest) != 1 || rest[0].val.k != KindString {
		return generic
	}
	lit := rest[0].val.s
	var m matcher
	switch spec.name {
	case "startsWith":
		m = compileWildcardLiteral(lit, ci, "prefix")
	case "endsWith":
		m = compileWildcardLiteral(lit, ci, "suffix")
	case "stringContains":
		m = compileWildcardLiteral(lit, ci, "contains")
	default:
		return generic
	}
	return func(v Value) bool {
		s, ok := str(v)
		return ok && m.match(s)
	}
}

// compileWildcardLiteral builds a prefix/suffix/contains matcher for a
// literal (no wildcard characters are interpreted).
func compileWildcardLiteral(lit string, fold bool, kind string) matcher {
	if fold {
		lit = strings.ToLower(lit)
	}
	switch kind {
	case "prefix":
		return affixMatcher{lit: lit, fold: fold}
	case "suffix":
		return affixMatcher{lit: lit, fold: fold, suffix: true}
	}
	if lit == "" {
		return anyMatcher{}
	}
	return containsMatcher{lit, fold}
}
