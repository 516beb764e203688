package evtx

import (
	"time"

	"github.com/eqld/eqld/winevent"
)

// Where a rendered string goes once the record's single string is built.
const (
	fixPtr      = iota // *dst
	fixData            // rec.EventData[idx].Value
	fixElemText        // el.Text
	fixElemAttr        // el.Attrs[idx].Value
)

type fixup struct {
	kind uint8
	idx  int32
	a, b int32
	dst  *string
	el   *winevent.Element
}

// builder maps expanded events to a winevent.Record. All strings of one
// record are rendered into one buffer and converted with a single
// allocation; fields then take substrings of it.
type builder struct {
	buf     []byte // chunk the events refer to
	data    []winevent.Data
	str     []byte
	fix     []fixup
	scratch []byte
}

// build fills rec from the events ev. recID and written come from the
// record header and are used when the XML lacks EventRecordID/TimeCreated.
func (bd *builder) build(rec *winevent.Record, buf []byte, ev []event, recID uint64, written time.Time, source string) {
	bd.buf = buf
	// EventData is collected in a scratch slice and copied once, at its
	// final size; a reused record keeps its own backing array.
	reuse := rec.EventData[:0]
	ed := bd.data[:0]
	*rec = winevent.Record{Source: source, RecordID: recID, TimeCreated: written}
	bd.str = bd.str[:0]
	bd.fix = bd.fix[:0]

	depth := 0
	section := ""
	for i := 0; i < len(ev); i++ {
		e := &ev[i]
		switch e.kind {
		case evEnd:
			depth--
			continue
		case evStart:
		default:
			continue
		}
		depth++
		switch depth {
		case 1: // Event
			continue
		case 2:
			section = e.s
			continue
		}
		// depth 3: a child of System, EventData or UserData.
		switch section {
		case "System":
			i = bd.system(rec, ev, i)
		case "EventData":
			var d winevent.Data
			if e.s == "Data" {
				if v, ok := attrValue(ev, i, "Name"); ok {
					d.Name = bd.render(v)
				}
			} else {
				// Binary, or an unexpected element: keyed by element name.
				d.Name = e.s
			}
			a := len(bd.str)
			i = bd.text(ev, i)
			bd.fix = append(bd.fix, fixup{kind: fixData, idx: int32(len(ed)), a: int32(a), b: int32(len(bd.str))})
			ed = append(ed, d)
		case "UserData":
			if rec.UserData == nil {
				rec.UserData, i = bd.element(ev, i)
			} else {
				i = skip(ev, i)
			}
		default:
			i = skip(ev, i)
		}
		depth-- // the element's end was consumed
	}
	bd.data = ed
	if len(ed) > 0 {
		if cap(reuse) >= len(ed) {
			rec.EventData = append(reuse, ed...)
		} else {
			rec.EventData = append(make([]winevent.Data, 0, len(ed)), ed...)
		}
	}
	s := string(bd.str)
	for k := range bd.fix {
		f := &bd.fix[k]
		v := s[f.a:f.b]
		switch f.kind {
		case fixPtr:
			*f.dst = v
		case fixData:
			rec.EventData[f.idx].Value = v
		case fixElemText:
			f.el.Text = v
		case fixElemAttr:
			f.el.Attrs[f.idx].Value = v
		}
	}
}

// render returns value pieces as a string. Data names are nearly always
// literal template text, which is returned without copying.
func (bd *builder) render(pieces []event) string {
	if len(pieces) == 1 && pieces[0].t == typeLiteral && pieces[0].lit != litEntity {
		return pieces[0].s
	}
	bd.scratch = bd.scratch[:0]
	for k := range pieces {
		bd.scratch = appendValue(bd.scratch, pieces[k].val(bd.buf))
	}
	return string(bd.scratch)
}

// renderTo renders pieces into the shared buffer and arranges for *dst to
// receive the result.
func (bd *builder) renderTo(dst *string, pieces []event) {
	a := len(bd.str)
	for k := range pieces {
		bd.str = appendValue(bd.str, pieces[k].val(bd.buf))
	}
	bd.fix = append(bd.fix, fixup{kind: fixPtr, dst: dst, a: int32(a), b: int32(len(bd.str))})
}

// attrValue returns the value pieces of attribute name on the element
// starting at ev[i].
func attrValue(ev []event, i int, name string) ([]event, bool) {
	for j := i + 1; j < len(ev); j++ {
		switch ev[j].kind {
		case evAttr:
			if ev[j].s == name {
				k := j + 1
				for k < len(ev) && ev[k].kind == evAttrVal {
					k++
				}
				return ev[j+1 : k], true
			}
		case evAttrVal:
		default:
			return nil, false
		}
	}
	return nil, false
}

// text renders the direct text of the element starting at ev[i] into the
// shared buffer and returns the index of its end event. Text of nested
// elements is not part of the value.
func (bd *builder) text(ev []event, i int) int {
	depth := 0
	for j := i; j < len(ev); j++ {
		switch ev[j].kind {
		case evStart:
			depth++
		case evEnd:
			depth--
			if depth == 0 {
				return j
			}
		case evText:
			if depth == 1 {
				bd.str = appendValue(bd.str, ev[j].val(bd.buf))
			}
		}
	}
	return len(ev)
}

