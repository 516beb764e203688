package parser

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql/ast"
)

// Precedence levels of printed expressions, for the generator below.
const (
	lvOr = iota + 1
	lvAnd
	lvNot
	lvCmp
	lvAdd
	lvMul
	lvUnary
	lvPostfix
	lvPrimary
)

// treeGen builds random expression trees that the printer can write
// without losing their shape: wherever a child binds more loosely than
// its position allows, it is wrapped in a Paren, as a user would have to.
type treeGen struct{ r *rand.Rand }

var (
	genFields = []string{"a", "process.name", "@timestamp", "sequence", "a b", "x`y", "é", "a.b-c", "AND", "1abc", "runs", "a..b", "`", "where.in"}
	genNames  = []string{"f", "length", "startsWith", "CONCAT", "x_1"}
	genText   = []string{"", "a", `"`, `\`, "\n\r\t", "\b\f\x00\x1f\x7f", "é€😀", "\u2028", "*?", "`", "'", "\"\"\"", "a\\u{41}"}
	genFloats = []string{"1.5", ".5", "1e3", "1.", "2E-3", "0.0", "123456789012345678901234567890"}
)

func (g treeGen) pick(l []string) string { return l[g.r.IntN(len(l))] }

// expr returns a tree whose printed form needs no parentheses at a
// position that requires level min or higher.
func (g treeGen) expr(depth, min int) ast.Expr {
	x, lv := g.node(depth)
	if lv < min {
		return &ast.Paren{X: x}
	}
	return x
}

func (g treeGen) list(depth, n int) []ast.Expr {
	l := make([]ast.Expr, 1+g.r.IntN(n))
	for i := range l {
		l[i] = g.expr(depth, lvOr)
	}
	return l
}

func (g treeGen) literal() ast.Expr {
	switch g.r.IntN(6) {
	case 0:
		return &ast.Null{}
	case 1:
		return &ast.Bool{Value: g.r.IntN(2) == 0}
	case 2:
		return &ast.Int{Value: g.r.Int64N(1 << 62)}
	case 3:
		return &ast.Float{Text: g.pick(genFloats)}
	}
	var b strings.Builder
	for range g.r.IntN(3) {
		b.WriteString(g.pick(genText))
	}
	return &ast.String{Value: b.String()}
}

// node returns a random tree and the level its printed form binds at.
func (g treeGen) node(depth int) (ast.Expr, int) {
	if depth <= 0 {
		if g.r.IntN(2) == 0 {
			return g.literal(), lvPrimary
		}
		return &ast.Field{Name: g.pick(genFields), Optional: g.r.IntN(3) == 0}, lvPrimary
	}
	d := depth - 1
	switch g.r.IntN(9) {
	case 0, 1:
		ops := []struct {
			op ast.BinaryOp
			lv int
		}{{ast.Or, lvOr}, {ast.And, lvAnd}, {ast.Eq, lvCmp}, {ast.Lt, lvCmp}, {ast.Ge, lvCmp}, {ast.Neq, lvCmp},
			{ast.Add, lvAdd}, {ast.Sub, lvAdd}, {ast.Mul, lvMul}, {ast.Div, lvMul}, {ast.Mod, lvMul}}
		o := ops[g.r.IntN(len(ops))]
		left := o.lv
		if o.lv == lvCmp {
			left++ // comparisons do not chain
		}
		return &ast.Binary{Op: o.op, X: g.expr(d, left), Y: g.expr(d, o.lv+1)}, o.lv
	case 2:
		return &ast.Unary{Op: ast.Not, X: g.expr(d, lvNot)}, lvNot
	case 3:
		op := ast.Neg
		if g.r.IntN(2) == 0 {
			op = ast.Plus
		}
		return &ast.Unary{Op: op, X: g.expr(d, lvUnary)}, lvUnary
	case 4:
		return &ast.In{X: g.expr(d, lvPrimary), Not: g.r.IntN(2) == 0, CaseInsensitive: g.r.IntN(2) == 0, List: g.list(d, 3)}, lvPostfix
	case 5:
		m := &ast.Match{Op: ast.MatchOp(g.r.IntN(5)), X: g.expr(d, lvPrimary), List: g.r.IntN(2) == 0}
		n := 1
		if m.List {
			n += g.r.IntN(3)
		}
		for range n {
			m.Patterns = append(m.Patterns, g.literal())
		}
		return m, lvPostfix
	case 6:
		c := &ast.Call{Name: g.pick(genNames), CaseInsensitive: g.r.IntN(2) == 0}
		if g.r.IntN(4) > 0 {
			c.Args = g.list(d, 3)
		}
		return c, lvPrimary
	case 7:
		return &ast.Paren{X: g.expr(d, lvOr)}, lvPrimary
	}
	return g.node(0)
}

// TestRandomTrees prints random trees and checks that the parser reads
// back the same shape: the printer's escaping and the parser's
// precedence agree on every construct.
func TestRandomTrees(t *testing.T) {
	g := treeGen{rand.New(rand.NewPCG(1, 2))}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for i := range n {
		tree := g.expr(1+i%6, lvOr)
		printed := tree.String()
		back, err := ParseExpr(printed)
		if err != nil {
			t.Fatalf("printed tree does not parse: %v\ntree: %s\nprinted: %s", err, sexpr(tree), printed)
		}
		if got, want := sexpr(back), sexpr(tree); got != want {
			t.Fatalf("printed tree parses to another shape\nprinted: %s\n    got: %s\n   want: %s", printed, got, want)
		}
		// The whole-query printer quotes categories the same way.
		q := &ast.Query{Body: &ast.EventQuery{Category: g.pick(genFields), Quoted: g.r.IntN(2) == 0, Cond: tree}}
		if _, err := ParseQuery(q.String()); err != nil {
			t.Fatalf("printed query does not parse: %v\nprinted: %s", err, q)
		}
	}
}
