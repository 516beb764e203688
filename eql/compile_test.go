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

// backed wraps a Record the way a caller adding context to an event would.
type backed struct{ rec *Record }

func (b backed) Lookup(f *FieldRef) (Value, bool) { return b.rec.Lookup(f) }
func (b backed) Record() *Record                  { return b.rec }

// TestLeafRecordPaths evaluates the same conditions through a Record, a
// RecordBacked wrapper (both memoised) and a Doc, over typed and untyped
// fields, nulls, lists and missing fields.
func TestLeafRecordPaths(t *testing.T) {
	schema := NewMapping()
	schema.Set("process.pid", FieldInfo{Type: TypeLong})
	schema.Set("process.name", FieldInfo{Type: TypeKeyword})
	schema.Set("tag", FieldInfo{Type: TypeKeyword, NullValue: String("none")})
	conds := []string{
		`process.name : ("CMD.EXE", "*shell*")`,
		`process.pid == 4`,
		`process.pid > 3 and process.pid < 10`,
		`tag == "none"`,
		`not other : "x*"`,
		`other == 1`,
		`process.name in ("a", "b") or other != 2`,
	}
	docs := []string{
		`{"process": {"name": "cmd.exe", "pid": 4}, "tag": null, "other": "xy"}`,
		`{"process": {"name": ["a", "powershell.exe"], "pid": "4"}, "other": 2}`,
		`{"process": {"name": 7, "pid": 4.9}, "tag": "t", "other": [1, "x"]}`,
		`{}`,
	}
	fields := NewFields()
	opts := &Options{Schema: schema, Fields: fields, Memo: NewMemo()}
	plain := &Options{Schema: schema, Fields: fields}
	for _, src := range conds {
		q := MustCompile("any where "+src, opts)
		ref := MustCompile("any where "+src, plain)
		for _, d := range docs {
			doc, err := ParseDoc([]byte(d))
			if err != nil {
				t.Fatal(err)
			}
			rec := NewRecord(fields.Len())
			for _, f := range fields.All() {
				if v, ok := doc.Lookup(f); ok {
					rec.Set(f.ID, v)
				}
			}
			want := ref.Stages()[0].Match(doc)
			rec.Reset()
			for _, f := range fields.All() {
				if v, ok := doc.Lookup(f); ok {
					rec.Set(f.ID, v)
				}
			}
			for i, ev := range []Event{rec, backed{rec}, rec, backed{rec}} {
				if got := q.Stages()[0].Match(ev); got != want {
					t.Errorf("%s over %s: evaluation %d = %v, want %v", src, d, i, got, want)
				}
			}
		}
	}
}
