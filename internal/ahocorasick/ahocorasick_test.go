package ahocorasick

import (
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func scanAll(m *Matcher, text string, lower bool) []int {
	seen := map[int32]bool{}
	m.Scan(text, lower, func(id int32) { seen[id] = true })
	var out []int
	for id := range seen {
		out = append(out, int(id))
	}
	sort.Ints(out)
	return out
}

func naive(lits []string, text string) []int {
	var out []int
	for i, l := range lits {
		if l != "" && strings.Contains(text, l) {
			out = append(out, i)
		}
	}
	return out
}

func TestTable(t *testing.T) {
	lits := []string{"he", "she", "his", "hers", "", `\windows\system32\`, ".exe"}
	m := New(lits)
	for _, tc := range []struct {
		text  string
		lower bool
		want  []int
	}{
		{"ushers", false, []int{0, 1, 3}},
		{"USHERS", true, []int{0, 1, 3}},
		{"USHERS", false, nil},
		{`c:\WINDOWS\System32\cmd.EXE`, true, []int{5, 6}},
		{"", false, nil},
	} {
		if got := scanAll(m, tc.text, tc.lower); sortedEq(got, tc.want) == false {
			t.Errorf("Scan(%q, %v) = %v, want %v", tc.text, tc.lower, got, tc.want)
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
// small alphabet, where overlaps and failure links are exercised hard.
func TestAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc"[r.Intn(3)]
		}
		return string(b)
	}
	for round := 0; round < 200; round++ {
		var lits []string
		for i := 0; i < 1+r.Intn(20); i++ {
			lits = append(lits, word(1+r.Intn(5)))
		}
		m := New(lits)
		for k := 0; k < 20; k++ {
			text := word(r.Intn(30))
			if got, want := scanAll(m, text, false), naive(lits, text); !sortedEq(got, want) {
				t.Fatalf("lits %q text %q: got %v want %v", lits, text, got, want)
			}
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add("ab,bc,abc", "xxabcbc")
	f.Fuzz(func(t *testing.T, list, text string) {
		lits := strings.Split(list, ",")
		if len(lits) > 50 {
			return
		}
		m := New(lits)
		if got, want := scanAll(m, text, false), naive(lits, text); !sortedEq(got, want) {
			t.Fatalf("lits %q text %q: got %v want %v", lits, text, got, want)
		}
	})
}
