package rule

import (
	"strings"
	"testing"
	"time"
)

var dateMathNow = time.Date(2024, 1, 31, 15, 42, 17, 123456789, time.UTC) // a Wednesday

func TestDateMath(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	tests := []struct {
		expr    string
		roundUp bool
		want    time.Time
	}{
		{"now", false, dateMathNow},
		{"now-9m", false, ts("2024-01-31T15:33:17.123456789Z")},
		{"now-6m", false, ts("2024-01-31T15:36:17.123456789Z")},
		{"now-d", false, ts("2024-01-30T15:42:17.123456789Z")},
		{"now-1d/d", false, ts("2024-01-30T00:00:00Z")},
		{"now-1d/d", true, ts("2024-01-30T23:59:59.999Z")},
		{"now/d", true, ts("2024-01-31T23:59:59.999Z")},
		{"now+1M", false, ts("2024-02-29T15:42:17.123456789Z")}, // clamped, leap year
		{"now+1M+1M", false, ts("2024-03-29T15:42:17.123456789Z")},
		{"now-1y", false, ts("2023-01-31T15:42:17.123456789Z")},
		{"now-2w", false, ts("2024-01-17T15:42:17.123456789Z")},
		{"now/w", false, ts("2024-01-28T00:00:00Z")}, // Sunday, as Kibana's moment
		{"now/w", true, ts("2024-02-03T23:59:59.999Z")},
		{"now/M", false, ts("2024-01-01T00:00:00Z")},
		{"now/M", true, ts("2024-01-31T23:59:59.999Z")},
		{"now/y", false, ts("2024-01-01T00:00:00Z")},
		{"now/h", false, ts("2024-01-31T15:00:00Z")},
		{"now/H", false, ts("2024-01-31T15:00:00Z")},
		{"now/m", false, ts("2024-01-31T15:42:00Z")},
		{"now/s", true, ts("2024-01-31T15:42:17.999Z")},
		{"now-500ms", false, ts("2024-01-31T15:42:16.623456789Z")},
		{"now-48h/h", false, ts("2024-01-29T15:00:00Z")},
		{"now-7205m", false, ts("2024-01-26T15:37:17.123456789Z")},
		{"now/1d", false, ts("2024-01-31T00:00:00Z")},
		{"2024-01-01T00:00:00Z||+1d", false, ts("2024-01-02T00:00:00Z")},
		{"2024-01-01||/M", true, ts("2024-01-31T23:59:59.999Z")},
		{"2024-03-10", false, ts("2024-03-10T00:00:00Z")},
		{"2024-03", false, ts("2024-03-01T00:00:00Z")},
		{"2024", false, ts("2024-01-01T00:00:00Z")},
		{"2024-01-01T10:00:00+02:00", false, ts("2024-01-01T08:00:00Z")},
		{"2024-01-01T10:00:00-0130", false, ts("2024-01-01T11:30:00Z")},
		{"2024-01-01T10:00", false, ts("2024-01-01T10:00:00Z")},
		{"2024-01-01T10:00:00.5Z", false, ts("2024-01-01T10:00:00.5Z")},
		{"1704067200000||+1h", false, ts("2024-01-01T01:00:00Z")},
	}
	for _, tt := range tests {
		got, err := EvalDateMath(tt.expr, dateMathNow, tt.roundUp)
		if err != nil {
			t.Errorf("%q: %v", tt.expr, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("%q (roundUp %v) = %s, want %s", tt.expr, tt.roundUp, got.Format(time.RFC3339Nano), tt.want.Format(time.RFC3339Nano))
		}
	}
}

func TestDateMathErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "empty date math"},
		{"now-", "missing unit at offset 4"},
		{"now-9x", `unknown unit "x" at offset 5`},
		{"now-1", "missing unit"},
		{"now/2d", "rounding (/) takes a unit without an amount"},
		{"now 9m", `expected +, - or / at offset 3`},
		{"now-99999999999d", "too large"},
		{"yesterday", "expected 4-digit year"},
		{"2024-13-01", "not a valid date"},
		{"2024-02-30", "not a valid date"},
		{"2024-01-01T25:00", "not a valid date"},
		{"2024-01-01T10:00:00+25:00", "zone offset out of range"},
		{"2024-01-01 10:00", "expected a zone"},
		{"2024-01-01T10:00:00Zjunk", "unexpected \"junk\""},
		{"||+1d", "missing date before ||"},
		{"2024-01-01||+1q", `unknown unit "q"`},
		{"99999999999999999999", "out of range"},
		{"0000+10", "outside years 0-9999"},
	}
	for _, tt := range tests {
		_, err := ParseDateMath(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want it to contain %q", tt.expr, err, tt.want)
		}
	}
	// Parses, but leaves the representable range when evaluated.
	if _, err := EvalDateMath("now+1000000000y", dateMathNow, false); err == nil || !strings.Contains(err.Error(), "outside years") {
		t.Errorf("overflow: %v", err)
	}
}

// FuzzParseDateMath: parsing never panics; whatever parses evaluates without
// panicking and prints to a form that parses back to the same expression.
func FuzzParseDateMath(f *testing.F) {
	for _, s := range []string{"now", "now-9m", "now-1d/d", "now+1M/M", "2024-01-01T00:00:00Z||+1d",
		"1704067200000||/w", "now-500ms", "2024-02-29T10:00:00.123+05:30||-1y", "now/H", "now-d-h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDateMath(s)
		if err != nil {
			return
		}
		for _, up := range []bool{false, true} {
			_, _ = d.Time(dateMathNow, up)
		}
		back, err := ParseDateMath(d.String())
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", s, d.String(), err)
		}
		if back.Now != d.Now || !back.Anchor.Equal(d.Anchor) || len(back.Ops) != len(d.Ops) {
			t.Fatalf("%q printed as %q, which parses differently", s, d.String())
		}
		for i := range d.Ops {
			if d.Ops[i] != back.Ops[i] {
				t.Fatalf("%q printed as %q: op %d differs", s, d.String(), i)
			}
		}
	})
}
