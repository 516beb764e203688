package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
)

// Format is a reader for a non-JSON file format (EVTX, Windows XML, …) that
// produces JSON documents. Formats are registered with Register, usually
// from the init function of the package implementing them.
type Format struct {
	// Name identifies the format in messages, e.g. "evtx".
	Name string
	// Magic lists byte prefixes of the (decompressed) content that identify
	// the format, e.g. "ElfFile\x00". Magic matches take precedence over
	// extensions.
	Magic []string
	// Extensions lists file name extensions, with the dot, e.g. ".evtx".
	// They are matched case-insensitively after removing a compression
	// suffix (.gz, .zst, .zstd).
	Extensions []string
	// New starts decoding one file.
	New func(File) (Decoder, error)
}

// File is an opened input handed to a Format's New.
type File struct {
	// Name is the path, for messages; "<stdin>" for standard input.
	Name string
	// R reads the content from the start, decompressed.
	R io.Reader
	// ReaderAt reads the plain file at random, for formats that need to
	// seek (EVTX chunks); nil when the file is compressed or not a regular
	// file. Reads through it count towards the progress bar too.
	ReaderAt io.ReaderAt
	// Size is the size of the content behind ReaderAt; -1 when unknown.
	Size int64
}

// Decoder yields the documents of one file.
type Decoder interface {
	// Next returns the next document, or io.EOF at the end. An error that
	// is a *Problem (or Problem) is reported and skipped, and Next is called
	// again; any other error ends the file and is reported.
	Next() (Doc, error)
	// Close releases the decoder's resources; it does not close the file.
	Close() error
}

// Doc is one document produced by a Decoder.
type Doc struct {
	// Raw is one JSON object. It only needs to stay valid until the next
	// call to Next; it is validated and copied (compacted).
	Raw []byte
	// Line is the position reported as Origin.Line: a line or record
	// number.
	Line int
	// Offset is the position reported as Origin.Offset.
	Offset int64
	// Index, ID and Version are the document's identity when the format
	// carries one; an empty Index and ID are derived as for JSON input.
	Index, ID, Version string
}

var (
	regMu   sync.RWMutex
	formats []Format
)

// Register makes a format available to every Reader opened afterwards.
// It panics if the format has no Name or New, no Magic and no Extensions,
// or if its Name is already registered, as database/sql.Register does: these
// are programming errors found at init time.
func Register(f Format) {
	if f.Name == "" || f.New == nil || (len(f.Magic) == 0 && len(f.Extensions) == 0) {
		panic(fmt.Sprintf("source.Register: format %q needs a Name, New, and Magic or Extensions", f.Name))
	}
	for _, m := range f.Magic {
		if m == "" {
			panic(fmt.Sprintf("source.Register: format %q has an empty Magic", f.Name))
		}
		if len(m) > sniffSize {
			panic(fmt.Sprintf("source.Register: format %q has a Magic longer than %d bytes", f.Name, sniffSize))
		}
	}
	regMu.Lock()
	defer regMu.Unlock()
	for _, g := range formats {
		if g.Name == f.Name {
			panic(fmt.Sprintf("source.Register: format %q registered twice", f.Name))
		}
	}
	formats = append(formats, f)
}

// lookupFormat finds the registered format for a file: by magic first,
// then by extension.
func lookupFormat(name string, head []byte) (Format, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	for _, f := range formats {
		for _, m := range f.Magic {
			if bytes.HasPrefix(head, []byte(m)) {
				return f, true
			}
		}
	}
	ext := strings.ToLower(filepath.Ext(stripCompressionExt(name)))
	if ext == "" {
		return Format{}, false
	}
	for _, f := range formats {
		for _, e := range f.Extensions {
			if strings.ToLower(e) == ext {
				return f, true
			}
		}
	}
	return Format{}, false
}

func stripCompressionExt(name string) string {
	l := strings.ToLower(name)
	for _, s := range [...]string{".gz", ".zst", ".zstd"} {
		if strings.HasSuffix(l, s) {
			return name[:len(name)-len(s)]
		}
	}
	return name
}

// decoderFramer adapts a Decoder to the Reader's frames.
type decoderFramer struct {
	dec    Decoder
	format string
	doc    Doc
}

// next returns the decoder's next document as a frame. Identity the decoder
// supplies is kept in df.doc for handle.
func (df *decoderFramer) next() (frame, error) {
	d, err := df.dec.Next()
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			return frame{fileLine: p.Line, line: p.Line, off: p.Offset, problem: p.Reason}, nil
		}
		var pv Problem
		if errors.As(err, &pv) {
			return frame{fileLine: pv.Line, line: pv.Line, off: pv.Offset, problem: pv.Reason}, nil
		}
		if err == io.EOF {
			return frame{}, io.EOF
		}
		return frame{}, fmt.Errorf("%s decoder: %w", df.format, err)
	}
	df.doc = d
	return frame{b: trimSpace(d.Raw), line: d.Line, fileLine: d.Line, off: d.Offset, compact: true, copy: true}, nil
}
