package rule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Date math as Kibana evaluates a rule's `from` and `to` (@kbn/datemath,
// with forceNow = the run's start time), which is also Elasticsearch's
// date-math syntax:
//
//	now-9m        now-1d/d        now+1h/h        now
//	2024-01-01T00:00:00Z||+1d     1704067200000||/M
//
// An anchor ("now" or an absolute date followed by "||") is followed by any
// number of operations: +N<unit>, -N<unit> (N defaults to 1) and /<unit>
// (round down, or up to the last millisecond of the unit when rounding up,
// as Kibana does for `to`). Units: y M w d h H m s ms.
//
// Where the two dialects differ we take Kibana's side for what Kibana
// computes, and say so:
//   - "ms" is a Kibana unit and "H" an Elasticsearch one; both are accepted.
//   - /w rounds to Sunday, the start of the week in moment's default locale
//     that Kibana's server uses (Elasticsearch would round to Monday).
//   - Absolute dates use Elasticsearch's strict_date_optional_time (without
//     a zone: UTC) or epoch_millis (all digits), not moment's lenient parser.
//   - Month and year arithmetic clamps to the end of the month
//     (Jan 31 + 1M = Feb 28/29), as both moment and java.time do.

// DateMath is a parsed date-math expression.
type DateMath struct {
	// Now is true when the anchor is "now"; otherwise Anchor holds the
	// absolute date.
	Now    bool
	Anchor time.Time
	Ops    []DateMathOp
}

// DateMathOp is one operation: Op is '+', '-' or '/', N the amount (1 for
// rounding) and Unit one of y M w d h H m s ms.
type DateMathOp struct {
	Op   byte
	N    int
	Unit string
}

// maxDateMathAmount bounds N so that arithmetic cannot overflow; a million
// years is far beyond any real look-back.
const maxDateMathAmount = 1_000_000_000

