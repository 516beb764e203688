package exception

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/eqld/eqld/rule"
)

func TestIPValueCIDRs(t *testing.T) {
	tests := []struct {
		v       string
		isRange bool
		want    string // CIDRs joined by spaces, or "error: …"
	}{
		{"10.0.0.1", false, "10.0.0.1/32"},
		{"2001:db8::0:1", false, "2001:db8::1/128"},
		{"::ffff:10.0.0.1", false, "10.0.0.1/32"},
		{"fe80::1%eth0", false, "fe80::1/128"},
		{"10.1.2.3/8", true, "10.0.0.0/8"},
		{"10.0.0.0-10.0.0.255", true, "10.0.0.0/24"},
		{"10.0.0.1-10.0.0.6", true, "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32"},
		{"0.0.0.0-255.255.255.255", true, "0.0.0.0/0"},
		{"255.255.255.255-255.255.255.255", true, "255.255.255.255/32"},
		{"2001:db8::-2001:db8::ffff", true, "2001:db8::/112"},
		{"10.0.0.5 - 10.0.0.5", true, "10.0.0.5/32"},
		{"10.0.0.1-10.0.0.6", false, "error: is not an IP address"},
		{"10.0.0.9-10.0.0.1", true, "error: has its upper bound below its lower bound"},
		{"10.0.0.1-::1", true, "error: mixes IPv4 and IPv6"},
		{"x-y", true, "error: is not a range of two IP addresses (a-b)"},
		{"10.0.0.0/33", true, "error: is not a CIDR block"},
		{"host", false, "error: is not an IP address"},
	}
	for _, tt := range tests {
		got, err := ipValueCIDRs(tt.v, tt.isRange)
		s := strings.Join(got, " ")
		if err != nil {
			s = "error: " + err.Error()
		}
		if !strings.HasPrefix(s, tt.want) {
			t.Errorf("%q: got %q, want %q", tt.v, s, tt.want)
		}
	}
}

// TestRangeToCIDRsProperty checks on random ranges that the blocks are
// disjoint, contiguous, exactly cover lo..hi and are each maximal.
func TestRangeToCIDRsProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		var lo, hi netip.Addr
		if i%2 == 0 {
			a, b := rng.Uint32(), rng.Uint32()
			if i%4 == 0 {
				b = a + rng.Uint32N(5000)
				if b < a {
					b = a
				}
			}
			if b < a {
				a, b = b, a
			}
			lo, hi = v4(a), v4(b)
		} else {
			var x, y [16]byte
			for j := range x {
				x[j] = byte(rng.Uint32())
			}
			y = x
			for j := 8 + rng.IntN(8); j < 16; j++ {
				y[j] = byte(rng.Uint32())
			}
			lo, hi = netip.AddrFrom16(x), netip.AddrFrom16(y)
			if hi.Less(lo) {
				lo, hi = hi, lo
			}
		}
		cidrs := rangeToCIDRs(lo, hi)
		next := lo
		for j, c := range cidrs {
			p := netip.MustParsePrefix(c)
			if p.Addr() != next {
				t.Fatalf("%s-%s: block %d %s does not start at %s", lo, hi, j, c, next)
			}
			last := lastAddr(p)
			if hi.Less(last) {
				t.Fatalf("%s-%s: block %s overshoots", lo, hi, c)
			}
			// Maximal: the next larger aligned block would overshoot or be misaligned.
			if p.Bits() > 0 {
				bigger := netip.PrefixFrom(p.Addr(), p.Bits()-1)
				if bigger.Masked().Addr() == p.Addr() && !hi.Less(lastAddr(bigger)) {
					t.Fatalf("%s-%s: block %s is not maximal", lo, hi, c)
				}
			}
			if j == len(cidrs)-1 {
				if last != hi {
					t.Fatalf("%s-%s: ends at %s", lo, hi, last)
				}
			} else {
				next = last.Next()
			}
		}
	}
}

func v4(x uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
}

// TestValueListLimits: lists past Kibana's processable limits are not
// applied, with Kibana's warning, and the rest of the filter stands.
func TestValueListLimits(t *testing.T) {
	big := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(f(i) + "\n")
		}
		return b.String()
	}
	tests := []struct {
		id, typ, values, want string
	}{
		{"kw", "keyword", big(MaxSmallValueList+1, func(i int) string { return fmt.Sprint("u", i) }),
			`value list "kw" has 65537 values, more than Kibana's limit of 65536 for EQL rules`},
		{"dashes", "ip_range", big(MaxIPRangeDashValues+1, func(i int) string { return fmt.Sprintf("10.0.%d.1-10.0.%d.9", i%250, i%250) }),
			`ip_range value list "dashes" has 201 dash ranges, more than Kibana's limit of 200`},
		{"words", "text", big(MaxTextValues+1, func(i int) string { return fmt.Sprint("word", i) }),
			`text value list "words" has 201 values, more than Kibana's limit of 200`},
	}
	for _, tt := range tests {
		s := NewSet()
		items := fmt.Sprintf(`{"item_id":"big","list_id":"l","name":"Big list","type":"simple","entries":[{"field":"f","operator":"included","type":"list","list":{"id":%q,"type":%q}}]}
{"item_id":"small","list_id":"l","name":"Small","type":"simple","entries":[{"field":"g","operator":"included","type":"match","value":"v"}]}`, tt.id, tt.typ)
		if err := s.ReadExceptions(strings.NewReader(items), "x.ndjson"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReadValueList(strings.NewReader(tt.values), tt.id+".txt", tt.id, tt.typ); err != nil {
			t.Fatal(err)
		}
		r := &rule.Rule{}
		r.ExceptionsList = []rule.ExceptionListRef{{ListID: "l", NamespaceType: "single", Type: "detection"}}
		filter, problems := s.FilterFor(r, time.Now())
		if filter == nil || filter.String() != `?g != null and ?g == "v"` {
			t.Errorf("%s: filter %v", tt.id, filter)
		}
		want := []string{"warning: The following exceptions won't be applied to rule execution: Big list (" + tt.want + ")"}
		var got []string
		for _, p := range problems {
			got = append(got, p.Error())
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s problems (-want +got):\n%s", tt.id, d)
		}
	}
}

// TestFilterForConcurrent: once loaded, a Set serves filters to several
// goroutines (run with -race).
func TestFilterForConcurrent(t *testing.T) {
	s := NewSet()
	items := `{"item_id":"a","list_id":"l","type":"simple","entries":[{"field":"source.ip","operator":"included","type":"list","list":{"id":"nets","type":"ip_range"}}]}`
	if err := s.ReadExceptions(strings.NewReader(items), "x.ndjson"); err != nil {
		t.Fatal(err)
	}
	if err := s.ReadValueList(strings.NewReader("10.0.0.0/8\nbad\n"), "nets.txt", "nets", "ip_range"); err != nil {
		t.Fatal(err)
	}
	r := &rule.Rule{}
	r.ExceptionsList = []rule.ExceptionListRef{{ListID: "l", NamespaceType: "single", Type: "detection"}}
	done := make(chan int)
	for range 8 {
		go func() {
			_, problems := s.FilterFor(r, time.Now())
			done <- len(problems)
		}()
	}
	total := 0
	for range 8 {
		total += <-done
	}
	if total != 1 {
		t.Errorf("the bad value should be reported once in all, got %d reports", total)
	}
}
