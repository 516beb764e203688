package eql

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// This file holds the typed views of values that Elasticsearch field types
// imply: dates (instants in nanoseconds), IP addresses and semantic
// versions. Keyword, numeric and boolean coercions live beside them.

// coerce converts a raw document value to the representation of field
// type fi. Values that cannot be converted become null, as Elasticsearch
// would have rejected or ignored them at index time (ignore_malformed).
func coerce(fi *FieldInfo, v Value) Value {
	if v.k == KindList {
		// Most lists already hold the field's type: return them as they are
		// rather than copying them for every condition that reads them.
		keep := 0
		for keep < len(v.l) && coerceKeeps(fi.Type, v.l[keep].k) {
			keep++
		}
		if keep == len(v.l) {
			return v
		}
		out := make([]Value, 0, len(v.l))
		out = append(out, v.l[:keep]...)
		for _, e := range v.l[keep:] {
			out = append(out, coerce(fi, e))
		}
		return List(out...)
	}
	if v.k == KindNull {
		return v
	}
	switch fi.Type {
	case TypeKeyword, TypeText, TypeVersion, TypeIP:
		if v.k != KindString {
			return String(v.String())
		}
	case TypeLong:
		switch v.k {
		case KindFloat:
			f := v.AsFloat()
			if f >= -9.223372036854775808e18 && f < 9.223372036854775808e18 {
				return Int(int64(f)) // Elasticsearch truncates fractions into long fields
			}
			return Null
		case KindString:
			n := numberValue(strings.TrimSpace(v.s))
			if n.k == KindFloat {
				return coerce(fi, n)
			}
			return n
		case KindBool:
			return Null
		}
	case TypeDouble:
		switch v.k {
		case KindInt:
			return Float(v.AsFloat())
		case KindString:
			n := numberValue(strings.TrimSpace(v.s))
			if n.k == KindInt {
				return Float(n.AsFloat())
			}
			return n
		case KindBool:
			return Null
		}
	case TypeBool:
		if v.k == KindString {
			switch v.s {
			case "true":
				return Bool(true)
			case "false", "":
				return Bool(false)
			}
			return Null
		}
	case TypeDate, TypeDateNanos:
		ns, ok := parseDateValue(v, fi)
		if !ok {
			return Null
		}
		if fi.Type == TypeDate {
			ns = floorDiv(ns, 1e6) * 1e6
		}
		return Int(ns)
	}
	return v
}

// coerceKeeps reports whether coerce returns a scalar of kind k in a field
// of type t unchanged.
func coerceKeeps(t FieldType, k Kind) bool {
	switch t {
	case TypeKeyword, TypeText, TypeVersion, TypeIP:
		return k == KindString
	case TypeLong:
		return k == KindInt
	case TypeDouble:
		return k == KindFloat
	case TypeBool:
		return k == KindBool
	case TypeDate, TypeDateNanos:
		return false
	}
	return k != KindNull && k != KindList
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// parseDateValue reads a document or literal value as an instant in
// nanoseconds since the epoch, following the field's formats (default
// strict_date_optional_time||epoch_millis). Elasticsearch reads JSON numbers
// as epoch milliseconds for both date and date_nanos fields.
func parseDateValue(v Value, fi *FieldInfo) (int64, bool) {
	formats := fi.DateFormats
	if len(formats) == 0 {
		formats = defaultDateFormats
	}
	switch v.k {
	case KindInt:
		ms := v.AsInt()
		if ms > math.MaxInt64/1_000_000 || ms < math.MinInt64/1_000_000 {
			return 0, false
		}
		return ms * 1e6, true
	case KindFloat:
		return epochMillis(v.AsFloat())
	case KindString:
		for _, f := range formats {
			if ns, ok := parseDateFormat(strings.TrimSpace(v.s), f); ok {
				return ns, true
			}
		}
	}
	return 0, false
}

var defaultDateFormats = []string{"strict_date_optional_time", "epoch_millis"}

func epochMillis(ms float64) (int64, bool) {
	ns := ms * 1e6
	if math.IsNaN(ns) || ns >= 9.2e18 || ns <= -9.2e18 {
		return 0, false
	}
	return int64(math.Round(ns)), true
}

// parseDateFormat parses s with one Elasticsearch date format: a built-in
// name or a Java DateTimeFormatter pattern.
func parseDateFormat(s, format string) (int64, bool) {
	switch format {
	case "strict_date_optional_time", "date_optional_time", "strict_date_optional_time_nanos",
		"strict_date_time", "date_time", "strict_date_time_no_millis", "date_time_no_millis",
		"iso8601", "strict_date", "date":
		return parseISODate(s, format == "strict_date_optional_time" || format == "strict_date_optional_time_nanos" ||
			strings.HasPrefix(format, "strict_"))
	case "epoch_millis":
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return parseDateValue(Int(i), &FieldInfo{})
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && isNumeric(s) {
			return epochMillis(f)
		}
		return 0, false
	case "epoch_second":
		if f, err := strconv.ParseFloat(s, 64); err == nil && isNumeric(s) {
			return epochMillis(f * 1000)
		}
		return 0, false
	}
	layout, ok := javaLayout(format)
	if !ok {
		return 0, false
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, false
	}
	return t.UnixNano(), true
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if (r < '0' || r > '9') && r != '.' && !(i == 0 && (r == '-' || r == '+')) {
			return false
		}
	}
	return true
}

