package parser

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql/ast"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// sexpr prints an expression fully bracketed, so that tests can check the
// tree's shape and not only its printed text.
func sexpr(e ast.Expr) string {
	list := func(l []ast.Expr) string {
		s := make([]string, len(l))
		for i, x := range l {
			s[i] = sexpr(x)
		}
		return strings.Join(s, " ")
	}
	switch x := e.(type) {
	case *ast.Binary:
		return "(" + x.Op.String() + " " + sexpr(x.X) + " " + sexpr(x.Y) + ")"
	case *ast.Unary:
		op := map[ast.UnaryOp]string{ast.Not: "not", ast.Neg: "neg", ast.Plus: "pos"}[x.Op]
		return "(" + op + " " + sexpr(x.X) + ")"
	case *ast.Match:
		pats := list(x.Patterns)
		if x.List {
			pats = "[" + pats + "]"
		}
		return "(" + x.Op.String() + " " + sexpr(x.X) + " " + pats + ")"
	case *ast.In:
		op := "in"
		if x.Not {
			op = "not-in"
		}
		if x.CaseInsensitive {
			op += "~"
		}
		return "(" + op + " " + sexpr(x.X) + " " + list(x.List) + ")"
	case *ast.Call:
		name := x.Name
		if x.CaseInsensitive {
			name += "~"
		}
		if len(x.Args) == 0 {
			return "(call " + name + ")"
		}
		return "(call " + name + " " + list(x.Args) + ")"
	case *ast.Paren:
		return "(paren " + sexpr(x.X) + ")"
	case *ast.Float:
		return "float:" + x.Text
	case *ast.String:
		if x.Raw {
			return "raw:" + x.String()
		}
	case *ast.Field:
		s := "f:" + x.Name
		if x.Optional {
			s = "?" + s
		}
		return s
	}
	return e.String()
}

func TestParseExprShape(t *testing.T) {
	tests := []struct{ src, want string }{
		// Literals.
		{`null`, `null`},
		{`true`, `true`},
		{`false`, `false`},
		{`42`, `42`},
		{`007`, `7`},
		{`1.5`, `float:1.5`},
		{`.5e3`, `float:.5e3`},
		{`9223372036854775807`, `9223372036854775807`},
		{`9223372036854775808`, `float:9223372036854775808`}, // too big for a long: a double
		{`"a\tb"`, `"a\tb"`},
		{`"""C:\Windows\"""`, `raw:"C:\\Windows\\"`},
		// Fields.
		{`process.name`, `f:process.name`},
		{`@timestamp`, `f:@timestamp`},
		{"`my-field`.x", `f:my-field.x`},
		{"a.`b.c`.`d``e`", "f:a.b.c.d`e"},
		{"?process . name", `?f:process.name`},
		{"?`x y`", `?f:x y`},
		{"`sequence`", `f:sequence`},
		{"runs", `f:runs`}, // runs is an option name, not a keyword
		{"AND", `f:AND`},   // keywords are lower case
		// Calls: any name is accepted; names are resolved later.
		{`length(x)`, `(call length f:x)`},
		{`f()`, `(call f)`},
		{`startsWith~(a, "b")`, `(call startsWith~ f:a "b")`},
		{`sequence~(a)`, `(call sequence~ f:a)`},
		{`CONCAT (a, 1, f(g(2)))`, `(call CONCAT f:a 1 (call f (call g 2)))`},
		// Boolean precedence: not > and > or.
		{`a or b and c`, `(or f:a (and f:b f:c))`},
		{`a and b or c and d`, `(or (and f:a f:b) (and f:c f:d))`},
		{`a or b or c`, `(or (or f:a f:b) f:c)`},
		{`not a and b`, `(and (not f:a) f:b)`},
		{`not a == b`, `(not (== f:a f:b))`},
		{`not not a`, `(not (not f:a))`},
		{`a and not b or c`, `(or (and f:a (not f:b)) f:c)`},
		{`not (a or b)`, `(not (paren (or f:a f:b)))`},
		// Comparison below arithmetic; * over +; left associativity.
		{`a + 1 == b * 2`, `(== (+ f:a 1) (* f:b 2))`},
		{`a - b - c`, `(- (- f:a f:b) f:c)`},
		{`a + b * c % d / e`, `(+ f:a (/ (% (* f:b f:c) f:d) f:e))`},
		{`a < b and c >= d`, `(and (< f:a f:b) (>= f:c f:d))`},
		{`(a < b) == true`, `(== (paren (< f:a f:b)) true)`},
		// Unary minus binds tightest.
		{`-1`, `(neg 1)`},
		{`- -a`, `(neg (neg f:a))`},
		{`-a * b`, `(* (neg f:a) f:b)`},
		{`+a - -b`, `(- (pos f:a) (neg f:b))`},
		{`-9223372036854775808`, `(neg float:9223372036854775808)`},
		// Predicates follow one primary, as in EqlBase.g4
		// (operatorExpression: primaryExpression predicate?).
		{`a in (1, 2)`, `(in f:a 1 2)`},
		{`a not in ("x")`, `(not-in f:a "x")`},
		{`a in~ ("x", b)`, `(in~ f:a "x" f:b)`},
		{`a not in~ ("x")`, `(not-in~ f:a "x")`},
		{`not a in (1)`, `(not (in f:a 1))`},
		{`a + b in (1)`, `(+ f:a (in f:b 1))`},
		{`-a : "x"`, `(neg (: f:a "x"))`},
		{`a == b in (1)`, `(== f:a (in f:b 1))`},
		{`(a + b) in (1)`, `(in (paren (+ f:a f:b)) 1)`},
		{`a : "x*"`, `(: f:a "x*")`},
		{`a : ("x", "y")`, `(: f:a ["x" "y"])`},
		{`a : ("x")`, `(: f:a ["x"])`},
		{`a like "x"`, `(like f:a "x")`},
		{`a like~ ("x", """y""")`, `(like~ f:a ["x" raw:"y"])`},
		{`a regex ".*"`, `(regex f:a ".*")`},
		{`a regex~ (".*", "b")`, `(regex~ f:a [".*" "b"])`},
		{`length(a) : 1`, `(: (call length f:a) 1)`},
		{`a in (b in (1), not c)`, `(in f:a (in f:b 1) (not f:c))`},
		{`a : null`, `(: f:a null)`}, // constants are accepted; types are checked later
		// Comments and layout.
		{"a /* x */ == // y\n 1", `(== f:a 1)`},
	}
	for _, tt := range tests {
		x, err := ParseExpr(tt.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tt.src, err)
			continue
		}
		if got := sexpr(x); got != tt.want {
			t.Errorf("ParseExpr(%q)\n got: %s\nwant: %s", tt.src, got, tt.want)
		}
		checkRoundTripExpr(t, tt.src, x)
		checkPositions(t, tt.src, tt.src, x)
	}
}

