// Command heapsnap finds memory leaks in V8 heap snapshots.
package main

import (
	"os"

	"github.com/heapsnap/heapsnap/internal/cli"
)

// Set by release builds: -X main.version=… -X main.commit=… -X main.date=…
var version, commit, date string

func main() {
	os.Exit(cli.Run(cli.BuildInfo{Version: version, Commit: commit, Date: date}))
}
