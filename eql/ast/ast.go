// Package ast declares the syntax tree of an EQL query in the Elasticsearch
// dialect.
//
// Every node records the byte offsets of its first character and of the
// character just past it in the query text (Pos and End), so that later stages
// can point at the exact text an error is about. Line and column are computed
// only when a message is printed (see Position).
//
// The tree is produced by package parser and consumed by the checker and
// compiler in package eql. Nodes are plain data: they carry no evaluation
// logic. String on any node prints EQL that parses back to an equal tree.
package ast

import (
	"strconv"
	"strings"
)

// Pos is a byte offset into the query text, starting at 0.
type Pos int

// NoPos is the zero position used by synthesised nodes.
const NoPos Pos = -1

// Node is implemented by every node of the tree.
type Node interface {
	Pos() Pos // offset of the node's first byte
	End() Pos // offset just past the node's last byte
	String() string
}

// Query is a whole EQL query: an event, sequence or sample query followed by
// zero or more pipes.
type Query struct {
	Body  Body
	Pipes []*Pipe
}

// Pos implements Node.
func (q *Query) Pos() Pos { return q.Body.Pos() }

// End implements Node.
func (q *Query) End() Pos {
	if n := len(q.Pipes); n > 0 {
		return q.Pipes[n-1].End()
	}
	return q.Body.End()
}

// Body is the query part before the pipes: *EventQuery, *SequenceQuery or
// *SampleQuery.
type Body interface {
	Node
	bodyNode()
}

// EventQuery is `<category> where <condition>`.
type EventQuery struct {
	Category    string // as written, unquoted; "any" matches every category
	Any         bool   // the category is the keyword any
	Quoted      bool   // the category was written as a string
	CategoryPos Pos
	CategoryEnd Pos
	Where       Pos // position of the keyword where
	Cond        Expr
}

// Pos implements Node.
func (e *EventQuery) Pos() Pos { return e.CategoryPos }

// End implements Node.
func (e *EventQuery) End() Pos { return e.Cond.End() }

// Stage is one bracketed sub-query of a sequence or sample, with its
// optional join keys and repetition count.
type Stage struct {
	Bang    Pos  // position of `!` for a missing-event stage, else NoPos
	Missing bool // the stage is `![ ... ]`: it matches when no such event occurs
	Lbrack  Pos
	Query   *EventQuery
	Rbrack  Pos
	By      []Expr // per-stage join keys, after the global ones
	ByPos   Pos    // position of `by`, or NoPos
	Runs    int    // `with runs=N`; 0 when absent
	RunsPos Pos    // position of N, or NoPos
	EndPos  Pos
}

// Pos implements Node.
func (s *Stage) Pos() Pos {
	if s.Missing {
		return s.Bang
	}
	return s.Lbrack
}

// End implements Node.
func (s *Stage) End() Pos { return s.EndPos }

// Duration is a time span such as `30s` in `with maxspan=30s`.
type Duration struct {
	Value    int64
	Unit     string // ms, s, m, h or d (lower case, as written)
	ValuePos Pos
	EndPos   Pos
}

// Pos implements Node.
func (d *Duration) Pos() Pos { return d.ValuePos }

// End implements Node.
func (d *Duration) End() Pos { return d.EndPos }

// unitNanos gives the length of each time unit in nanoseconds.
var unitNanos = map[string]int64{
	"ms": 1e6,
	"s":  1e9,
	"m":  60e9,
	"h":  3600e9,
	"d":  86400e9,
}

// Nanos returns the duration in nanoseconds and whether it fits in an int64.
func (d *Duration) Nanos() (int64, bool) {
	u, ok := unitNanos[d.Unit]
	if !ok || d.Value < 0 {
		return 0, false
	}
	if d.Value != 0 && u > (1<<63-1)/d.Value {
		return 0, false
	}
	return d.Value * u, true
}

// ValidTimeUnit reports whether u is a time unit accepted in maxspan.
func ValidTimeUnit(u string) bool {
	_, ok := unitNanos[u]
	return ok
}

// SequenceQuery is `sequence [by keys] [with maxspan=T] stages... [until stage]`.
type SequenceQuery struct {
	Sequence Pos // position of the keyword
	By       []Expr
	MaxSpan  *Duration // nil when absent
	Stages   []*Stage
	Until    *Stage // nil when absent
}

// Pos implements Node.
func (s *SequenceQuery) Pos() Pos { return s.Sequence }

// End implements Node.
func (s *SequenceQuery) End() Pos {
	if s.Until != nil {
		return s.Until.End()
	}
	return s.Stages[len(s.Stages)-1].End()
}

