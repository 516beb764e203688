package parser

import (
	"errors"
	"strings"
	"testing"
)

// TestErrorRendering checks the full text of rendered errors: the caret
// sits under the offending spot whatever comes before it on the line.
func TestErrorRendering(t *testing.T) {
	long := strings.Repeat("a == 1 and ", 20)
	tests := []struct{ src, want string }{
		{
			"sequence [process where x == 1 where",
			"1:32: expected `]` to close the stage, found `where`\n" +
				"  | sequence [process where x == 1 where\n" +
				"  |                                ^",
		},
		// Tabs are kept in the padding so the caret lines up.
		{
			"process where\n\tx\t= 1",
			"2:4: `=` is not a comparison operator in EQL: use `==`\n" +
				"  | \tx\t= 1\n" +
				"  | \t \t^",
		},
		// Multi-byte characters count as one column of padding.
		{
			`process where "é€😀" == x y`,
			"1:32: expected `and`, `or`, `|` or end of query after the condition, found `y`\n" +
				"  | process where \"é€😀\" == x y\n" +
				"  | " + strings.Repeat(" ", 25) + "^",
		},
		// CRLF line ends are not shown.
		{
			"process where\r\n  x == ]\r\n",
			"2:8: expected an expression, found `]`\n" +
				"  |   x == ]\n" +
				"  |        ^",
		},
		// Long lines are cut around the caret.
		{
			"process where " + long + "x = 1 and " + long,
			"1:237: `=` is not a comparison operator in EQL: use `==`\n" +
				"  | …nd a == 1 and a == 1 and a == 1 and a == 1 and a == 1 and x = 1 and a == 1 and a == 1 and a == 1 and a == 1 and a == 1 a…\n" +
				"  | " + strings.Repeat(" ", snippetWidth+1) + "^",
		},
		// Nothing to show for an empty query.
		{"", "1:1: expected a query: an event category or `any` followed by `where`, or `sequence` or `sample`, found end of query"},
		// Long tokens are shortened in the message.
		{
			"process where x == 1 " + strings.Repeat("y", 50),
			"1:22: expected `and`, `or`, `|` or end of query after the condition, found `" + strings.Repeat("y", 40) + "…`\n" +
				"  | process where x == 1 " + strings.Repeat("y", 50) + "\n" +
				"  |                      ^",
		},
	}
	for _, tt := range tests {
		_, err := ParseQuery(tt.src)
		if err == nil {
			t.Errorf("ParseQuery(%q) succeeded", tt.src)
			continue
		}
		if got := err.Error(); got != tt.want {
			t.Errorf("ParseQuery(%q):\n got:\n%s\nwant:\n%s", tt.src, got, tt.want)
		}
	}
}

func TestErrorList(t *testing.T) {
	_, err := ParseQuery(`process where a == 'x' and b == 'y'`)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("want 2 errors, got %v", err)
	}
	if got, want := err.Error(), list[0].Error()+"\n"+list[1].Error(); got != want {
		t.Errorf("ErrorList.Error() = %q, want the errors joined by newlines %q", got, want)
	}
	var one *Error
	if !errors.As(err, &one) || one != list[0] {
		t.Errorf("errors.As(*Error) = %v, want the first error", one)
	}
	if errors.Is(err, ErrInternal) {
		t.Errorf("a query error must not be an internal error")
	}
	if ErrorList(nil).Err() != nil {
		t.Errorf("empty ErrorList.Err() must be nil")
	}
}
