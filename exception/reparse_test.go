package exception

import (
	"testing"

	"github.com/eqld/eqld/eql/ast"
	"github.com/eqld/eqld/eql/parser"
)

// checkReparse asserts that the printed filter is valid EQL that prints back
// to the same text, i.e. that the tree was built with the parentheses the
// printer needs.
func checkReparse(t *testing.T, x ast.Expr) {
	t.Helper()
	text := x.String()
	y, err := parser.ParseExpr(text)
	if err != nil {
		t.Fatalf("printed filter does not parse: %v\n%s", err, text)
	}
	if got := y.String(); got != text {
		t.Errorf("filter changes when re-parsed:\nprinted  %s\nreparsed %s", text, got)
	}
}