// ParseDateMath parses a date-math expression. The error says where the
// expression went wrong and what is accepted there.
func ParseDateMath(s string) (DateMath, error) {
	var d DateMath
	var math string
	switch {
	case s == "":
		return d, fmt.Errorf("empty date math; write now, now-<N><unit> or an ISO date")
	case strings.HasPrefix(s, "now"):
		d.Now = true
		math = s[len("now"):]
	default:
		date, rest, hasMath := strings.Cut(s, "||")
		t, err := parseAbsoluteDate(date)
		if err != nil {
			return d, fmt.Errorf("date math %q: %v", s, err)
		}
		d.Anchor = t
		if hasMath {
			math = rest
		}
	}
	base := len(s) - len(math)
	for i := 0; i < len(math); {
		op := math[i]
		if op != '+' && op != '-' && op != '/' {
			return d, fmt.Errorf("date math %q: expected +, - or / at offset %d, found %q", s, base+i, math[i])
		}
		i++
		n := 1
		start := i
		for i < len(math) && math[i] >= '0' && math[i] <= '9' {
			i++
		}
		if i > start {
			v, err := strconv.Atoi(math[start:i])
			if err != nil || v > maxDateMathAmount {
				return d, fmt.Errorf("date math %q: amount %s at offset %d is too large", s, math[start:i], base+start)
			}
			n = v
		}
		if op == '/' && n != 1 {
			return d, fmt.Errorf("date math %q: rounding (/) takes a unit without an amount, like /d", s)
		}
		ustart := i
		for i < len(math) && isASCIILetter(math[i]) {
			i++
		}
		unit := math[ustart:i]
		if !validDateMathUnit(unit) {
			if unit == "" {
				return d, fmt.Errorf("date math %q: missing unit at offset %d; use one of y M w d h m s ms", s, base+ustart)
			}
			return d, fmt.Errorf("date math %q: unknown unit %q at offset %d; use one of y M w d h m s ms", s, unit, base+ustart)
		}
		d.Ops = append(d.Ops, DateMathOp{Op: op, N: n, Unit: unit})
	}
	return d, nil
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func validDateMathUnit(u string) bool {
	switch u {
	case "y", "M", "w", "d", "h", "H", "m", "s", "ms":
		return true
	}
	return false
}

// EvalDateMath parses s and evaluates it at now (see DateMath.Time).
func EvalDateMath(s string, now time.Time, roundUp bool) (time.Time, error) {
	d, err := ParseDateMath(s)
	if err != nil {
		return time.Time{}, err
	}
	return d.Time(now, roundUp)
}

// Time evaluates the expression with now as the value of "now". Rounding
// goes down, or, when roundUp is set (Kibana does so for a rule's `to`), to
// the last millisecond of the unit. Dates are computed in UTC. The result
// must lie within years 0–9999.
func (d DateMath) Time(now time.Time, roundUp bool) (time.Time, error) {
	t := d.Anchor
	if d.Now {
		t = now
	}
	t = t.UTC()
	for _, op := range d.Ops {
		switch op.Op {
		case '+':
			t = addUnit(t, op.N, op.Unit)
		case '-':
			t = addUnit(t, -op.N, op.Unit)
		case '/':
			t = roundUnit(t, op.Unit, roundUp)
		}
		if t.Year() < 0 || t.Year() > 9999 {
			return time.Time{}, fmt.Errorf("date math %s: result is outside years 0-9999", d)
		}
	}
	return t, nil
}

func addUnit(t time.Time, n int, unit string) time.Time {
	switch unit {
	case "y":
		return addMonths(t, 12*n)
	case "M":
		return addMonths(t, n)
	case "w":
		return t.AddDate(0, 0, 7*n)
	case "d":
		return t.AddDate(0, 0, n)
	case "h", "H":
		return t.Add(time.Duration(n) * time.Hour)
	case "m":
		return t.Add(time.Duration(n) * time.Minute)
	case "s":
		return t.Add(time.Duration(n) * time.Second)
	case "ms":
		return t.Add(time.Duration(n) * time.Millisecond)
	}
	return t
}

// addMonths adds n months, clamping the day to the target month's length.
func addMonths(t time.Time, n int) time.Time {
	y, m, day := t.Date()
	total := int(m) - 1 + n
	y += total / 12
	mm := total % 12
	if mm < 0 {
		mm += 12
		y--
	}
	first := time.Date(y, time.Month(mm+1), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); day > last {
		day = last
	}
	return first.AddDate(0, 0, day-1)
}

func roundUnit(t time.Time, unit string, up bool) time.Time {
	y, m, d := t.Date()
	var start, next time.Time
	switch unit {
	case "y":
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(1, 0, 0)
	case "M":
		start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 1, 0)
	case "w":
		start = time.Date(y, m, d-int(t.Weekday()), 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 7)
	case "d":
		start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		next = start.AddDate(0, 0, 1)
	case "h", "H":
		start = t.Truncate(time.Hour)
		next = start.Add(time.Hour)
	case "m":
		start = t.Truncate(time.Minute)
		next = start.Add(time.Minute)
	case "s":
		start = t.Truncate(time.Second)
		next = start.Add(time.Second)
	case "ms":
		start = t.Truncate(time.Millisecond)
		next = start.Add(time.Millisecond)
	default:
		return t
	}
	if up {
		return next.Add(-time.Millisecond)
	}
	return start
}

// String prints the expression back in canonical form.
func (d DateMath) String() string {
	var b strings.Builder
	if d.Now {
		b.WriteString("now")
	} else {
		b.WriteString(d.Anchor.UTC().Format("2006-01-02T15:04:05.999999999Z07:00"))
		if len(d.Ops) > 0 {
			b.WriteString("||")
		}
	}
	for _, op := range d.Ops {
		b.WriteByte(op.Op)
		if op.Op != '/' {
			b.WriteString(strconv.Itoa(op.N))
		}
		b.WriteString(op.Unit)
	}
	return b.String()
}

