package ledger

import (
	"context"
	"fmt"
	"time"
)

// Entries are kept per key (see Target) because two keys may be two
// accounts. But a key is also replaced now and then within one account, and
// a run with the new key would find none of the old key's entries: rows
// without an external_id would be created a second time. The writer's
// caller asks OtherKeys when its own key holds nothing, and either goes on
// (another account) or has TakeOver carry the old key's entries over.

// OtherKey is another key of the writer's base URL that holds entries.
type OtherKey struct {
	KeyFingerprint string
	Entries        int
	LastRun        time.Time // when its latest run started
}

// ErrOwnEntries is wrapped by TakeOver when the writer's key already holds
// entries: two histories of one identity cannot be merged safely.
const ErrOwnEntries = Error("this key already holds ledger entries")

// OwnEntries counts the entries of the writer's target.
func (l *Ledger) OwnEntries(ctx context.Context) (int, error) {
	if l.writer == nil {
		return 0, ErrReadOnly
	}
	var n int
	err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM entries WHERE target = ?", l.writer.target).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count ledger entries: %w", err)
	}
	return n, nil
}

// OtherKeys lists the other keys of the writer's base URL that hold
// entries, the most recently used first.
func (l *Ledger) OtherKeys(ctx context.Context) ([]OtherKey, error) {
	if l.writer == nil {
		return nil, ErrReadOnly
	}
	rows, err := l.db.QueryContext(ctx, `SELECT t.key_fingerprint, count(*),
			coalesce((SELECT max(r.started) FROM runs r WHERE r.target = t.id), '')
		FROM targets t JOIN entries e ON e.target = t.id
		WHERE t.base_url = (SELECT base_url FROM targets WHERE id = ?1) AND t.id <> ?1
		GROUP BY t.id ORDER BY 3 DESC, 1`, l.writer.target)
	if err != nil {
		return nil, fmt.Errorf("list other keys in the ledger: %w", err)
	}
	defer rows.Close()
	var out []OtherKey
	for rows.Next() {
		var k OtherKey
		var last string
		if err := rows.Scan(&k.KeyFingerprint, &k.Entries, &last); err != nil {
			return nil, fmt.Errorf("list other keys in the ledger: %w", err)
		}
		k.LastRun = parseTime(last)
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list other keys in the ledger: %w", err)
	}
	return out, nil
}

// TakeOver moves the entries and runs of another key of the writer's base
// URL to the writer's key, in one transaction, and returns how many entries
// moved. The writer's key must hold no entries yet (ErrOwnEntries), unless
// the other key holds none: then there is nothing to mix, and nothing moves
// (a take-over asked for again, by a flag left in a script).
func (l *Ledger) TakeOver(ctx context.Context, keyFingerprint string) (int, error) {
	if l.writer == nil {
		return 0, ErrReadOnly
	}
	l.fresh.held() // entries come in without Apply
	var moved int
	err := l.inTx(ctx, func(ctx context.Context, w *writer) error {
		var own, theirs int
		var from int64
		err := w.conn.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM entries WHERE target = ?1),
			coalesce((SELECT id FROM targets WHERE key_fingerprint = ?2 AND id <> ?1
				AND base_url = (SELECT base_url FROM targets WHERE id = ?1)), 0)`, w.target, keyFingerprint).Scan(&own, &from)
		if err == nil {
			err = w.conn.QueryRowContext(ctx, "SELECT count(*) FROM entries WHERE target = ?", from).Scan(&theirs)
		}
		switch {
		case err != nil:
			return fmt.Errorf("take over ledger entries: %w", err)
		case from == 0:
			return fmt.Errorf("take over ledger entries: no key %s for this base URL", keyFingerprint)
		case theirs == 0:
			return nil
		case own > 0:
			return fmt.Errorf("take over ledger entries: %w (%d)", ErrOwnEntries, own)
		}
		res, err := w.conn.ExecContext(ctx, "UPDATE entries SET target = ?1 WHERE target = ?2", w.target, from)
		if err == nil {
			var n int64
			n, err = res.RowsAffected()
			moved = int(n)
		}
		if err == nil {
			_, err = w.conn.ExecContext(ctx, "UPDATE runs SET target = ?1 WHERE target = ?2", w.target, from)
		}
		if err != nil {
			return fmt.Errorf("take over ledger entries: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}
