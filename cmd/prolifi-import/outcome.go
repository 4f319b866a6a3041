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
		return exitRows, fmt.Sprintf("finished with %d rows to fix", bad)
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
	if left := records - int64(s.Rows) - int64(s.Blank); s.NotDone > 0 || s.ExitCode == exitAborted {
		text := fmt.Sprintf("%d rows read were not attempted", s.NotDone)
		if records > 0 && left > 0 {
			text = fmt.Sprintf("%d input records were not done", left)
		}
		steps = append(steps, text+": run the same command again to continue (the ledger skips what is done)")
	}
	if s.Limited {
		text := "records after the first " + fmt.Sprint(c.limit) + " were not read"
		if s.Left > 0 {
			text = fmt.Sprintf("%d records left after --limit %d", s.Left, c.limit)
		}
		steps = append(steps, text+": run the same command without --limit to continue")
	}
	if n := unknownCount(s); n > 0 {
		steps = append(steps, fmt.Sprintf("%d rows may or may not have been created: `prolifi-import ledger unknown` lists them; check them in Prolifi, then run again with --retry-unknown", n))
	}
	if s.Rejects != "" {
		steps = append(steps, "fix the rows in "+s.Rejects+", then run prolifi-import on that file")
	}
	return strings.Join(steps, "; then ")
}

// unknownCount is the number of rows whose outcome is unknown.
func unknownCount(s *report.Summary) int {
	n := 0
	for _, c := range s.Causes {
		if strings.HasPrefix(c.Cause, "sent, but no answer") {
			n += c.Count
		}
	}
	return n
}
