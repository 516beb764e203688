// Package cli implements the eqld command line: parsing, the commands and
// their output. cmd/eqld is a thin main around Main, so that the commands can
// be tested end to end in-process.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"
)

// Exit codes, documented in the README and in `eqld --help`.
const (
	ExitOK      = 0 // success
	ExitFailure = 1 // a runtime failure: unreadable input, unwritable output
	ExitUsage   = 2 // bad command line, invalid query, rule or option
	ExitAlerts  = 3 // hunt --fail-on-alert: at least one alert was produced
)

// Env is what a command runs against: its streams, for tests and for main.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// IsTerminal reports whether Stderr is a terminal (progress bars).
	IsTerminal bool
}

// usageError marks errors that exit with ExitUsage.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a specific exit code without a message of its own.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Version is set at build time with -ldflags "-X github.com/eqld/eqld/internal/cli.Version=…".
var Version = "dev"

type versionCmd struct{}

func (versionCmd) Run(env *Env) error {
	fmt.Fprintln(env.Stdout, "eqld", Version)
	return nil
}

// CLI is the command tree.
type CLI struct {
	Hunt    huntCmd    `cmd:"" help:"Run detection rules over event files and write the alerts Elastic would have written."`
	Query   queryCmd   `cmd:"" help:"Run one EQL query over event files, like Elasticsearch's _eql/search."`
	Rules   rulesCmd   `cmd:"" help:"List, validate and show detection rules."`
	Gen     genCmd     `cmd:"" help:"Write a deterministic benchmark corpus of ECS events with planted attacks."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

const description = `eqld runs Elastic Security's EQL detection rules and queries over event files,
offline, with Elasticsearch's semantics.

Exit codes: 0 success; 1 runtime failure (unreadable input, unwritable output);
2 bad usage, invalid query or rule; 3 alerts were produced (hunt --fail-on-alert).`

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(args []string, env *Env) int {
	var cli CLI
	exitCode := -1
	parser, err := kong.New(&cli,
		kong.Name("eqld"),
		kong.Description(description),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { exitCode = code }),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Bind(env),
	)
	if err != nil {
		fmt.Fprintln(env.Stderr, "eqld:", err)
		return ExitFailure
	}
	ctx, err := parser.Parse(args)
	if exitCode >= 0 { // --help
		return exitCode
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, "eqld:", err)
		return ExitUsage
	}
	err = ctx.Run(env)
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(env.Stderr, "eqld:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitFailure
}

// DefaultEnv is the process's own streams.
func DefaultEnv() *Env {
	return &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, IsTerminal: isTerminal(os.Stderr)}
}
