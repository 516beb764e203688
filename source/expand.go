package source

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// input is one file to read after expansion.
type input struct {
	path  string // for os.Open
	name  string // for messages and Origin.File
	index string
	stdin bool
	size  int64
}

// StdinName is the file name given to standard input in Origin and Problem.
const StdinName = "<stdin>"

// expand turns the given paths into the files to read, in order: the paths
// in the order given; a directory's files and a glob's matches sorted, so
// that runs are reproducible. A file reached twice is read once.
func expand(ins []Input, defIndex string) ([]input, []Problem) {
	var out []input
	var probs []Problem
	seen := map[string]bool{}
	add := func(p, index string, size int64) {
		key := p
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, input{path: p, name: p, index: index, size: size})
	}
	for _, in := range ins {
		index := in.Index
		if index == "" {
			index = defIndex
		}
		p := in.Path
		if p == "-" {
			out = append(out, input{name: StdinName, index: index, stdin: true, size: -1})
			continue
		}
		var paths []string
		if hasMeta(p) {
			m, err := glob(p)
			if err != nil {
				probs = append(probs, Problem{File: p, Reason: fmt.Sprintf("bad glob pattern: %v; skipped", err)})
				continue
			}
			if len(m) == 0 {
				if _, err := os.Stat(p); err == nil {
					m = []string{p} // a file name with [ or * in it
				} else {
					probs = append(probs, Problem{File: p, Reason: "no files match this pattern; skipped"})
					continue
				}
			}
			paths = m
		} else {
			paths = []string{p}
		}
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil {
				probs = append(probs, Problem{File: p, Reason: fmt.Sprintf("cannot read: %v; skipped", unwrapPath(err))})
				continue
			}
			if !fi.IsDir() {
				add(p, index, fi.Size())
				continue
			}
			files, ps := walkDir(p)
			probs = append(probs, ps...)
			for _, f := range files {
				add(f.path, index, f.size)
			}
		}
	}
	return out, probs
}

type walked struct {
	path string
	size int64
}

// walkDir lists the regular files under dir sorted by path, skipping
// hidden files and directories (.git, .DS_Store, editor droppings).
// Symbolic links to files are followed; links to directories are not, so a
// cycle cannot make the walk endless.
func walkDir(dir string) ([]walked, []Problem) {
	var out []walked
	var probs []Problem
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			probs = append(probs, Problem{File: p, Reason: fmt.Sprintf("cannot read: %v; skipped", unwrapPath(err))})
			if d != nil && d.IsDir() && p != dir {
				return fs.SkipDir
			}
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(p) // follows a symlink
		if err != nil {
			probs = append(probs, Problem{File: p, Reason: fmt.Sprintf("cannot read: %v; skipped", unwrapPath(err))})
			return nil
		}
		if fi.Mode().IsRegular() {
			out = append(out, walked{p, fi.Size()})
		}
		return nil
	})
	// WalkDir's order puts "a/b/c" before "a/b.json"; sort by the whole
	// path, as a listing would.
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, probs
}

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// glob is filepath.Glob plus "**", which matches any number of directories
// (including none). Matches are sorted.
func glob(pattern string) ([]string, error) {
	if !strings.Contains(pattern, "**") {
		m, err := filepath.Glob(pattern)
		sort.Strings(m)
		return m, err
	}
	// Walk from the longest directory prefix without wildcards and match
	// each path's components against the pattern's.
	pat := filepath.ToSlash(filepath.Clean(pattern))
	parts := strings.Split(pat, "/")
	root := []string{}
	for _, s := range parts {
		if hasMeta(s) {
			break
		}
		root = append(root, s)
	}
	base := strings.Join(root, "/")
	switch {
	case base == "" && strings.HasPrefix(pat, "/"):
		base = "/"
	case base == "":
		base = "."
	}
	for _, s := range parts {
		if s != "**" {
			if _, err := path.Match(s, ""); err != nil {
				return nil, err
			}
		}
	}
	var out []string
	filepath.WalkDir(filepath.FromSlash(base), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && p != filepath.FromSlash(base) && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		rel := filepath.ToSlash(p)
		if base == "." {
			rel = filepath.ToSlash(filepath.Clean(p))
		}
		var comps []string
		if rel != "." {
			comps = strings.Split(strings.TrimPrefix(rel, "/"), "/")
		}
		pp := parts
		if strings.HasPrefix(pat, "/") {
			pp = parts[1:]
		}
		if matchParts(pp, comps) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, nil
}

// matchParts matches path components against pattern components, where a
// "**" component matches zero or more path components.
func matchParts(pat, comps []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(comps); i++ {
				if matchParts(pat[1:], comps[i:]) {
					return true
				}
			}
			return false
		}
		if len(comps) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], comps[0]); !ok {
			return false
		}
		pat, comps = pat[1:], comps[1:]
	}
	return len(comps) == 0
}
