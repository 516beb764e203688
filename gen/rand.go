package gen

import "math/bits"

// rng is xoshiro256** seeded through splitmix64. It is implemented here rather
// than taken from math/rand so that the byte stream of a corpus can never
// change with a Go release: the corpus hash is part of the package's contract.
type rng struct{ s0, s1, s2, s3 uint64 }

func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func newRNG(seed uint64, stream uint64) *rng {
	x := seed ^ (stream * 0xd1342543de82ef95)
	r := &rng{splitmix(&x), splitmix(&x), splitmix(&x), splitmix(&x)}
	return r
}

func (r *rng) u64() uint64 {
	res := bits.RotateLeft64(r.s1*5, 7) * 9
	t := r.s1 << 17
	r.s2 ^= r.s0
	r.s3 ^= r.s1
	r.s1 ^= r.s2
	r.s0 ^= r.s3
	r.s2 ^= t
	r.s3 = bits.RotateLeft64(r.s3, 45)
	return res
}

// intn returns a uniform int in [0,n) using Lemire's multiply-shift; the
// tiny bias for huge n is irrelevant for a corpus generator.
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// float returns a uniform float64 in [0,1).
func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// table is a weighted choice over integer weights (cumulative sums and a
// binary search). Integer weights keep picks identical on every platform:
// float rounding or fused multiply-add could otherwise move a pick and with
// it every byte after it.
type table struct {
	cum   []uint64
	total uint64
}

func newTable(w []uint64) *table {
	if len(w) == 0 {
		panic("gen: empty weight table")
	}
	t := &table{cum: make([]uint64, len(w))}
	for i, x := range w {
		t.total += x
		t.cum[i] = t.total
	}
	if t.total == 0 {
		panic("gen: weight table sums to zero")
	}
	return t
}

func (t *table) pick(r *rng) int {
	hi, _ := bits.Mul64(r.u64(), t.total)
	// first index whose cumulative weight exceeds hi
	lo, up := 0, len(t.cum)
	for lo < up {
		m := int(uint(lo+up) >> 1)
		if t.cum[m] <= hi {
			lo = m + 1
		} else {
			up = m
		}
	}
	return lo
}

// zipf returns n integer weights following a Zipf law with exponent 1: the
// k-th most popular item is chosen in proportion to 1/k, as process names,
// domains and busy hosts are in real fleets.
func zipf(n int) []uint64 {
	w := make([]uint64, n)
	for i := range w {
		w[i] = 1_000_000 / uint64(i+1)
	}
	return w
}
