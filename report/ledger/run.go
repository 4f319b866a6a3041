package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// RunUnfinished is the outcome the next writer gives a run whose process
// died before EndRun.
const RunUnfinished = "unfinished"

// Run is one import run against the ledger.
type Run struct {
	ID               string
	Target           Target // filled in by Runs
	Input            string
	InputFingerprint string // of the input's content, if known
	PID              int    // BeginRun fills in this process's when zero
	Host             string // and this host
	Started          time.Time
	Finished         time.Time // zero while running, or when the process died
	Outcome          string    // given to EndRun; RunUnfinished for a dead run
	Counts           map[string]int
}

// BeginRun records the start of run r in the writer's target. A zero
// Started is now.
func (l *Ledger) BeginRun(ctx context.Context, r Run) error {
	if r.ID == "" {
		return errors.New("begin ledger run: no run id")
	}
	if r.PID == 0 {
		r.PID = os.Getpid()
	}
	if r.Host == "" {
		r.Host, _ = os.Hostname()
	}
	if r.Started.IsZero() {
		r.Started = l.now()
	}
	return l.inTx(ctx, func(w *writer) error {
		_, err := w.conn.ExecContext(ctx, `INSERT INTO runs (id, target, input, input_fingerprint, pid, host, started)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`,
			r.ID, w.target, r.Input, r.InputFingerprint, r.PID, r.Host, formatTime(r.Started))
		if err != nil {
			return fmt.Errorf("begin ledger run: %w", err)
		}
		return nil
	})
}

// EndRun records the end of run r.ID: r.Outcome, r.Counts and r.Finished
// (now when zero).
func (l *Ledger) EndRun(ctx context.Context, r Run) error {
	if r.Finished.IsZero() {
		r.Finished = l.now()
	}
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return fmt.Errorf("end ledger run: %w", err)
	}
	if r.Counts == nil {
		counts = []byte("{}")
	}
	return l.inTx(ctx, func(w *writer) error {
		res, err := w.conn.ExecContext(ctx,
			"UPDATE runs SET finished = ?1, outcome = ?2, counts = ?3 WHERE id = ?4 AND target = ?5",
			formatTime(r.Finished), r.Outcome, string(counts), r.ID, w.target)
		if err != nil {
			return fmt.Errorf("end ledger run: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("end ledger run: run %q was not begun", r.ID)
		}
		return nil
	})
}
