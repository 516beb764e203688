package gen

import "time"

// esc returns s JSON-escaped (without quotes). Catalog strings are escaped
// once when the package initialises, so the hot path only copies bytes.
func esc(s string) string {
	return string(appendEsc(nil, s))
}

const hexdig = "0123456789abcdef"

func appendEsc(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexdig[c>>4], hexdig[c&15])
		default:
			b = append(b, c)
		}
	}
	return b
}

// trimComma drops a trailing comma left by the KV appenders before a
// closing brace.
func trimComma(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == ',' {
		return b[:n-1]
	}
	return b
}

// clock formats millisecond UTC timestamps in RFC 3339 form
// (2006-01-02T15:04:05.000Z). Events arrive in time order, so the date part
// is cached and reformatted only when the day changes; this is several times
// faster than time.Time.AppendFormat.
type clock struct {
	day    int64 // unix day of the cached prefix
	prefix []byte
}

func (c *clock) append(b []byte, ms int64) []byte {
	d := ms / 86_400_000
	if ms < 0 && ms%86_400_000 != 0 {
		d--
	}
	if d != c.day || c.prefix == nil {
		c.day = d
		c.prefix = time.UnixMilli(d*86_400_000).UTC().AppendFormat(c.prefix[:0], "2006-01-02T")
	}
	rem := ms - d*86_400_000
	h := rem / 3_600_000
	m := rem / 60_000 % 60
	s := rem / 1000 % 60
	f := rem % 1000
	b = append(b, c.prefix...)
	b = append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.', byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10), 'Z')
	return b
}

// appendHex appends n hex digits of successive rng output.
func appendHex(b []byte, r *rng, n int) []byte {
	for n > 0 {
		x := r.u64()
		for i := 0; i < 16 && n > 0; i++ {
			b = append(b, hexdig[x&15])
			x >>= 4
			n--
		}
	}
	return b
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// appendB64 appends n base64-alphabet characters derived from x, the shape
// of Elastic Defend's event.id and entity_id values.
func appendB64(b []byte, seed uint64, n int) []byte {
	var x uint64
	for i := 0; i < n; i++ {
		if i%10 == 0 { // 10 characters use 60 of splitmix's 64 bits
			x = splitmix(&seed)
		}
		b = append(b, b64[x&63])
		x >>= 6
	}
	return b
}
