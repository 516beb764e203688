package ecs

import "github.com/rogpeppe/go-internal/txtar"

// The golden cases are txtar archives, read and written with go-internal's
// txtar.

type txtarFile = txtar.File

type txtarArchive = txtar.Archive

func txtarParseFile(path string) (*txtarArchive, error) { return txtar.ParseFile(path) }

func txtarFormat(a *txtarArchive) []byte { return txtar.Format(a) }
