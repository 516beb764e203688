package ahocorasick

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func scanAll(m *Matcher, text string) []int {
	seen := map[int32]bool{}
	m.Scan(text, func(id int32) { seen[id] = true })
	var out []int
	for id := range seen {
		out = append(out, int(id))
	}
	sort.Ints(out)
	return out
}

// naive is the specification: a literal occurs in the text, ignoring
// ASCII case if it folds.
func naive(lits []string, fold []bool, text string) []int {
	var out []int
	for i, l := range lits {
		if l == "" {
			continue
		}
		if i < len(fold) && fold[i] {
			if strings.Contains(asciiLower(text), asciiLower(l)) {
				out = append(out, i)
			}
		} else if strings.Contains(text, l) {
			out = append(out, i)
		}
	}
	return out
}

func TestTable(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "", `\windows\system32\`, ".exe", "Hers", "SHE", "x1"}
	exact := New(lits, nil)
	fold := New(lits, []bool{true, true, true, true, true, true, true, false, false, false})
	for _, tc := range []struct {
		m    *Matcher
		text string
		want []int
	}{
		{exact, "ushers", []int{0, 1, 3}},
		{exact, "USHERS", []int{8}},
		{exact, "uSHers", []int{7}},
		{exact, "uHers", []int{7}},
		{fold, "USHERS", []int{0, 1, 3, 8}},
		{fold, "ushers", []int{0, 1, 3}},
		{fold, "uHers", []int{0, 3, 7}},
		{fold, "X1", nil},
		{fold, "x1", []int{9}},
		{fold, `c:\WINDOWS\System32\cmd.EXE`, []int{5, 6}},
		{exact, `c:\WINDOWS\System32\cmd.EXE`, nil},
		{fold, "", nil},
		{fold, "ÉSHE", []int{0, 1, 8}},
		{fold, "x1" + strings.Repeat("-", 90) + "ushers", []int{0, 1, 3, 9}}, // across the halves
	} {
		if got := scanAll(tc.m, tc.text); !sortedEq(got, tc.want) {
			t.Errorf("Scan(%q) folding=%v = %v, want %v", tc.text, tc.m.folding, got, tc.want)
		}
		long := strings.Repeat("-", 100) + tc.text + strings.Repeat("+", 100) // scanned as two halves
		if got := scanAll(tc.m, long); !sortedEq(got, tc.want) {
			t.Errorf("Scan(%q) folding=%v = %v, want %v", long, tc.m.folding, got, tc.want)
		}
	}
}

func sortedEq(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAgainstNaive compares with strings.Contains on random inputs over a
// small alphabet, where overlaps, failure links and case are exercised hard.
func TestAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abcAB1"[r.Intn(6)]
		}
		return string(b)
	}
	for round := 0; round < 400; round++ {
		var lits []string
		var fold []bool
		for i := 0; i < 1+r.Intn(20); i++ {
			lits = append(lits, word(1+r.Intn(5)))
			fold = append(fold, round%2 == 1 && r.Intn(2) == 0)
		}
		m := New(lits, fold)
		for k := 0; k < 20; k++ {
			text := word(r.Intn(30))
			if got, want := scanAll(m, text), naive(lits, fold, text); !sortedEq(got, want) {
				t.Fatalf("lits %q fold %v text %q: got %v want %v", lits, fold, text, got, want)
			}
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add("ab,bc,abc", "xxabcbc", uint64(0))
	f.Add("Ab,bC,abc", "xXaBcbc", uint64(5))
	f.Fuzz(func(t *testing.T, list, text string, foldBits uint64) {
		lits := strings.Split(list, ",")
		if len(lits) > 50 {
			return
		}
		fold := make([]bool, len(lits))
		for i := range fold {
			fold[i] = foldBits>>(i%64)&1 == 1
		}
		m := New(lits, fold)
		if got, want := scanAll(m, text), naive(lits, fold, text); !sortedEq(got, want) {
			t.Fatalf("lits %q fold %v text %q: got %v want %v", lits, fold, text, got, want)
		}
	})
}

// BenchmarkScan scans path-like text with literals like the engine's.
func BenchmarkScan(b *testing.B) {
	lits := []string{`:\users\`, `:\programdata\`, `:\windows\temp\`, `\downloads\`, `program files`,
		`\device\harddiskvolume`, `:\windows\system32\curl.exe`, `\appdata\local\packages\`, `.exe`, `/var/lib/dpkg/info/`}
	fold := make([]bool, len(lits))
	for i := range fold {
		fold[i] = true
	}
	m := New(lits, fold)
	text := `"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --lang=en-US --js-flags=--ms-user-locale= --renderer-client-id=9`
	b.SetBytes(int64(len(text)))
	n := 0
	for b.Loop() {
		m.Scan(text, func(int32) { n++ })
	}
}
