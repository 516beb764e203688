package eql

import (
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// argKind is what a function parameter accepts.
type argKind uint8

const (
	argAny argKind = iota
	argString
	argNumber
	argInt
	argBool
)

func (a argKind) String() string {
	switch a {
	case argString:
		return "string"
	case argNumber:
		return "numeric"
	case argInt:
		return "integer"
	case argBool:
		return "boolean"
	}
	return "any"
}

// funcSpec describes one of Elasticsearch EQL's built-in functions.
type funcSpec struct {
	name      string // canonical spelling, as in the Elasticsearch docs
	minArgs   int
	maxArgs   int // -1: variadic
	args      []argKind
	variadic  argKind // kind of arguments past len(args)
	insens    bool    // has a case-insensitive name~ variant
	boolean   bool    // returns a boolean (a predicate)
	constArgs []int   // positions that must be constants (0-based); -1 = all after the first
	eval      func(args []Value, ci bool) Value
}

func (f *funcSpec) kindAt(i int) argKind {
	if i < len(f.args) {
		return f.args[i]
	}
	return f.variadic
}

var functions = map[string]*funcSpec{}

func init() {
	for _, f := range []*funcSpec{
		{name: "add", minArgs: 2, maxArgs: 2, args: []argKind{argNumber, argNumber}, eval: arith2('+')},
		{name: "between", minArgs: 3, maxArgs: 4, args: []argKind{argString, argString, argString, argBool}, insens: true, constArgs: []int{3}, eval: fnBetween},
		{name: "cidrMatch", minArgs: 2, maxArgs: -1, args: []argKind{argString}, variadic: argString, boolean: true, constArgs: []int{-1}, eval: fnCidrMatch},
		{name: "concat", minArgs: 1, maxArgs: -1, variadic: argAny, eval: fnConcat},
		{name: "divide", minArgs: 2, maxArgs: 2, args: []argKind{argNumber, argNumber}, eval: arith2('/')},
		{name: "endsWith", minArgs: 2, maxArgs: 2, args: []argKind{argString, argString}, insens: true, boolean: true, eval: fnEndsWith},
		{name: "indexOf", minArgs: 2, maxArgs: 3, args: []argKind{argString, argString, argInt}, insens: true, eval: fnIndexOf},
		{name: "length", minArgs: 1, maxArgs: 1, args: []argKind{argString}, eval: fnLength},
		{name: "modulo", minArgs: 2, maxArgs: 2, args: []argKind{argNumber, argNumber}, eval: arith2('%')},
		{name: "multiply", minArgs: 2, maxArgs: 2, args: []argKind{argNumber, argNumber}, eval: arith2('*')},
		{name: "number", minArgs: 1, maxArgs: 2, args: []argKind{argString, argInt}, eval: fnNumber},
		{name: "startsWith", minArgs: 2, maxArgs: 2, args: []argKind{argString, argString}, insens: true, boolean: true, eval: fnStartsWith},
		{name: "string", minArgs: 1, maxArgs: 1, args: []argKind{argAny}, eval: fnString},
		{name: "stringContains", minArgs: 2, maxArgs: 2, args: []argKind{argString, argString}, insens: true, boolean: true, eval: fnStringContains},
		{name: "substring", minArgs: 2, maxArgs: 3, args: []argKind{argString, argInt, argInt}, eval: fnSubstring},
		{name: "subtract", minArgs: 2, maxArgs: 2, args: []argKind{argNumber, argNumber}, eval: arith2('-')},
	} {
		functions[strings.ToLower(f.name)] = f
	}
}

// lookupFunc resolves a function name case-insensitively, as Elasticsearch does.
func lookupFunc(name string) (*funcSpec, bool) {
	f, ok := functions[strings.ToLower(name)]
	return f, ok
}

// FunctionNames returns the canonical names of the built-in functions.
func FunctionNames() []string {
	out := make([]string, 0, len(functions))
	for _, f := range functions {
		out = append(out, f.name)
	}
	sort.Strings(out)
	return out
}

// callLifted applies a function over multi-valued arguments: each
// combination of values is evaluated and the results form a multi-valued
// result, so that a predicate over an array field holds when it holds for
// any value (Elasticsearch's semantics for keyword arrays).
func callLifted(f *funcSpec, args []Value, ci bool) Value {
	listAt := -1
	for i, a := range args {
		if a.k == KindList {
			listAt = i
			break
		}
	}
	if listAt < 0 {
		return f.eval(args, ci)
	}
	elems := args[listAt].l
	out := make([]Value, 0, len(elems))
	tmp := make([]Value, len(args))
	copy(tmp, args)
	for _, e := range elems {
		tmp[listAt] = e
		out = append(out, callLifted(f, tmp, ci))
	}
	return List(out...)
}

// str returns the string form of a value for string functions: strings as
// they are, numbers and booleans as Elasticsearch's keyword fields hold them.
func str(v Value) (string, bool) {
	switch v.k {
	case KindString:
		return v.s, true
	case KindNull, KindList:
		return "", false
	}
	return v.String(), true
}

func fnBetween(args []Value, ci bool) Value {
	src, ok1 := str(args[0])
	left, ok2 := str(args[1])
	right, ok3 := str(args[2])
	if !ok1 || !ok2 || !ok3 {
		return Null
	}
	greedy := len(args) > 3 && args[3].k == KindBool && args[3].AsBool()
	match := src
	if ci {
		match, left, right = strings.ToLower(src), strings.ToLower(left), strings.ToLower(right)
		if len(match) != len(src) { // lower-casing changed byte lengths; slice the folded string
			src = match
		}
	}
	start := strings.Index(match, left)
	if start < 0 {
		return Null
	}
	start += len(left)
	var end int
	if greedy {
		end = strings.LastIndex(match, right)
		if end < start {
			return Null
		}
	} else {
		end = strings.Index(match[start:], right)
		if end < 0 {
			return Null
		}
		end += start
	}
	return String(src[start:end])
}

func fnCidrMatch(args []Value, _ bool) Value {
	s, ok := str(args[0])
	if !ok {
		return Null
	}
	ip, ok := parseIP(s)
	if !ok {
		return Bool(false)
	}
	for _, a := range args[1:] {
		c, ok := str(a)
		if !ok {
			continue
		}
		p, err := parseCIDR(c)
		if err == nil && p.Contains(ip) {
			return Bool(true)
		}
	}
	return Bool(false)
}

// parseCIDR parses a CIDR block or a single address (a /32 or /128).
func parseCIDR(s string) (netip.Prefix, error) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, err
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96), nil
	}
	return p.Masked(), nil
}

