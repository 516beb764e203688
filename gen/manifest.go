package gen

import (
	"sort"
	"time"
)

// Manifest lists the alerts a correct engine writes for a corpus: the
// planted true positives. The noise fires nothing, so for every production
// EQL rule not listed the expected count is zero.
type Manifest struct {
	Events    int        `json:"events"`
	Seed      uint64     `json:"seed"`
	Expected  []Expected `json:"expected"`  // one entry per planted rule, sorted by rule id
	Incidents []Planted  `json:"incidents"` // every planted incident, in corpus order
}

// Expected is the number of alerts one rule must produce. A sequence
// counts one per matched sequence (Kibana writes that as one shell alert
// plus one building-block alert per event); an event rule one per event.
type Expected struct {
	RuleID   string `json:"rule_id"`
	Name     string `json:"name"`
	Sequence bool   `json:"sequence"`
	Alerts   int    `json:"alerts"`
}

// Planted locates one incident in the corpus.
type Planted struct {
	RuleID   string      `json:"rule_id"`
	HostID   string      `json:"host_id"`
	HostName string      `json:"host_name"`
	Lines    []int       `json:"lines"`      // 1-based line numbers of its events
	Times    []time.Time `json:"timestamps"` // @timestamp of each event (millisecond precision)
}

// Manifest returns the planted true positives of the corpus WriteTo writes.
func (g *Generator) Manifest() Manifest {
	m := Manifest{Events: g.cfg.Events, Seed: g.cfg.Seed, Expected: []Expected{}, Incidents: []Planted{}}
	if len(g.plants) == 0 {
		return m
	}
	r := newRun(g)
	counts := map[int]int{}
	for _, p := range g.plants {
		in := &incidents[p.inc]
		counts[p.inc]++
		pl := Planted{RuleID: in.ruleID, HostID: r.hosts[p.host].id, HostName: r.hosts[p.host].name}
		for _, s := range p.slots {
			pl.Lines = append(pl.Lines, s+1)
			pl.Times = append(pl.Times, time.Unix(0, g.slotTime(s)).UTC().Truncate(time.Millisecond))
		}
		m.Incidents = append(m.Incidents, pl)
	}
	sort.Slice(m.Incidents, func(a, b int) bool { return m.Incidents[a].Lines[0] < m.Incidents[b].Lines[0] })
	for i, n := range counts {
		in := &incidents[i]
		m.Expected = append(m.Expected, Expected{RuleID: in.ruleID, Name: in.name, Sequence: in.sequence, Alerts: n})
	}
	sort.Slice(m.Expected, func(a, b int) bool { return m.Expected[a].RuleID < m.Expected[b].RuleID })
	return m
}
