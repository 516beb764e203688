package eql

import (
	"strings"
	"testing"
)

func TestEqualFold(t *testing.T) {
	tests := []struct {
		s, lower string
		want     bool
	}{
		{"CMD.EXE", "cmd.exe", true},
		{"cmd.exe", "cmd.exe", true},
		{"cmd.exe ", "cmd.exe", false},
		{"cmd.ex", "cmd.exe", false},
		{"", "", true},
		{"STRASSE", "straße", false},
		{"Straße", "straße", true},
		{"İ", "i", true}, // lower-casing changes the length
		{"ÀB", "àb", true},
		{"ÀB", "àc", false},
	}
	for _, tt := range tests {
		if got := equalFold(tt.s, tt.lower); got != tt.want {
			t.Errorf("equalFold(%q, %q) = %v, want %v", tt.s, tt.lower, got, tt.want)
		}
	}
}

func TestFoldedIn(t *testing.T) {
	set := map[string]bool{"powershell.exe": true, "àb": true, "": true}
	tests := []struct {
		s    string
		want bool
	}{
		{"PowerShell.EXE", true},
		{"powershell.exe", true},
		{"pwsh.exe", false},
		{"ÀB", true},
		{"", true},
		{string(make([]byte, 200)), false},
	}
	for _, tt := range tests {
		if got := foldedIn(set, tt.s); got != tt.want {
			t.Errorf("foldedIn(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { foldedIn(set, "PowerShell.EXE") }); n != 0 {
		t.Errorf("foldedIn of a short ASCII string allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { equalFold("PowerShell.EXE", "cmd.exe") }); n != 0 {
		t.Errorf("equalFold of ASCII strings of different lengths allocates %v times", n)
	}
}

// TestWildcardLists checks the matchers of case-insensitive wildcard
// patterns, alone and in lists (where short ASCII subjects take the
// foldList path), against globMatch over lower-cased pattern and subject.
func TestWildcardLists(t *testing.T) {
	patterns := []string{
		"cmd.exe", "*.EXE", "C:\\Windows\\*", "*\\AppData\\*", "*\\appdata\\*\\*.dll",
		"*a*b*", "a*b", "a*", "*", "**", "a?c", "*?.exe", "ab*ab", "*aba*", "é*", "*É", "straße*",
		"", "*x*y*z", "x*y*z*", "\\*", "*\\Temp\\*.ps1",
		"?", "??", "?*?", "*a?b*", "C:\\?indows\\*", "*\\???.exe", "a?*?b", "*?", "?*",
	}
	subjects := []string{
		"", "a", "ab", "abab", "aXbXab", "CMD.EXE", "cmd.exe ", "C:\\WINDOWS\\system32\\cmd.exe",
		"c:\\users\\bob\\AppData\\Local\\x.dll", "c:\\users\\bob\\appdata\\x.dll", "abc", "aéc",
		"É", "éÉ", "STRASSE", "Straße.txt", "xyz", "xzy", "\\", "C:\\Temp\\a.PS1",
		"C:\\Users\\x\\AppData\\Roaming\\Temp\\run.ps1", string(make([]byte, 600)) + "A.EXE",
		"İ.exe", "\xff.exe", "aXb", "aXYb", "zzaQbzz", "c:\\windows\\x", "C:\\Windows", "x\\cmd.exe",
		"x\\CM.exe", "?", "é",
	}
	ref := func(pats []string, s string) bool {
		for _, p := range pats {
			if globMatch(strings.ToLower(p), strings.ToLower(s)) {
				return true
			}
		}
		return false
	}
	var lists [][]string
	for _, p := range patterns {
		lists = append(lists, []string{p})
	}
	for i := range patterns {
		for j := i + 1; j < len(patterns); j += 3 {
			lists = append(lists, []string{patterns[i], patterns[j]}, []string{patterns[i], patterns[j], patterns[(i+j)%len(patterns)]})
		}
	}
	for _, pats := range lists {
		var ms []matcher
		for _, p := range pats {
			ms = append(ms, compileWildcard(p, true))
		}
		m := combineMatchers(ms)
		for _, s := range subjects {
			if got, want := m.match(s), ref(pats, s); got != want {
				t.Errorf("%q : %q = %v, want %v", s, pats, got, want)
			}
		}
	}
}

func TestLowerShortASCII(t *testing.T) {
	var subjects []string
	alphabet := "@AZ[`az{09\\*?~\x7f"
	for n := range 20 {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[(i*7+n)%len(alphabet)]
		}
		subjects = append(subjects, string(b))
		if n > 0 {
			b[n-1] = 0xc3 // non-ASCII in the last position
			subjects = append(subjects, string(b))
		}
	}
	subjects = append(subjects, strings.Repeat("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 19), strings.Repeat("A", 512), strings.Repeat("A", 513))
	for _, s := range subjects {
		var buf [shortFold]byte
		low, ok := lowerShortASCII(&buf, s)
		wantOK := isASCII(s) && len(s) <= shortFold
		if ok != wantOK || (ok && string(low) != strings.ToLower(s)) {
			t.Errorf("lowerShortASCII(%q) = %q, %v; want %q, %v", s, low, ok, strings.ToLower(s), wantOK)
		}
	}
}
