// Package windows adds Windows event logs to the inputs package source
// reads: EVTX files and rendered event XML (wevtutil, Event Viewer "Save as
// XML", evtxexport) become ECS documents, mapped the way Elastic's Windows
// integrations map them (package ecs), so that Elastic's rules run on them
// directly. Import it for its side effect:
//
//	import _ "github.com/eqld/eqld/source/windows"
//
// The documents carry data_stream fields, so their index is derived as for
// any other input (logs-windows.sysmon_operational-default, …).
package windows

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/eqld/eqld/ecs"
	"github.com/eqld/eqld/evtx"
	"github.com/eqld/eqld/source"
	"github.com/eqld/eqld/winevent"
)

func init() {
	source.Register(source.Format{
		Name:       "evtx",
		Magic:      []string{"ElfFile\x00"},
		Extensions: []string{".evtx"},
		New:        newEVTX,
	})
	source.Register(source.Format{
		Name:       "windows-xml",
		Extensions: []string{".xml"},
		New:        newXML,
	})
}

// mapped turns records into ECS JSON documents, reusing its buffers.
type mapped struct {
	mapper *ecs.Mapper
	doc    ecs.Doc
	buf    []byte
}

func (m *mapped) doc1(rec *winevent.Record, line int) source.Doc {
	m.mapper.Map(rec, &m.doc)
	m.buf = m.doc.AppendJSON(m.buf[:0])
	return source.Doc{Raw: m.buf, Line: line}
}

type evtxDecoder struct {
	mapped
	r     *evtx.Reader
	n     int
	name  string
	ended bool
}

func newEVTX(f source.File) (source.Decoder, error) {
	ra, size := f.ReaderAt, f.Size
	if ra == nil {
		// Compressed or streamed: EVTX needs random access, so read it whole.
		data, err := io.ReadAll(f.R)
		if err != nil {
			return nil, err
		}
		ra, size = bytes.NewReader(data), int64(len(data))
	}
	r, err := evtx.NewReader(ra, size, f.Name)
	if err != nil {
		return nil, err
	}
	r.ReuseRecord = true
	return &evtxDecoder{mapped: mapped{mapper: ecs.NewMapper(ecs.Options{})}, r: r, name: f.Name}, nil
}

func (d *evtxDecoder) Next() (source.Doc, error) {
	rec, err := d.r.Next()
	if err == io.EOF {
		if !d.ended {
			d.ended = true
			// Damaged or dirty files: report what the reader skipped once,
			// after the records it could recover.
			if st := d.r.Stats(); st.RecordsSkipped > 0 || st.ChunksSkipped > 0 {
				return source.Doc{}, &source.Problem{File: d.name, Reason: fmt.Sprintf(
					"EVTX: %d damaged chunks and %d records could not be read and were skipped (%d records read)",
					st.ChunksSkipped, st.RecordsSkipped, st.Records)}
			}
		}
		return source.Doc{}, io.EOF
	}
	if err != nil {
		return source.Doc{}, err
	}
	d.n++
	return d.doc1(rec, d.n), nil
}

func (d *evtxDecoder) Close() error { return d.r.Close() }

type xmlDecoder struct {
	mapped
	x    *winevent.XMLReader
	name string
	n    int
}

func newXML(f source.File) (source.Decoder, error) {
	return &xmlDecoder{mapped: mapped{mapper: ecs.NewMapper(ecs.Options{})}, x: winevent.NewXMLReader(f.R, f.Name), name: f.Name}, nil
}

func (d *xmlDecoder) Next() (source.Doc, error) {
	for {
		rec, err := d.x.Next()
		if err == io.EOF {
			return source.Doc{}, io.EOF
		}
		var re *winevent.RecordError
		if errors.As(err, &re) {
			return source.Doc{}, &source.Problem{File: d.name, Line: d.n + 1, Reason: re.Error()}
		}
		if err != nil {
			return source.Doc{}, err
		}
		d.n++
		return d.doc1(rec, d.n), nil
	}
}

func (d *xmlDecoder) Close() error { return nil }

// Winlogbeat maps raw Winlogbeat / Elastic Agent winlog documents — what
// the collector ships before Elastic's ingest pipeline runs (winlog.*
// present, no ECS fields yet) — to ECS like EVTX records, for input files
// written by Winlogbeat's file or console output. Other documents pass
// through unchanged. A Winlogbeat is not safe for concurrent use.
type Winlogbeat struct {
	m   mapped
	out []byte
}

// NewWinlogbeat returns a mapper for raw Winlogbeat documents.
func NewWinlogbeat() *Winlogbeat {
	return &Winlogbeat{m: mapped{mapper: ecs.NewMapper(ecs.Options{})}}
}

// Map returns the ECS document for raw when it is an unmapped Winlogbeat
// event, else raw itself. The returned bytes are valid until the next call.
func (w *Winlogbeat) Map(raw []byte) []byte {
	// Cheap screen first: only documents with winlog event data and no
	// event.category can be unmapped Winlogbeat events.
	if !bytes.Contains(raw, []byte(`"winlog"`)) || bytes.Contains(raw, []byte(`"category"`)) {
		return raw
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return raw
	}
	rec, ok := winevent.FromWinlogbeat(doc)
	if !ok {
		return raw
	}
	w.m.mapper.Map(rec, &w.m.doc)
	w.out = w.m.doc.AppendJSON(w.out[:0])
	return w.out
}