// validQueries are whole queries and their printed form.
var validQueries = []struct{ src, want string }{
	{`process where true`, `process where true`},
	{`any where true`, `any where true`},
	{`"network-flow" where x`, `"network-flow" where x`},
	{`"""my category""" where x`, `"my category" where x`},
	{`"process" where x`, `"process" where x`},
	{`Sequence where x`, `"Sequence" where x`}, // keywords are lower case; the printer quotes to be safe
	{"process\twhere\n  x  ==  1 | head 5 |tail 2", `process where x == 1 | head 5 | tail 2`},
	{`process where true | head 1 | head 2 | tail 3`, `process where true | head 1 | head 2 | tail 3`},
	{`sequence [a where x] [b where y]`, `sequence [a where x] [b where y]`},
	{`sequence by h [a where x] [b where y]`, `sequence by h [a where x] [b where y]`},
	{`sequence by h, u with maxspan=30s [a where x] by p [b where y] by q`, `sequence by h, u with maxspan=30s [a where x] by p [b where y] by q`},
	{`sequence with maxspan = 5 m [a where x] [b where y]`, `sequence with maxspan=5m [a where x] [b where y]`},
	{`sequence with maxspan=500ms [a where x] [b where y]`, `sequence with maxspan=500ms [a where x] [b where y]`},
	{`sequence with maxspan=100000d [a where x] [b where y]`, `sequence with maxspan=100000d [a where x] [b where y]`},
	{`sequence [a where x] with runs=2`, `sequence [a where x] with runs=2`},
	{`sequence [a where x] by k with runs=100 [b where y] by k`, `sequence [a where x] by k with runs=100 [b where y] by k`},
	{`sequence [a where x] with runs=1 [b where y]`, `sequence [a where x] with runs=1 [b where y]`},
	{`sequence [a where x] [b where y] until [c where z]`, `sequence [a where x] [b where y] until [c where z]`},
	{`sequence [a where x] by k [b where y] by k until [c where z] by k | tail 1`, `sequence [a where x] by k [b where y] by k until [c where z] by k | tail 1`},
	{`sequence with maxspan=1s [a where x] ![b where y]`, `sequence with maxspan=1s [a where x] ![b where y]`},
	{`sequence with maxspan=1s ![a where x] [b where y] ![c where z] with runs=2`, `sequence with maxspan=1s ![a where x] [b where y] ![c where z] with runs=2`},
	{`sequence by ?x [a where true] by ?y [b where true] by ?z`, `sequence by ?x [a where true] by ?y [b where true] by ?z`},
	{`sample by h [a where x] [b where y]`, `sample by h [a where x] [b where y]`},
	{`sample [a where x] by p [b where y] by q [c where z] by r`, `sample [a where x] by p [b where y] by q [c where z] by r`},
	{"sequence by `host id` [any where `event.kind` == \"x\"] [\"a b\" where y]", "sequence by `host id` [any where event.kind == \"x\"] [\"a b\" where y]"},
	{`process where "\u{00}\u{7F}\b" == x`, `process where "\u{00}\u{7f}\u{08}" == x`},
	{`process where """a"b\c""" == x`, `process where "a\"b\\c" == x`},
	{`file where runs == 1 and maxspan_x == 2`, "file where `runs` == 1 and maxspan_x == 2"}, // the printer escapes runs to be safe
	{"// leading comment\nprocess where /* inline */ true // trailing", `process where true`},
}

