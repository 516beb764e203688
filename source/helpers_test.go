package source

import (
	"sync/atomic"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/valyala/fastjson"
)

func validate(b []byte) error { return fastjson.ValidateBytes(b) }

// The golden cases and fuzz seeds are txtar archives, read and written
// with go-internal's txtar.

type archive = txtar.Archive

type archiveFile = txtar.File

func parseArchive(data []byte) *archive { return txtar.Parse(data) }

func formatArchive(a *archive) []byte { return txtar.Format(a) }

type atomicInt64 struct{ atomic.Int64 }
