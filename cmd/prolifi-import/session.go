package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// session is one run with its files open: the ledger, the results and
// rejects files, and the importer that writes them.
type session struct {
	cfg    *config
	log    *zap.Logger
	in     *input
	tgt    *target
	paths  paths
	runID  string
	ledger *report.Ledger // nil: a dry run with no ledger yet
	files  *report.Files
	im     *importer.Importer
	blank  func() int
	tmpDir string // the ledger of --local, removed at the end
}

// openSession locks the input, opens the ledger and the output files, and
// builds the importer: after it, nothing is left to check.
func openSession(ctx context.Context, cfg *config, in *input, rd *importer.Reader, tgt *target, p paths, runID string, log *zap.Logger) (*session, error) {
	s := &session{cfg: cfg, log: log, in: in, tgt: tgt, paths: p, runID: runID, blank: rd.Blank}
	if in.file != nil {
		if err := report.LockInput(in.file, in.name); err != nil {
			return nil, &exitError{code: exitUsage, err: err}
		}
	}
	if err := s.openLedger(ctx); err != nil {
		return nil, err
	}
	files, err := report.OpenFiles(report.FilesConfig{Results: p.results, Rejects: p.rejects, Header: rd.Header(),
		Delimiter: rd.Delimiter(), Recorder: s.recorder()})
	if err != nil {
		s.closeLedger(ctx, "not started", nil)
		return nil, &exitError{code: exitUsage, err: err}
	}
	s.files = files
	s.im = importer.New(tgt.creator(), s.importerConfig())
	return s, nil
}

// openLedger opens the ledger: for writing, or read-only in a dry run, or
// a temporary one with --local.
func (s *session) openLedger(ctx context.Context) error {
	if !keepsLedger {
		return nil
	}
	path := s.paths.ledger
	if s.tgt.local {
		dir, err := os.MkdirTemp("", "prolifi-import-local-")
		if err != nil {
			return fmt.Errorf("create the local ledger: %w", err)
		}
		s.tmpDir, path = dir, filepath.Join(dir, "ledger.db")
	}
	var err error
	if s.cfg.dryRun {
		s.ledger, err = report.OpenLedgerReadOnly(ctx, path, s.tgt.base, s.tgt.keyHash, s.keyChange())
	} else {
		abs, _ := filepath.Abs(s.in.name)
		s.ledger, err = report.OpenLedger(ctx, path, ledger.Target{BaseURL: s.tgt.base, KeyFingerprint: s.tgt.keyHash},
			ledger.Run{ID: s.runID, Input: abs}, s.keyChange())
	}
	if err != nil {
		s.removeTemp()
		return &exitError{code: exitUsage, err: fmt.Errorf("open ledger: %w", keyAdvice(err))}
	}
	if n := s.ledger.MovedIn(); n > 0 {
		s.log.Info("the replaced key's ledger entries are now this key's", zap.Int("entries", n))
	}
	return nil
}

// keyAdvice adds to a refusal over other keys what the user can answer.
func keyAdvice(err error) error {
	var oke *report.OtherKeysError
	if !errors.As(err, &oke) {
		return err
	}
	that, it, which := "those keys", "one of them", "the fingerprint of the key it replaced"
	if len(oke.Keys) == 1 {
		that, it, which = "that key", "it", oke.Keys[0].KeyFingerprint
	}
	return fmt.Errorf("%w. Sending now would create again every customer imported under %s without an external_id. "+
		"If this key replaced %s in the same Prolifi account, run again with --key-replaces %s; "+
		"if this key is for another account, run again with --new-account", err, that, it, which)
}

func (s *session) recorder() report.Recorder {
	if s.ledger == nil || s.cfg.dryRun {
		return nil
	}
	return s.ledger
}

// importerConfig turns the flags into the importer's settings.
func (s *session) importerConfig() importer.Config {
	c := s.cfg
	maxErrors, maxRate, _ := errorBudget(c.pace.maxErrors) // checked by parseFlags
	ic := importer.Config{Workers: c.pace.workers, Rate: c.pace.rate, Burst: c.pace.burst, MaxRetries: c.pace.maxRetries,
		MaxWait: c.pace.maxWait, DryRun: c.dryRun, Limit: c.limit, MaxErrors: maxErrors, MaxErrorRate: maxRate,
		Grace: c.pace.grace, RunID: s.runID, Recheck: c.recheck, RetryUnknown: c.retryUnk, Logger: s.log}
	if s.ledger != nil {
		ic.Ledger = s.ledger
	}
	return ic
}

