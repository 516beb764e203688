package evtx

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// BinXML value types (MS-EVEN6 2.2.18 / EVT_VARIANT_TYPE).
const (
	typeNull       = 0x00
	typeString     = 0x01 // UTF-16LE
	typeAnsiString = 0x02
	typeInt8       = 0x03
	typeUint8      = 0x04
	typeInt16      = 0x05
	typeUint16     = 0x06
	typeInt32      = 0x07
	typeUint32     = 0x08
	typeInt64      = 0x09
	typeUint64     = 0x0a
	typeReal32     = 0x0b
	typeReal64     = 0x0c
	typeBool       = 0x0d
	typeBinary     = 0x0e
	typeGUID       = 0x0f
	typeSizeT      = 0x10
	typeFileTime   = 0x11
	typeSysTime    = 0x12
	typeSID        = 0x13
	typeHexInt32   = 0x14
	typeHexInt64   = 0x15
	typeEvtHandle  = 0x20
	typeBinXML     = 0x21
	typeEvtXML     = 0x23
	typeArray      = 0x80

	// typeLiteral marks a value whose text was decoded while compiling a
	// template (value text tokens, CDATA, character and entity
	// references); it is not a wire type.
	typeLiteral = 0xff
)

// value is one substitution value or literal: raw bytes that still point
// into the chunk buffer (decoded lazily, only when a consumer needs the
// text), or an already decoded literal.
type value struct {
	b   []byte
	s   string
	off int32 // chunk offset of b, for nested BinXML
	t   uint8
}

func (v value) isNull() bool { return v.t == typeNull }

// elemSize returns the width of one item of a fixed-size type, or 0 for
// variable-size types (strings, binary, SID, BinXML).
func elemSize(t uint8) int {
	switch t &^ typeArray {
	case typeInt8, typeUint8:
		return 1
	case typeInt16, typeUint16:
		return 2
	case typeInt32, typeUint32, typeReal32, typeBool, typeHexInt32:
		return 4
	case typeInt64, typeUint64, typeReal64, typeFileTime, typeHexInt64:
		return 8
	case typeGUID, typeSysTime:
		return 16
	}
	return 0
}

// arrayItems splits an array value into its items. String arrays are
// NUL-separated (a final terminator does not start an empty item); other
// arrays are runs of fixed-size items, a trailing partial item is dropped.
// Array types without a defined item size are treated as a single item.
func arrayItems(v value, dst []value) []value {
	base := v.t &^ typeArray
	b := v.b
	switch base {
	case typeString:
		start := 0
		for i := 0; i+1 < len(b); i += 2 {
			if b[i] == 0 && b[i+1] == 0 {
				dst = append(dst, value{t: base, b: b[start:i], off: v.off + int32(start)})
				start = i + 2
			}
		}
		if start < len(b)-1 {
			dst = append(dst, value{t: base, b: b[start:], off: v.off + int32(start)})
		}
		return dst
	case typeAnsiString:
		start := 0
		for i := 0; i < len(b); i++ {
			if b[i] == 0 {
				dst = append(dst, value{t: base, b: b[start:i], off: v.off + int32(start)})
				start = i + 1
			}
		}
		if start < len(b) {
			dst = append(dst, value{t: base, b: b[start:], off: v.off + int32(start)})
		}
		return dst
	}
	n := elemSize(base)
	if n == 0 {
		return append(dst, value{t: base, b: b, off: v.off})
	}
	for i := 0; i+n <= len(b); i += n {
		dst = append(dst, value{t: base, b: b[i : i+n], off: v.off + int32(i)})
	}
	return dst
}

