package ecs

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// commandLineToArgv is the Sysmon and PowerShell pipelines' "Implements
// Windows-like SplitCommandLine" script, itself a port of Go's
// os/exec_windows commandLineToArgv: arguments split on space and tab
// outside quotes, 2n backslashes before a quote give n backslashes and
// toggle quoting, 2n+1 give n backslashes and a literal quote, and "" inside
// quotes is a literal quote (the pre-2008 rule). All special characters
// are ASCII, so working on UTF-8 bytes equals the script's UTF-16 chars.
func commandLineToArgv(cmd string) []string { return appendArgv(nil, cmd) }

// appendArgv appends the arguments of cmd to args (the mapper reuses one
// slice across records).
func appendArgv(args []string, cmd string) []string {
	for len(cmd) > 0 {
		if cmd[0] == ' ' || cmd[0] == '\t' {
			cmd = cmd[1:]
			continue
		}
		var arg string
		arg, cmd = readNextArg(cmd)
		args = append(args, arg)
	}
	return args
}

func readNextArg(cmd string) (arg, rest string) {
	// Fast path: an argument without quotes or backslashes is a substring.
	for i := 0; i < len(cmd); i++ {
		switch cmd[i] {
		case ' ', '\t':
			return cmd[:i], cmd[i+1:]
		case '"', '\\':
			return readNextArgSlow(cmd)
		}
	}
	return cmd, ""
}

func readNextArgSlow(cmd string) (arg, rest string) {
	var b strings.Builder
	inquote := false
	nslash := 0
	for ; len(cmd) > 0; cmd = cmd[1:] {
		c := cmd[0]
		switch c {
		case ' ', '\t':
			if !inquote {
				b.WriteString(strings.Repeat(`\`, nslash))
				return b.String(), cmd[1:]
			}
		case '"':
			b.WriteString(strings.Repeat(`\`, nslash/2))
			if nslash%2 == 0 {
				if inquote && len(cmd) > 1 && cmd[1] == '"' {
					b.WriteByte(c)
					cmd = cmd[1:]
				}
				inquote = !inquote
			} else {
				b.WriteByte(c)
			}
			nslash = 0
			continue
		case '\\':
			nslash++
			continue
		}
		b.WriteString(strings.Repeat(`\`, nslash))
		nslash = 0
		b.WriteByte(c)
	}
	b.WriteString(strings.Repeat(`\`, nslash))
	return b.String(), ""
}

// splitCommandLine4688 is the Security pipeline's own splitter for 4688
// CommandLine ("Process Event 4688" script): it toggles a quote flag on
// every '"', cuts at each Java whitespace character outside quotes (so
// consecutive blanks yield empty arguments) and keeps the quotes in the
// arguments. Reproduced exactly, empty strings included.
func splitCommandLine4688(s string) []string {
	var out []string
	start := 0
	inQuote := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '"' {
			inQuote = !inQuote
		}
		if javaIsWhitespace(r) && !inQuote {
			out = append(out, s[start:i])
			start = i + size
		}
		if i+size >= len(s) {
			out = append(out, s[start:])
		}
		i += size
	}
	return out
}

// javaIsWhitespace is Java's Character.isWhitespace.
func javaIsWhitespace(r rune) bool {
	switch {
	case r == ' ' || (r >= '\t' && r <= '\r') || (r >= 0x1c && r <= 0x1f):
		return true
	case r < 0x80:
		return false
	case r == '\u00a0' || r == '\u2007' || r == '\u202f':
		return false
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}