func fnConcat(args []Value, _ bool) Value {
	var b strings.Builder
	for _, a := range args {
		if a.k == KindNull {
			return Null
		}
		b.WriteString(a.String())
	}
	return String(b.String())
}

// stringPredicate evaluates a two-string predicate with null propagation
// and optional case folding.
func stringPredicate(args []Value, ci bool, f func(s, sub string) bool) Value {
	s, ok1 := str(args[0])
	sub, ok2 := str(args[1])
	if !ok1 || !ok2 {
		return Null
	}
	if ci {
		s, sub = strings.ToLower(s), strings.ToLower(sub)
	}
	return Bool(f(s, sub))
}

func fnEndsWith(args []Value, ci bool) Value { return stringPredicate(args, ci, strings.HasSuffix) }

func fnStartsWith(args []Value, ci bool) Value { return stringPredicate(args, ci, strings.HasPrefix) }

func fnStringContains(args []Value, ci bool) Value {
	return stringPredicate(args, ci, strings.Contains)
}

// utf16Len counts UTF-16 code units, which is what Java's String.length()
// and therefore Elasticsearch's length() and offsets count.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// toUnits and fromUnits convert between strings and UTF-16 code units for
// the functions whose offsets Elasticsearch counts in Java chars.
func toUnits(s string) []uint16 { return utf16.Encode([]rune(s)) }

func fromUnits(u []uint16) string { return string(utf16.Decode(u)) }

func fnIndexOf(args []Value, ci bool) Value {
	s, ok1 := str(args[0])
	sub, ok2 := str(args[1])
	if !ok1 || !ok2 {
		return Null
	}
	start := 0
	if len(args) > 2 && args[2].k != KindNull {
		if !args[2].isNumber() {
			return Null
		}
		start = int(args[2].AsFloat())
	}
	if ci {
		s, sub = strings.ToLower(s), strings.ToLower(sub)
	}
	if isASCII(s) && isASCII(sub) {
		if start < 0 {
			start = 0
		}
		if start > len(s) {
			if sub == "" {
				return Int(int64(len(s)))
			}
			return Null
		}
		i := strings.Index(s[start:], sub)
		if i < 0 {
			return Null
		}
		return Int(int64(i + start))
	}
	u, su := toUnits(s), toUnits(sub)
	if start < 0 {
		start = 0
	}
	if start > len(u) {
		if len(su) == 0 {
			return Int(int64(len(u)))
		}
		return Null
	}
	for i := start; i+len(su) <= len(u); i++ {
		match := true
		for j := range su {
			if u[i+j] != su[j] {
				match = false
				break
			}
		}
		if match {
			return Int(int64(i))
		}
	}
	return Null
}

