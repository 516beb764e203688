package source

import (
	"bytes"
	"fmt"
	"sync/atomic"

	"github.com/valyala/fastjson"
)

func validate(b []byte) error { return fastjson.ValidateBytes(b) }

// A minimal txtar reader and writer (the format of golang.org/x/tools/txtar):
// go-internal's txtar now wraps x/tools, whose go.sum entry this module does
// not have, and the format is a few lines.

type archive struct {
	Comment []byte
	Files   []archiveFile
}

type archiveFile struct {
	Name string
	Data []byte
}

func parseArchive(data []byte) *archive {
	a := &archive{}
	var cur *archiveFile
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		t := bytes.TrimRight(line, "\r\n")
		if bytes.HasPrefix(t, []byte("-- ")) && bytes.HasSuffix(t, []byte(" --")) && len(t) > 6 {
			a.Files = append(a.Files, archiveFile{Name: string(bytes.TrimSpace(t[3 : len(t)-3]))})
			cur = &a.Files[len(a.Files)-1]
			continue
		}
		if cur == nil {
			a.Comment = append(a.Comment, line...)
		} else {
			cur.Data = append(cur.Data, line...)
		}
	}
	return a
}

func formatArchive(a *archive) []byte {
	var b bytes.Buffer
	b.Write(a.Comment)
	for _, f := range a.Files {
		fmt.Fprintf(&b, "-- %s --\n", f.Name)
		b.Write(f.Data)
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

type atomicInt64 struct{ atomic.Int64 }
