package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

const version = "0.2.0"

// versionString names the version, the commit it was built from when the
// build recorded one, and the Go that built it.
func versionString() string {
	v := "prolifi-import " + version
	commit, modified := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = "prolifi-import " + bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit == "" {
		commit = "unknown commit"
	} else if modified {
		commit += ", modified"
	}
	return fmt.Sprintf("%s (%s) %s %s/%s", v, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

const helpIntro = `Usage: prolifi-import [flags] INPUT
       prolifi-import ledger [show|unknown|entries] [flags]

Creates one Prolifi customer per record of INPUT (a CSV file, a .csv.gz, an
.xlsx workbook, or - for standard input) and writes what happened to each
record to a results file (INPUT.results.csv). A ledger remembers every
customer created, so running the same command again sends only what is left
or new, and never creates a customer twice.

The API key comes from the environment variable PROLIFI_API_KEY or from
--api-key-file; it is never a flag value.

Examples:
  prolifi-import --local samples/customers.csv          try the whole job offline
  prolifi-import --dry-run customers.csv                check every row, send nothing
  PROLIFI_API_KEY=sk_test_… prolifi-import --sandbox customers.csv
  prolifi-import --limit 10 customers.csv               a canary run on the live API
  prolifi-import customers.csv                          again: does only what is left
  prolifi-import --map 'Correo=email' --map 'Plan=metadata.plan' export.csv
  prolifi-import ledger unknown                         rows whose outcome needs a look
`

const helpExit = `
Exit codes: 0 every record created or already there · 1 some records to fix
(see the rejects file) · 2 usage or input error, nothing sent · 3 the run
stopped before the end (signal, key refused, API unreachable, long wait,
error budget): run again to continue · 4 internal error.
`

// printHelp writes the grouped help.
func printHelp(w io.Writer) {
	_, groups := newFlagSets(&config{}, func(string) string { return "" })
	fmt.Fprint(w, helpIntro)
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s:\n%s", g.title, g.flags.FlagUsages())
	}
	fmt.Fprint(w, helpExit)
}