// SampleQuery is `sample [by keys] stages...`.
type SampleQuery struct {
	Sample Pos
	By     []Expr
	Stages []*Stage
}

// Pos implements Node.
func (s *SampleQuery) Pos() Pos { return s.Sample }

// End implements Node.
func (s *SampleQuery) End() Pos { return s.Stages[len(s.Stages)-1].End() }

func (*EventQuery) bodyNode()    {}
func (*SequenceQuery) bodyNode() {}
func (*SampleQuery) bodyNode()   {}

// PipeKind names a pipe.
type PipeKind int

// The pipes Elasticsearch supports.
const (
	PipeHead PipeKind = iota
	PipeTail
)

func (k PipeKind) String() string {
	if k == PipeTail {
		return "tail"
	}
	return "head"
}

// Pipe is `| head N` or `| tail N`.
type Pipe struct {
	Bar    Pos
	Kind   PipeKind
	N      int64
	EndPos Pos
}

// Pos implements Node.
func (p *Pipe) Pos() Pos { return p.Bar }

// End implements Node.
func (p *Pipe) End() Pos { return p.EndPos }

// Expr is an expression node.
type Expr interface {
	Node
	exprNode()
}

// Null is the literal null.
type Null struct{ ValuePos Pos }

// Bool is the literal true or false.
type Bool struct {
	Value    bool
	ValuePos Pos
}

// Int is an integer literal. Literals that do not fit in an int64 are
// parsed as Float, as Elasticsearch does.
type Int struct {
	Value    int64
	ValuePos Pos
	EndPos   Pos
}

// Float is a decimal literal.
type Float struct {
	Value    float64
	Text     string // as written, for printing
	ValuePos Pos
	EndPos   Pos
}

// String is a string literal, with escapes already decoded.
type String struct {
	Value    string
	Raw      bool // written as """raw"""
	ValuePos Pos
	EndPos   Pos
}

// Field is a reference to an event field, such as process.name,
// `my-field` or ?optional.field.
type Field struct {
	Name     string // the full dotted name, unescaped
	Optional bool   // written with a leading ?: a missing field is null, not an error
	NamePos  Pos
	EndPos   Pos
}

// UnaryOp is a prefix operator.
type UnaryOp int

// Unary operators.
const (
	Not UnaryOp = iota
	Neg
	Plus
)

// Unary is `not x`, `-x` or `+x`.
type Unary struct {
	Op    UnaryOp
	OpPos Pos
	X     Expr
}

// BinaryOp is an infix operator.
type BinaryOp int

// Binary operators, in no particular order.
const (
	And BinaryOp = iota
	Or
	Eq  // ==
	Neq // !=
	Lt
	Le
	Gt
	Ge
	Add
	Sub
	Mul
	Div
	Mod
)

var binaryText = [...]string{And: "and", Or: "or", Eq: "==", Neq: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">=",
	Add: "+", Sub: "-", Mul: "*", Div: "/", Mod: "%"}

func (op BinaryOp) String() string { return binaryText[op] }

// IsComparison reports whether op is one of == != < <= > >=.
func (op BinaryOp) IsComparison() bool { return op >= Eq && op <= Ge }

// IsArithmetic reports whether op is one of + - * / %.
func (op BinaryOp) IsArithmetic() bool { return op >= Add && op <= Mod }

// Binary is `x op y`.
type Binary struct {
	Op    BinaryOp
	OpPos Pos
	X, Y  Expr
}

// MatchOp is a pattern-matching operator.
type MatchOp int

// Pattern-matching operators.
const (
	Colon  MatchOp = iota // :       case-insensitive equality with * and ? wildcards
	Like                  // like    case-sensitive wildcards
	LikeI                 // like~   case-insensitive wildcards
	Regex                 // regex   Lucene regular expression, whole string
	RegexI                // regex~  case-insensitive Lucene regular expression
)

var matchText = [...]string{Colon: ":", Like: "like", LikeI: "like~", Regex: "regex", RegexI: "regex~"}

func (op MatchOp) String() string { return matchText[op] }

// Match is `x : pattern`, `x like (p1, p2)`, `x regex~ p` and the like.
// The patterns are a single expression or a parenthesised list.
type Match struct {
	Op       MatchOp
	OpPos    Pos
	X        Expr
	Patterns []Expr
	List     bool // patterns were written as a parenthesised list
	EndPos   Pos
}

// In is `x in (a, b)`, `x not in (...)`, `x in~ (...)` or `x not in~ (...)`.
type In struct {
	X               Expr
	Not             bool
	CaseInsensitive bool
	OpPos           Pos
	List            []Expr
	EndPos          Pos
}

