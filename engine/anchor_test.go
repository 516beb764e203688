package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/eqld/eqld/eql"
)

func TestRegexLiterals(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		fold    bool
		want    []string // nil: no requirement
		matches []string // values the expression matches (checked with eql)
	}{
		{`[A-Z]:\\:.+`, true, []string{`:\:`}, []string{`C:\:x`, `d:\:stream`}},
		{`(C:\\Program Files \(x86\)\\|C:\\Program Files\\)\w+.exe`, false,
			[]string{`C:\Program Files (x86)\`, `C:\Program Files\`}, []string{`C:\Program Files\a1.exe`, `C:\Program Files (x86)\b_exe`}},
		{`abc`, false, []string{"abc"}, []string{"abc"}},
		{`ab?c`, false, []string{"a"}, []string{"ac", "abc"}}, // "c" weighs the same; the first wins
		{`xyab+cdef`, false, []string{"xyab"}, []string{"xyabcdef", "xyabbbcdef"}},
		{`ab{2}cd`, false, []string{"ab"}, []string{"abbcd"}},
		{`ab{1}cd`, false, []string{"abcd"}, []string{"abcd"}},
		{`ab{0,3}cd`, false, []string{"a"}, []string{"acd", "abbcd"}},
		{`.*evil\.exe`, true, []string{"evil.exe"}, []string{"C:\\EVIL.EXE", "evil.exe"}},
		{`(foo)?barbaz`, false, []string{"barbaz"}, []string{"barbaz", "foobarbaz"}},
		{`(abcd)*xy`, false, []string{"xy"}, []string{"xy", "abcdabcdxy"}},
		{`"quoted.lit"x`, false, []string{"quoted.lit"}, []string{"quoted.litx"}},
		{`abc|de`, false, []string{"abc", "de"}, []string{"abc", "de"}},
		{`abc|.*`, false, nil, []string{"zzz"}},
		{`task\.exe`, true, []string{".exe"}, []string{"TASK.EXE"}}, // no s under folding
		{`[a-z]+`, false, nil, []string{"abc"}},
		{`a~b`, false, nil, nil},
		{`a&b`, false, nil, nil},
		{`<1-5>abc`, false, nil, nil},
		{`.*[0-9]{1,3}\.[0-9]{1,3}:[0-9]{1,5}.*`, false, []string{"."}, []string{"10.1:80"}},
		{`a\dbc`, false, []string{"a"}, []string{"a1bc"}},
		{`é+xyz`, false, []string{"xyz"}, []string{"éxyz"}},
		{`(ab`, false, nil, nil},
		{`*ab`, false, nil, nil},
	} {
		got := regexLiterals(tc.pattern, tc.fold)
		if !slices.Equal(got, tc.want) {
			t.Errorf("regexLiterals(%q, %v) = %q, want %q", tc.pattern, tc.fold, got, tc.want)
		}
		if len(tc.matches) == 0 {
			continue
		}
		op := "regex"
		if tc.fold {
			op = "regex~"
		}
		fields := eql.NewFields()
		q := eql.MustCompile(`any where f `+op+` """`+tc.pattern+`"""`, &eql.Options{Fields: fields})
		ref := fields.Ref("f")
		for _, v := range tc.matches {
			rec := eql.NewRecord(fields.Len())
			rec.Set(ref.ID, eql.String(v))
			if !q.Stages()[0].Match(rec) {
				t.Errorf("%q does not match %q: fix the test", v, tc.pattern)
				continue
			}
			if got == nil {
				continue
			}
			found := false
			for _, l := range got {
				if tc.fold && strings.Contains(strings.ToLower(v), strings.ToLower(l)) || strings.Contains(v, l) {
					found = true
				}
			}
			if !found {
				t.Errorf("%q matches %q but contains none of %q", v, tc.pattern, got)
			}
		}
	}
}
