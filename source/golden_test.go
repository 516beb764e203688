package source

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/golden/*.txtar")

// A golden case is a txtar archive: its files are written to a temporary
// directory, which becomes the working directory, and read with the paths in
// the "args" section (one per line; default "."). Optional sections:
// "stdin" (content for "-"), "options" (lines "index=NAME", "strict",
// "defer-id", "max=N"). The "want" section holds the rendered output.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		file, _ = filepath.Abs(file)
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(data)
			var args []string
			var stdin []byte
			var opts Options
			want, wantIdx := "", -1
			dir := t.TempDir()
			for i, f := range a.Files {
				switch f.Name {
				case "args":
					args = strings.Fields(string(f.Data))
				case "stdin":
					stdin = f.Data
				case "options":
					for _, o := range strings.Fields(string(f.Data)) {
						switch {
						case strings.HasPrefix(o, "index="):
							opts.Index = o[len("index="):]
						case o == "strict":
							opts.Strict = true
						case o == "defer-id":
							opts.DeferContentID = true
						case strings.HasPrefix(o, "max="):
							fmt.Sscan(o[len("max="):], &opts.MaxDocSize)
						default:
							t.Fatalf("unknown option %q", o)
						}
					}
				case "want":
					want, wantIdx = string(f.Data), i
				default:
					p := filepath.Join(dir, filepath.FromSlash(f.Name))
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			t.Chdir(dir)
			var got string
			// Every case runs with the normal buffer and with a tiny one, to
			// exercise refills at every position; the output must not change.
			for _, bs := range []int{0, 7} {
				o := opts
				o.BufferSize = bs
				if stdin != nil {
					o.Stdin = bytes.NewReader(stdin)
				}
				out := render(t, args, o, false)
				if bs == 0 {
					got = out
				} else if d := cmp.Diff(got, out); d != "" {
					t.Errorf("output with a %d-byte buffer differs (-default +small):\n%s", bs, d)
				}
				if stdin != nil {
					o.Stdin = bytes.NewReader(stdin)
				}
				// A batch reports its problems before returning its events, so
				// compare events and problems separately.
				ev1, pr1 := splitRender(out)
				ev2, pr2 := splitRender(render(t, args, o, true))
				if d := cmp.Diff(ev1, ev2); d != "" {
					t.Errorf("NextBatch events differ from Next (-Next +NextBatch):\n%s", d)
				}
				if d := cmp.Diff(pr1, pr2); d != "" {
					t.Errorf("NextBatch problems differ from Next (-Next +NextBatch):\n%s", d)
				}
			}
			// Deferring validation to the consumer, here Settle, changes
			// nothing.
			o := opts
			o.DeferValidation = true
			if stdin != nil {
				o.Stdin = bytes.NewReader(stdin)
			}
			if d := cmp.Diff(got, render(t, args, o, false)); d != "" {
				t.Errorf("output with DeferValidation and Settle differs (-default +deferred):\n%s", d)
			}
			if stdin != nil {
				o.Stdin = bytes.NewReader(stdin)
			}
			ev1, pr1 := splitRender(got)
			ev2, pr2 := splitRender(render(t, args, o, true))
			// A batch's deferred documents are settled after the reader has
			// framed the whole batch, so their problems, and the events of
			// hits among them, may come later.
			slices.Sort(ev1)
			slices.Sort(ev2)
			if d := cmp.Diff(ev1, ev2); d != "" {
				t.Errorf("NextBatch events with DeferValidation differ (-Next +NextBatch):\n%s", d)
			}
			slices.Sort(pr1)
			slices.Sort(pr2)
			if d := cmp.Diff(pr1, pr2); d != "" && !opts.Strict {
				t.Errorf("NextBatch problems with DeferValidation differ (-Next +NextBatch):\n%s", d)
			}
			if *update {
				if wantIdx < 0 {
					a.Files = append(a.Files, archiveFile{Name: "want"})
					wantIdx = len(a.Files) - 1
				}
				a.Files[wantIdx].Data = []byte(got)
				if err := os.WriteFile(file, formatArchive(a), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("output differs from the want section (-want +got); rerun with -update if intended:\n%s", d)
			}
		})
	}
}

// render reads everything and renders events, problems and stats, in
// order, one per line.
func render(t *testing.T, args []string, opts Options, batch bool) string {
	t.Helper()
	var out strings.Builder
	opts.OnProblem = func(p Problem) {
		fmt.Fprintf(&out, "problem %s\n", p.Error())
	}
	r, err := Open(args, opts)
	if err != nil {
		fmt.Fprintf(&out, "open error: %v\n", err)
		return out.String()
	}
	defer r.Close()
	ev := func(e *Event) {
		if opts.DeferValidation && !r.Settle(e) {
			return
		}
		if e.Deferred {
			t.Errorf("event still Deferred after Settle")
		}
		hit := ""
		if e.Origin.Hit > 0 {
			hit = fmt.Sprintf("#%d", e.Origin.Hit)
		}
		fmt.Fprintf(&out, "event %s:%d%s @%d index=%q id=%q version=%q %s\n",
			filepath.ToSlash(e.Origin.File), e.Origin.Line, hit, e.Origin.Offset, e.Index, e.ID, e.Version, e.Raw)
		checkRaw(t, e.Raw)
	}
	var end error
	if batch {
		buf := make([]Event, 3)
		for {
			n, err := r.NextBatch(buf)
			for i := range buf[:n] {
				ev(&buf[i])
			}
			if err != nil {
				end = err
				break
			}
			if n == 0 {
				t.Fatal("NextBatch returned 0 events without an error")
			}
		}
	} else {
		for {
			e, err := r.Next()
			if err != nil {
				end = err
				break
			}
			ev(e)
		}
	}
	if end != io.EOF {
		var p *Problem
		if !errors.As(end, &p) {
			t.Errorf("error %v is not a *Problem", end)
		}
		fmt.Fprintf(&out, "error: %v\n", end)
	}
	s := r.Stats()
	if end == io.EOF && s.BytesTotal >= 0 && s.BytesRead != s.BytesTotal {
		t.Errorf("at the end BytesRead = %d, want BytesTotal %d", s.BytesRead, s.BytesTotal)
	}
	fmt.Fprintf(&out, "stats files=%d failed=%d events=%d problems=%d malformed=%d total=%d\n",
		s.Files, s.FilesFailed, s.Events, s.Problems, s.Malformed, s.BytesTotal)
	return out.String()
}

// checkRaw asserts the contract on every yielded document.
func checkRaw(t testing.TB, raw []byte) {
	t.Helper()
	if len(raw) == 0 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		t.Errorf("Raw is not an object: %q", raw)
	}
	if bytes.IndexByte(raw, '\n') >= 0 {
		t.Errorf("Raw holds a newline: %q", raw)
	}
	if err := validate(raw); err != nil {
		t.Errorf("Raw is not valid JSON: %v: %q", err, raw)
	}
}

func splitRender(out string) (events, other []string) {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "event ") {
			events = append(events, l)
		} else {
			other = append(other, l)
		}
	}
	return events, other
}
