package eql

import "sort"

// Samples: for every key tuple that every stage matches, Elasticsearch
// returns up to max_samples_per_key samples, each made of one distinct event
// per stage, samples ordered by key tuple (nulls first). Events are taken
// in input order. Samples have no time order, so they are built at Flush.

type sampleKey struct {
	key    []Value
	stages [][]sampleCand // per stage, the first few candidates in input order
}

type sampleCand struct {
	ev  Event
	seq uint64
}

func (r *Runner) pushSample(ev Event) {
	q := r.q
	enc := r.encBuf[:0]
	defer func() { r.encBuf = enc[:0] }()
	matched := false
	r.seq++
	// Enough candidates per stage to build every sample even when the same
	// events match several stages.
	limit := r.opts.MaxSamplesPerKey + len(q.stages)
	for i, s := range q.stages {
		if !s.Match(ev) {
			continue
		}
		tuples, ok := r.stageKeys(s, ev)
		if !ok {
			continue
		}
		matched = true
		for _, t := range tuples {
			enc = encodeKey(enc[:0], t)
			sk := r.samples[string(enc)]
			if sk == nil {
				sk = &sampleKey{key: cloneValues(sampleKeyValues(s, t)), stages: make([][]sampleCand, len(q.stages))}
				r.samples[string(enc)] = sk
			}
			if len(sk.stages[i]) < limit {
				sk.stages[i] = append(sk.stages[i], sampleCand{ev: r.retainEvent(ev), seq: r.seq})
			}
		}
	}
	if matched {
		r.stats.Matched++
	}
}

// sampleKeyValues renders date keys as epoch milliseconds, as the
// composite aggregation behind Elasticsearch's samples does.
func sampleKeyValues(s *Stage, t []Value) []Value {
	out := make([]Value, len(t))
	for i, v := range t {
		if (s.keyTypes[i] == TypeDate || s.keyTypes[i] == TypeDateNanos) && v.k == KindInt {
			v = Int(floorDiv(v.AsInt(), 1e6))
		}
		out[i] = v
	}
	return out
}

func (r *Runner) flushSamples() {
	keys := make([]*sampleKey, 0, len(r.samples))
	for _, sk := range r.samples {
		keys = append(keys, sk)
	}
	sort.Slice(keys, func(i, j int) bool { return compareKeys(keys[i].key, keys[j].key) < 0 })
	for _, sk := range keys {
		used := map[uint64]bool{}
		for n := 0; n < r.opts.MaxSamplesPerKey; n++ {
			events := make([]Event, len(sk.stages))
			inSample := map[uint64]bool{}
			complete := true
			for i, cands := range sk.stages {
				picked := false
				for _, c := range cands {
					if inSample[c.seq] || used[c.seq] {
						continue
					}
					events[i] = c.ev
					inSample[c.seq] = true
					picked = true
					break
				}
				if !picked {
					complete = false
					break
				}
			}
			if !complete {
				break
			}
			for s := range inSample {
				used[s] = true
			}
			r.emit(Result{Events: events, JoinKeys: sk.key})
		}
	}
	r.samples = map[string]*sampleKey{}
}
