// Command eqld runs Elastic Security's EQL detection rules and queries over
// security telemetry, offline, and writes the alerts Elastic would have
// written. See the README for the commands; `eqld --help` lists them.
package main

import (
	"os"

	"github.com/eqld/eqld/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.DefaultEnv()))
}
