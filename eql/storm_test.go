package eql_test

import (
	"strconv"
	"testing"

	"github.com/eqld/eqld/eql"
)

// stormEvent is a minimal event for the state tests: a timestamp, a
// category and a join key.
type stormEvent struct {
	ts  int64
	cat string
	key string
}

var stormFields = eql.NewFields()

func (e *stormEvent) Lookup(f *eql.FieldRef) (eql.Value, bool) {
	switch f.Name {
	case "@timestamp":
		return eql.Int(e.ts), true
	case "event.category":
		return eql.String(e.cat), true
	case "k":
		return eql.String(e.key), true
	}
	return eql.Null, false
}

// TestStateBoundedUnderKeyStorm pushes a million distinct join keys
// through sequences that never complete: with maxspan the state expires
// as time advances; without it the budget caps it and evictions are
// counted.
func TestStateBoundedUnderKeyStorm(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	for _, tc := range []struct {
		query   string
		budget  int
		maxKeep int64
	}{
		{`sequence by k with maxspan=1s [a where true] [b where true]`, 0, 2_000},
		{`sequence by k [a where true] [b where true]`, 10_000, 10_000},
	} {
		q := eql.MustCompile(tc.query, &eql.Options{Fields: stormFields})
		r := q.NewRunner(eql.RunOptions{StateBudget: tc.budget})
		var peak int64
		ev := &stormEvent{cat: "a"}
		for i := 0; i < n; i++ {
			ev.ts = int64(i) // one event per millisecond
			ev.key = strconv.Itoa(i)
			r.Push(ev)
			if p := r.Stats().PendingSequences; p > peak {
				peak = p
			}
		}
		st := r.Stats()
		if peak > tc.maxKeep {
			t.Errorf("%s: peak pending %d > %d", tc.query, peak, tc.maxKeep)
		}
		if tc.budget > 0 && st.Evicted != int64(n-tc.budget) {
			t.Errorf("%s: evicted %d, want %d", tc.query, st.Evicted, n-tc.budget)
		}
		if tc.budget == 0 && st.Expired < int64(n-2_000) {
			t.Errorf("%s: expired %d, want about %d", tc.query, st.Expired, n)
		}
		t.Logf("%s: peak pending %d, expired %d, evicted %d", tc.query, peak, st.Expired, st.Evicted)
	}
}