// parseAbsoluteDate parses Elasticsearch's strict_date_optional_time
// (yyyy[-MM[-dd[THH[:mm[:ss[.fraction]]]]]] with an optional Z or ±HH[:]mm
// zone; UTC when absent) or epoch_millis (an optionally negative run of
// digits).
func parseAbsoluteDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("missing date before ||")
	}
	if allDigits(strings.TrimPrefix(s, "-")) && len(s) > 4 {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil || ms > 253402300799999 || ms < -62167219200000 {
			return time.Time{}, fmt.Errorf("epoch milliseconds %s out of range", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	p := dateScanner{s: s}
	year := p.digits(4, "year (yyyy)")
	month, day, hour, minute, sec, nsec := 1, 1, 0, 0, 0, 0
	if p.err == nil && p.accept('-') {
		month = p.digits(2, "month (MM)")
		if p.err == nil && p.accept('-') {
			day = p.digits(2, "day (dd)")
			if p.err == nil && p.accept('T') {
				hour = p.digits(2, "hour (HH)")
				if p.err == nil && p.accept(':') {
					minute = p.digits(2, "minute (mm)")
					if p.err == nil && p.accept(':') {
						sec = p.digits(2, "second (ss)")
						if p.err == nil && (p.accept('.') || p.accept(',')) {
							nsec = p.fraction()
						}
					}
				}
			}
		}
	}
	loc := time.UTC
	if p.err == nil && p.i < len(s) {
		loc = p.zone()
	}
	if p.err == nil && p.i < len(s) {
		p.fail("unexpected %q", s[p.i:])
	}
	if p.err != nil {
		return time.Time{}, p.err
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("%q is not a valid date/time", s)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc).UTC()
	if t.Year() < 0 || t.Year() > 9999 {
		// A zone offset can move year 0 or 9999 out of range.
		return time.Time{}, fmt.Errorf("%q is outside years 0-9999 in UTC", s)
	}
	return t, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// dateScanner reads the fixed-width parts of an ISO date.
type dateScanner struct {
	s   string
	i   int
	err error
}

func (p *dateScanner) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("invalid date %q: %s; use yyyy-MM-ddTHH:mm:ssZ or epoch milliseconds", p.s, fmt.Sprintf(format, args...))
	}
}

func (p *dateScanner) accept(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dateScanner) digits(n int, what string) int {
	if p.i+n > len(p.s) || !allDigits(p.s[p.i:p.i+n]) {
		p.fail("expected %d-digit %s at offset %d", n, what, p.i)
		return 0
	}
	v, _ := strconv.Atoi(p.s[p.i : p.i+n])
	p.i += n
	return v
}

// fraction reads 1 to 9 fractional digits as nanoseconds.
func (p *dateScanner) fraction() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	f := p.s[start:p.i]
	if len(f) == 0 || len(f) > 9 {
		p.fail("expected 1 to 9 digits of fractional seconds at offset %d", start)
		return 0
	}
	v, _ := strconv.Atoi(f + strings.Repeat("0", 9-len(f)))
	return v
}

// zone reads Z, ±HH, ±HHmm or ±HH:mm.
func (p *dateScanner) zone() *time.Location {
	if p.accept('Z') || p.accept('z') {
		return time.UTC
	}
	sign := 1
	switch {
	case p.accept('+'):
	case p.accept('-'):
		sign = -1
	default:
		p.fail("expected a zone (Z or ±HH:mm) at offset %d", p.i)
		return time.UTC
	}
	h := p.digits(2, "zone hours")
	m := 0
	if p.err == nil && p.i < len(p.s) {
		p.accept(':')
		m = p.digits(2, "zone minutes")
	}
	if p.err != nil {
		return time.UTC
	}
	if h > 18 || m > 59 {
		p.fail("zone offset out of range")
		return time.UTC
	}
	return time.FixedZone("", sign*(h*3600+m*60))
}
