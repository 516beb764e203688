// Package gen writes a deterministic, seedable corpus of security telemetry
// for benchmarking and testing eqld: Elastic Defend endpoint events
// (logs-endpoint.events.*), Windows Sysmon and Security channel events as the
// Elastic Agent integrations index them, one compact JSON object per line.
//
// The corpus is benign fleet noise — process trees, network connections,
// DNS lookups, file, registry and library activity and logons over many
// hosts of three operating systems, with Zipf-like popularity — into which a
// data-driven table of attacks is planted. Noise is built only from
// behaviour checked not to match Elastic's production EQL rules, so the
// planted incidents are the corpus's only true positives and Manifest tells
// exactly which alerts a correct engine must write.
//
// The same Config always yields byte-identical output: all randomness comes
// from a generator seeded by Config.Seed and implemented in this package, and
// weighted choices use integer arithmetic only.
//
// To verify an engine, run every production EQL rule over the corpus and
// compare the alerts per rule with Manifest().Expected: each listed rule
// must alert exactly Alerts times (sequences counted once per sequence) and
// every other rule not at all. Manifest().Incidents gives the host and the
// line numbers of each planted incident for debugging a mismatch.
//
// A typical use:
//
//	g, err := gen.New(gen.Config{Seed: 1, Events: 10_000_000})
//	if err != nil { ... }
//	_, err = g.WriteTo(w)       // NDJSON, about 1.6 KB per event
//	expected := g.Manifest()    // planted true positives
package gen

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Config selects the corpus. The zero value of every field but Events
// selects its default.
type Config struct {
	// Seed selects the corpus; different seeds give different fleets and
	// activity.
	Seed uint64
	// Events is the number of lines written, planted events included.
	Events int
	// Hosts is the fleet size (default 500). Hosts 0, 1 and 2 run Windows,
	// Linux and macOS so that every OS is present from three hosts up.
	Hosts int
	// Start is the timestamp of the first event (default
	// 2026-01-05T08:00:00Z).
	Start time.Time
	// Rate is the fleet-wide event rate in events per second (default
	// 2000); timestamps advance by 1/Rate per event with sub-slot jitter,
	// so they never decrease.
	Rate float64
	// Mix weighs the kinds of event; the zero Mix selects DefaultMix.
	Mix Mix
	// SysmonShare is the fraction of Windows hosts that report through
	// Sysmon and the Security channel (Elastic Agent's windows and system
	// integrations) instead of Elastic Defend. 0 selects the default 0.2;
	// a negative value means none.
	SysmonShare float64
	// PlantEvery plants one incident per this many events (default
	// 100,000); a negative value plants nothing. See Plants.
	PlantEvery int
	// Plants lists the rule ids of the incidents to plant, cycled in order;
	// nil selects every incident in Incidents. When Plants is nil, corpora
	// smaller than MinPlantedEvents get no incidents; otherwise every
	// listed incident is planted at least once.
	Plants []string
}

// Mix holds relative weights of the event kinds. Kinds that no host of the
// fleet can produce (registry events in a fleet without Windows) are
// dropped and the rest renormalised.
type Mix struct {
	Process, Network, File, Registry, DNS, Library, Auth float64
}

// DefaultMix is roughly the share of event kinds Elastic Defend ships from a
// mixed fleet.
var DefaultMix = Mix{Process: 35, Network: 25, File: 20, Registry: 10, DNS: 4, Library: 4, Auth: 2}

// MinPlantedEvents is the corpus size from which the default incident table
// is planted: below it, a corpus is pure noise unless Config.Plants asks
// otherwise.
const MinPlantedEvents = 10_000

const (
	defaultHosts      = 500
	defaultRate       = 2000
	defaultPlantEvery = 100_000
	defaultSysmon     = 0.2
)

// DefaultStart is the default timestamp of the first event.
var DefaultStart = time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

// Generator writes one corpus. It is cheap to create; WriteTo may be called
// any number of times and writes the same bytes each time.
type Generator struct {
	cfg      Config
	stepNS   int64 // nanoseconds between slots
	kinds    []kind
	kindPick *table
	plants   []planted // sorted by slot of their first event
	slots    []slotRef // every planted event, sorted by slot
}

