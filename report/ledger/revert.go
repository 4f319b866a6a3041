package ledger

import (
	"context"
	"fmt"
	"strings"
)

// Release undoes the pending entries of run for identities whose requests
// were never sent (a graceful stop left them queued): each goes back to the
// state it had before the run marked it, or goes away if it had none. It
// returns how many entries it released. What the run saw stays seen. An
// identity that is not pending in run is left alone, so that an outcome
// recorded meanwhile is never undone; and an entry whose request may have
// gone out must not be named: it stays pending, for the next run to treat
// as maybe sent.
func (l *Ledger) Release(ctx context.Context, run string, identities []string) (int, error) {
	var n int64
	err := l.inTx(ctx, func(w *writer) error {
		for start := 0; start < len(identities); start += maxChunk {
			ids := identities[start:min(start+maxChunk, len(identities))]
			k, err := w.release(ctx, run, ids)
			if err != nil {
				return fmt.Errorf("release pending entries: %w", err)
			}
			n += k
		}
		return nil
	})
	return int(n), err
}

// release undoes one chunk's pending entries.
func (w *writer) release(ctx context.Context, run string, ids []string) (int64, error) {
	in := " AND identity IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	args := make([]any, 0, len(ids)+2)
	args = append(args, w.target, run)
	for _, id := range ids {
		args = append(args, id)
	}
	res, err := w.conn.ExecContext(ctx,
		"DELETE FROM entries WHERE target = ? AND state = 'pending' AND run = ? AND prev IS NULL"+in, args...)
	if err != nil {
		return 0, err
	}
	deleted, _ := res.RowsAffected()
	res, err = w.conn.ExecContext(ctx, `UPDATE entries SET
		state = prev ->> '$.state', customer_id = prev ->> '$.customer_id',
		external_id = prev ->> '$.external_id', email = prev ->> '$.email', input = prev ->> '$.input',
		line = prev ->> '$.line', run = prev ->> '$.run', at = prev ->> '$.at', message = prev ->> '$.message',
		prev = NULL
		WHERE target = ? AND state = 'pending' AND run = ?`+in, args...)
	if err != nil {
		return 0, err
	}
	restored, _ := res.RowsAffected()
	return deleted + restored, nil
}
