package sink

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/eqld/eqld/alert"
)

// NDJSONWriter writes one alert document per line, the _source Kibana
// would index; the document's kibana.alert.uuid is its _id.
//
// Like Kibana's filterDuplicateAlerts (create_persistence_rule_type_wrapper.ts),
// it never writes an id twice: ids written earlier in the run, and in
// append mode the ids already in the file, are skipped and counted. Since
// alert ids are deterministic, re-running eqld over overlapping input
// appends only the new alerts.
type NDJSONWriter struct {
	w      *bufio.Writer
	closer io.Closer // the file when the writer opened it
	seen   map[string]struct{}
	buf    []byte
	stats  NDJSONStats
	err    error
}

// NDJSONStats counts what an NDJSONWriter did.
type NDJSONStats struct {
	// Existing is the number of distinct alert ids found in the file when
	// it was opened in append mode.
	Existing int `json:"existing"`
	// Malformed is the number of lines of the existing file that had no
	// kibana.alert.uuid (not JSON, or not an alert); they are left as is.
	Malformed int `json:"malformed"`
	// Written and Skipped count the alerts of this run: written, or
	// skipped because their id was already in the file or the run.
	Written int `json:"written"`
	Skipped int `json:"skipped"`
}

// NewNDJSONWriter writes to w (buffered). Closing the writer flushes it
// but does not close w.
func NewNDJSONWriter(w io.Writer) *NDJSONWriter {
	return &NDJSONWriter{w: bufio.NewWriterSize(w, 64<<10), seen: map[string]struct{}{}}
}

// OpenNDJSON opens the file at path for writing alerts. Without appendMode
// the file is created or truncated. In append mode the ids of the alerts
// already in the file are read first, so that they are not written again,
// and new alerts go at its end.
func OpenNDJSON(path string, appendMode bool) (*NDJSONWriter, error) {
	if !appendMode {
		f, err := os.Create(path)
		if err != nil {
			return nil, fmt.Errorf("sink: alerts file: %w", err)
		}
		w := NewNDJSONWriter(f)
		w.closer = f
		return w, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sink: alerts file: %w", err)
	}
	w := NewNDJSONWriter(f)
	w.closer = f
	endsInNewline, err := w.readExisting(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sink: reading alerts already in %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, fmt.Errorf("sink: alerts file %s: %w", path, err)
	}
	if !endsInNewline {
		// A last line cut short (an interrupted run) must not swallow the
		// first new alert.
		w.w.WriteByte('\n')
	}
	return w, nil
}

// readExisting records the ids in r and reports whether r is empty or
// ends with a newline.
func (w *NDJSONWriter) readExisting(r io.Reader) (bool, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	endsInNewline := true
	var doc struct {
		UUID string `json:"kibana.alert.uuid"`
	}
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			endsInNewline = line[len(line)-1] == '\n'
			if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
				doc.UUID = ""
				if json.Unmarshal(trimmed, &doc) != nil || doc.UUID == "" {
					w.stats.Malformed++
				} else if _, dup := w.seen[doc.UUID]; !dup {
					w.seen[doc.UUID] = struct{}{}
					w.stats.Existing++
				}
			}
		}
		if errors.Is(err, io.EOF) {
			return endsInNewline, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// Write writes a's document unless its id was written before.
func (w *NDJSONWriter) Write(a *alert.Alert) error {
	if a == nil {
		return errNilAlert
	}
	if w.err != nil {
		return w.err
	}
	if _, dup := w.seen[a.ID]; dup {
		w.stats.Skipped++
		return nil
	}
	w.seen[a.ID] = struct{}{}
	w.buf = a.AppendJSON(w.buf[:0])
	w.buf = append(w.buf, '\n')
	if _, err := w.w.Write(w.buf); err != nil {
		w.err = fmt.Errorf("sink: writing alert %s: %w", a.ID, err)
		return w.err
	}
	w.stats.Written++
	return nil
}

// Stats returns the counts so far.
func (w *NDJSONWriter) Stats() NDJSONStats { return w.stats }

// Close flushes the buffer and closes the file the writer opened.
func (w *NDJSONWriter) Close() error {
	err := w.w.Flush()
	if err != nil {
		err = fmt.Errorf("sink: flushing alerts: %w", err)
	}
	if w.closer != nil {
		if cerr := w.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("sink: closing alerts file: %w", cerr)
		}
		w.closer = nil
	}
	return err
}
