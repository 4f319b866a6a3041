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
// Started is now. A run that Apply met first (it names runs it does not
// know) is filled in.
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
	var id int64
	err := l.inTx(ctx, func(ctx context.Context, w *writer) error {
		err := w.conn.QueryRowContext(ctx, `INSERT INTO runs (run, target, input, input_fingerprint, pid, host, started)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
			ON CONFLICT (target, run) DO UPDATE SET input = excluded.input, input_fingerprint = excluded.input_fingerprint,
				pid = excluded.pid, host = excluded.host, started = excluded.started
			RETURNING id`,
			r.ID, w.target, r.Input, r.InputFingerprint, r.PID, r.Host, formatTime(r.Started)).Scan(&id)
		if err != nil {
			return fmt.Errorf("begin ledger run: %w", err)
		}
		return nil
	})
	if err == nil {
		l.writer.remember(r.ID, id)
	}
	return err
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
	return l.inTx(ctx, func(ctx context.Context, w *writer) error {
		res, err := w.conn.ExecContext(ctx,
			"UPDATE runs SET finished = ?1, outcome = ?2, counts = ?3 WHERE run = ?4 AND target = ?5",
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

// runIDs gives the rowid in runs of each run changes name, recording runs
// it does not know yet (in a transaction of their own, before the changes':
// a rowid is remembered only once it is on disk).
func (l *Ledger) runIDs(ctx context.Context, changes []Change) (map[string]int64, error) {
	ids := make(map[string]int64, 1)
	for _, c := range changes {
		if _, ok := ids[c.Run]; ok {
			continue
		}
		id, err := l.runID(ctx, c.Run)
		if err != nil {
			return nil, err
		}
		ids[c.Run] = id
	}
	return ids, nil
}

// runID gives the rowid of run, recording it when it is new.
func (l *Ledger) runID(ctx context.Context, run string) (int64, error) {
	w := l.writer
	if w == nil {
		return 0, ErrReadOnly
	}
	if id, ok := w.known(run); ok {
		return id, nil
	}
	var id int64
	err := l.inTx(ctx, func(ctx context.Context, w *writer) error {
		if _, err := w.conn.ExecContext(ctx,
			"INSERT INTO runs (run, target, started) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
			run, w.target, formatTime(l.now())); err != nil {
			return fmt.Errorf("record ledger run: %w", err)
		}
		if err := w.conn.QueryRowContext(ctx, "SELECT id FROM runs WHERE target = ?1 AND run = ?2",
			w.target, run).Scan(&id); err != nil {
			return fmt.Errorf("record ledger run: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	w.remember(run, id)
	return id, nil
}

func (w *writer) known(run string) (int64, bool) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	id, ok := w.runs[run]
	return id, ok
}

func (w *writer) remember(run string, id int64) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	w.runs[run] = id
}
