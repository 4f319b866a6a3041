package main

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/prolifi/prolifi-import/report"
)

// run is the whole program: main only maps its error to an exit code. It
// reads top to bottom: the command line, the input, the target, the files
// of the run, the import, the account of it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "ledger" {
		return runLedger(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseFlags(args, getenv)
	if err != nil {
		return err
	}
	switch {
	case cfg.help:
		printHelp(stdout)
		return nil
	case cfg.version:
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	runID := uuid.NewString()
	log, err := newLogger(cfg.logging, stderr, runID)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	in, err := openInput(cfg.input, stdin)
	if err != nil {
		return err
	}
	defer in.Close()
	paths := cfg.paths(in, getenv)
	if paths.ledger == "" && !cfg.target.local {
		return usageErr("no place for the ledger: pass --ledger PATH, or set PROLIFI_LEDGER, XDG_STATE_HOME or HOME")
	}
	if err := report.CheckOutputs(cfg.input, paths.outputs()); err != nil {
		return usageErr("%v", err)
	}
	rd, err := newReader(in, cfg, log)
	if err != nil {
		return err
	}
	tgt, err := connect(cfg, getenv, log)
	if err != nil {
		return err
	}
	defer tgt.stop()
	s, err := openSession(ctx, cfg, in, rd, tgt, paths, runID, log)
	if err != nil {
		return err
	}
	stats, runErr := s.importRows(ctx, rd, stderr)
	return s.finish(stats, runErr, stderr)
}
