package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/eqld/eqld/gen"
)

type genCmd struct {
	Events     int     `short:"n" default:"100000" help:"Number of events to write."`
	Seed       uint64  `default:"1" help:"Corpus seed: the same flags always give the same bytes."`
	Hosts      int     `default:"500" help:"Fleet size."`
	Rate       float64 `default:"2000" help:"Fleet-wide events per second (sets the timestamps)."`
	Start      string  `help:"Timestamp of the first event (RFC 3339; default 2026-01-05T08:00:00Z)."`
	PlantEvery int     `default:"100000" help:"Plant one attack incident per this many events (-1: none)."`
	Out        string  `short:"o" help:"Write the events to this file (.gz compresses); standard output when absent."`
	Manifest   string  `help:"Write the expected alerts per rule (the planted incidents) as JSON to this file."`
}

func (c *genCmd) Run(env *Env) error {
	cfg := gen.Config{Seed: c.Seed, Events: c.Events, Hosts: c.Hosts, Rate: c.Rate, PlantEvery: c.PlantEvery}
	if c.Start != "" {
		t, err := time.Parse(time.RFC3339, c.Start)
		if err != nil {
			return usagef("--start %q: %v", c.Start, err)
		}
		cfg.Start = t
	}
	g, err := gen.New(cfg)
	if err != nil {
		return usageError{err}
	}
	var w io.Writer = env.Stdout
	var closers []func() error
	if c.Out != "" {
		f, err := os.Create(c.Out)
		if err != nil {
			return err
		}
		closers = append(closers, f.Close)
		w = f
		if len(c.Out) > 3 && c.Out[len(c.Out)-3:] == ".gz" {
			gz := gzip.NewWriter(f)
			closers = append([]func() error{gz.Close}, closers...)
			w = gz
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	n, err := g.WriteTo(bw)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	for _, cl := range closers {
		if err := cl(); err != nil {
			return err
		}
	}
	if c.Manifest != "" {
		data, err := json.MarshalIndent(g.Manifest(), "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(c.Manifest, append(data, '\n'), 0o644); err != nil {
			return err
		}
	}
	if c.Out != "" {
		fmt.Fprintf(env.Stderr, "wrote %d events (%s) to %s\n", c.Events, humanBytes(n), c.Out)
	}
	return nil
}