func TestParseQuery(t *testing.T) {
	for _, tt := range validQueries {
		q, err := ParseQuery(tt.src)
		if err != nil {
			t.Errorf("ParseQuery(%q): %v", tt.src, err)
			continue
		}
		if got := q.String(); got != tt.want {
			t.Errorf("ParseQuery(%q)\n got: %s\nwant: %s", tt.src, got, tt.want)
		}
		checkParsesAndRoundTrips(t, corpusQuery{Name: tt.src, Query: tt.src})
	}
}

func checkRoundTripExpr(t *testing.T, src string, x ast.Expr) {
	t.Helper()
	printed := x.String()
	again, err := ParseExpr(printed)
	if err != nil {
		t.Errorf("%q: printed form %q does not parse: %v", src, printed, err)
		return
	}
	// The printer writes raw strings as ordinary ones; the shape must stay.
	if strings.ReplaceAll(sexpr(again), "raw:", "") != strings.ReplaceAll(sexpr(x), "raw:", "") {
		t.Errorf("%q: printed form %q parses to %s, want %s", src, printed, sexpr(again), sexpr(x))
	}
}

// TestPositions checks the exact span of selected nodes.
func TestPositions(t *testing.T) {
	const src = "sequence by h with maxspan=5m\n" + //   0..29
		"  [process where ?a.b : (\"x\", \"y\")] by k with runs=2\n" + //  30..82
		"  ![file where not f(1) in (2)] by k\n" + //  83..119
		"until [any where -x] by k | head 3" // 120..153
	q, err := ParseQuery(src)
	if err != nil {
		t.Fatal(err)
	}
	type span struct{ Pos, End ast.Pos }
	got := map[string]span{}
	ast.Walk(q, func(n ast.Node) bool {
		got[fmt.Sprintf("%T %s", n, n)] = span{n.Pos(), n.End()}
		return true
	})
	want := map[string]span{
		"*ast.Field h":     {12, 13},
		"*ast.Duration 5m": {27, 29},
		"*ast.Stage [process where ?a.b : (\"x\", \"y\")] by k with runs=2": {32, 82},
		"*ast.EventQuery process where ?a.b : (\"x\", \"y\")":               {33, 64},
		"*ast.Field ?a.b":                               {47, 51},
		"*ast.Match ?a.b : (\"x\", \"y\")":              {47, 64},
		"*ast.String \"y\"":                             {60, 63},
		"*ast.Stage ![file where not f(1) in (2)] by k": {85, 119},
		"*ast.Unary not f(1) in (2)":                    {98, 113},
		"*ast.In f(1) in (2)":                           {102, 113},
		"*ast.Call f(1)":                                {102, 106},
		"*ast.Int 1":                                    {104, 105},
		"*ast.Stage [any where -x] by k":                {126, 145},
		"*ast.Unary -x":                                 {137, 139},
		"*ast.Pipe | head 3":                            {146, 154},
	}
	for k, w := range want {
		if g, ok := got[k]; !ok {
			t.Errorf("no node %s", k)
		} else if g != w {
			t.Errorf("%s: span %v, want %v (text %q)", k, g, w, src[max(g.Pos, 0):max(g.End, 0)])
		}
	}
	seq := q.Body.(*ast.SequenceQuery)
	if st := seq.Stages[0]; st.Lbrack != 32 || st.Rbrack != 64 || st.ByPos != 66 || st.RunsPos != 81 || st.Bang != ast.NoPos {
		t.Errorf("first stage: [ %d ] %d by %d runs %d bang %d", st.Lbrack, st.Rbrack, st.ByPos, st.RunsPos, st.Bang)
	}
	if st := seq.Stages[1]; st.Bang != 85 || st.Lbrack != 86 || st.Rbrack != 113 || st.RunsPos != ast.NoPos {
		t.Errorf("missing stage: bang %d [ %d ] %d runs %d", st.Bang, st.Lbrack, st.Rbrack, st.RunsPos)
	}
	if eq := seq.Stages[0].Query; eq.CategoryPos != 33 || eq.CategoryEnd != 40 || eq.Where != 41 {
		t.Errorf("event query: category [%d,%d) where %d", eq.CategoryPos, eq.CategoryEnd, eq.Where)
	}
	if seq.Sequence != 0 || q.End() != 154 {
		t.Errorf("query span [%d,%d)", seq.Sequence, q.End())
	}
	checkPositions(t, "TestPositions", src, q)
}

