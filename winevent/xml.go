package winevent

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// XMLReader reads rendered Windows event XML as written by
// `wevtutil qe /f:xml`, Event Viewer's "Save as XML" (<Events> wrapper),
// `evtxexport -f xml`, Splunk's XmlWinEventLog or winlogbeat's
// event.original: any sequence of <Event> elements, at any depth, with
// anything else around them ignored.
type XMLReader struct {
	name string
	dec  *xml.Decoder
	n    int   // records returned or skipped so far
	err  error // sticky fatal error
}

// NewXMLReader returns a reader of the events in r. name identifies the
// input (a file path) in errors and in Record.Source.
func NewXMLReader(r io.Reader, name string) *XMLReader {
	dec := xml.NewDecoder(newXMLCleaner(decodeBOM(r)))
	// Exports are UTF-8 or UTF-16 declared; Go's decoder reads UTF-8 only,
	// so accept any declared charset and read the bytes as they are
	// (wevtutil writes UTF-8 despite declaring nothing).
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return &XMLReader{name: name, dec: dec}
}

// RecordError reports one <Event> element that could not be turned into a
// Record (a bad number or time in System). The reader skipped it and Next
// may be called again.
type RecordError struct {
	Source string
	Index  int   // 0-based position of the <Event> element in the input
	Offset int64 // input byte offset after the element
	Err    error
}

// Error says which event was skipped and why.
func (e *RecordError) Error() string {
	return fmt.Sprintf("%s: event #%d (ending at byte %d): %v; the event was skipped", e.Source, e.Index, e.Offset, e.Err)
}

// Unwrap returns the underlying problem.
func (e *RecordError) Unwrap() error { return e.Err }

// maxDepth bounds UserData nesting so hostile input cannot exhaust memory
// through deep recursion.
const maxDepth = 100

// Next returns the next event. It returns io.EOF at the end of the input,
// a *RecordError for a skipped malformed event (call Next again), and any
// other error when the XML itself is broken (the reader stops there).
func (x *XMLReader) Next() (*Record, error) {
	if x.err != nil {
		return nil, x.err
	}
	for {
		tok, err := x.dec.Token()
		if err != nil {
			if err == io.EOF {
				x.err = io.EOF
				return nil, io.EOF
			}
			x.err = fmt.Errorf("%s: reading XML near byte %d: %w (is this a Windows event XML export?)", x.name, x.dec.InputOffset(), err)
			return nil, x.err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Event" {
			continue
		}
		idx := x.n
		x.n++
		r, err := x.readEvent()
		if err != nil {
			var re *recordErr
			if errors.As(err, &re) {
				return nil, &RecordError{Source: x.name, Index: idx, Offset: x.dec.InputOffset(), Err: re.err}
			}
			x.err = fmt.Errorf("%s: event #%d near byte %d: %w", x.name, idx, x.dec.InputOffset(), err)
			return nil, x.err
		}
		r.Source = x.name
		return r, nil
	}
}

// recordErr marks a content problem (the XML is fine, a value is not):
// readEvent still consumes the whole element so reading can go on.
type recordErr struct{ err error }

func (e *recordErr) Error() string { return e.err.Error() }

func attr(se xml.StartElement, name string) (string, bool) {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// readEvent reads the children of <Event> up to its end element.
func (x *XMLReader) readEvent() (*Record, error) {
	r := &Record{}
	var bad error
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if bad != nil {
				return nil, &recordErr{bad}
			}
			return r, nil
		case xml.StartElement:
			switch t.Name.Local {
			case "System":
				if err := x.readSystem(r, &bad); err != nil {
					return nil, err
				}
			case "EventData":
				if err := x.readEventData(r); err != nil {
					return nil, err
				}
			case "UserData", "ProcessingErrorData", "DebugData", "BinaryEventData":
				// UserData holds one provider-specific element. The other
				// sections replace EventData when rendering failed or for
				// WPP/binary events; they are kept the same way so their
				// payload is not lost.
				var el *Element
				if t.Name.Local == "UserData" {
					el, err = x.firstChild(0)
				} else {
					el, err = x.element(t, 0)
				}
				if err != nil {
					return nil, err
				}
				if r.UserData == nil {
					r.UserData = el
				}
			default:
				// RenderingInfo and anything unknown.
				if err := x.dec.Skip(); err != nil {
					return nil, unexpectedEOF(err)
				}
			}
		}
	}
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// text reads the character data of the current element up to its end,
// skipping (and dropping) nested elements.
func (x *XMLReader) text() (string, error) {
	var sb strings.Builder
	depth := 0
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return "", unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				sb.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return sb.String(), nil
			}
			depth--
		}
	}
}

