package parser

import (
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/eqld/eqld/eql/ast"
)

// ErrInternal is wrapped by the error returned when the parser itself
// failed (a recovered panic). It always means a bug in the parser, never a
// problem with the query; errors.Is(err, ErrInternal) detects it.
var ErrInternal = errors.New("internal parser error")

// Error is one problem found in a query.
//
// Error() renders it for a rule author: the line and column, the message,
// then the offending source line with a caret under the spot:
//
//	1:32: expected `]` to close the stage, found `where`
//	  | sequence [process where x == 1 where
//	  |                                ^
type Error struct {
	Pos      ast.Pos      // byte offset of the offending text in the query
	Position ast.Position // line and column of Pos (1-based, columns in bytes)
	Msg      string       // what is wrong, naming the construct
	Line     string       // the query line that contains Pos, for the snippet

	internal bool
}

// Error renders the error with its source snippet.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Position.String())
	b.WriteString(": ")
	b.WriteString(e.Msg)
	line, caret := snippet(e.Line, e.Position.Column)
	if strings.TrimSpace(line) != "" {
		b.WriteString("\n  | ")
		b.WriteString(line)
		b.WriteString("\n  | ")
		b.WriteString(caret)
		b.WriteString("^")
	}
	return b.String()
}

// Short renders the error on one line, without the snippet.
func (e *Error) Short() string { return e.Position.String() + ": " + e.Msg }

// Unwrap returns ErrInternal for an internal error, else nil.
func (e *Error) Unwrap() error {
	if e.internal {
		return ErrInternal
	}
	return nil
}

// snippetWidth is the number of characters shown on each side of the caret
// when a line is too long to show whole (long single-line rule queries).
const snippetWidth = 60

// snippet returns the line to show and the padding that puts a caret under
// column col (1-based, in bytes). Tabs are kept in the padding so the caret
// lines up whatever the tab width; other characters count as one column.
func snippet(line string, col int) (shown, pad string) {
	off := col - 1
	if off < 0 {
		off = 0
	}
	if off > len(line) {
		off = len(line)
	}
	for off > 0 && off < len(line) && !utf8.RuneStart(line[off]) {
		off--
	}
	before, after := line[:off], line[off:]
	if n := utf8.RuneCountInString(before); n > snippetWidth {
		// Keep the last snippetWidth characters before the caret.
		i := len(before)
		for k := 0; k < snippetWidth; k++ {
			_, size := utf8.DecodeLastRuneInString(before[:i])
			i -= size
		}
		before = "…" + before[i:]
	}
	if utf8.RuneCountInString(after) > snippetWidth {
		i := 0
		for k := 0; k < snippetWidth; k++ {
			_, size := utf8.DecodeRuneInString(after[i:])
			i += size
		}
		after = after[:i] + "…"
	}
	var p strings.Builder
	for _, r := range before {
		if r == '\t' {
			p.WriteByte('\t')
		} else {
			p.WriteByte(' ')
		}
	}
	return before + after, p.String()
}

// ErrorList is the list of errors found in a query, in source order. The
// parser reports at most ten: past that, later errors are mostly echoes of
// earlier ones.
type ErrorList []*Error

// Error joins the rendered errors, one after the other.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Unwrap returns the individual errors, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// sortAndDedup orders the errors by position and drops exact repeats. The
// sort is stable so that errors at one spot keep the order they were found.
func (l *ErrorList) sortAndDedup() {
	sort.SliceStable(*l, func(i, j int) bool { return (*l)[i].Pos < (*l)[j].Pos })
	out := (*l)[:0]
	for i, e := range *l {
		if i > 0 && e.Pos == out[len(out)-1].Pos && e.Msg == out[len(out)-1].Msg {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

// NewError builds an Error about the text at pos in the query src: it
// locates pos (clamped to the query) and cuts out its line for the
// snippet. Later passes, such as the checker, use it so that all errors
// about a query render alike.
func NewError(src string, pos ast.Pos, msg string) *Error {
	if pos < 0 {
		pos = 0
	}
	if int(pos) > len(src) {
		pos = ast.Pos(len(src))
	}
	position := ast.PositionFor(src, pos)
	start := int(pos) - (position.Column - 1)
	end := strings.IndexByte(src[pos:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += int(pos)
	}
	line := strings.TrimSuffix(src[start:end], "\r")
	return &Error{Pos: pos, Position: position, Msg: msg, Line: line}
}
