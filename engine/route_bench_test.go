package engine

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/eqld/eqld/eql"
	"github.com/eqld/eqld/gen"
	"github.com/eqld/eqld/internal/shared"
	"github.com/eqld/eqld/rule"
	"github.com/eqld/eqld/source"
)

// routeFixture is the production rule set in one shard and a sample of
// generated events decoded ahead of time, so that routing can be measured
// and checked without reading or decoding.
type routeFixture struct {
	e      *Engine
	sh     *shard
	events [][]slot
	routes []*route
	rec    *eql.Record
}

// slot is a decoded field of an event.
type slot struct {
	id int
	v  eql.Value
}

// load fills the shared record with event k, as the decoder would: the
// engine routes every event from one reused record, which stays in cache.
func (f *routeFixture) load(k int) *eql.Record {
	f.rec.Reset()
	for _, s := range f.events[k] {
		f.rec.Set(s.id, s.v)
	}
	return f.rec
}

func loadRouteFixture(t testing.TB, events int) *routeFixture {
	t.Helper()
	root := shared.Path(t, "detection-rules")
	set, err := rule.Load(rule.Options{}, filepath.Join(root, "rules"), filepath.Join(root, "rules_building_block"))
	if err != nil {
		t.Fatal(err)
	}
	rules := set.Select(rule.Selector{Types: []string{"eql"}, IncludeBuildingBlocks: true, RunnableOnly: true})
	e, _ := New(rules, Options{Workers: 1, Order: OrderStream})
	sh := e.shards[0]
	var buf bytes.Buffer
	g, err := gen.New(gen.Config{Seed: 3, Events: events, PlantEvery: 500})
	if err != nil {
		t.Fatal(err)
	}
	g.WriteTo(&buf)
	path := filepath.Join(t.TempDir(), "route.ndjson")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rd, err := source.Open([]string{path}, source.Options{DeferContentID: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	f := &routeFixture{e: e, sh: sh, rec: eql.NewRecord(e.fields.Len())}
	n := e.fields.Len()
	for {
		ev, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f.rec.Reset()
		if err := e.decoder.Decode(ev.Raw, f.rec); err != nil {
			continue
		}
		var slots []slot
		for id := 0; id < n; id++ {
			if v, ok := f.rec.Lookup(&eql.FieldRef{ID: id}); ok {
				slots = append(slots, slot{id, v.Clone()})
			}
		}
		f.events = append(f.events, slots)
		f.routes = append(f.routes, sh.route(ev.Index))
	}
	return f
}

// BenchmarkRoute measures candidates alone over pre-decoded events.
func BenchmarkRoute(b *testing.B) {
	f := loadRouteFixture(b, 20_000)
	st := newRunState(f.sh)
	b.ReportAllocs()
	b.ResetTimer()
	var n, cands int
	for b.Loop() {
		for k, rt := range f.routes {
			cands += len(rt.candidates(f.load(k), f.e.catRef, st))
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
	b.ReportMetric(float64(cands)/float64(n), "cands/event")
}

// BenchmarkRouteLoad is the part of BenchmarkRoute that is not routing.
func BenchmarkRouteLoad(b *testing.B) {
	f := loadRouteFixture(b, 20_000)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for k := range f.routes {
			f.load(k)
			n++
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/event")
}

// TestRouteNecessary checks on generated events (with planted attacks) that
// every event rule matching an event is among its candidates: anchors are
// necessary conditions, so routing must never lose a match.
func TestRouteNecessary(t *testing.T) {
	n := 3_000
	if testing.Short() {
		n = 1_000
	}
	f := loadRouteFixture(t, n)
	st := newRunState(f.sh)
	matched := 0
	for k, rt := range f.routes {
		rec := f.load(k)
		cands := rt.candidates(rec, f.e.catRef, st)
		seen := map[int]bool{}
		for _, i := range cands {
			if seen[i] {
				t.Fatalf("event %d: rule %d listed twice", k, i)
			}
			seen[i] = true
		}
		for i, c := range f.sh.rules {
			if c.stage == nil || seen[i] {
				continue
			}
			if c.stage.Match(rec) && f.routes[k].has(i) {
				t.Errorf("event %d: rule %q matches but is not a candidate", k, c.rule.Name)
			}
		}
		matched += len(cands)
	}
	if matched == 0 {
		t.Fatal("no candidates at all")
	}
}

// has reports whether rule i is placed anywhere in the route (its index
// patterns admit the route's index).
func (rt *route) has(i int) bool {
	in := func(d *dispatch) bool {
		if slices.Contains(d.always, i) {
			return true
		}
		for _, f := range d.fields {
			for _, e := range f.values {
				if slices.Contains(e.fold, i) {
					return true
				}
				for _, x := range e.exact {
					if slices.Contains(x.rules, i) {
						return true
					}
				}
			}
			for _, l := range f.lits.rules {
				if slices.Contains(l, i) {
					return true
				}
			}
		}
		return false
	}
	if in(rt.any) {
		return true
	}
	for _, d := range rt.byCat {
		if in(d) {
			return true
		}
	}
	return false
}

// TestRouteStats prints the shape of the routing tables and what events
// cost in them; set EQLD_ROUTE_STATS=1 to see it.
func TestRouteStats(t *testing.T) {
	if os.Getenv("EQLD_ROUTE_STATS") == "" {
		t.Skip("set EQLD_ROUTE_STATS=1 to print routing statistics")
	}
	f := loadRouteFixture(t, 20_000)
	seenRt := map[*route]bool{}
	for _, rt := range f.routes {
		if seenRt[rt] {
			continue
		}
		seenRt[rt] = true
		var cats []string
		for c := range rt.byCat {
			cats = append(cats, c)
		}
		sort.Strings(cats)
		for _, c := range append([]string{""}, cats...) {
			d := rt.any
			if c != "" {
				d = rt.byCat[c]
			}
			fmt.Printf("cat %-14q always=%d fields=%d\n", c, len(d.always), len(d.fields))
			for _, fi := range d.fields {
				fmt.Printf("    %-40s values=%d lits=%d\n", fi.ref.Name, len(fi.values), len(fi.lits.lits))
				if len(fi.lits.lits) > 0 {
					fmt.Printf("        %q %v\n", fi.lits.lits, fi.lits.fold)
				}
			}
		}
	}
	st := newRunState(f.sh)
	total := 0
	for k, rt := range f.routes {
		c := len(rt.candidates(f.load(k), f.e.catRef, st))
		total += c
	}
	fmt.Printf("events %d routes %d candidates/event %.2f\n", len(f.events), len(seenRt), float64(total)/float64(len(f.events)))
	// Which rules cost most to evaluate, how often they are candidates and
	// how often they match.
	count := make([]int, len(f.sh.rules))
	match := make([]int, len(f.sh.rules))
	cost := make([]time.Duration, len(f.sh.rules))
	for k, rt := range f.routes {
		rec := f.load(k)
		for _, i := range rt.candidates(rec, f.e.catRef, st) {
			count[i]++
			if c := f.sh.rules[i]; c.stage != nil {
				t0 := time.Now()
				if c.stage.Match(rec) {
					match[i]++
				}
				cost[i] += time.Since(t0)
			}
		}
	}
	idx := make([]int, len(count))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return cost[idx[a]] > cost[idx[b]] })
	var evalTotal time.Duration
	for _, c := range cost {
		evalTotal += c
	}
	fmt.Printf("evaluation %v per event\n", evalTotal/time.Duration(len(f.events)))
	for _, i := range idx[:40] {
		c := f.sh.rules[i]
		fmt.Printf("%8v %6d %4d %s\n", cost[i]/time.Duration(len(f.events)), count[i], match[i], c.rule.Name)
		for _, a := range c.anchors {
			fmt.Printf("        %v\n", a)
		}
	}
}