// invalidQueries are queries with the errors they must produce, each as
// line:col: message. testdata/errors.golden holds the full rendering.
var invalidQueries = []struct{ src, want string }{
	// Query shape.
	{``, "1:1: expected a query: an event category or `any` followed by `where`, or `sequence` or `sample`, found end of query"},
	{`process`, "1:8: expected `where` after the event category `process`, found end of query; an event query reads `<category> where <condition>`"},
	{`process.name == "x"`, "1:8: expected `where` after the event category `process`, found `.`; an event query reads `<category> where <condition>`"},
	{`where x`, "1:1: expected an event category or `any` before `where`, as in `process where …`"},
	{`until where x`, "1:1: `until` is a keyword; write the event category as a string: \"until\" where …"},
	{"`my-cat` where x", "1:1: an event category is written as a name or a string, not in backquotes: write \"my-cat\""},
	{`process where`, "1:14: expected an expression, found end of query"},
	{`process where x == 1 y == 2`, "1:22: expected `and`, `or`, `|` or end of query after the condition, found `y`"},
	{`process where x == 1]`, "1:21: expected `and`, `or`, `|` or end of query after the condition, found `]`"},
	{"process where x ==\n\n", "1:19: expected an expression, found end of query"},
	// Unsupported Endgame syntax.
	{`join [a where x] [b where y]`, "1:1: `join` queries are not supported by Elasticsearch EQL; use `sequence` for events in order or `sample` for events in any order"},
	{`process where child of [process where true]`, "1:15: lineage queries such as `child of [ … ]` are not supported by Elasticsearch EQL"},
	{`network where descendant of [process where x]`, "1:15: lineage queries such as `descendant of [ … ]` are not supported by Elasticsearch EQL"},
	{`process where x[0] == 1`, "1:16: array indexes such as `[0]` are not supported by Elasticsearch EQL"},
	{`process where x == 'a'`, "1:20: strings are written in double quotes in EQL: use \"a\" instead of 'a'"},
	{`process where x == ?"C:\a"`, "1:20: `?\"…\"` raw strings are not supported by Elasticsearch EQL; write raw strings in triple double quotes: \"\"\"C:\\a\"\"\""},
	{`process where x = 1`, "1:17: `=` is not a comparison operator in EQL: use `==`"},
	{`process where x == 1 && y`, "1:22: `&&` is not an EQL operator: use `and`"},
	{`process where !x`, "1:15: `!` is not an EQL operator: use `not` to negate a condition, `!=` for inequality and `![` for a missing-event stage"},
	{`process where x <> 1`, "1:17: `<>` is not an EQL operator: use `!=`"},
	{`process where true | filter x == 1`, "1:22: pipe `filter` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`"},
	{`process where true | unique a, b | count | head 0 | sort x`, "1:22: pipe `unique` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`\n" +
		"1:36: pipe `count` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`\n" +
		"1:49: `head` needs a positive whole number, found `0`\n" +
		"1:53: pipe `sort` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`"},
	{`process where true | unique_count x`, "1:22: pipe `unique_count` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`"},
	{`process where true | head`, "1:26: `head` needs a positive whole number, as in `| head 10`, found end of query"},
	{`process where true | tail -1`, "1:27: `tail` needs a positive whole number, as in `| tail 10`, found `-`"},
	{`process where true | head 1.5`, "1:27: `head` needs a positive whole number, as in `| head 10`, found `1.5`"},
	{`process where true | head 5, 6`, "1:28: `head` takes exactly one number"},
	{`process where true | head 5 x`, "1:29: expected `|` or end of query after `| head 5`, found `x`"},
	{`process where true | HEAD 5`, "1:22: pipe `HEAD` is not supported by Elasticsearch EQL; the only pipes are `head` and `tail`"},
	{`process where true |`, "1:21: expected a pipe name after `|`: `head` or `tail`, found end of query"},
	{`sequence [a where x] [b where y] fork`, "1:34: `fork` is not supported by Elasticsearch EQL"},
	// Expressions.
	{`process where a < b < c`, "1:21: comparisons cannot be chained: `<` follows another comparison; join them with `and`, as in `a < b and b < c`"},
	{`process where a == b != c`, "1:22: comparisons cannot be chained: `!=` follows another comparison; join them with `and`, as in `a < b and b < c`"},
	{`process where a == not b`, "1:20: `not` cannot start an operand of a comparison or arithmetic; wrap the negated condition in parentheses, as in `(not x)`"},
	{`process where -not a`, "1:16: `not` cannot start an operand of a comparison or arithmetic; wrap the negated condition in parentheses, as in `(not x)`"},
	{`process where a not like "x"`, "1:17: `not like` is not EQL; negate the whole test instead, as in `not x like …`"},
	{`process where a not : "x"`, "1:17: `not :` is not EQL; negate the whole test instead, as in `not x : …`"},
	{`process where a in (1) in (2)`, "1:24: only one `in`, `:`, `like` or `regex` test can apply to a value; combine tests with `and` or `or`"},
	{`process where a : "x" like "y"`, "1:23: only one `in`, `:`, `like` or `regex` test can apply to a value; combine tests with `and` or `or`"},
	{`process where a in 1`, "1:20: expected `(` after `in`: the values go in parentheses, as in `x in (\"a\", \"b\")`, found `1`"},
	{`process where a in ()`, "1:21: the list after `in` is empty; it needs at least one value"},
	{`process where a in~ (1, 2`, "1:26: expected `,` or `)` in the list after `in~`, found end of query"},
	{`process where a in (1, )`, "1:24: expected an expression, found `)`"},
	{`process where a : b`, "1:19: expected a literal pattern after `:`, such as a string, found `b`"},
	{`process where a like ("x", b)`, "1:28: expected a literal pattern after `like`, such as a string, found `b`"},
	{`process where a regex ("x" "y")`, "1:28: expected `,` or `)` in the list of patterns after `regex`, found string \"y\""},
	{`process where a : -1`, "1:19: expected a literal pattern after `:`, such as a string, found `-`"},
	{`process where (a or b`, "1:22: expected `)` to close the `(` at 1:15, found end of query"},
	{"process where (a or\n  b\n  and c", "3:8: expected `)` to close the `(` at 1:15, found end of query"},
	{`process where f(a b)`, "1:19: expected `,` or `)` in the arguments of `f`, found `b`"},
	{`process where startsWith~ x`, "1:27: expected `(` after the function name `startsWith~`, found `x`"},
	{`process where ?`, "1:16: expected a field name after `?`, found end of query"},
	{`process where ?"x"`, "1:15: `?\"…\"` raw strings are not supported by Elasticsearch EQL; write raw strings in triple double quotes: \"\"\"x\"\"\""},
	{`process where a.`, "1:17: expected a field name after `.`, found end of query"},
	{`process where a.in == 1`, "1:17: expected a field name after `.`, found `in`, which is a keyword; to use it in a field name, write it between backquotes"},
	{`process where a.1b == 1`, "1:17: a part of a field name cannot start with a digit unless it is written between backquotes"},
	{`process where sequence == 1`, "1:15: expected an expression, found `sequence`, which is a keyword; to use it as a field name, write it between backquotes"},
	{`process where and`, "1:15: expected an expression, found `and`"},
	{`process where x == "a\qb" and y == "\u{D800}"`, "1:22: unknown escape sequence `\\q` in string; the escapes are \\\" \\\\ \\' \\n \\r \\t \\b \\f and \\u{hex}, and a literal backslash is written \\\\\n" +
		"1:37: `\\u{D800}` is a UTF-16 surrogate, not a character; write the code point itself"},
	{"process where x == \"abc\ndef\"", "1:20: string not terminated: `\"` must be closed by `\"` on the same line"},
	{`process where x == """abc`, "1:20: raw string not terminated: `\"\"\"` must be closed by `\"\"\"` on the same line"},
	{"process where `a", "1:15: field name not terminated: the opening ` has no closing `"},
	{"process where `` == 1", "1:15: empty field name ``"},
	{`process where x == 1 /* open`, "1:22: comment not terminated: `/*` has no matching `*/`"},
	{`process where x == 1e999`, "1:20: the number `1e999` is too large"},
	{`process where é`, "1:15: unexpected character `é` (U+00E9); field names with characters other than ASCII letters, digits, _ and @ must be written between backquotes, as in `é`"},
	{`process where x in ~ (1)`, "1:20: `~` must directly follow `in`, `like`, `regex` or a function name, as in `in~` or `startsWith~(…)`"},
	// Sequences.
	{`sequence`, "1:9: expected `[` to start the first stage of the sequence, found end of query"},
	{`sequence [a where x]`, "1:1: a sequence needs at least two stages, found one; add a stage or repeat it with `with runs=N`"},
	{`sequence [process where x == 1 where`, "1:32: expected `]` to close the stage, found `where`"},
	{"sequence\n  [process where x == 1\n  [file where true]", "3:3: expected `]` to close the stage opened at 2:3, found `[`"},
	{`sequence [ where x] [b where y]`, "1:12: expected an event category or `any` before `where`, as in `process where …`"},
	{`sequence [] [b where y]`, "1:11: expected an event category or `any` after `[`, as in `[process where …]`, found `]`"},
	{`sequence with maxspan=5m by h [a where x] [b where y]`, "1:26: the sequence's `by` keys must come before `with maxspan`, as in `sequence by host.id with maxspan=5m`"},
	{`sequence by h with maxspan=5m by u [a where x] [b where y]`, "1:31: expected `[` to start the first stage of the sequence, found `by`"},
	{`sequence with maxspan=5 [a where x] [b where y]`, "1:23: `maxspan` needs a time unit: did you mean `maxspan=5s`? The units are ms, s, m, h and d"},
	{`sequence with maxspan=0.5s [a where x] [b where y]`, "1:23: `maxspan` must be a whole number of time units, found `0.5`; use a smaller unit instead, as in `500ms` for half a second"},
	{`sequence with maxspan=5sec [a where x] [b where y]`, "1:24: unknown time unit `sec` in `maxspan`; the units are ms, s, m, h and d"},
	{`sequence with maxspan=5M [a where x] [b where y]`, "1:24: unknown time unit `M` in `maxspan`; the units are ms, s, m, h and d"},
	{`sequence with maxspan=99999999999999999999s [a where x] [b where y]`, "1:23: the `maxspan` value `99999999999999999999` is too large"},
	{`sequence with maxspan=-5s [a where x] [b where y]`, "1:23: expected a time span after `maxspan=`, as in `maxspan=5m`, found `-`"},
	{`sequence with maxspan 5s [a where x] [b where y]`, "1:23: expected `=` after `maxspan`, found `5`"},
	{`sequence with runs=2 [a where x] [b where y]`, "1:15: `with runs=N` goes after a stage, as in `[process where …] with runs=3`; after `sequence` only `with maxspan=…` is allowed"},
	{`sequence with [a where x] [b where y]`, "1:15: expected `maxspan` after `with`, found `[`"},
	{`sequence [a where x] with runs=0 [b where y]`, "1:32: `runs` must be a whole number from 1 to 100, found `0`"},
	{`sequence [a where x] with runs=101`, "1:32: `runs` must be a whole number from 1 to 100, found `101`"},
	{`sequence [a where x] with runs=2.5`, "1:32: `runs` must be a whole number from 1 to 100, found `2.5`"},
	{`sequence [a where x] with runs=x`, "1:32: expected a number after `runs=`, as in `with runs=3`, found `x`"},
	{`sequence [a where x] with repeat=2`, "1:27: unknown stage option `repeat`; the only option on a stage is `runs`, as in `with runs=3`"},
	{`sequence [a where x] with runs 2`, "1:32: expected `=` after `runs`, found `2`"},
	{`sequence [a where x] with maxspan=5m [b where y]`, "1:27: `maxspan` applies to the whole sequence: write `with maxspan=…` right after `sequence` (and its `by` keys), before the first stage"},
	{`sequence [a where x] with runs=2 by k`, "1:34: a stage's `by` keys must come before `with runs=N`"},
	{`sequence [a where x] by k [b where y]`, "1:27: this stage has no `by` keys but the first stage has 1; every stage must have the same number of `by` keys"},
	{`sequence [a where x] by k [b where y] by k, j until [c where z]`, "1:39: this stage has 2 `by` keys but the first stage has 1; every stage must have the same number of `by` keys\n" +
		"1:53: the `until` stage has no `by` keys but the first stage has 1; every stage must have the same number of `by` keys"},
	{`sequence [a where x] ![b where y]`, "1:22: a sequence with missing-event stages `![ … ]` needs a time window: add `with maxspan=…` after `sequence`"},
	{`sequence with maxspan=1m ![a where x] ![b where y]`, "1:1: a sequence needs at least one stage that is not a missing-event stage `![ … ]`"},
	{`sequence with maxspan=1m [a where x] [b where y] until ![c where z] with runs=2`, "1:56: the `until` stage cannot be a missing-event stage `![ … ]`\n" +
		"1:79: `with runs` is not allowed on the `until` stage"},
	{`sequence [a where x] [b where y] until`, "1:39: expected `[` after `until`, found end of query"},
	{`sequence [a where x] [b where y] until [c where z] [d where w]`, "1:52: expected `|` or end of query after the `until` stage, found `[`"},
	{`sequence [a where x] [b where y] by`, "1:36: expected an expression, found end of query"},
	{`sequence [a where x] [b where y] x`, "1:34: expected `[` to start another stage, `until`, `|` or end of query, found `x`"},
	// Samples.
	{`sample [a where x]`, "1:1: a sample needs at least two stages, found one"},
	{`sample by h [a where x] ![b where y]`, "1:25: missing-event stages `![ … ]` are only allowed in sequences, not in a `sample`"},
	{`sample by h [a where x] [b where y] | head 1`, "1:37: pipes are not supported after a `sample` query"},
	{`sample with maxspan=1m [a where x] [b where y]`, "1:8: `with maxspan` is not allowed in a `sample`; only sequences take a time window"},
	{`sample [a where x] with runs=2 [b where y]`, "1:20: `with` options are not allowed in a `sample`; `with runs=N` belongs to sequence stages"},
	{`sample [a where x] [b where y] until [c where z]`, "1:32: `until` is only allowed in sequences, not in a `sample`"},
	{`sample [a where x] by k [b where y]`, "1:25: this stage has no `by` keys but the first stage has 1; every stage must have the same number of `by` keys"},
	{`sample [a where x] [b where y] x`, "1:32: expected `[` to start another stage or end of query, found `x`"},
	// Input limits.
	{"process where \xff", "1:15: the query is not valid UTF-8: byte 0xFF cannot start a character here"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range invalidQueries {
		q, err := ParseQuery(tt.src)
		if err == nil {
			t.Errorf("ParseQuery(%q) = %s, want error:\n%s", tt.src, q, tt.want)
			continue
		}
		if q != nil {
			t.Errorf("ParseQuery(%q) returned a tree with its error", tt.src)
		}
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("ParseQuery(%q) error is %T, want ErrorList", tt.src, err)
		}
		if got := shortErrors(list); got != tt.want {
			t.Errorf("ParseQuery(%q) errors:\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
		checkErrorPositions(t, tt.src, list)
		if errors.Is(err, ErrInternal) {
			t.Errorf("ParseQuery(%q): internal error: %v", tt.src, err)
		}
	}
}

func shortErrors(l ErrorList) string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Short()
	}
	return strings.Join(s, "\n")
}