func fnLength(args []Value, _ bool) Value {
	s, ok := str(args[0])
	if !ok {
		return Null
	}
	if isASCII(s) {
		return Int(int64(len(s)))
	}
	return Int(int64(utf16Len(s)))
}

// fnNumber parses a string as a number the way Elasticsearch's number()
// does: surrounding whitespace ignored, an optional sign, "0x" implying
// base 16, decimals and exponents in base 10. Unparseable input is null.
func fnNumber(args []Value, _ bool) Value {
	s, ok := str(args[0])
	if !ok {
		return Null
	}
	s = strings.TrimSpace(s)
	base := 10
	baseGiven := false
	if len(args) > 1 && args[1].k != KindNull {
		if !args[1].isNumber() {
			return Null
		}
		base = int(args[1].AsFloat())
		baseGiven = true
	}
	neg := false
	body := s
	if strings.HasPrefix(body, "-") || strings.HasPrefix(body, "+") {
		neg = body[0] == '-'
		body = body[1:]
	}
	if strings.HasPrefix(body, "0x") || strings.HasPrefix(body, "0X") {
		if baseGiven && base != 16 {
			return Null
		}
		base = 16
		body = body[2:]
	}
	if base < 2 || base > 36 || body == "" {
		return Null
	}
	if i, err := strconv.ParseInt(body, base, 64); err == nil {
		if neg {
			i = -i
		}
		return Int(i)
	}
	if base == 10 {
		if f, err := strconv.ParseFloat(body, 64); err == nil && !strings.ContainsAny(body, "xXpP_") {
			if neg {
				f = -f
			}
			return Float(f)
		}
	}
	return Null
}

func fnString(args []Value, _ bool) Value {
	if args[0].k == KindNull {
		return Null
	}
	return String(args[0].String())
}

func fnSubstring(args []Value, _ bool) Value {
	s, ok := str(args[0])
	if !ok {
		return Null
	}
	ascii := isASCII(s)
	n := len(s)
	var u []uint16
	if !ascii {
		u = toUnits(s)
		n = len(u)
	}
	start, end := 0, n
	if len(args) > 1 && args[1].k != KindNull {
		if !args[1].isNumber() {
			return Null
		}
		start = int(args[1].AsFloat())
	}
	if len(args) > 2 && args[2].k != KindNull {
		if !args[2].isNumber() {
			return Null
		}
		end = int(args[2].AsFloat())
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(0, min(start, n))
	end = max(0, min(end, n))
	if start >= end {
		return String("")
	}
	if ascii {
		return String(s[start:end])
	}
	return String(fromUnits(u[start:end]))
}

// arith2 returns the implementation of a binary arithmetic function, with
// Java semantics: integer arithmetic stays integral (division truncates
// toward zero, overflow has no result), anything involving a double is
// computed in floating point.
func arith2(op byte) func(args []Value, _ bool) Value {
	return func(args []Value, _ bool) Value { return arith(op, args[0], args[1]) }
}

func arith(op byte, a, b Value) Value {
	a, b = numeric(a), numeric(b)
	if !a.isNumber() || !b.isNumber() {
		return Null
	}
	if a.k == KindInt && b.k == KindInt {
		x, y := a.AsInt(), b.AsInt()
		switch op {
		case '+':
			r := x + y
			if (r > x) != (y > 0) {
				return Null
			}
			return Int(r)
		case '-':
			r := x - y
			if (r < x) != (y > 0) {
				return Null
			}
			return Int(r)
		case '*':
			if x == 0 || y == 0 {
				return Int(0)
			}
			r := x * y
			if r/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
				return Null
			}
			return Int(r)
		case '/':
			if y == 0 || (x == math.MinInt64 && y == -1) {
				return Null
			}
			return Int(x / y)
		case '%':
			if y == 0 {
				return Null
			}
			if y == -1 {
				return Int(0)
			}
			return Int(x % y)
		}
		return Null
	}
	x, y := a.AsFloat(), b.AsFloat()
	switch op {
	case '+':
		return Float(x + y)
	case '-':
		return Float(x - y)
	case '*':
		return Float(x * y)
	case '/':
		return Float(x / y)
	case '%':
		return Float(math.Mod(x, y))
	}
	return Null
}

// numeric converts numeric strings (as keyword fields may hold) to numbers
// for arithmetic; other values pass through.
func numeric(v Value) Value {
	if v.k == KindString {
		n := numberValue(strings.TrimSpace(v.s))
		if n.k != KindNull {
			return n
		}
	}
	return v
}
