package eql

import "testing"

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