// checkErrorPositions checks that every error points into the query and
// that its line and column agree with its offset.
func checkErrorPositions(t *testing.T, src string, l ErrorList) {
	t.Helper()
	for _, e := range l {
		if e.Pos < 0 || int(e.Pos) > len(src) {
			t.Errorf("%q: error %q at offset %d, outside the query", src, e.Msg, e.Pos)
			continue
		}
		if want := ast.PositionFor(src, e.Pos); e.Position != want {
			t.Errorf("%q: error %q at %v, want %v", src, e.Msg, e.Position, want)
		}
	}
}

// TestErrorsGolden renders every invalid query's errors in full (with the
// source snippet) into testdata/errors.golden, so that the messages can be
// read the way a rule author sees them. Run with -update to rewrite it.
func TestErrorsGolden(t *testing.T) {
	var b strings.Builder
	for _, tt := range invalidQueries {
		_, err := ParseQuery(tt.src)
		fmt.Fprintf(&b, "=== %s\n%v\n\n", strings.ReplaceAll(tt.src, "\n", "\n... "), err)
	}
	golden := filepath.Join("testdata", "errors.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("errors differ from %s (-want +got); run go test -update if the change is intended:\n%s", golden, diff)
	}
}

func TestParseExprErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{``, "1:1: expected an expression, found end of expression"},
		{`a b`, "1:3: expected an operator or end of expression, found `b`"},
		{`a ==`, "1:5: expected an expression, found end of expression"},
		{`a | head 1`, "1:3: expected an operator or end of expression, found `|`"},
		{`process where a`, "1:9: expected an operator or end of expression, found `where`"},
	}
	for _, tt := range tests {
		_, err := ParseExpr(tt.src)
		var list ErrorList
		if !errors.As(err, &list) {
			t.Errorf("ParseExpr(%q) = %v, want an ErrorList", tt.src, err)
			continue
		}
		if got := shortErrors(list); got != tt.want {
			t.Errorf("ParseExpr(%q) errors:\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}

// TestErrorCap checks that parsing stops after ten errors.
func TestErrorCap(t *testing.T) {
	src := "process where " + strings.Repeat(`x == 'a' and `, 30) + "true"
	_, err := ParseQuery(src)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != maxErrors {
		t.Fatalf("got %d errors, want %d: %v", len(list), maxErrors, err)
	}
	for i := 1; i < len(list); i++ {
		if list[i].Pos <= list[i-1].Pos {
			t.Errorf("errors out of order: %s before %s", list[i-1].Short(), list[i].Short())
		}
	}
}

func TestLimits(t *testing.T) {
	// Too long.
	long := "process where x == \"" + strings.Repeat("a", MaxQueryLen) + "\""
	if _, err := ParseQuery(long); err == nil || !strings.Contains(err.Error(), "the query is too long") {
		t.Errorf("long query: %v", err)
	}
	// Nesting just within and just past the limit, for each construct.
	for _, c := range []struct{ open, close string }{
		{"(", ")"}, {"f(", ")"}, {"a in (", ")"}, {"not ", ""}, {"-", ""}, {"+", ""},
	} {
		ok := "process where " + strings.Repeat(c.open, MaxNesting) + "x" + strings.Repeat(c.close, MaxNesting)
		if _, err := ParseQuery(ok); err != nil {
			t.Errorf("%q nested %d deep: %.200v", c.open, MaxNesting, err)
		}
		deep := "process where " + strings.Repeat(c.open, MaxNesting+1) + "x" + strings.Repeat(c.close, MaxNesting+1)
		_, err := ParseQuery(deep)
		if err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("%q nested %d deep: %.200v", c.open, MaxNesting+1, err)
		}
	}
	// Long flat chains are not nesting: they parse, and print in linear time.
	chain := "process where " + strings.Repeat("a + ", 200000) + "a == 1"
	q, err := ParseQuery(chain)
	if err != nil {
		t.Fatalf("long chain: %.200v", err)
	}
	if got := q.String(); got != chain {
		t.Errorf("long chain printed differently")
	}
}

// TestInternalError checks that a panic inside the parser becomes an
// error wrapping ErrInternal rather than escaping.
func TestInternalError(t *testing.T) {
	var p parser
	p.run("process where x", "query", func() {
		p.next()
		var m map[string]int
		m["boom"]++ // a nil-map write panics
	})
	err := p.errs.Err()
	if err == nil || !errors.Is(err, ErrInternal) || !strings.Contains(err.Error(), "internal error") {
		t.Fatalf("got %v, want an internal error", err)
	}
}
