package main

import (
	"path/filepath"

	"github.com/prolifi/prolifi-import/report"
)

// paths are the files a run writes.
type paths struct {
	results, rejects, summary string
	ledger                    string // "" with --local: a temporary ledger
}

// paths works out every output's path from the flags, the input and the
// environment, and refuses, before anything is written, outputs that would
// destroy something (see report.CheckOutputs).
func (c *config) paths(in *input, getenv func(string) string) (paths, error) {
	p := paths{results: c.outputs.results, rejects: c.outputs.rejects, summary: c.outputs.summaryJSON, ledger: c.ledger}
	// A try against the emulator, or a dry run, must not replace the files
	// of a real run: the customer ids are the emulator's, or none.
	kind := ""
	if c.target.local {
		kind = ".local"
	}
	if c.dryRun {
		kind += ".dry-run"
	}
	if p.results == "" {
		p.results = in.sibling(kind + ".results.csv")
	}
	if p.rejects == "" {
		p.rejects = in.sibling(kind + ".rejects.csv")
	}
	switch {
	case c.target.local:
		p.ledger = "" // a temporary one
	case p.ledger == "":
		if p.ledger = defaultLedger(getenv); p.ledger == "" {
			return p, usageErr("no place for the ledger: pass --ledger PATH, or set PROLIFI_LEDGER, XDG_STATE_HOME or HOME")
		}
	}
	outs := p.outputs()
	if c.profile != "" {
		outs = append(outs, report.Output{Flag: "--cpuprofile", Path: c.profile, Ours: report.IsProfile})
	}
	if err := report.CheckOutputs(in.info, outs); err != nil {
		return p, usageErr("%v", err)
	}
	return p, nil
}

// defaultLedger is $XDG_STATE_HOME/prolifi-import/ledger.db, else
// ~/.local/state/prolifi-import/ledger.db: state a user's tools keep
// between runs, by the XDG base directory convention. "" when neither is
// set: a ledger in whatever folder the command runs from would be lost.
func defaultLedger(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "prolifi-import", "ledger.db")
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".local", "state", "prolifi-import", "ledger.db")
	}
	return ""
}

// outputs lists the outputs for CheckOutputs, each with what makes an
// existing file at its path one of ours.
func (p paths) outputs() []report.Output {
	outs := []report.Output{
		{Flag: "--results", Path: p.results, Ours: report.IsResultsFile},
		{Flag: "--rejects", Path: p.rejects, Ours: report.IsRejectsFile},
		{Flag: "--summary-json", Path: p.summary, Ours: report.IsSummaryFile},
		{Flag: "--ledger", Path: p.ledger, Ours: report.IsLedgerFile, MayCreateDir: true},
	}
	for _, side := range []struct{ of, flag, suffix string }{
		{p.ledger, "--ledger", "-wal"}, {p.ledger, "--ledger", "-shm"}, {p.ledger, "--ledger", ".lock"},
		{p.results, "--results", report.PartialSuffix}, {p.rejects, "--rejects", report.PartialSuffix},
	} {
		if side.of != "" {
			outs = append(outs, report.Output{Flag: side.flag + "'s " + side.suffix + " file", Path: side.of + side.suffix, Reserved: true})
		}
	}
	return outs
}
