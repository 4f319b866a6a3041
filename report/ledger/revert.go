package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Release undoes the pending marks of run for identities whose requests
// were never sent (a graceful stop left them queued): each entry gets back
// the mark it had before the run, and with it that mark's outcome, or goes
// away if it had none. It returns how many entries it released. What the
// run saw stays seen. An identity that is not pending in run is left alone,
// so that an outcome recorded meanwhile is never undone; and an entry whose
// request may have gone out must not be named: it stays pending, for the
// next run to treat as maybe sent.
func (l *Ledger) Release(ctx context.Context, run string, identities []string) (int, error) {
	var n int64
	err := l.inTx(ctx, func(ctx context.Context, w *writer) error {
		var runID int64
		err := w.conn.QueryRowContext(ctx, "SELECT id FROM runs WHERE target = ? AND run = ?", w.target, run).Scan(&runID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // the run marked nothing
		}
		if err != nil {
			return fmt.Errorf("release pending entries: %w", err)
		}
		for start := 0; start < len(identities); start += maxChunk {
			ids := identities[start:min(start+maxChunk, len(identities))]
			k, err := w.release(ctx, runID, ids)
			if err != nil {
				return fmt.Errorf("release pending entries: %w", err)
			}
			n += k
		}
		return nil
	})
	return int(n), err
}

// release undoes one chunk's pending marks: it drops the entries the run
// created (and any stale outcome row of theirs), and puts the former mark
// back in the others, keeping where the run saw the identity.
func (w *writer) release(ctx context.Context, run int64, ids []string) (int64, error) {
	pendingIn := " FROM entries WHERE target = ? AND run = ? AND identity IN (?" + strings.Repeat(", ?", len(ids)-1) +
		") AND NOT EXISTS (" + validOutcome + ")"
	args := make([]any, 0, len(ids)+2)
	args = append(args, w.target, run)
	for _, id := range ids {
		args = append(args, id)
	}
	if _, err := w.conn.ExecContext(ctx,
		"DELETE FROM outcomes WHERE entry IN (SELECT id"+pendingIn+" AND prev IS NULL)", args...); err != nil {
		return 0, err
	}
	res, err := w.conn.ExecContext(ctx, "DELETE"+pendingIn+" AND prev IS NULL", args...)
	if err != nil {
		return 0, err
	}
	deleted, _ := res.RowsAffected()
	res, err = w.conn.ExecContext(ctx, `UPDATE entries SET
		seen_run = coalesce(seen_run, run), seen_line = coalesce(seen_line, line),
		run = prev ->> 0, line = prev ->> 1, at = prev ->> 2, email = prev ->> 3, prev = NULL
		WHERE id IN (SELECT id`+pendingIn+" AND prev IS NOT NULL)", args...)
	if err != nil {
		return 0, err
	}
	restored, _ := res.RowsAffected()
	return deleted + restored, nil
}
