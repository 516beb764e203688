package rule

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// tomlKeyLines returns the line of every key of a TOML document by dotted
// path, in the form Source.Keys uses: array-of-tables elements and inline
// array elements as [i], e.g. "rule.threat[1].technique[0].id". go-toml's
// decoder does not expose positions, so the document is walked a second
// time with its low-level parser. The document has already been decoded
// successfully, so parse errors cannot occur; if one did, the lines found so
// far are returned.
//
// It also returns the line on which the text of rule.query starts (0 when
// there is none), so that query errors can point into the file.
func tomlKeyLines(data []byte) (lines map[string]int, queryLine int) {
	lines = map[string]int{}
	var p unstable.Parser
	p.Reset(data)
	line := func(n *unstable.Node) int { return p.Shape(n.Raw).Start.Line }

	// arrays counts the elements of each array of tables seen so far, by
	// concrete path; a header resolves its parent parts against it.
	arrays := map[string]int{}
	resolve := func(parts []string, lastIsArray bool) string {
		path := ""
		for i, part := range parts {
			path = joinPath(path, part)
			last := i == len(parts)-1
			if last && lastIsArray {
				n := arrays[path]
				arrays[path] = n + 1
				path += "[" + strconv.Itoa(n) + "]"
			} else if n, ok := arrays[path]; ok {
				path += "[" + strconv.Itoa(n-1) + "]"
			}
		}
		return path
	}

	table := ""
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			parts, first := keyParts(e)
			table = resolve(parts, e.Kind == unstable.ArrayTable)
			// Record every prefix of the header too, so that a
			// problem on [rule.new_terms] points at its header.
			prefix := ""
			for _, part := range strings.Split(table, ".") {
				prefix = joinPath(prefix, part)
				if _, ok := lines[prefix]; !ok {
					lines[prefix] = line(first)
				}
			}
			// The element itself ([[rule.threat]] → rule.threat[2])
			// gets the header's line.
			lines[table] = line(first)
		case unstable.KeyValue:
			path := keyValueLines(e, table, lines, line)
			if v := e.Value(); path == "rule.query" && v.Kind == unstable.String && v.Raw.Length > 0 {
				queryLine = line(v)
				raw := p.Raw(v.Raw)
				// A multi-line string drops a newline right after its
				// opening delimiter, so its text starts a line later.
				if (bytes.HasPrefix(raw, []byte(`"""`)) || bytes.HasPrefix(raw, []byte("'''"))) &&
					(bytes.HasPrefix(raw[3:], []byte("\n")) || bytes.HasPrefix(raw[3:], []byte("\r\n"))) {
					queryLine++
				}
			}
		}
	}
	return lines, queryLine
}

// keyValueLines records a key/value pair (and, inside inline tables and
// arrays, its nested keys) under the current table path.
func keyValueLines(e *unstable.Node, table string, lines map[string]int, line func(*unstable.Node) int) string {
	parts, first := keyParts(e)
	path := table
	for _, part := range parts {
		path = joinPath(path, part)
		if _, ok := lines[path]; !ok {
			lines[path] = line(first)
		}
	}
	valueLines(e.Value(), path, lines, line)
	return path
}

func valueLines(v *unstable.Node, path string, lines map[string]int, line func(*unstable.Node) int) {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			if kv := it.Node(); kv.Kind == unstable.KeyValue {
				keyValueLines(kv, path, lines, line)
			}
		}
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			el := it.Node()
			p := path + "[" + strconv.Itoa(i) + "]"
			if el.Raw.Length > 0 {
				lines[p] = line(el)
			} else {
				lines[p] = lines[path]
			}
			valueLines(el, p, lines, line)
		}
	}
}

// keyParts returns the dotted key of a table header or key/value node and
// its first key node.
func keyParts(e *unstable.Node) ([]string, *unstable.Node) {
	var parts []string
	var first *unstable.Node
	it := e.Key()
	for it.Next() {
		k := it.Node()
		if first == nil {
			first = k
		}
		parts = append(parts, string(k.Data))
	}
	return parts, first
}
