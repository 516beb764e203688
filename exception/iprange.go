package exception

import (
	"fmt"
	"net/netip"
	"strings"
)

// ipValueCIDRs turns one value of an ip or ip_range value list into CIDR
// blocks for cidrMatch: an address becomes a /32 or /128, a CIDR is kept
// (masked to its network), and, in ip_range lists, a dash range "a-b" is
// split into the smallest set of CIDR blocks covering exactly a..b. Kibana
// queries dash ranges with a range filter; the decomposition matches the
// same addresses while keeping the filter a single cidrMatch.
func ipValueCIDRs(v string, allowRange bool) ([]string, error) {
	if lo, hi, ok := strings.Cut(v, "-"); ok && allowRange {
		a, err1 := netip.ParseAddr(strings.TrimSpace(lo))
		b, err2 := netip.ParseAddr(strings.TrimSpace(hi))
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("is not a range of two IP addresses (a-b)")
		}
		a, b = a.WithZone("").Unmap(), b.WithZone("").Unmap()
		if a.BitLen() != b.BitLen() {
			return nil, fmt.Errorf("mixes IPv4 and IPv6")
		}
		if b.Less(a) {
			return nil, fmt.Errorf("has its upper bound below its lower bound")
		}
		return rangeToCIDRs(a, b), nil
	}
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("is not a CIDR block (%v)", err)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if p.Bits() < 0 {
				return nil, fmt.Errorf("is an IPv4-mapped prefix shorter than /96")
			}
		}
		return []string{p.Masked().String()}, nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return nil, fmt.Errorf("is not an IP address")
	}
	a = a.WithZone("").Unmap()
	return []string{netip.PrefixFrom(a, a.BitLen()).String()}, nil
}

// rangeToCIDRs covers lo..hi (same family, lo <= hi) with the fewest CIDR
// blocks, largest first from lo upwards.
func rangeToCIDRs(lo, hi netip.Addr) []string {
	var out []string
	bits := lo.BitLen()
	for {
		// The largest block starting at lo that stays within hi.
		n := bits
		for n > 0 {
			p := netip.PrefixFrom(lo, n-1)
			if p.Masked().Addr() != lo || hi.Less(lastAddr(p)) {
				break
			}
			n--
		}
		p := netip.PrefixFrom(lo, n)
		out = append(out, p.String())
		last := lastAddr(p)
		if last == hi {
			return out
		}
		lo = last.Next()
	}
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	last, _ := netip.AddrFromSlice(b)
	return last
}

// ipMatchCIDR returns the CIDR block a match value selects on an ip field
// when string equality would not do: a CIDR block (masked) or an IPv6
// address (as a /128, since IPv6 has several spellings). IPv4 addresses
// and anything else return false.
func ipMatchCIDR(v string) (string, bool) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		if err != nil || p.Addr().Is4In6() {
			return "", false
		}
		return p.Masked().String(), true
	}
	a, err := netip.ParseAddr(v)
	if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
		return "", false
	}
	return netip.PrefixFrom(a, 128).String(), true
}
