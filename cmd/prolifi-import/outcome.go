package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
)

// outcomeOf decides the exit code and a one-line verdict.
func outcomeOf(st importer.Stats, dryRun bool, runErr, closeErr error) (int, string) {
	var ae *importer.AbortError
	switch {
	case closeErr != nil:
		return exitInternal, "failed: results not saved"
	case errors.As(runErr, &ae):
		return exitAborted, "stopped (" + ae.Reason + ")"
	case errors.Is(runErr, importer.ErrInterrupted):
		return exitAborted, "interrupted"
	case runErr != nil:
		return exitInternal, "failed"
	}
	if bad := st.ToFix(); bad > 0 {
		return exitRows, fmt.Sprintf("finished with %s to fix", plural(bad, "row"))
	}
	if dryRun {
		return exitOK, "dry run: every row is valid or already imported"
	}
	return exitOK, "finished"
}

// nextSteps tells a person what to do after the run, in the order they
// would do it.
func nextSteps(s *report.Summary, c *config, records int64) string {
	var steps []string
	switch left := records - int64(s.Rows) - int64(s.Blank); {
	case s.ExitCode == exitAborted || s.ExitCode == exitInternal:
		text := fmt.Sprintf("%d rows read were not attempted", s.NotDone)
		if records > 0 && left > 0 {
			text = fmt.Sprintf("%d input records were not done", left)
		}
		steps = append(steps, text+": run the same command again to continue (the ledger skips what is done)")
	case s.Limited:
		text := fmt.Sprintf("--limit %d reached; the records after it were not read", c.limit)
		if s.Left > 0 {
			text = fmt.Sprintf("%d records left after --limit %d", s.Left, c.limit)
		}
		steps = append(steps, text+": run the same command without --limit to continue (or with it again, for the next ones)")
	}
	unknown := unknownCount(s)
	if unknown > 0 {
		steps = append(steps, fmt.Sprintf("%s may or may not have been created: `prolifi-import ledger unknown` lists them; "+
			"look each up in Prolifi, then record what you found: `prolifi-import ledger found EMAIL[=CUSTOMER_ID]` "+
			"for those that are there, `prolifi-import ledger missing EMAIL` (the next run sends them) for the others", plural(unknown, "row")))
	}
	if s.Rejects != "" && s.ExitCode == exitRows && toFix(s) > unknown {
		command := "prolifi-import"
		if c.target.local {
			// Without --local, the same command would go to the live API.
			command = "prolifi-import --local"
		}
		steps = append(steps, "fix the rows in "+s.Rejects+" (or in the system the export comes from), then run "+command+" on that file")
	}
	return strings.Join(steps, "; then ")
}

// plural is "1 row" or "2 rows".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// toFix is the number of rows the rejects file holds.
func toFix(s *report.Summary) int {
	return s.Counts[string(importer.StatusInvalid)] + s.Counts[string(importer.StatusFailed)] + s.Counts[string(importer.StatusDuplicate)]
}

// unknownCount is the number of rows whose outcome is unknown.
func unknownCount(s *report.Summary) int {
	n := 0
	for _, c := range s.Causes {
		if c.Cause == report.CauseUnknown {
			n += c.Count
		}
	}
	return n
}
