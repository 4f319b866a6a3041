package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spf13/pflag"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/report"
	"github.com/prolifi/prolifi-import/report/ledger"
)

const ledgerUsage = `Usage: prolifi-import ledger [show|unknown|entries] [flags]
       prolifi-import ledger found|missing [flags] EMAIL[=CUSTOMER_ID]... | --file FILE

Shows what the ledger holds, without changing it:
  show      per target, the customers in each state, and the last runs (the default)
  unknown   as CSV, the rows without an external_id that were sent and got no
            answer: check each in Prolifi (rows with an external_id need no
            check: the next run settles them)
  entries   as CSV, every customer identity the ledger knows
Records what you found when you checked those rows (FILE: a CSV with an email
column and, for found, customer_id: the output of unknown, edited):
  found     they are in Prolifi: the next runs count them as imported
  missing   they are not: the next run sends them

Flags:
`

// runLedger is the ledger subcommand: the ledger is SQLite, and `sqlite3`
// reads it too, but this needs no other tool.
func runLedger(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	flags := pflag.NewFlagSet("ledger", pflag.ContinueOnError)
	flags.SetOutput(discard{})
	path := flags.String("ledger", getenv("PROLIFI_LEDGER"), "the ledger file (env PROLIFI_LEDGER; default $XDG_STATE_HOME/prolifi-import/ledger.db, else ~/.local/state/prolifi-import/ledger.db)")
	base := flags.String("base-url", "", "only this API root (default: every target)")
	runs := flags.Int("runs", 10, "how many of the last runs show lists")
	file := flags.String("file", "", "found, missing: a CSV file of the rows (an email column; customer_id for found)")
	help := flags.BoolP("help", "h", false, "print this help")
	if err := flags.Parse(args); err != nil {
		return usageErr("ledger: %s", suggest(err, flags))
	}
	if *runs < 1 {
		return usageErr("ledger: --runs must be at least 1")
	}
	if *help {
		fmt.Fprint(stdout, ledgerUsage+flags.FlagUsages())
		return nil
	}
	if *path == "" {
		*path = defaultLedger(getenv)
	}
	verb := "show"
	if flags.NArg() > 0 {
		verb = flags.Arg(0)
	}
	settles := verb == "found" || verb == "missing"
	if flags.NArg() > 1 && !settles {
		return usageErr("ledger: one of show, unknown or entries, not %q as well", flags.Arg(1))
	}
	if *base != "" {
		// Spelled as a run spells its target, or nothing would match.
		b, err := client.CheckBaseURL(*base)
		if err != nil {
			return usageErr("ledger: --base-url: %v", err)
		}
		*base = b
	}
	var err error
	switch {
	case settles:
		err = settleLedger(ctx, verb, *path, *base, *file, flags.Args()[1:], stdout)
	case verb == "show":
		err = report.PrintLedger(ctx, stdout, *path, *base, *runs)
	case verb == "unknown":
		err = report.WriteLedgerCSV(ctx, stdout, *path, *base, []ledger.State{ledger.StateOutcomeUnknown, ledger.StatePending}, true)
	case verb == "entries":
		err = report.WriteLedgerCSV(ctx, stdout, *path, *base, nil, false)
	default:
		return usageErr("ledger: %q is not show, unknown, entries, found or missing", verb)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return usageErr("ledger %s does not exist yet: no run has written it", *path)
	}
	var ee *exitError
	if err != nil && !errors.As(err, &ee) {
		return usageErr("ledger: %v", err)
	}
	return err
}
