package ecs

import (
	"bytes"
	"os"
	"strings"
)

// A minimal txtar reader and writer (the format of golang.org/x/tools/txtar).
// go-internal's txtar now wraps x/tools, whose go.sum entry this module does
// not carry, so the tests use this instead of adding a dependency.

type txtarFile struct {
	Name string
	Data []byte
}

type txtarArchive struct {
	Comment []byte
	Files   []txtarFile
}

func txtarParseFile(path string) (*txtarArchive, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return txtarParse(b), nil
}

func txtarParse(data []byte) *txtarArchive {
	a := &txtarArchive{}
	var cur *txtarFile
	var buf []byte
	flush := func() {
		if cur == nil {
			a.Comment = buf
		} else {
			cur.Data = buf
			a.Files = append(a.Files, *cur)
		}
		buf = nil
	}
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		t := strings.TrimRight(string(line), "\r\n")
		if strings.HasPrefix(t, "-- ") && strings.HasSuffix(t, " --") && len(t) > 6 {
			flush()
			cur = &txtarFile{Name: strings.TrimSpace(t[3 : len(t)-3])}
			continue
		}
		buf = append(buf, line...)
	}
	flush()
	return a
}

func txtarFormat(a *txtarArchive) []byte {
	var b bytes.Buffer
	b.Write(a.Comment)
	for _, f := range a.Files {
		b.WriteString("-- " + f.Name + " --\n")
		b.Write(f.Data)
		if len(f.Data) > 0 && f.Data[len(f.Data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}
