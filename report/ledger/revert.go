package ledger

import (
	"context"
	"fmt"
)

// RevertPending undoes the pending entries of run that were never sent, for
// a run stopping gracefully: each goes back to the state it had before the
// run marked it, or goes away if it had none. It returns how many entries it
// reverted. What the run saw stays seen. Call it only once every request
// the run sent has its outcome applied: it cannot tell a pending entry whose
// request went out from one whose request did not.
func (l *Ledger) RevertPending(ctx context.Context, run string) (int, error) {
	var n int64
	err := l.inTx(ctx, func(w *writer) error {
		res, err := w.conn.ExecContext(ctx,
			"DELETE FROM entries WHERE target = ?1 AND state = 'pending' AND run = ?2 AND prev IS NULL", w.target, run)
		if err != nil {
			return fmt.Errorf("revert pending entries: %w", err)
		}
		deleted, _ := res.RowsAffected()
		res, err = w.conn.ExecContext(ctx, `UPDATE entries SET
			state = prev ->> '$.state', customer_id = prev ->> '$.customer_id',
			external_id = prev ->> '$.external_id', email = prev ->> '$.email', input = prev ->> '$.input',
			line = prev ->> '$.line', run = prev ->> '$.run', at = prev ->> '$.at', message = prev ->> '$.message',
			prev = NULL
			WHERE target = ?1 AND state = 'pending' AND run = ?2`, w.target, run)
		if err != nil {
			return fmt.Errorf("revert pending entries: %w", err)
		}
		restored, _ := res.RowsAffected()
		n = deleted + restored
		return nil
	})
	return int(n), err
}