// parseISODate parses the ISO 8601 shapes Elasticsearch's
// strict_date_optional_time accepts: yyyy[-MM[-dd['T'HH[:mm[:ss[.fraction]]]]]]
// followed by an optional Z or ±HH[:mm] offset. strict requires four-digit
// years and two-digit fields.
func parseISODate(s string, strict bool) (int64, bool) {
	p := dateParser{s: s}
	year, ok := p.digits(4, 4)
	if !ok {
		if strict {
			return 0, false
		}
		if year, ok = p.digits(1, 9); !ok {
			return 0, false
		}
	}
	month, day := 1, 1
	hour, minute, sec, nanos := 0, 0, 0, 0
	if p.eat('-') {
		if month, ok = p.digits(2, 2); !ok {
			return 0, false
		}
		if p.eat('-') {
			if day, ok = p.digits(2, 2); !ok {
				return 0, false
			}
			if p.eat('T') || (!strict && p.eat(' ')) {
				if hour, ok = p.digits(2, 2); !ok {
					return 0, false
				}
				if p.eat(':') {
					if minute, ok = p.digits(2, 2); !ok {
						return 0, false
					}
					if p.eat(':') {
						if sec, ok = p.digits(2, 2); !ok {
							return 0, false
						}
						if p.eat('.') || p.eat(',') {
							start := p.i
							frac, ok := p.digits(1, 9)
							if !ok {
								return 0, false
							}
							for n := p.i - start; n < 9; n++ {
								frac *= 10
							}
							nanos = frac
						}
					}
				}
			}
		}
	}
	offset := 0
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case 'Z', 'z':
			p.i++
		case '+', '-':
			sign := 1
			if p.s[p.i] == '-' {
				sign = -1
			}
			p.i++
			oh, ok := p.digits(2, 2)
			if !ok {
				return 0, false
			}
			om := 0
			if p.eat(':') {
				if om, ok = p.digits(2, 2); !ok {
					return 0, false
				}
			} else if p.i < len(p.s) {
				if om, ok = p.digits(2, 2); !ok {
					return 0, false
				}
			}
			offset = sign * (oh*3600 + om*60)
		default:
			return 0, false
		}
	}
	if p.i != len(p.s) || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	if t.Day() != day { // e.g. February 30th
		return 0, false
	}
	return t.UnixNano() - int64(offset)*1e9, true
}

type dateParser struct {
	s string
	i int
}

