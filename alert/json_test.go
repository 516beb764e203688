package alert

import (
	"strings"
	"testing"
)

func TestJSONRoundTrip(t *testing.T) {
	// want is what JSON.stringify(JSON.parse(in)) gives in JavaScript.
	tests := []struct{ name, in, want string }{
		{"compacts", `{ "a" : [1, 2 , {"b": null}], "c": true, "d": false }`, `{"a":[1,2,{"b":null}],"c":true,"d":false}`},
		{"float shortest", `[1.0, 0.1, 1.50, 100e-2, -0, -0.0, 1e2]`, `[1,0.1,1.5,1,0,0,100]`},
		{"exponents", `[1e21, 1.5e21, 1e-7, 1.25e-7, 123e-9, 0.000001]`, `[1e+21,1.5e+21,1e-7,1.25e-7,1.23e-7,0.000001]`},
		{"big integers lose precision", `[12345678901234567890, 9007199254740993, 123456789012345]`, `[12345678901234567000,9007199254740992,123456789012345]`},
		{"string escapes", `["a\/b", "\u0041\u00e9", "tab\there", "\u001f", "\ud83d\ude00", "<&>", "\u2028"]`, "[\"a/b\",\"Aé\",\"tab\\there\",\"\\u001f\",\"😀\",\"<&>\",\"\u2028\"]"},
		{"lone surrogate", `["\ud800x"]`, "[\"\uFFFDx\"]"},
		{"duplicate key keeps first position, last value", `{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{"integer keys first", `{"b":1,"10":2,"a":3,"2":4,"01":5}`, `{"2":4,"10":2,"b":1,"a":3,"01":5}`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := parseJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(appendJSON(nil, v)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "unexpected end of input"},
		{`{"a":1`, "unterminated object"},
		{`{"a" 1}`, "expected ':'"},
		{`[1,]`, "unexpected ']'"},
		{`{"a":01}`, "malformed number"},
		{`"abc`, "unterminated string"},
		{`"a\qb"`, `unknown escape \q`},
		{`{} x`, "after the JSON value"},
		{`tru`, "expected true"},
		{strings.Repeat("[", 600) + strings.Repeat("]", 600), "nested deeper"},
	}
	for _, tt := range tests {
		_, err := parseJSON([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseJSON(%.20q) error = %v, want it to contain %q", tt.in, err, tt.want)
		}
	}
}

// Variables, so that 0.1+0.2 is computed in doubles, not as an exact constant.
var point1, point2 = 0.1, 0.2

func TestJSNumber(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-1.5, "-1.5"}, {123456789, "123456789"}, {1e20, "100000000000000000000"},
		{1e21, "1e+21"}, {0.000001, "0.000001"}, {0.0000001, "1e-7"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{5e-324, "5e-324"}, {point1 + point2, "0.30000000000000004"},
	}
	for _, tt := range tests {
		if got := jsNumber(tt.f); got != tt.want {
			t.Errorf("jsNumber(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestLodashGet(t *testing.T) {
	doc, err := parseJSON([]byte(`{"a.b":1,"a":{"b":2,"c":{"d":[10,{"e":"x"}]}},"f":null}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"a.b", "1"}, // the dotted key wins, as in lodash
		{"a.c.d.0", "10"},
		{"a.c.d.1.e", `"x"`},
		{"a.x", "undefined"},
		{"f", "null"},
		{"f.g", "undefined"},
	}
	for _, tt := range tests {
		v := lodashGet(doc, tt.path)
		got := "undefined"
		if v.kind != kindUndefined {
			got = string(appendJSON(nil, v))
		}
		if got != tt.want {
			t.Errorf("get(%s) = %s, want %s", tt.path, got, tt.want)
		}
	}
}

func TestFieldValues(t *testing.T) {
	doc, err := parseJSON([]byte(`{"process":{"args":["a","b"],"parent.name":"p1"},"process.parent":{"name":"p2"},"related":[{"ip":"1.1.1.1"},{"ip":["2.2.2.2",null]}],"host.name":null}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, want string }{
		{"process.args", `["a","b"]`},
		{"process.parent.name", `["p1","p2"]`},
		{"related.ip", `["1.1.1.1","2.2.2.2"]`},
		{"host.name", `[]`},
		{"process", `[]`},
	}
	for _, tt := range tests {
		got := string(appendJSON(nil, arrayValue(fieldValues(doc.obj, tt.path, nil))))
		if got != tt.want {
			t.Errorf("fields[%s] = %s, want %s", tt.path, got, tt.want)
		}
	}
}
