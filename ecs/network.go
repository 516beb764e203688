package ecs

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
	"strconv"
)

// normalizeIP validates an address like the convert processor (type ip)
// and returns the form Elasticsearch's ip field indexes: IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d) as plain IPv4 and IPv6 in canonical
// compressed lower case. Elastic keeps the original text in _source but
// matches queries on the indexed value; eqld's engine compares the document
// value, so it stores the indexed form (see docs/ecs-mapping.md).
func normalizeIP(s string) (string, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	a = a.Unmap()
	var buf [64]byte
	b := a.AppendTo(buf[:0])
	if string(b) == s {
		return s, true
	}
	return string(b), true
}

// ianaProtocols maps network.transport names to IANA protocol numbers for
// the community_id processor, and back for Windows Filtering Platform
// events, which log the number.
var ianaProtocols = map[string]uint8{
	"icmp": 1, "igmp": 2, "tcp": 6, "udp": 17, "gre": 47, "ipv6-icmp": 58,
	"icmpv6": 58, "eigrp": 88, "ospf": 89, "pim": 103, "sctp": 132,
}

var ianaNames = map[uint8]string{
	1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 47: "gre", 58: "ipv6-icmp",
	88: "eigrp", 89: "ospf", 103: "pim", 132: "sctp",
}

// communityID is Elasticsearch's community_id processor (Community ID
// flow hash v1, seed 0) over source/destination ip and port and
// network.transport. With ignore_failure it sets nothing when a part is
// missing or unsupported.
func (c *ctx) communityID() {
	d := c.d
	sip, ok1 := d.String("source.ip")
	dip, ok2 := d.String("destination.ip")
	tr, ok3 := d.String("network.transport")
	if !ok1 || !ok2 || !ok3 {
		return
	}
	proto, ok := ianaProtocols[lower(tr)]
	if !ok {
		return
	}
	sp, okp1 := d.intAt("source.port")
	dp, okp2 := d.intAt("destination.port")
	if id, ok := communityIDv1(sip, dip, sp, dp, okp1 && okp2, proto); ok {
		d.SetString("network.community_id", id)
	}
}

func (d *Doc) intAt(path string) (int64, bool) {
	n := d.lookup(path)
	if n < 0 || d.nodes[n].kind != kInt {
		return 0, false
	}
	return d.nodes[n].num, true
}

// communityIDv1 computes "1:" + base64(sha1(seed, saddr, daddr, proto, 0,
// sport, dport)) with the endpoints ordered so both directions of a flow
// hash alike. ICMP types are not handled (Windows events carry none).
func communityIDv1(sip, dip string, sp, dp int64, havePorts bool, proto uint8) (string, bool) {
	sa, err1 := netip.ParseAddr(sip)
	da, err2 := netip.ParseAddr(dip)
	if err1 != nil || err2 != nil || sa.Is4() != da.Is4() {
		return "", false
	}
	needPorts := proto == 6 || proto == 17 || proto == 132
	if needPorts && !havePorts {
		return "", false
	}
	if sp < 0 || sp > 65535 || dp < 0 || dp > 65535 {
		return "", false
	}
	if proto == 1 || proto == 58 {
		return "", false
	}
	s16, d16 := uint16(sp), uint16(dp)
	cmp := sa.Compare(da)
	if cmp > 0 || (cmp == 0 && s16 > d16) {
		sa, da, s16, d16 = da, sa, d16, s16
	}
	var buf [2 + 16 + 16 + 2 + 4]byte
	b := buf[:0]
	b = append(b, 0, 0) // seed 0, big endian
	b = append(b, sa.AsSlice()...)
	b = append(b, da.AsSlice()...)
	b = append(b, proto, 0)
	if needPorts {
		b = binary.BigEndian.AppendUint16(b, s16)
		b = binary.BigEndian.AppendUint16(b, d16)
	}
	sum := sha1.Sum(b)
	return "1:" + base64.StdEncoding.EncodeToString(sum[:]), true
}

func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func formatInt(v int64) string { return strconv.FormatInt(v, 10) }