// appendUTF16 decodes little-endian UTF-16 up to the first NUL, as Windows
// does when it renders a string value; unpaired surrogates become U+FFFD.
func appendUTF16(dst, b []byte) []byte {
	n := len(b) &^ 1
	i := 0
	// Fast path: most event text is ASCII.
	for ; i < n; i += 2 {
		c0, c1 := b[i], b[i+1]
		if c1 != 0 || c0 >= 0x80 {
			break
		}
		if c0 == 0 {
			return dst
		}
		dst = append(dst, c0)
	}
	for ; i < n; i += 2 {
		r := rune(binary.LittleEndian.Uint16(b[i:]))
		switch {
		case r == 0:
			return dst
		case r < 0x80:
			dst = append(dst, byte(r))
			continue
		case utf16.IsSurrogate(r):
			if r < 0xdc00 && i+3 < n {
				r2 := rune(binary.LittleEndian.Uint16(b[i+2:]))
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					dst = utf8.AppendRune(dst, d)
					i += 2
					continue
				}
			}
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// cp1252 maps the bytes 0x80–0x9F of Windows-1252 (the code page
// evtxexport assumes by default for ANSI strings); other bytes are Latin-1.
var cp1252 = [32]rune{
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
}

func appendANSI(dst, b []byte) []byte {
	for _, c := range b {
		switch {
		case c == 0:
			return dst
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xa0:
			dst = utf8.AppendRune(dst, cp1252[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}

const hexUpper = "0123456789ABCDEF"

func appendHexUpper(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}

// appendGUID renders a GUID as Windows does: {XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}.
func appendGUID(dst, b []byte) []byte {
	if len(b) < 16 {
		return appendHexUpper(dst, b)
	}
	dst = append(dst, '{')
	// The first three groups are little-endian integers.
	dst = appendHexUpper(dst, []byte{b[3], b[2], b[1], b[0]})
	dst = append(dst, '-')
	dst = appendHexUpper(dst, []byte{b[5], b[4]})
	dst = append(dst, '-')
	dst = appendHexUpper(dst, []byte{b[7], b[6]})
	dst = append(dst, '-')
	dst = appendHexUpper(dst, b[8:10])
	dst = append(dst, '-')
	dst = appendHexUpper(dst, b[10:16])
	return append(dst, '}')
}

// appendSID renders a binary SID as S-R-A-S1-…; the 48-bit authority is
// written in hex when it does not fit 32 bits, as ConvertSidToStringSid does.
func appendSID(dst, b []byte) []byte {
	if len(b) < 8 {
		return appendHexUpper(dst, b)
	}
	n := int(b[1])
	if 8+4*n > len(b) {
		n = (len(b) - 8) / 4
	}
	dst = append(dst, "S-"...)
	dst = strconv.AppendUint(dst, uint64(b[0]), 10)
	dst = append(dst, '-')
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	if auth >= 1<<32 {
		dst = append(dst, "0x"...)
		dst = appendHexUpper(dst, b[2:8])
	} else {
		dst = strconv.AppendUint(dst, auth, 10)
	}
	for i := 0; i < n; i++ {
		dst = append(dst, '-')
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return dst
}

// fileTimeEpoch is the number of seconds from 1601-01-01 to 1970-01-01.
const fileTimeEpoch = 11644473600

// fileTime converts a FILETIME (100 ns ticks since 1601) to UTC; every
// uint64 is representable, so hostile values cannot overflow.
func fileTime(ft uint64) time.Time {
	return time.Unix(int64(ft/1e7)-fileTimeEpoch, int64(ft%1e7)*100).UTC()
}

// systemTime converts a SYSTEMTIME (8 little-endian uint16: year, month,
// weekday, day, hour, minute, second, milliseconds).
func systemTime(b []byte) time.Time {
	u := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	return time.Date(u(0), time.Month(u(1)), u(3), u(4), u(5), u(6), u(7)*1e6, time.UTC)
}

// timeLayout is how Windows renders times in XML: UTC, 7 fractional digits.
const timeLayout = "2006-01-02T15:04:05.0000000Z"

// appendValue renders v the way Windows renders it in event XML. Nested
// BinXML is expanded by the caller and never reaches this function.
func appendValue(dst []byte, v value) []byte {
	b := v.b
	switch v.t {
	case typeLiteral:
		return append(dst, v.s...)
	case typeNull:
		return dst
	case typeString, typeEvtXML:
		return appendUTF16(dst, b)
	case typeAnsiString:
		return appendANSI(dst, b)
	case typeBinary:
		return appendHexUpper(dst, b)
	case typeGUID:
		return appendGUID(dst, b)
	case typeSID:
		return appendSID(dst, b)
	case typeSizeT, typeEvtHandle:
		// Sized by the value descriptor: 4 or 8 bytes.
		switch len(b) {
		case 4:
			return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b)), 10)
		case 8:
			return strconv.AppendUint(dst, binary.LittleEndian.Uint64(b), 10)
		}
		return appendHexUpper(dst, b)
	}
	n := elemSize(v.t)
	if n == 0 || len(b) < n {
		// Unknown type or short value: show the bytes rather than guess.
		return appendHexUpper(dst, b)
	}
	switch v.t {
	case typeInt8:
		return strconv.AppendInt(dst, int64(int8(b[0])), 10)
	case typeUint8:
		return strconv.AppendUint(dst, uint64(b[0]), 10)
	case typeInt16:
		return strconv.AppendInt(dst, int64(int16(binary.LittleEndian.Uint16(b))), 10)
	case typeUint16:
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b)), 10)
	case typeInt32:
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(b))), 10)
	case typeUint32:
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b)), 10)
	case typeInt64:
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(b)), 10)
	case typeUint64:
		return strconv.AppendUint(dst, binary.LittleEndian.Uint64(b), 10)
	case typeHexInt32:
		dst = append(dst, "0x"...)
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b)), 16)
	case typeHexInt64:
		dst = append(dst, "0x"...)
		return strconv.AppendUint(dst, binary.LittleEndian.Uint64(b), 16)
	case typeReal32:
		return strconv.AppendFloat(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 'g', -1, 32)
	case typeReal64:
		return strconv.AppendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(b)), 'g', -1, 64)
	case typeBool:
		if binary.LittleEndian.Uint32(b) != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case typeFileTime:
		return fileTime(binary.LittleEndian.Uint64(b)).AppendFormat(dst, timeLayout)
	case typeSysTime:
		return systemTime(b).AppendFormat(dst, timeLayout)
	}
	return appendHexUpper(dst, b)
}