// importRows runs the import with progress, and a CPU profile when asked.
func (s *session) importRows(ctx context.Context, rd *importer.Reader, stderr io.Writer) (importer.Stats, error) {
	s.log.Info("starting", zap.String("input", s.in.name), zap.String("target", s.targetText()), zap.Bool("dry_run", s.cfg.dryRun),
		zap.String("workers", workersText(s.cfg.pace.workers)), zap.Float64("rate", s.cfg.pace.rate),
		zap.String("results", s.paths.results), zap.String("ledger", s.ledgerText()))
	if s.cfg.profile != "" {
		stop, err := startCPUProfile(s.cfg.profile)
		if err != nil {
			return importer.Stats{}, usageErr("--cpuprofile: %v", err)
		}
		defer stop()
	}
	total := s.in.records()
	if s.cfg.limit > 0 && (total == 0 || total > int64(s.cfg.limit)) {
		total = int64(s.cfg.limit)
	}
	prog := startProgress(s.cfg.logging, stderr, s.log, meter{im: s.im, in: s.in, total: total, start: time.Now()})
	done := make(chan struct{})
	go s.sayStopping(ctx, done)
	stats, err := s.im.Run(ctx, rd, s.files)
	close(done)
	prog.stop()
	return stats, err
}

// sayStopping tells a person at once that the stop signal was heard, and
// how long the requests in flight may still take.
func (s *session) sayStopping(ctx context.Context, done <-chan struct{}) {
	select {
	case <-ctx.Done():
		s.log.Warn("stopping: no new requests; those in flight may finish (--grace); a second Ctrl-C ends at once",
			zap.Duration("grace", s.cfg.pace.grace))
	case <-done:
	}
}

func (s *session) targetText() string {
	if s.cfg.dryRun {
		return "nothing (dry run; ledger of " + s.tgt.host() + ")"
	}
	return s.tgt.host()
}

func (s *session) ledgerText() string {
	switch {
	case s.tgt.local:
		return "temporary (--local)"
	case s.ledger == nil:
		return "none yet"
	}
	return s.ledger.Path()
}

func workersText(n int) string {
	if n == 0 {
		return fmt.Sprintf("auto (rate × latency, up to %d)", importer.MaxAutoWorkers)
	}
	return fmt.Sprint(n)
}

// startCPUProfile profiles the process until the returned func is called.
func startCPUProfile(path string) (func(), error) {
	f, err := report.CreatePrivate(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// closeLedger ends the run in the ledger and removes a temporary one.
func (s *session) closeLedger(ctx context.Context, outcome string, counts map[string]int) error {
	defer s.removeTemp()
	if s.ledger == nil {
		return nil
	}
	return s.ledger.Finish(context.WithoutCancel(ctx), outcome, counts)
}

func (s *session) removeTemp() {
	if s.tmpDir != "" {
		_ = os.RemoveAll(s.tmpDir)
	}
}

// finish closes the run's files, gives the account of the run, and turns
// the way it ended into the command's error (and so its exit code).
func (s *session) finish(stats importer.Stats, runErr error, stderr io.Writer) error {
	closeErr := s.files.Close()
	sum := s.summary(stats, runErr, closeErr)
	if err := s.closeLedger(context.Background(), sum.Outcome, sum.Counts); err != nil {
		s.log.Error("the ledger could not record the end of the run", zap.Error(err))
	}
	// For a person, the summary as text; for a log collector, one more
	// JSON line, so that the stream stays pure JSON.
	if consoleLogs(s.cfg.logging, stderr) {
		sum.Print(stderr)
	} else {
		s.log.Info("summary", zap.Any("summary", sum))
	}
	if s.paths.summary != "" {
		if err := sum.WriteJSON(s.paths.summary); err != nil && closeErr == nil {
			// A monitor would read the last run's summary as this one's.
			closeErr = fmt.Errorf("write --summary-json: %w", err)
			sum.ExitCode = exitInternal
		}
	}
	switch {
	case closeErr != nil:
		return &exitError{code: sum.ExitCode, err: fmt.Errorf("finish the results: %w", closeErr)}
	case runErr != nil:
		return &exitError{code: sum.ExitCode, err: runErr}
	case sum.ExitCode != exitOK:
		return &exitError{code: sum.ExitCode, silent: true}
	}
	return nil
}

// summary builds the account of the run.
func (s *session) summary(stats importer.Stats, runErr, closeErr error) *report.Summary {
	sum := new(report.Summary)
	*sum = report.NewSummary(stats)
	sum.RunID, sum.Input, sum.Target, sum.DryRun = s.runID, s.in.name, s.targetText(), s.cfg.dryRun
	sum.Fingerprint = s.in.fingerprint()
	sum.Results, sum.Causes, sum.Blank = s.paths.results, s.files.Causes(), s.blank()
	if s.files.Rejected() > 0 {
		sum.Rejects = s.paths.rejects
	}
	if s.ledger != nil && !s.tgt.local {
		sum.Ledger = s.ledger.Path()
	}
	if stats.Limited {
		sum.Limited = true
		sum.Left = int(max(s.in.records()-int64(s.blank()+sum.Rows), 0))
	}
	sum.Finished = time.Now().UTC()
	sum.ExitCode, sum.Outcome = outcomeOf(stats, s.cfg.dryRun, runErr, closeErr)
	sum.Next = nextSteps(sum, s.cfg, s.in.records())
	return sum
}

// keyChange is what the flags say about a change of API key.
func (s *session) keyChange() report.KeyChange {
	return report.KeyChange{Replaces: s.cfg.keys.replaces, NewAccount: s.cfg.keys.newAccount}
}
