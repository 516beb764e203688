package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"
)

var cases = []struct {
	doc  string
	why  string // "" if valid; else a substring of Explain's message
	end  int    // Skip's result from 0 for valid docs without trailing space, -1 otherwise
	esc  bool
	name string
}{
	{name: "object", doc: `{"a":1,"b":[true,false,null],"c":{"d":"e"}}`},
	{name: "empty containers", doc: `{"a":{},"b":[],"c":[{}]}`},
	{name: "long string", doc: `"` + strings.Repeat("abcdefgh", 9) + `"`},
	{name: "non-ASCII at the end of a word", doc: `"abcdefgé"`},
	{name: "escapes", doc: `"a\"b\\c\/\b\f\n\r\t\u00e9\uD83D\uDE00"`, esc: true},
	{name: "escape at every offset", doc: `"` + strings.Repeat(`x\n`, 11) + `"`, esc: true},
	{name: "utf8 bytes", doc: `"é€😀 and ` + "\xff" + `"`},
	{name: "numbers", doc: `[0,-0,1.5,-2e10,3E+2,4e-3,123456789012345678901234567890]`},
	{name: "whitespace", doc: " { \"a\" :\t[ 1 ,\r\n2 ] } "},
	{name: "leading zero", doc: `[01]`, why: `unexpected`},
	{name: "bad fraction", doc: `1.`, why: `unexpected`},
	{name: "control in string", doc: "\"ab\tc\"", why: "control character 0x09"},
	{name: "control after escape", doc: "\"a\\nbcdefghij\x01\"", why: "control character 0x01"},
	{name: "bad escape", doc: `"abc\x"`, why: `invalid escape`},
	{name: "short unicode", doc: `"\u12"`, why: `invalid escape`},
	{name: "unterminated", doc: `"abcdefghijklmnop`, why: `not closed`},
	{name: "trailing comma", doc: `[1,]`, why: `unexpected`},
	{name: "missing colon", doc: `{"a" 1}`, why: `where ':' was expected`},
	{name: "non-string key", doc: `{1:2}`, why: `where an object key was expected`},
	{name: "mismatched", doc: `[1}`, why: `unexpected`},
	{name: "mismatched object", doc: `{"a":1]`, why: `unexpected`},
	{name: "two values", doc: `{} {}`, why: `after the document`},
	{name: "empty", doc: ``, why: `unexpected end`},
	{name: "truncated", doc: `{"a":[1,2`, why: `unexpected end`},
	{name: "bad literal", doc: `[tru]`, why: `unexpected`},
	{name: "too deep", doc: strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), why: "nested deeper"},
	{name: "deepest allowed", doc: strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)},
}

func TestValidAndExplain(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := []byte(c.doc)
			if got, want := Valid(b), c.why == ""; got != want {
				t.Errorf("Valid = %v, want %v", got, want)
			}
			why := Explain(b)
			if c.why == "" && why != "" || c.why != "" && !strings.Contains(why, c.why) {
				t.Errorf("Explain = %q, want %q", why, c.why)
			}
			if depth(b) <= MaxDepth && json.Valid(b) != (c.why == "") {
				t.Errorf("encoding/json.Valid disagrees with the case")
			}
		})
	}
}

func TestStringEnd(t *testing.T) {
	for _, c := range cases {
		if c.why != "" || c.doc == "" || c.doc[0] != '"' {
			continue
		}
		end, esc := StringEnd([]byte(c.doc), 0)
		if end != len(c.doc)-1 || esc != c.esc {
			t.Errorf("%s: StringEnd = %d, %v; want %d, %v", c.name, end, esc, len(c.doc)-1, c.esc)
		}
		if _, _, ascii := StringEndASCII([]byte(c.doc), 0); ascii != isASCII(c.doc) {
			t.Errorf("%s: StringEndASCII says ascii = %v", c.name, ascii)
		}
	}
}

// TestSkipDepth checks that Skip counts the containers around the value.
func TestSkipDepth(t *testing.T) {
	b := []byte(`[[1]]`)
	if got := Skip(b, 0, MaxDepth-2); got != len(b) {
		t.Errorf("Skip at depth %d = %d, want %d", MaxDepth-2, got, len(b))
	}
	if got := Skip(b, 0, MaxDepth-1); got != -1 {
		t.Errorf("Skip at depth %d = %d, want -1", MaxDepth-1, got)
	}
}

// FuzzValid checks Valid, Explain and Skip against encoding/json.Valid and
// against each other.
func FuzzValid(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c.doc))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := json.Valid(b)
		if d := depth(b); d > MaxDepth {
			want = false
		}
		if got := Valid(b); got != want {
			t.Fatalf("Valid = %v, encoding/json.Valid = %v for %q", got, want, b)
		}
		if why := Explain(b); (why == "") != want {
			t.Fatalf("Explain = %q, but valid = %v for %q", why, want, b)
		}
		// The ASCII flag covers the string's bytes and no others.
		for i := 0; i < len(b); i++ {
			if b[i] != '"' {
				continue
			}
			if end, _, ascii := StringEndASCII(b, i); end >= 0 && ascii != isASCII(string(b[i:end])) {
				t.Fatalf("StringEndASCII(%q, %d): ascii = %v", b, i, ascii)
			}
			break
		}
		if i := SkipWS(b, 0); want && i < len(b) {
			if e := Skip(b, i, 0); SkipWS(b, e) != len(b) {
				t.Fatalf("Skip ends at %d of %d for %q", e, len(b), b)
			}
		}
	})
}

// depth is the nesting depth of a valid document (brackets outside strings).
func depth(b []byte) int {
	d, most, in := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case in:
		case c == '{' || c == '[':
			d++
			most = max(most, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return most
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