// textPieces returns the direct text events of the element at ev[i] when
// they are contiguous (the usual single value), and the index of its end.
func textPieces(ev []event, i int) ([]event, int) {
	j := i + 1
	for j < len(ev) && (ev[j].kind == evAttr || ev[j].kind == evAttrVal) {
		j++
	}
	k := j
	for k < len(ev) && ev[k].kind == evText {
		k++
	}
	if k < len(ev) && ev[k].kind == evEnd {
		return ev[j:k], k
	}
	return ev[j:k], skip(ev, i)
}

// skip returns the index of the end event of the element at ev[i].
func skip(ev []event, i int) int {
	depth := 0
	for j := i; j < len(ev); j++ {
		switch ev[j].kind {
		case evStart:
			depth++
		case evEnd:
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(ev)
}

// number interprets value pieces as an unsigned integer.
func (bd *builder) number(pieces []event) (uint64, bool) {
	if len(pieces) == 1 {
		return uintValue(pieces[0].val(bd.buf), bd.scratch[:0])
	}
	bd.scratch = bd.scratch[:0]
	for k := range pieces {
		bd.scratch = appendValue(bd.scratch, pieces[k].val(bd.buf))
	}
	return parseUint(bd.scratch)
}

// system handles one child of System and returns the index of its end.
func (bd *builder) system(rec *winevent.Record, ev []event, i int) int {
	e := &ev[i]
	switch e.s {
	case "Provider":
		if v, ok := attrValue(ev, i, "Name"); ok {
			bd.renderTo(&rec.Provider, v)
		}
		if v, ok := attrValue(ev, i, "Guid"); ok {
			bd.renderTo(&rec.ProviderGUID, v)
		}
		if v, ok := attrValue(ev, i, "EventSourceName"); ok {
			bd.renderTo(&rec.EventSourceName, v)
		}
	case "EventID":
		if v, ok := attrValue(ev, i, "Qualifiers"); ok {
			bd.renderTo(&rec.Qualifiers, v)
		}
		p, end := textPieces(ev, i)
		n, _ := bd.number(p)
		rec.EventID = uint32(n)
		return end
	case "Version", "Level", "Task", "Opcode", "Keywords", "EventRecordID":
		p, end := textPieces(ev, i)
		n, ok := bd.number(p)
		switch e.s {
		case "Version":
			rec.Version = uint8(n)
		case "Level":
			rec.Level = uint8(n)
		case "Task":
			rec.Task = uint16(n)
		case "Opcode":
			rec.Opcode = uint8(n)
		case "Keywords":
			rec.Keywords = n
		case "EventRecordID":
			if ok {
				rec.RecordID = n
			}
		}
		return end
	case "TimeCreated":
		if v, ok := attrValue(ev, i, "SystemTime"); ok && len(v) == 1 {
			if t, ok := timeValue(v[0].val(bd.buf), bd.scratch[:0]); ok {
				rec.TimeCreated = t
			}
		}
	case "Correlation":
		if v, ok := attrValue(ev, i, "ActivityID"); ok {
			bd.renderTo(&rec.ActivityID, v)
		}
		if v, ok := attrValue(ev, i, "RelatedActivityID"); ok {
			bd.renderTo(&rec.RelatedActivityID, v)
		}
	case "Execution":
		if v, ok := attrValue(ev, i, "ProcessID"); ok {
			n, _ := bd.number(v)
			rec.ProcessID = uint32(n)
		}
		if v, ok := attrValue(ev, i, "ThreadID"); ok {
			n, _ := bd.number(v)
			rec.ThreadID = uint32(n)
		}
	case "Channel", "Computer":
		dst := &rec.Channel
		if e.s == "Computer" {
			dst = &rec.Computer
		}
		a := len(bd.str)
		end := bd.text(ev, i)
		bd.fix = append(bd.fix, fixup{kind: fixPtr, dst: dst, a: int32(a), b: int32(len(bd.str))})
		return end
	case "Security":
		if v, ok := attrValue(ev, i, "UserID"); ok {
			bd.renderTo(&rec.UserID, v)
		}
	}
	return skip(ev, i)
}

// element builds a generic element tree (for UserData) from ev[i].
func (bd *builder) element(ev []event, i int) (*winevent.Element, int) {
	el := &winevent.Element{Name: ev[i].s}
	j := i + 1
	for j < len(ev) && ev[j].kind == evAttr {
		name := ev[j].s
		a := len(bd.str)
		j++
		for j < len(ev) && ev[j].kind == evAttrVal {
			bd.str = appendValue(bd.str, ev[j].val(bd.buf))
			j++
		}
		bd.fix = append(bd.fix, fixup{kind: fixElemAttr, el: el, idx: int32(len(el.Attrs)), a: int32(a), b: int32(len(bd.str))})
		el.Attrs = append(el.Attrs, winevent.Data{Name: name})
	}
	// Text pieces may be interleaved with child elements; they are
	// rendered contiguously so the text is one substring.
	a := len(bd.str)
	var kids []int
	for ; j < len(ev); j++ {
		switch ev[j].kind {
		case evText:
			bd.str = appendValue(bd.str, ev[j].val(bd.buf))
		case evStart:
			kids = append(kids, j)
			j = skip(ev, j)
		case evEnd:
			goto done
		}
	}
done:
	bd.fix = append(bd.fix, fixup{kind: fixElemText, el: el, a: int32(a), b: int32(len(bd.str))})
	for _, k := range kids {
		child, _ := bd.element(ev, k)
		el.Children = append(el.Children, child)
	}
	return el, j
}
