package main

import (
	"errors"
	"fmt"
	"io"
)

// Exit codes, as documented in README.md.
const (
	exitOK       = 0 // every record created or exists (dry run: valid)
	exitRows     = 1 // the run finished, some records invalid, failed or duplicate
	exitUsage    = 2 // usage, configuration or input error; nothing sent
	exitAborted  = 3 // stopped mid-run: signal, key refused, API unreachable, long wait, error budget
	exitInternal = 4 // the run could not go on: results or ledger not writable, input unreadable
)

// exitError carries an exit code up to main.
type exitError struct {
	code   int
	err    error
	silent bool // already reported (the summary says it all)
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

// exitCode reports err on stderr and turns it into the process's exit code.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	code := exitInternal
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		if ee.silent {
			return code
		}
	}
	fmt.Fprintln(stderr, "prolifi-import:", err)
	return code
}
