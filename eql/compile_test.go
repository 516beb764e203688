package eql

import "testing"

// TestCombineChains checks that flattened and/or chains give the same
// three-valued result as the binary operators folded left to right, for
// every assignment of false/true/null to up to four operands.
func TestCombineChains(t *testing.T) {
	binary := func(isAnd bool, a, b tri) tri {
		dom, id := triFalse, triTrue
		if !isAnd {
			dom, id = triTrue, triFalse
		}
		switch {
		case a == dom || b == dom:
			return dom
		case a == triNull || b == triNull:
			return triNull
		}
		return id
	}
	for _, isAnd := range []bool{true, false} {
		for n := 2; n <= 4; n++ {
			total := 1
			for range n {
				total *= 3
			}
			for code := range total {
				vals := make([]tri, n)
				for i, c := 0, code; i < n; i, c = i+1, c/3 {
					vals[i] = tri(c % 3)
				}
				calls := 0
				leaf := func(v tri) cnd {
					return dynC(func(Event) tri { calls++; return v })
				}
				c := leaf(vals[0])
				want := vals[0]
				for _, v := range vals[1:] {
					c = combine(isAnd, c, leaf(v))
					want = binary(isAnd, want, v)
				}
				if got := c.fn(nil); got != want {
					t.Errorf("and=%v %v = %v, want %v", isAnd, vals, got, want)
				}
				// Short-circuit: nothing after the first dominant operand runs.
				wantCalls := n
				for i, v := range vals {
					if (isAnd && v == triFalse) || (!isAnd && v == triTrue) {
						wantCalls = i + 1
						break
					}
				}
				if calls != wantCalls {
					t.Errorf("and=%v %v evaluated %d operands, want %d", isAnd, vals, calls, wantCalls)
				}
			}
		}
	}
}