func (x *XMLReader) readSystem(r *Record, bad *error) error {
	fail := func(field, v string, err error) {
		if *bad == nil {
			*bad = fmt.Errorf("System/%s %q: %v", field, v, err)
		}
	}
	// num parses a System number (decimal or 0x hex) of the given width,
	// noting the first failure.
	num := func(field, v string, bits int) uint64 {
		n, err := parseUint(v, bits)
		if err != nil {
			fail(field, v, err)
		}
		return n
	}
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch t.Name.Local {
			case "Provider":
				r.Provider, _ = attr(t, "Name")
				r.ProviderGUID, _ = attr(t, "Guid")
				r.EventSourceName, _ = attr(t, "EventSourceName")
			case "EventID":
				r.Qualifiers, _ = attr(t, "Qualifiers")
			case "TimeCreated":
				if v, ok := attr(t, "SystemTime"); ok {
					ts, err := ParseSystemTime(v)
					if err != nil {
						fail("TimeCreated/@SystemTime", v, err)
					}
					r.TimeCreated = ts
				}
			case "Correlation":
				r.ActivityID, _ = attr(t, "ActivityID")
				r.RelatedActivityID, _ = attr(t, "RelatedActivityID")
			case "Execution":
				if v, ok := attr(t, "ProcessID"); ok {
					r.ProcessID = uint32(num("Execution/@ProcessID", v, 32))
				}
				if v, ok := attr(t, "ThreadID"); ok {
					r.ThreadID = uint32(num("Execution/@ThreadID", v, 32))
				}
			case "Security":
				r.UserID, _ = attr(t, "UserID")
			}
			v, err := x.text()
			if err != nil {
				return err
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			switch t.Name.Local {
			case "EventID":
				r.EventID = uint32(num("EventID", v, 32))
			case "Version":
				r.Version = uint8(num("Version", v, 8))
			case "Level":
				r.Level = uint8(num("Level", v, 8))
			case "Task":
				r.Task = uint16(num("Task", v, 16))
			case "Opcode":
				r.Opcode = uint8(num("Opcode", v, 8))
			case "Keywords":
				r.Keywords = num("Keywords", v, 64)
			case "EventRecordID":
				r.RecordID = num("EventRecordID", v, 64)
			case "Channel":
				r.Channel = v
			case "Computer":
				r.Computer = v
			}
		}
	}
}

// parseUint reads decimal or 0x-prefixed hex, as Windows renders them.
func parseUint(s string, bits int) (uint64, error) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		return strconv.ParseUint(s[2:], 16, bits)
	}
	return strconv.ParseUint(s, 10, bits)
}

// ParseSystemTime parses System/TimeCreated/@SystemTime: RFC 3339 with up
// to 9 fractional digits; a time without zone is taken as UTC (Windows
// always writes UTC).
func ParseSystemTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC)
	if err != nil {
		return time.Time{}, errors.New("not an RFC 3339 time")
	}
	return t, nil
}

func (x *XMLReader) readEventData(r *Record) error {
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			name := ""
			switch t.Name.Local {
			case "Data":
				name, _ = attr(t, "Name")
			case "Binary":
				name = "Binary"
			default:
				// ComplexData and the like: not part of the record shape.
				if err := x.dec.Skip(); err != nil {
					return unexpectedEOF(err)
				}
				continue
			}
			v, err := x.text()
			if err != nil {
				return err
			}
			r.EventData = append(r.EventData, Data{Name: name, Value: v})
		}
	}
}

// firstChild reads the content of a wrapper (UserData) and returns its
// first child element, consuming the rest.
func (x *XMLReader) firstChild(depth int) (*Element, error) {
	var first *Element
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return first, nil
		case xml.StartElement:
			el, err := x.element(t, depth+1)
			if err != nil {
				return nil, err
			}
			if first == nil {
				first = el
			}
		}
	}
}

// element reads a generic element whose start tag was just read.
func (x *XMLReader) element(se xml.StartElement, depth int) (*Element, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
	}
	el := &Element{Name: se.Name.Local}
	for _, a := range se.Attr {
		// Namespace declarations are kept as written (xmlns,
		// xmlns:prefix), as the EVTX reader keeps them.
		name := a.Name.Local
		if a.Name.Space == "xmlns" {
			name = "xmlns:" + a.Name.Local
		}
		el.Attrs = append(el.Attrs, Data{Name: name, Value: a.Value})
	}
	var sb strings.Builder
	for {
		tok, err := x.dec.Token()
		if err != nil {
			return nil, unexpectedEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.StartElement:
			ch, err := x.element(t, depth+1)
			if err != nil {
				return nil, err
			}
			el.Children = append(el.Children, ch)
		case xml.EndElement:
			if len(el.Children) > 0 {
				// Mixed content: the text is indentation.
				el.Text = strings.TrimSpace(sb.String())
			} else {
				el.Text = sb.String()
			}
			return el, nil
		}
	}
}