type kind uint8

const (
	kProcess kind = iota
	kNetwork
	kFile
	kRegistry
	kDNS
	kLibrary
	kAuth
	numKinds
)

// New checks cfg, fills in defaults and lays out where incidents go.
func New(cfg Config) (*Generator, error) {
	if cfg.Events < 0 {
		return nil, errors.New("gen: Events must not be negative")
	}
	if cfg.Hosts == 0 {
		cfg.Hosts = defaultHosts
	}
	if cfg.Hosts < 0 || cfg.Hosts > 1_000_000 {
		return nil, fmt.Errorf("gen: Hosts %d out of range 1..1000000", cfg.Hosts)
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	if cfg.Rate == 0 {
		cfg.Rate = defaultRate
	}
	if !(cfg.Rate > 0) || math.IsInf(cfg.Rate, 0) || cfg.Rate > 1e9 {
		return nil, fmt.Errorf("gen: Rate %v out of range (0, 1e9]", cfg.Rate)
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = DefaultMix
	}
	if cfg.SysmonShare == 0 {
		cfg.SysmonShare = defaultSysmon
	}
	if cfg.SysmonShare > 1 {
		return nil, fmt.Errorf("gen: SysmonShare %v above 1", cfg.SysmonShare)
	}
	if cfg.PlantEvery == 0 {
		cfg.PlantEvery = defaultPlantEvery
	}
	g := &Generator{cfg: cfg, stepNS: int64(math.Round(1e9 / cfg.Rate))}
	if g.stepNS < 1 {
		g.stepNS = 1
	}
	w := [numKinds]float64{cfg.Mix.Process, cfg.Mix.Network, cfg.Mix.File, cfg.Mix.Registry, cfg.Mix.DNS, cfg.Mix.Library, cfg.Mix.Auth}
	fleet := layoutFleet(cfg)
	var ws []uint64
	for k := kind(0); k < numKinds; k++ {
		if w[k] < 0 || math.IsNaN(w[k]) || math.IsInf(w[k], 0) {
			return nil, fmt.Errorf("gen: Mix weight %v invalid", w[k])
		}
		if w[k] == 0 || !fleet.canProduce(k) {
			continue
		}
		g.kinds = append(g.kinds, k)
		ws = append(ws, uint64(math.Round(w[k]*1000))+1)
	}
	if len(g.kinds) == 0 && cfg.Events > 0 {
		return nil, errors.New("gen: Mix selects no event kind this fleet can produce")
	}
	if len(ws) > 0 {
		g.kindPick = newTable(ws)
	}
	if err := g.layoutPlants(fleet); err != nil {
		return nil, err
	}
	return g, nil
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

// slotTime returns the timestamp of slot i in Unix nanoseconds, without
// jitter (jitter is below one slot, so order is kept).
func (g *Generator) slotTime(i int) int64 {
	return g.cfg.Start.UnixNano() + int64(i)*g.stepNS
}

// WriteTo writes the corpus to w. It implements io.WriterTo.
func (g *Generator) WriteTo(w io.Writer) (int64, error) {
	r := newRun(g)
	const flushAt = 256 << 10
	buf := make([]byte, 0, flushAt+16<<10)
	var total int64
	next := 0 // index into g.slots
	for i := 0; i < g.cfg.Events; i++ {
		t := g.slotTime(i)
		if g.stepNS > 1 {
			t += int64(r.rng.intn(int(g.stepNS / 2)))
		}
		if next < len(g.slots) && g.slots[next].slot == i {
			buf = r.plantEvent(buf, &g.plants[g.slots[next].plant], g.slots[next].stage, t)
			next++
		} else {
			buf = r.noise(buf, t)
		}
		buf = append(buf, '\n')
		if len(buf) >= flushAt {
			n, err := w.Write(buf)
			total += int64(n)
			if err != nil {
				return total, err
			}
			buf = buf[:0]
		}
	}
	if len(buf) > 0 {
		n, err := w.Write(buf)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
