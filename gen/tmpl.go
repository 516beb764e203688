package gen

import "strings"

// tmpl is a pre-escaped string with placeholders filled per event:
//
//	{u}   the acting user's name        {sid} the acting user's SID
//	{r}   8 random hex digits           {h}   the host name
//	{n}   a random number 1..9999
//
// Splitting once at start-up keeps the per-event cost to a few appends.
type tmpl struct {
	parts []piece
	plain bool // no placeholders: parts[0].lit is the whole value
}

type piece struct {
	lit  string // escaped literal text, or "" for a placeholder
	hole byte   // 0 for literal; 'u', 's', 'r', 'h', 'n'
}

var holes = map[string]byte{"{u}": 'u', "{sid}": 's', "{r}": 'r', "{h}": 'h', "{n}": 'n'}

func mkTmpl(s string) tmpl {
	var t tmpl
	for len(s) > 0 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t.parts = append(t.parts, piece{lit: esc(s)})
			break
		}
		j := strings.IndexByte(s[i:], '}')
		h, ok := byte(0), false
		if j > 0 {
			h, ok = holes[s[i:i+j+1]]
		}
		if !ok { // a literal brace, as in a CLSID
			t.parts = append(t.parts, piece{lit: esc(s[:i+1])})
			s = s[i+1:]
			continue
		}
		if i > 0 {
			t.parts = append(t.parts, piece{lit: esc(s[:i])})
		}
		t.parts = append(t.parts, piece{hole: h})
		s = s[i+j+1:]
	}
	if len(t.parts) == 0 {
		t.parts = []piece{{lit: ""}}
	}
	t.plain = true
	for _, p := range t.parts {
		if p.hole != 0 {
			t.plain = false
		}
	}
	if t.plain && len(t.parts) > 1 {
		var sb strings.Builder
		for _, p := range t.parts {
			sb.WriteString(p.lit)
		}
		t.parts = []piece{{lit: sb.String()}}
	}
	return t
}

// fill carries the per-event values for a tmpl's placeholders.
type fill struct {
	user, sid, host string // escaped
	r               *rng
}

func (t *tmpl) append(b []byte, f *fill) []byte {
	if t.plain {
		return append(b, t.parts[0].lit...)
	}
	for _, p := range t.parts {
		switch p.hole {
		case 0:
			b = append(b, p.lit...)
		case 'u':
			b = append(b, f.user...)
		case 's':
			b = append(b, f.sid...)
		case 'h':
			b = append(b, f.host...)
		case 'r':
			b = appendHex(b, f.r, 8)
		case 'n':
			b = appendUint(b, uint64(1+f.r.intn(9999)))
		}
	}
	return b
}

func appendUint(b []byte, x uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + x%10)
		x /= 10
		if x == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// splitArgs splits a command line the way Elastic Defend fills process.args
// for display purposes: whitespace-separated, double quotes grouping and
// removed. (Windows' CommandLineToArgvW backslash rules do not matter for
// the command lines in this catalog.)
func splitArgs(cmd string) []string {
	var out []string
	var cur strings.Builder
	inQ, have := false, false
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch {
		case c == '"':
			inQ = !inQ
			have = true
		case (c == ' ' || c == '\t') && !inQ:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}
