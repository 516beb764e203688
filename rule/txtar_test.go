package rule

import "github.com/rogpeppe/go-internal/txtar"

// The test fixtures are txtar archives (a comment, then files introduced
// by "-- name --" lines), read and written with go-internal's txtar.

type archive = txtar.Archive

func parseArchiveFile(path string) (*archive, error) { return txtar.ParseFile(path) }

func formatArchive(a *archive) []byte { return txtar.Format(a) }
