package eql

import (
	"math"
	"strconv"
	"strings"
)

// Kind is the dynamic type of a Value.
type Kind uint8

// The kinds of values an expression can produce.
const (
	KindNull   Kind = iota // null, or a missing field
	KindBool               // true or false
	KindInt                // a 64-bit signed integer
	KindFloat              // a 64-bit float
	KindString             // a UTF-8 string
	KindList               // the values of a multi-valued field (never empty, never nested)
)

func (k Kind) String() string {
	switch k {
	case KindBool:
		return "boolean"
	case KindInt:
		return "integer"
	case KindFloat:
		return "double"
	case KindString:
		return "string"
	case KindList:
		return "list"
	}
	return "null"
}

// Value is a dynamically typed EQL value. The zero Value is null.
// Values are small and passed by value; a list shares its backing array.
type Value struct {
	k Kind
	n uint64 // bool (0/1), int64 bits or float64 bits
	s string
	l []Value
}

// Null is the null value.
var Null = Value{}

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{k: KindBool, n: 1}
	}
	return Value{k: KindBool}
}

// Int returns an integer value.
func Int(i int64) Value { return Value{k: KindInt, n: uint64(i)} }

// Float returns a floating-point value.
func Float(f float64) Value { return Value{k: KindFloat, n: math.Float64bits(f)} }

// String returns a string value.
func String(s string) Value { return Value{k: KindString, s: s} }

// List returns the value of a multi-valued field. Nulls and nested lists
// are flattened away, as Elasticsearch indexes arrays; an empty result is
// null and a single value is returned as itself.
func List(vs ...Value) Value {
	flat := vs[:0:0]
	needCopy := false
	for _, v := range vs {
		if v.k == KindNull || v.k == KindList {
			needCopy = true
			break
		}
	}
	if !needCopy {
		flat = vs
	} else {
		for _, v := range vs {
			switch v.k {
			case KindNull:
			case KindList:
				flat = append(flat, v.l...)
			default:
				flat = append(flat, v)
			}
		}
	}
	switch len(flat) {
	case 0:
		return Null
	case 1:
		return flat[0]
	}
	return Value{k: KindList, l: flat}
}

// Kind returns the value's kind.
func (v Value) Kind() Kind { return v.k }

// IsNull reports whether v is null.
func (v Value) IsNull() bool { return v.k == KindNull }

// AsBool returns the boolean of a KindBool value.
func (v Value) AsBool() bool { return v.n != 0 }

// AsInt returns the integer of a KindInt value.
func (v Value) AsInt() int64 { return int64(v.n) }

// AsFloat returns the number of a KindInt or KindFloat value as a float.
func (v Value) AsFloat() float64 {
	if v.k == KindInt {
		return float64(int64(v.n))
	}
	return math.Float64frombits(v.n)
}

// AsString returns the string of a KindString value.
func (v Value) AsString() string { return v.s }

// Values returns the values of a list, or v itself as a one-element slice
// (nil for null).
func (v Value) Values() []Value {
	switch v.k {
	case KindNull:
		return nil
	case KindList:
		return v.l
	}
	return []Value{v}
}

// each calls f for every scalar in v (the elements of a list, or v itself)
// until f returns false.
func (v Value) each(f func(Value) bool) {
	if v.k == KindList {
		for _, e := range v.l {
			if !f(e) {
				return
			}
		}
		return
	}
	if v.k != KindNull {
		f(v)
	}
}

// isNumber reports whether v is an integer or a float.
func (v Value) isNumber() bool { return v.k == KindInt || v.k == KindFloat }

// Interface returns v as a plain Go value: nil, bool, int64, float64,
// string or []any.
func (v Value) Interface() any {
	switch v.k {
	case KindBool:
		return v.AsBool()
	case KindInt:
		return v.AsInt()
	case KindFloat:
		return v.AsFloat()
	case KindString:
		return v.s
	case KindList:
		out := make([]any, len(v.l))
		for i, e := range v.l {
			out[i] = e.Interface()
		}
		return out
	}
	return nil
}

// String renders v the way Elasticsearch's string() function does:
// numbers as Java prints them, booleans as true/false, null as "null".
func (v Value) String() string {
	switch v.k {
	case KindBool:
		if v.AsBool() {
			return "true"
		}
		return "false"
	case KindInt:
		return strconv.FormatInt(v.AsInt(), 10)
	case KindFloat:
		return javaDouble(v.AsFloat())
	case KindString:
		return v.s
	case KindList:
		parts := make([]string, len(v.l))
		for i, e := range v.l {
			parts[i] = e.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return "null"
}

// javaDouble formats f as Java's Double.toString does, which is what
// Elasticsearch's string() and concat() produce for doubles: plain notation
// with at least one fractional digit for 1e-3 <= |f| < 1e7, and computerised
// scientific notation ("1.0E20") otherwise.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1E+20, 1.5E-05
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// Equal reports whether a and b are the same value: same kind and
// contents, with integers and floats compared numerically. It is the
// identity used for join keys and tests, not EQL's == operator.
func Equal(a, b Value) bool {
	if a.isNumber() && b.isNumber() {
		if a.k == KindInt && b.k == KindInt {
			return a.n == b.n
		}
		return a.AsFloat() == b.AsFloat()
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case KindNull:
		return true
	case KindBool:
		return a.n == b.n
	case KindString:
		return a.s == b.s
	case KindList:
		if len(a.l) != len(b.l) {
			return false
		}
		for i := range a.l {
			if !Equal(a.l[i], b.l[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// tri is a three-valued truth value: false, true or unknown (null).
type tri uint8

const (
	triFalse tri = iota
	triTrue
	triNull
)

func triOf(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (t tri) value() Value {
	switch t {
	case triTrue:
		return Bool(true)
	case triFalse:
		return Bool(false)
	}
	return Null
}

func (t tri) not() tri {
	switch t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triNull
}

// truth converts a value used as a condition into a tri: booleans are
// themselves, null is unknown, and anything else is unknown too (the
// checker rejects non-boolean conditions where it can see them).
func truth(v Value) tri {
	switch v.k {
	case KindBool:
		return triOf(v.AsBool())
	case KindList:
		// A multi-valued boolean field holds when any value is true.
		t := triNull
		for _, e := range v.l {
			if e.k == KindBool {
				if e.AsBool() {
					return triTrue
				}
				t = triFalse
			}
		}
		return t
	}
	return triNull
}

// Clone returns a copy of v that shares no memory with it, for values
// read zero-copy from a buffer that will be reused.
func (v Value) Clone() Value {
	switch v.k {
	case KindString:
		v.s = strings.Clone(v.s)
	case KindList:
		l := make([]Value, len(v.l))
		for i, e := range v.l {
			l[i] = e.Clone()
		}
		v.l = l
	}
	return v
}

func cloneValues(vs []Value) []Value {
	if vs == nil {
		return nil
	}
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = v.Clone()
	}
	return out
}
