package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql/ast"
	"github.com/google/go-cmp/cmp"
)

// scanAll scans src to the end and renders each token as text@pos, with
// the value in braces when it differs from the text, and each error as
// !pos:msg.
func scanAll(src string) []string {
	var out []string
	var s scanner
	s.init(src, func(pos ast.Pos, msg string, fatal bool) {
		f := ""
		if fatal {
			f = "fatal "
		}
		out = append(out, fmt.Sprintf("!%d:%s%s", pos, f, msg))
	})
	for range len(src) + 1 {
		it := s.scan()
		if it.tok == tEOF {
			break
		}
		text := src[it.pos:it.end]
		tok := fmt.Sprintf("%s@%d", text, it.pos)
		switch it.tok {
		case tString:
			tok += "{" + it.val + "}"
		case tIdent, tTildeIdent, tQuotedIdent:
			if it.val != text {
				tok += "{" + it.val + "}"
			}
		}
		if it.raw {
			tok += "raw"
		}
		if it.tok == tIllegal {
			tok = "illegal:" + tok
		}
		out = append(out, tok)
	}
	return out
}

func TestScanner(t *testing.T) {
	tests := []struct {
		src  string
		want []string
	}{
		{"", nil},
		{"  \t\r\n ", nil},
		{"process where", []string{"process@0", "where@8"}},
		// Keywords are lower case only; other spellings are identifiers.
		{"and AND And sequence Sequence runs", []string{"and@0", "AND@4", "And@8", "sequence@12", "Sequence@21", "runs@30"}},
		{"@timestamp _x a1@b", []string{"@timestamp@0", "_x@11", "a1@b@14"}},
		// `~` directly after a word: operator for in/like/regex, else a
		// case-insensitive function name (keywords included).
		{"in~ like~ regex~ startsWith~ sequence~ in ~", []string{
			"in~@0", "like~@4", "regex~@10", "startsWith~@17{startsWith}", "sequence~@29{sequence}", "in@39",
			"!42:fatal `~` must directly follow `in`, `like`, `regex` or a function name, as in `in~` or `startsWith~(…)`",
			"illegal:~@42"}},
		// Numbers follow INTEGER_VALUE and DECIMAL_VALUE; letters after a
		// number start a new token.
		{"1 12 1.5 1. .5 1e5 1E+5 1.5e-3 5m 1e 1e+ 0x1F", []string{
			"1@0", "12@2", "1.5@5", "1.@9", ".5@12", "1e5@15", "1E+5@19", "1.5e-3@24", "5@31", "m@32",
			"1@34", "e@35", "1@37", "e@38", "+@39", "0@41", "x1F@42"}},
		{"a.b a.1", []string{"a@0", ".@1", "b@2", "a@4", ".1@5"}},
		// Strings.
		{`"" "abc" "a\"b\\c\n\r\t\b\f\'"`, []string{`""@0{}`, `"abc"@3{abc}`, `"a\"b\\c\n\r\t\b\f\'"@9{a"b\c` + "\n\r\t\b\f'}"}},
		{`"\u{41}\u{20AC}\u{1F600}\u{0000041}"`, []string{`"\u{41}\u{20AC}\u{1F600}\u{0000041}"@0{A€😀A}`}},
		{`"\u{4}" "\u{123456789}" "\u41" "\u{110000}" "\u{D800}" "\u{zz}"`, []string{
			"!1:`\\u` must be followed by 2 to 8 hex digits in braces, as in `\\u{20AC}`",
			`"\u{4}"@0{}`,
			"!9:`\\u` must be followed by 2 to 8 hex digits in braces, as in `\\u{20AC}`",
			`"\u{123456789}"@8{}`,
			"!25:`\\u` must be followed by 2 to 8 hex digits in braces, as in `\\u{20AC}`",
			`"\u41"@24{41}`,
			"!32:`\\u{110000}` is not a Unicode code point (the largest is 10FFFF)",
			`"\u{110000}"@31{}`,
			"!45:`\\u{D800}` is a UTF-16 surrogate, not a character; write the code point itself",
			`"\u{D800}"@44{}`,
			"!56:`\\u` must be followed by 2 to 8 hex digits in braces, as in `\\u{20AC}`",
			`"\u{zz}"@55{zz}}`,
		}},
		{`"a\qb"`, []string{
			"!2:unknown escape sequence `\\q` in string; the escapes are \\\" \\\\ \\' \\n \\r \\t \\b \\f and \\u{hex}, and a literal backslash is written \\\\",
			`"a\qb"@0{ab}`}},
		{"\"a\\\x00\"", []string{
			"!2:unknown escape sequence `\\` followed by U+0000 in string; the escapes are \\\" \\\\ \\' \\n \\r \\t \\b \\f and \\u{hex}, and a literal backslash is written \\\\",
			"\"a\\\x00\"@0{a}"}},
		{"\"abc\\", []string{"!0:fatal string not terminated: `\"` must be closed by `\"` on the same line", "\"abc\\@0{abc}"}},
		{"\"abc\ndef\"", []string{
			"!0:fatal string not terminated: `\"` must be closed by `\"` on the same line",
			`"abc@0{abc}`, `def@5`,
			"!8:fatal string not terminated: `\"` must be closed by `\"` on the same line",
			`"@8{}`}},
		// Raw strings: no escapes, end at the first """, up to two more
		// quotes belong to the text.
		{`"""a\b""" """x""""" """"""`, []string{`"""a\b"""@0{a\b}raw`, `"""x"""""@10{x""}raw`, `""""""@20{}raw`}},
		{`"""abc`, []string{"!0:fatal raw string not terminated: `\"\"\"` must be closed by `\"\"\"` on the same line", `"""abc@0{}raw`}},
		// Single-quoted and ?"…" strings are errors that still yield a
		// string, so that parsing can go on.
		{`'a"b'`, []string{"!0:strings are written in double quotes in EQL: use \"a\\\"b\" instead of 'a\"b'", `'a"b'@0{a"b}`}},
		{`?"C:\x"`, []string{"!0:`?\"…\"` raw strings are not supported by Elasticsearch EQL; write raw strings in triple double quotes: \"\"\"C:\\x\"\"\"", `?"C:\x"@0{C:\x}raw`}},
		// Backquoted names.
		{"`a b` `a``b` ````", []string{"`a b`@0{a b}", "`a``b`@6{a`b}", "````@13{`}"}},
		{"``", []string{"!0:empty field name ``", "``@0{}"}},
		{"`abc", []string{"!0:fatal field name not terminated: the opening ` has no closing `", "`abc@0{}"}},
		// Operators.
		{"= == != < <= > >= + - * / % . , [ ] ( ) | ? ![ :", []string{
			"=@0", "==@2", "!=@5", "<@8", "<=@10", ">@13", ">=@15", "+@18", "-@20", "*@22", "/@24", "%@26",
			".@28", ",@30", "[@32", "]@34", "(@36", ")@38", "|@40", "?@42", "![@44", ":@47"}},
		{"a && b", []string{"a@0", "!2:fatal `&&` is not an EQL operator: use `and`", "illegal:&&@2", "b@5"}},
		{"a || b", []string{"a@0", "!2:fatal `||` is not an EQL operator: use `or` (a single `|` starts a pipe)", "illegal:||@2", "b@5"}},
		{"!a", []string{"!0:fatal `!` is not an EQL operator: use `not` to negate a condition, `!=` for inequality and `![` for a missing-event stage", "illegal:!@0", "a@1"}},
		{"é", []string{"!0:fatal unexpected character `é` (U+00E9); field names with characters other than ASCII letters, digits, _ and @ must be written between backquotes, as in `é`", "illegal:é@0"}},
		{"\u00a0", []string{"!0:fatal unexpected character U+00A0; only spaces, tabs and line breaks may separate tokens", "illegal:\u00a0@0"}},
		// Comments are whitespace; block comments nest.
		{"a // b\nc /* d /* e */ f */ g", []string{"a@0", "c@7", "g@27"}},
		{"a /* b", []string{"a@0", "!2:fatal comment not terminated: `/*` has no matching `*/`"}},
		{"a/b", []string{"a@0", "/@1", "b@2"}},
	}
	for _, tt := range tests {
		got := scanAll(tt.src)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("scan %q (-want +got):\n%s", tt.src, diff)
		}
	}
}

// TestScannerLinear checks that pathological inputs scan in one pass:
// long runs of comment openers, quotes and backquotes.
func TestScannerLinear(t *testing.T) {
	for _, src := range []string{
		strings.Repeat("/*", 100000),
		strings.Repeat(`"`, 100000),
		strings.Repeat("`", 100001),
		strings.Repeat(`"""`, 50000),
		strings.Repeat(`\`, 100000),
	} {
		var s scanner
		s.init(src, func(ast.Pos, string, bool) {})
		for n := 0; n <= len(src); n++ {
			if s.scan().tok == tEOF {
				break
			}
		}
	}
}
