// Package ahocorasick finds which of many literal strings occur in a text,
// in one pass over the text (Aho and Corasick, 1975). The engine uses it to
// learn, from one scan of a field value such as process.executable, which
// rules' wildcard patterns could possibly match it.
//
// The automaton is stored densely over a compressed alphabet (only the
// bytes that occur in the literals get a column), so a scan costs one table
// lookup per input byte.
package ahocorasick

// Matcher is an immutable automaton; it is safe for concurrent use.
type Matcher struct {
	alpha   [256]uint16 // byte → column; 0 = not in any literal
	width   int         // columns (alphabet size + 1)
	next    []int32     // state*width + column → state
	out     [][]int32   // state → literal ids ending here (including via failure links)
	hasOut  []bool
	literal []string
}

// New builds a matcher for the literals; Scan reports literals by their
// index in this slice. Empty literals are never reported.
func New(literals []string) *Matcher {
	m := &Matcher{literal: literals}
	cols := 1
	for _, l := range literals {
		for i := 0; i < len(l); i++ {
			if m.alpha[l[i]] == 0 {
				m.alpha[l[i]] = uint16(cols)
				cols++
			}
		}
	}
	m.width = cols
	// Trie.
	type tnode struct {
		child map[uint16]int32
		ids   []int32
	}
	nodes := []tnode{{child: map[uint16]int32{}}}
	for id, l := range literals {
		if l == "" {
			continue
		}
		s := int32(0)
		for i := 0; i < len(l); i++ {
			c := m.alpha[l[i]]
			n, ok := nodes[s].child[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, tnode{child: map[uint16]int32{}})
				nodes[s].child[c] = n
			}
			s = n
		}
		nodes[s].ids = append(nodes[s].ids, int32(id))
	}
	n := len(nodes)
	m.next = make([]int32, n*cols)
	m.out = make([][]int32, n)
	m.hasOut = make([]bool, n)
	fail := make([]int32, n)
	// Breadth-first: fill goto with failure transitions folded in.
	queue := make([]int32, 0, n)
	for c := 1; c < cols; c++ {
		if t, ok := nodes[0].child[uint16(c)]; ok {
			m.next[c] = t
			fail[t] = 0
			queue = append(queue, t)
		}
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		m.out[s] = append(append([]int32(nil), nodes[s].ids...), m.out[fail[s]]...)
		m.hasOut[s] = len(m.out[s]) > 0
		for c := 1; c < cols; c++ {
			if t, ok := nodes[s].child[uint16(c)]; ok {
				fail[t] = m.next[int(fail[s])*cols+c]
				m.next[int(s)*cols+c] = t
				queue = append(queue, t)
			} else {
				m.next[int(s)*cols+c] = m.next[int(fail[s])*cols+c]
			}
		}
	}
	return m
}

// Scan calls found for every literal that occurs in text (possibly more
// than once per literal). lower folds ASCII upper-case letters of the text
// to lower case first, for matching lower-cased literals.
func (m *Matcher) Scan(text string, lower bool, found func(id int32)) {
	s := int32(0)
	w := m.width
	for i := 0; i < len(text); i++ {
		b := text[i]
		if lower && b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		c := m.alpha[b]
		if c == 0 {
			s = 0
			continue
		}
		s = m.next[int(s)*w+int(c)]
		if m.hasOut[s] {
			for _, id := range m.out[s] {
				found(id)
			}
		}
	}
}

// Len is the number of literals.
func (m *Matcher) Len() int { return len(m.literal) }
