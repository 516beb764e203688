package winevent_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/eqld/eqld/winevent"
)

// FuzzXMLReader feeds arbitrary bytes to the XML reader: it must not
// panic, must terminate, and must keep returning its final error.
// Seeds: the table cases below and testdata/fuzz/FuzzXMLReader.
func FuzzXMLReader(f *testing.F) {
	for _, s := range []string{
		sysmonEvent,
		"<Events>" + sysmonEvent + sysmonEvent + "</Events>",
		`<Event><System><EventID>x</EventID></System></Event>`,
		`<Event><System><Provider Name="PowerShell"/><EventID Qualifiers="0">800</EventID></System><EventData><Data>a</Data><Binary>00</Binary></EventData></Event>`,
		`<Event><UserData><A xmlns="u"><B><C>t</C></B></A></UserData></Event>`,
		`<Event><ProcessingErrorData><ErrorCode>15005</ErrorCode></ProcessingErrorData></Event>`,
		"<Event><EventData><Data Name=\"x\">\x01&#x2;\r\n</Data></EventData></Event>",
		`<Event><System><TimeCreated SystemTime="2024-03-01T10:00:00"/><Keywords>0xFFFFFFFFFFFFFFFF</Keywords></System></Event>`,
		"<Event>", "", "<", "&#", "<Event><System></Event>",
	} {
		f.Add([]byte(s))
	}
	// UTF-16 inputs, with and without a byte-order mark.
	f.Add([]byte("\xff\xfe<\x00E\x00v\x00e\x00n\x00t\x00>\x00<\x00/\x00E\x00v\x00e\x00n\x00t\x00>\x00"))
	f.Add([]byte("\x00<\x00E\x00v\x00e\x00n\x00t\x00>\xd8\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := winevent.NewXMLReader(bytes.NewReader(data), "fuzz")
		var last error
		for i := 0; ; i++ {
			if i > len(data)+10 {
				t.Fatalf("more results (%d) than input bytes: the reader does not make progress", i)
			}
			r, err := x.Next()
			if err == nil {
				if r == nil || r.Source != "fuzz" {
					t.Fatalf("record %+v without source", r)
				}
				continue
			}
			var re *winevent.RecordError
			if errors.As(err, &re) {
				if re.Error() == "" {
					t.Fatal("empty error text")
				}
				continue
			}
			last = err
			break
		}
		if _, err := x.Next(); err != last && !(errors.Is(last, io.EOF) && errors.Is(err, io.EOF)) {
			t.Fatalf("after %v, Next returned %v", last, err)
		}
	})
}