// Call is a function call such as `startsWith~(process.name, "cmd")`.
type Call struct {
	Name            string // as written
	CaseInsensitive bool   // written with ~ after the name
	NamePos         Pos
	Args            []Expr
	EndPos          Pos
}

// Paren is a parenthesised expression, kept so that positions and printing
// follow the source.
type Paren struct {
	Lparen Pos
	X      Expr
	Rparen Pos
}

// Pos implementations.

func (x *Null) Pos() Pos   { return x.ValuePos }
func (x *Bool) Pos() Pos   { return x.ValuePos }
func (x *Int) Pos() Pos    { return x.ValuePos }
func (x *Float) Pos() Pos  { return x.ValuePos }
func (x *String) Pos() Pos { return x.ValuePos }
func (x *Field) Pos() Pos  { return x.NamePos }
func (x *Unary) Pos() Pos  { return x.OpPos }
func (x *Binary) Pos() Pos { return x.X.Pos() }
func (x *Match) Pos() Pos  { return x.X.Pos() }
func (x *In) Pos() Pos     { return x.X.Pos() }
func (x *Call) Pos() Pos   { return x.NamePos }
func (x *Paren) Pos() Pos  { return x.Lparen }

// End implementations.

func (x *Null) End() Pos { return x.ValuePos + 4 }
func (x *Bool) End() Pos {
	if x.Value {
		return x.ValuePos + 4
	}
	return x.ValuePos + 5
}
func (x *Int) End() Pos    { return x.EndPos }
func (x *Float) End() Pos  { return x.EndPos }
func (x *String) End() Pos { return x.EndPos }
func (x *Field) End() Pos  { return x.EndPos }
func (x *Unary) End() Pos  { return x.X.End() }
func (x *Binary) End() Pos { return x.Y.End() }
func (x *Match) End() Pos  { return x.EndPos }
func (x *In) End() Pos     { return x.EndPos }
func (x *Call) End() Pos   { return x.EndPos }
func (x *Paren) End() Pos  { return x.Rparen + 1 }

func (*Null) exprNode()   {}
func (*Bool) exprNode()   {}
func (*Int) exprNode()    {}
func (*Float) exprNode()  {}
func (*String) exprNode() {}
func (*Field) exprNode()  {}
func (*Unary) exprNode()  {}
func (*Binary) exprNode() {}
func (*Match) exprNode()  {}
func (*In) exprNode()     {}
func (*Call) exprNode()   {}
func (*Paren) exprNode()  {}

// Unparen strips any number of enclosing parentheses.
func Unparen(e Expr) Expr {
	for {
		p, ok := e.(*Paren)
		if !ok {
			return e
		}
		e = p.X
	}
}

// Walk calls f for n and then, if f returns true, for each child of n in
// source order. Stages, the until stage and join keys are visited as well.
func Walk(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	walkList := func(l []Expr) {
		for _, e := range l {
			Walk(e, f)
		}
	}
	switch x := n.(type) {
	case *Query:
		Walk(x.Body, f)
		for _, p := range x.Pipes {
			Walk(p, f)
		}
	case *EventQuery:
		Walk(x.Cond, f)
	case *Stage:
		Walk(x.Query, f)
		walkList(x.By)
	case *SequenceQuery:
		walkList(x.By)
		if x.MaxSpan != nil {
			Walk(x.MaxSpan, f)
		}
		for _, s := range x.Stages {
			Walk(s, f)
		}
		if x.Until != nil {
			Walk(x.Until, f)
		}
	case *SampleQuery:
		walkList(x.By)
		for _, s := range x.Stages {
			Walk(s, f)
		}
	case *Unary:
		Walk(x.X, f)
	case *Binary:
		Walk(x.X, f)
		Walk(x.Y, f)
	case *Match:
		Walk(x.X, f)
		walkList(x.Patterns)
	case *In:
		Walk(x.X, f)
		walkList(x.List)
	case *Call:
		walkList(x.Args)
	case *Paren:
		Walk(x.X, f)
	}
}

// Position is a human-readable location: 1-based line and column (in
// bytes) within the query text.
type Position struct {
	Offset int
	Line   int
	Column int
}

func (p Position) String() string {
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// PositionFor converts a byte offset in src into a line and column.
func PositionFor(src string, pos Pos) Position {
	off := int(pos)
	if off < 0 {
		off = 0
	}
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - (strings.LastIndexByte(src[:off], '\n') + 1) + 1
	return Position{Offset: off, Line: line, Column: col}
}
