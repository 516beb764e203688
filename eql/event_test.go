package eql

import "testing"

func TestFreeze(t *testing.T) {
	tests := []struct {
		name string
		set  map[int]Value
	}{
		{"empty", nil},
		{"scalars", map[int]Value{3: String("cmd.exe"), 0: Int(42), 7: Float(1.5), 2: Bool(true), 5: Null, 9: String("")}},
		{"lists", map[int]Value{1: List(String("a"), String("bc")), 4: List(Int(1), String("x"), Bool(false)), 6: String("tail")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := NewRecord(4)
			// Set in descending order so that Freeze has to sort.
			for id := 9; id >= 0; id-- {
				if v, ok := tt.set[id]; ok {
					rec.Set(id, v)
				}
			}
			f := rec.Freeze()
			rec.Reset()
			for id := 0; id <= 10; id++ {
				want, wantOK := tt.set[id]
				got, ok := f.Lookup(&FieldRef{ID: id})
				if ok != wantOK || !Equal(got, want) || got.Kind() != want.Kind() {
					t.Errorf("field %d = %v, %v; want %v, %v", id, got, ok, want, wantOK)
				}
			}
		})
	}
}

func TestCoerceList(t *testing.T) {
	tests := []struct {
		typ  FieldType
		in   Value
		want Value
	}{
		{TypeKeyword, List(String("a"), String("b")), List(String("a"), String("b"))},
		{TypeKeyword, List(String("a"), Int(7)), List(String("a"), String("7"))},
		{TypeLong, List(Int(1), String("2"), Float(3.7)), List(Int(1), Int(2), Int(3))},
		{TypeLong, List(Int(1), Bool(true)), Int(1)},
		{TypeDouble, List(Float(1.5), Int(2)), List(Float(1.5), Float(2))},
		{TypeBool, List(Bool(true), String("false"), String("x")), List(Bool(true), Bool(false))},
		{TypeUnknown, List(String("a"), Int(1)), List(String("a"), Int(1))},
		{TypeDate, List(Int(1000), Int(2000)), List(Int(1_000_000_000), Int(2_000_000_000))},
	}
	for _, tt := range tests {
		got := coerce(&FieldInfo{Type: tt.typ}, tt.in)
		if !Equal(got, tt.want) {
			t.Errorf("coerce(%v, %v) = %v, want %v", tt.typ, tt.in, got, tt.want)
		}
	}
}

func BenchmarkFreeze(b *testing.B) {
	rec := NewRecord(64)
	for i := range 40 {
		rec.Set(i, String("C:\\Windows\\System32\\some-value-"+string(rune('a'+i%26))))
	}
	for i := 40; i < 44; i++ {
		var l []Value
		for j := range 12 {
			l = append(l, String("argument-"+string(rune('a'+j))))
		}
		rec.Set(i, List(l...))
	}
	for i := 44; i < 50; i++ {
		rec.Set(i, Int(int64(i)))
	}
	b.ReportAllocs()
	for b.Loop() {
		rec.Freeze()
	}
}

// TestTimestampMemo checks that the timestamp a Record remembers for the
// current event is forgotten at Reset, and kept apart per field and type.
func TestTimestampMemo(t *testing.T) {
	fields := NewFields()
	q := MustCompile(`any where true`, &Options{Fields: fields})
	q2 := MustCompile(`any where true`, &Options{Fields: fields, TimestampField: "event.created"})
	rec := NewRecord(8)
	for i, c := range []struct {
		ts, created string
		want, want2 int64
	}{
		{"2024-01-01T00:00:01Z", "2024-01-01T00:00:05Z", 1, 5},
		{"2024-01-01T00:00:02Z", "2024-01-01T00:00:06Z", 2, 6},
	} {
		rec.Reset()
		rec.Set(fields.Ref("@timestamp").ID, String(c.ts))
		rec.Set(fields.Ref("event.created").ID, String(c.created))
		for k := 0; k < 2; k++ {
			ns, ok := q.Timestamp(rec)
			ns2, ok2 := q2.Timestamp(rec)
			base := int64(1704067200) * 1e9
			if !ok || !ok2 || ns != base+c.want*1e9 || ns2 != base+c.want2*1e9 {
				t.Errorf("event %d, read %d: %d %v, %d %v", i, k, ns, ok, ns2, ok2)
			}
		}
	}
}