// uintValue returns v as an unsigned number without rendering it, for the
// numeric System fields. Strings are parsed as decimal or 0x-prefixed hex.
func uintValue(v value, scratch []byte) (uint64, bool) {
	b := v.b
	switch v.t {
	case typeInt8, typeUint8:
		if len(b) >= 1 {
			return uint64(b[0]), true
		}
	case typeInt16, typeUint16:
		if len(b) >= 2 {
			return uint64(binary.LittleEndian.Uint16(b)), true
		}
	case typeInt32, typeUint32, typeHexInt32:
		if len(b) >= 4 {
			return uint64(binary.LittleEndian.Uint32(b)), true
		}
	case typeInt64, typeUint64, typeHexInt64:
		if len(b) >= 8 {
			return binary.LittleEndian.Uint64(b), true
		}
	case typeSizeT, typeEvtHandle:
		switch len(b) {
		case 4:
			return uint64(binary.LittleEndian.Uint32(b)), true
		case 8:
			return binary.LittleEndian.Uint64(b), true
		}
	case typeLiteral, typeString, typeAnsiString:
		s := appendValue(scratch[:0], v)
		return parseUint(s)
	}
	return 0, false
}

// parseUint parses decimal or 0x-prefixed hexadecimal text, trimming
// surrounding spaces (templates sometimes carry literal whitespace).
func parseUint(s []byte) (uint64, bool) {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		base, s = 16, s[2:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range s {
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		default:
			return 0, false
		}
		if n > (math.MaxUint64-d)/uint64(base) {
			return 0, false
		}
		n = n*uint64(base) + d
	}
	return n, true
}

// timeValue returns v as a time when it is a FILETIME, SYSTEMTIME or an
// RFC 3339 string (Windows renders SystemTime attributes that way).
func timeValue(v value, scratch []byte) (time.Time, bool) {
	switch v.t {
	case typeFileTime:
		if len(v.b) >= 8 {
			return fileTime(binary.LittleEndian.Uint64(v.b)), true
		}
	case typeSysTime:
		if len(v.b) >= 16 {
			return systemTime(v.b), true
		}
	case typeLiteral, typeString, typeAnsiString:
		s := appendValue(scratch[:0], v)
		t, err := time.Parse(time.RFC3339Nano, string(s))
		return t.UTC(), err == nil
	}
	return time.Time{}, false
}
