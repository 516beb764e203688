package parser

import (
	"strings"
	"testing"

	"github.com/eqld/eqld/eql/ast"
)

// checkPositions checks the positions of every node of tree, parsed from
// src: each span lies within the query and within its parent's span, the
// punctuation positions point at the punctuation, and the source text of
// every expression and event query parses back to the same node.
func checkPositions(t *testing.T, name, src string, tree ast.Node) {
	t.Helper()
	checkNodePositions(t, name, src, tree, true)
}

// checkSpans is the cheap part of checkPositions: spans and punctuation
// only, without re-parsing each node's text (which is quadratic).
func checkSpans(t *testing.T, name, src string, tree ast.Node) {
	t.Helper()
	checkNodePositions(t, name, src, tree, false)
}

func checkNodePositions(t *testing.T, name, src string, tree ast.Node, reparse bool) {
	t.Helper()
	var stack []ast.Node
	var check func(n ast.Node)
	check = func(n ast.Node) {
		pos, end := n.Pos(), n.End()
		if pos < 0 || pos > end || int(end) > len(src) {
			t.Errorf("%s: %T %q has span [%d,%d) outside the query (length %d)", name, n, n.String(), pos, end, len(src))
			return
		}
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			if pos < parent.Pos() || end > parent.End() {
				t.Errorf("%s: %T %q at [%d,%d) is not inside its parent %T at [%d,%d)", name, n, n.String(), pos, end, parent, parent.Pos(), parent.End())
			}
		}
		text := src[pos:end]
		at := func(p ast.Pos, want string) {
			if p < 0 || !strings.HasPrefix(src[p:], want) {
				t.Errorf("%s: %T %q: expected %q at offset %d", name, n, n.String(), want, p)
			}
		}
		switch x := n.(type) {
		case ast.Expr:
			if !reparse {
				break
			}
			e, err := ParseExpr(text)
			if err != nil {
				t.Errorf("%s: source text %q of %T does not parse alone: %v", name, text, n, err)
			} else if e.String() != x.String() {
				t.Errorf("%s: source text %q of %T parses to %q, the node prints %q", name, text, n, e.String(), x.String())
			}
		case *ast.EventQuery:
			if reparse {
				q, err := ParseQuery(text)
				if err != nil || q.String() != x.String() {
					t.Errorf("%s: source text %q of the event query does not parse back to %q: %v", name, text, x.String(), err)
				}
			}
			at(x.Where, "where")
			if c := src[x.CategoryPos:x.CategoryEnd]; !strings.Contains(c, x.Category) && !x.Quoted {
				t.Errorf("%s: category span %q does not hold %q", name, c, x.Category)
			}
		case *ast.Stage:
			at(x.Lbrack, "[")
			at(x.Rbrack, "]")
			if x.Missing {
				at(x.Bang, "![")
			}
			if x.ByPos != ast.NoPos {
				at(x.ByPos, "by")
			}
			if x.RunsPos != ast.NoPos {
				at(x.RunsPos, x.String()[strings.LastIndex(x.String(), "=")+1:])
			}
		case *ast.SequenceQuery:
			at(x.Sequence, "sequence")
		case *ast.SampleQuery:
			at(x.Sample, "sample")
		case *ast.Duration, *ast.Pipe:
			if got := strings.Join(strings.Fields(text), ""); got != strings.ReplaceAll(x.String(), " ", "") {
				t.Errorf("%s: source text %q of %T does not match %q", name, text, n, x.String())
			}
		}
		stack = append(stack, n)
		children(n, check)
		stack = stack[:len(stack)-1]
	}
	check(tree)
}

// children calls f for each direct child of n.
func children(n ast.Node, f func(ast.Node)) {
	ast.Walk(n, func(c ast.Node) bool {
		if c == n {
			return true
		}
		f(c)
		return false
	})
}
