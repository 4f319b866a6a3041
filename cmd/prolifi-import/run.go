package main

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"
)

// run is the whole program: main only maps its error to an exit code. It
// reads top to bottom: the command line, the input, the target, the files
// of the run, the import, the account of it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "ledger" {
		return runLedger(ctx, args[1:], getenv, stdout)
	}
	cfg, err := parseFlags(args, getenv)
	if err != nil || cfg.help || cfg.version {
		return answerOnly(cfg, err, stdout)
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
	paths, err := cfg.paths(in, getenv)
	if err != nil {
		return err
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

// answerOnly ends a command line that asks for no import: --help,
// --version, or one that could not be parsed.
func answerOnly(cfg *config, err error, stdout io.Writer) error {
	switch {
	case err != nil:
		return err
	case cfg.help:
		printHelp(stdout)
	default:
		fmt.Fprintln(stdout, versionString())
	}
	return nil
}