func (p *dateParser) eat(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// digits reads between min and max decimal digits.
func (p *dateParser) digits(min, max int) (int, bool) {
	n, v := 0, 0
	for p.i < len(p.s) && n < max && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	return v, n >= min
}

// javaLayout converts a Java DateTimeFormatter pattern such as dd-MM-yyyy
// into a Go time layout. Only the common letters are supported.
func javaLayout(pattern string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		j := i
		for j < len(pattern) && pattern[j] == c {
			j++
		}
		n := j - i
		switch c {
		case 'y', 'u':
			if n == 2 {
				b.WriteString("06")
			} else {
				b.WriteString("2006")
			}
		case 'M':
			switch n {
			case 1:
				b.WriteString("1")
			case 2:
				b.WriteString("01")
			case 3:
				b.WriteString("Jan")
			default:
				b.WriteString("January")
			}
		case 'd':
			if n == 1 {
				b.WriteString("2")
			} else {
				b.WriteString("02")
			}
		case 'H':
			b.WriteString("15")
		case 'h':
			b.WriteString("03")
		case 'm':
			b.WriteString("04")
		case 's':
			b.WriteString("05")
		case 'S':
			b.WriteString("." + strings.Repeat("0", n))
			// Go requires the fraction to follow a dot; Java patterns write
			// it as ".SSS", so drop the dot we already copied.
			str := b.String()
			if strings.HasSuffix(str, ".."+strings.Repeat("0", n)) {
				b.Reset()
				b.WriteString(str[:len(str)-n-2] + "." + strings.Repeat("0", n))
			}
		case 'a':
			b.WriteString("PM")
		case 'X', 'Z', 'x':
			b.WriteString("Z07:00")
		case '\'':
			k := strings.IndexByte(pattern[i+1:], '\'')
			if k < 0 {
				return "", false
			}
			b.WriteString(pattern[i+1 : i+1+k])
			i += k + 2
			continue
		default:
			if (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
				return "", false
			}
			b.WriteString(pattern[i:j])
		}
		i = j
	}
	return b.String(), true
}

// formatDate renders an instant as Elasticsearch renders dates in
// responses: strict_date_optional_time with milliseconds (nanoseconds for
// date_nanos when present), always in UTC.
func formatDate(ns int64, nanos bool) string {
	t := time.Unix(0, ns).UTC()
	if nanos && ns%1e6 != 0 {
		return t.Format("2006-01-02T15:04:05.000000000Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}

// parseIP parses an IP address as Elasticsearch's ip type does, unmapping
// IPv4-in-IPv6 addresses so that ::ffff:10.0.0.1 equals 10.0.0.1.
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

// version is a parsed semantic version for Elasticsearch's version type.
type version struct {
	valid bool
	nums  []int64
	pre   []string // pre-release identifiers; empty for a release
	raw   string
}

// parseVersion parses s as Elasticsearch's version field does: dotted
// numeric parts, an optional -prerelease and +build. Anything else is an
// invalid version, which sorts after every valid one.
func parseVersion(s string) version {
	v := version{raw: s}
	main := s
	if i := strings.IndexByte(main, '+'); i >= 0 {
		main = main[:i]
	}
	if i := strings.IndexByte(main, '-'); i >= 0 {
		pre := main[i+1:]
		main = main[:i]
		if pre == "" {
			return v
		}
		v.pre = strings.Split(pre, ".")
		for _, p := range v.pre {
			if p == "" {
				return v
			}
		}
	}
	parts := strings.Split(main, ".")
	if len(parts) == 0 {
		return v
	}
	for _, p := range parts {
		if p == "" || len(p) > 18 {
			return v
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || (len(p) > 1 && p[0] == '0') {
			return v
		}
		v.nums = append(v.nums, n)
	}
	v.valid = true
	return v
}

// compareVersions orders two versions: valid versions by numeric parts,
// a pre-release before its release; invalid versions after all valid ones,
// in string order.
func compareVersions(a, b version) int {
	if a.valid != b.valid {
		if a.valid {
			return -1
		}
		return 1
	}
	if !a.valid {
		return strings.Compare(a.raw, b.raw)
	}
	for i := 0; i < len(a.nums) || i < len(b.nums); i++ {
		var x, y int64
		if i < len(a.nums) {
			x = a.nums[i]
		}
		if i < len(b.nums) {
			y = b.nums[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(a.pre) == 0 && len(b.pre) == 0:
		return 0
	case len(a.pre) == 0:
		return 1
	case len(b.pre) == 0:
		return -1
	}
	for i := 0; i < len(a.pre) && i < len(b.pre); i++ {
		x, y := a.pre[i], b.pre[i]
		xn, xerr := strconv.ParseInt(x, 10, 64)
		yn, yerr := strconv.ParseInt(y, 10, 64)
		switch {
		case xerr == nil && yerr == nil:
			if xn != yn {
				if xn < yn {
					return -1
				}
				return 1
			}
		case xerr == nil:
			return -1
		case yerr == nil:
			return 1
		default:
			if c := strings.Compare(x, y); c != 0 {
				return c
			}
		}
	}
	switch {
	case len(a.pre) < len(b.pre):
		return -1
	case len(a.pre) > len(b.pre):
		return 1
	}
	return 0
}
