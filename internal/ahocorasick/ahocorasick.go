// Package ahocorasick finds which of many literal strings occur in a text,
// in one pass over the text (Aho and Corasick, 1975). The engine uses it to
// learn, from one scan of a field value such as process.executable, which
// rules' wildcard patterns could possibly match it.
//
// The automaton is stored densely over a compressed alphabet (only the
// bytes that occur in the literals get a column), so a scan costs one table
// lookup per input byte. Literals may ignore ASCII case: the automaton then
// runs over case-folded bytes (folding is part of the byte → column table,
// so it costs nothing per byte) and the case-sensitive literals among them
// are checked against the text when found.
package ahocorasick

// Matcher is an immutable automaton; it is safe for concurrent use.
type Matcher struct {
	alpha [256]uint32 // byte → column; 0 = not in any literal
	width uint32      // columns (alphabet size + 1)
	// next is the transition table, row by row; states are stored
	// premultiplied by width (a state is the offset of its row), and
	// numbered so that every state at or past firstOut reports literals,
	// which spares a lookup per byte. next16 holds the same table when it
	// fits in 16 bits (most do), to halve what the scan keeps in cache.
	next     []uint32
	next16   []uint16
	firstOut uint32
	maxLen   int       // of the literals
	out      [][]int32 // (state-firstOut)/width → literal ids ending there (including via failure links)
	literal  []string
	exact    []bool // per literal: case-sensitive in a folding automaton, so checked on a hit
	folding  bool
}

// New builds a matcher for the literals; Scan reports literals by their
// index in this slice. Empty literals are never reported. fold, if not
// nil, says per literal whether it matches regardless of ASCII case.
func New(literals []string, fold []bool) *Matcher {
	m := &Matcher{literal: literals}
	for i := range literals {
		if i < len(fold) && fold[i] {
			m.folding = true
		}
	}
	key := literals
	if m.folding {
		// Every literal goes into the automaton lower-cased, and the text is
		// folded as it is read: a case-sensitive literal occurs only where
		// its folded form does, and is confirmed by comparing the text.
		key = make([]string, len(literals))
		m.exact = make([]bool, len(literals))
		for i, l := range literals {
			key[i] = asciiLower(l)
			m.exact[i] = (i >= len(fold) || !fold[i]) && hasLetter(key[i])
		}
	}
	cols := uint32(1)
	for _, l := range key {
		for i := 0; i < len(l); i++ {
			if m.alpha[l[i]] == 0 {
				m.alpha[l[i]] = cols
				cols++
			}
		}
	}
	if m.folding {
		for b := 'A'; b <= 'Z'; b++ {
			m.alpha[b] = m.alpha[b+'a'-'A']
		}
	}
	m.width = cols
	// Trie.
	type tnode struct {
		child map[uint32]int32
		ids   []int32
	}
	nodes := []tnode{{child: map[uint32]int32{}}}
	for id, l := range key {
		if l == "" {
			continue
		}
		m.maxLen = max(m.maxLen, len(l))
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := m.alpha[l[i]]
			n, ok := nodes[s].child[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, tnode{child: map[uint32]int32{}})
				nodes[s].child[c] = n
			}
			s = n
		}
		nodes[s].ids = append(nodes[s].ids, int32(id))
	}
	n := len(nodes)
	next := make([]int32, n*int(cols)) // by trie node, before renumbering
	out := make([][]int32, n)
	fail := make([]int32, n)
	// Breadth-first: fill goto with failure transitions folded in.
	queue := make([]int32, 0, n)
	for c := uint32(1); c < cols; c++ {
		if t, ok := nodes[0].child[c]; ok {
			next[c] = t
			queue = append(queue, t)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		out[s] = append(append([]int32(nil), nodes[s].ids...), out[fail[s]]...)
		for c := uint32(1); c < cols; c++ {
			if t, ok := nodes[s].child[c]; ok {
				fail[t] = next[int(fail[s])*int(cols)+int(c)]
				next[int(s)*int(cols)+int(c)] = t
				queue = append(queue, t)
			} else {
				next[int(s)*int(cols)+int(c)] = next[int(fail[s])*int(cols)+int(c)]
			}
		}
	}
	// Renumber: states without output first (the root stays 0), then the
	// states with output.
	id := make([]uint32, n)
	k := uint32(0)
	for s := 0; s < n; s++ {
		if len(out[s]) == 0 {
			id[s] = k
			k++
		}
	}
	m.firstOut = k * cols
	for s := 0; s < n; s++ {
		if len(out[s]) > 0 {
			id[s] = k
			k++
			m.out = append(m.out, out[s])
		}
	}
	m.next = make([]uint32, n*int(cols))
	for s := 0; s < n; s++ {
		row := next[s*int(cols) : (s+1)*int(cols)]
		dst := m.next[int(id[s]*cols):]
		for c, t := range row {
			dst[c] = id[t] * cols
		}
	}
	if len(m.next) <= 1<<16 {
		m.next16 = make([]uint16, len(m.next))
		for i, t := range m.next {
			m.next16[i] = uint16(t)
		}
		m.next = nil
	}
	return m
}

// Scan calls found for every literal that occurs in text (possibly more
// than once per literal).
func (m *Matcher) Scan(text string, found func(id int32)) {
	if m.maxLen == 0 {
		return // no literal, or only empty ones
	}
	if m.next16 != nil {
		scan(m, m.next16, text, found)
	} else {
		scan(m, m.next, text, found)
	}
}

func scan[T uint16 | uint32](m *Matcher, next []T, text string, found func(id int32)) {
	alpha, firstOut := &m.alpha, m.firstOut
	i, n := 0, len(text)
	var s uint32
	// A scan waits on one table lookup per byte. A long text is scanned as
	// two halves at once, which the processor overlaps: the second half
	// starts early by the longest literal less one byte, so that every
	// occurrence lies whole in one half.
	if half := n / 2; half > 2*m.maxLen {
		start := half - (m.maxLen - 1)
		second := text[start:]
		var t uint32
		for ; i < half; i++ {
			s = uint32(next[s+alpha[text[i]]])
			t = uint32(next[t+alpha[second[i]]])
			if s >= firstOut {
				m.report(text, i, s, found)
			}
			if t >= firstOut {
				m.report(text, start+i, t, found)
			}
		}
		i, s = start+half, t
	}
	for ; i < n; i++ {
		s = uint32(next[s+alpha[text[i]]])
		if s >= firstOut {
			m.report(text, i, s, found)
		}
	}
}

func (m *Matcher) report(text string, end int, s uint32, found func(id int32)) {
	for _, id := range m.out[(s-m.firstOut)/m.width] {
		if m.exact != nil && m.exact[id] {
			l := m.literal[id]
			if text[end+1-len(l):end+1] != l {
				continue
			}
		}
		found(id)
	}
}

// Len is the number of literals.
func (m *Matcher) Len() int { return len(m.literal) }

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}
