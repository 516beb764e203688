package evtx

import (
	"strconv"
	"strings"

	"github.com/eqld/eqld/winevent"
)

// eventNS is the namespace Windows puts on the Event element.
const eventNS = "http://schemas.microsoft.com/win/2004/08/events/event"

// xmlWriter writes indented XML in the layout of evtxexport / Event
// Viewer: one element per line, text inline, empty elements self-closed.
type xmlWriter struct {
	b   []byte
	buf []byte // chunk the events refer to
}

func (w *xmlWriter) indent(depth int) {
	w.b = append(w.b, '\n')
	for range depth {
		w.b = append(w.b, "  "...)
	}
}

// escape appends s with the characters XML requires escaped; attr also
// escapes double quotes.
func escape(dst []byte, s []byte, attr bool) []byte {
	for _, c := range s {
		switch {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '"' && attr:
			dst = append(dst, "&quot;"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// events writes expanded events as XML.
func (w *xmlWriter) events(ev []event) {
	var tmp []byte
	depth := 0
	open := false     // inside a start tag not yet closed with '>'
	hadChild := false // the current element has child elements
	piece := func(e *event, attr bool) {
		switch e.lit {
		case litCDATA:
			w.b = append(w.b, "<![CDATA["...)
			w.b = append(w.b, e.s...)
			w.b = append(w.b, "]]>"...)
		case litCharRef:
			w.b = append(w.b, "&#"...)
			for _, r := range e.s {
				w.b = strconv.AppendInt(w.b, int64(r), 10)
			}
			w.b = append(w.b, ';')
		case litEntity:
			w.b = append(w.b, '&')
			w.b = append(w.b, e.s...)
			w.b = append(w.b, ';')
		default:
			tmp = appendValue(tmp[:0], e.val(w.buf))
			w.b = escape(w.b, tmp, attr)
		}
	}
	for i := range ev {
		e := &ev[i]
		switch e.kind {
		case evStart:
			if open {
				w.b = append(w.b, '>')
			}
			if depth > 0 || len(w.b) > 0 {
				w.indent(depth)
			}
			w.b = append(w.b, '<')
			w.b = append(w.b, e.s...)
			if depth == 0 && e.s == "Event" && !hasAttr(ev, i, "xmlns") {
				w.b = append(w.b, ` xmlns="`+eventNS+`"`...)
			}
			open, hadChild = true, false
			depth++
		case evAttr:
			w.b = append(w.b, ' ')
			w.b = append(w.b, e.s...)
			w.b = append(w.b, `="`...)
			for i+1 < len(ev) && ev[i+1].kind == evAttrVal {
				i++
				piece(&ev[i], true)
			}
			w.b = append(w.b, '"')
		case evText:
			if e.lit == litText {
				// Empty values keep the element self-closed, as Windows
				// and evtxexport print them.
				if tmp = appendValue(tmp[:0], e.val(w.buf)); len(tmp) == 0 {
					continue
				}
			}
			if open {
				w.b = append(w.b, '>')
				open = false
			}
			piece(e, false)
		case evPI:
			if open {
				w.b = append(w.b, '>')
				open = false
			}
			w.indent(depth)
			hadChild = true
			w.b = append(w.b, "<?"...)
			w.b = append(w.b, e.s...)
			if i+1 < len(ev) && ev[i+1].kind == evPIData {
				i++
				w.b = append(w.b, ' ')
				w.b = append(w.b, ev[i].s...)
			}
			w.b = append(w.b, "?>"...)
		case evEnd:
			depth--
			if open {
				w.b = append(w.b, "/>"...)
				open = false
			} else {
				if hadChild {
					w.indent(depth)
				}
				w.b = append(w.b, "</"...)
				w.b = append(w.b, e.s...)
				w.b = append(w.b, '>')
			}
			hadChild = true // for the parent: it had this child
		}
	}
	w.b = append(w.b, '\n')
}

func hasAttr(ev []event, i int, name string) bool {
	_, ok := attrValue(ev, i, name)
	return ok
}

// XML returns the last record returned by Next as XML, rendered from the
// BinXML exactly as parsed (every element and attribute, not only what
// winevent.Record keeps). It is meant for debugging (--xml dumps) and
// returns "" before the first record.
func (r *Reader) XML() string {
	if !r.haveEvents {
		return ""
	}
	w := xmlWriter{buf: r.buf}
	w.events(r.x.ev)
	return string(w.b)
}

// RenderXML renders a winevent.Record as Windows event XML (System,
// EventData or UserData). Fields the record does not keep (RenderingInfo,
// absent-vs-zero System values) cannot be reproduced; use Reader.XML for
// the exact document of an EVTX record.
func RenderXML(rec *winevent.Record) string {
	var sb strings.Builder
	esc := func(s string, attr bool) {
		sb.Write(escape(nil, []byte(s), attr))
	}
	attr := func(name, v string) {
		if v == "" {
			return
		}
		sb.WriteString(" " + name + `="`)
		esc(v, true)
		sb.WriteByte('"')
	}
	elem := func(name, text string) {
		if text == "" {
			sb.WriteString("    <" + name + "/>\n")
			return
		}
		sb.WriteString("    <" + name + ">")
		esc(text, false)
		sb.WriteString("</" + name + ">\n")
	}
	sb.WriteString(`<Event xmlns="` + eventNS + "\">\n  <System>\n    <Provider")
	attr("Name", rec.Provider)
	attr("Guid", rec.ProviderGUID)
	attr("EventSourceName", rec.EventSourceName)
	sb.WriteString("/>\n    <EventID")
	attr("Qualifiers", rec.Qualifiers)
	sb.WriteString(">" + strconv.FormatUint(uint64(rec.EventID), 10) + "</EventID>\n")
	elem("Version", strconv.FormatUint(uint64(rec.Version), 10))
	elem("Level", strconv.FormatUint(uint64(rec.Level), 10))
	elem("Task", strconv.FormatUint(uint64(rec.Task), 10))
	elem("Opcode", strconv.FormatUint(uint64(rec.Opcode), 10))
	elem("Keywords", "0x"+strconv.FormatUint(rec.Keywords, 16))
	sb.WriteString("    <TimeCreated")
	if !rec.TimeCreated.IsZero() {
		attr("SystemTime", rec.TimeCreated.UTC().Format(timeLayout))
	}
	sb.WriteString("/>\n")
	elem("EventRecordID", strconv.FormatUint(rec.RecordID, 10))
	sb.WriteString("    <Correlation")
	attr("ActivityID", rec.ActivityID)
	attr("RelatedActivityID", rec.RelatedActivityID)
	sb.WriteString("/>\n    <Execution")
	attr("ProcessID", strconv.FormatUint(uint64(rec.ProcessID), 10))
	attr("ThreadID", strconv.FormatUint(uint64(rec.ThreadID), 10))
	sb.WriteString("/>\n")
	elem("Channel", rec.Channel)
	elem("Computer", rec.Computer)
	sb.WriteString("    <Security")
	attr("UserID", rec.UserID)
	sb.WriteString("/>\n  </System>\n")
	switch {
	case rec.UserData != nil:
		sb.WriteString("  <UserData>\n")
		renderElement(&sb, rec.UserData, 2)
		sb.WriteString("  </UserData>\n")
	case len(rec.EventData) > 0:
		sb.WriteString("  <EventData>\n")
		for _, d := range rec.EventData {
			name := "Data"
			if d.Name == "Binary" {
				name = "Binary"
			}
			sb.WriteString("    <" + name)
			if name == "Data" {
				attr("Name", d.Name)
			}
			if d.Value == "" {
				sb.WriteString("/>\n")
				continue
			}
			sb.WriteByte('>')
			esc(d.Value, false)
			sb.WriteString("</" + name + ">\n")
		}
		sb.WriteString("  </EventData>\n")
	}
	sb.WriteString("</Event>\n")
	return sb.String()
}

func renderElement(sb *strings.Builder, el *winevent.Element, depth int) {
	pad := strings.Repeat("  ", depth)
	sb.WriteString(pad + "<" + el.Name)
	for _, a := range el.Attrs {
		sb.WriteString(" " + a.Name + `="`)
		sb.Write(escape(nil, []byte(a.Value), true))
		sb.WriteByte('"')
	}
	switch {
	case len(el.Children) > 0:
		sb.WriteString(">")
		sb.Write(escape(nil, []byte(el.Text), false))
		sb.WriteString("\n")
		for _, c := range el.Children {
			renderElement(sb, c, depth+1)
		}
		sb.WriteString(pad + "</" + el.Name + ">\n")
	case el.Text != "":
		sb.WriteString(">")
		sb.Write(escape(nil, []byte(el.Text), false))
		sb.WriteString("</" + el.Name + ">\n")
	default:
		sb.WriteString("/>\n")
	}
}
