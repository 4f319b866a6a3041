package ledger

import (
	"context"
	"fmt"
	"strings"
)

// An export can lose its external_id column (another view of the same
// list, a tool that drops it), and its rows are then known by their email.
// The ledger holds those customers under their external ids, each with its
// email: LookupEmails finds them, so that such rows are not created again.
// The index it needs is made on first use, so ledgers whose exports always
// carry external ids (or never do) do not pay for it on every write.

// emailIndexSQL indexes the emails of entries held under an external id.
const emailIndexSQL = "CREATE INDEX IF NOT EXISTS entries_email ON entries (target, lower(email)) WHERE email <> ''"

// LookupEmails returns, by lower-cased email, an entry held under an
// external id whose row had that email: a created or existing one when
// there is one, else the latest. Emails without such an entry are absent.
// A reader (a dry run) finds them only once a writer has made the index.
func (l *Ledger) LookupEmails(ctx context.Context, emails []string) (map[string]Entry, error) {
	found := map[string]Entry{}
	if len(emails) == 0 {
		return found, nil
	}
	ok, err := l.readyForEmails(ctx)
	if err != nil || !ok {
		return found, err
	}
	for start := 0; start < len(emails); start += maxChunk {
		chunk := emails[start:min(start+maxChunk, len(emails))]
		args := append(append([]any{}, l.scope.args...), anySlice(chunk)...)
		q := fmt.Sprintf("SELECT %s FROM %s WHERE %s AND e.email <> '' AND lower(e.email) IN (?%s)",
			entryColumns, entryFrom, l.scope.where, strings.Repeat(", ?", len(chunk)-1))
		if err := l.collectEmails(ctx, q, args, found); err != nil {
			return nil, err
		}
	}
	return found, nil
}

// collectEmails runs q and keeps the best entry of each email.
func (l *Ledger) collectEmails(ctx context.Context, q string, args []any, found map[string]Entry) error {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("look up ledger emails: %w", err)
	}
	return eachEntry(rows, "look up ledger emails", func(e Entry) error {
		key := strings.ToLower(e.Email)
		if old, ok := found[key]; !ok || better(e, old) {
			found[key] = e
		}
		return nil
	})
}

// better reports whether e says more surely than old that the customer
// exists: an imported one first, then the latest.
func better(e, old Entry) bool {
	done := func(x Entry) bool { return x.State == StateCreated || x.State == StateExists }
	if done(e) != done(old) {
		return done(e)
	}
	return e.At.After(old.At)
}

// readyForEmails reports whether LookupEmails can find anything: the scope
// holds entries under external ids, and the index exists (a writer makes
// it).
func (l *Ledger) readyForEmails(ctx context.Context) (bool, error) {
	var held bool
	q := "SELECT EXISTS (SELECT 1 FROM entries e WHERE " + l.scope.where + " AND e.identity >= 'x:' AND e.identity < 'x;')"
	if err := l.db.QueryRowContext(ctx, q, l.scope.args...).Scan(&held); err != nil {
		return false, fmt.Errorf("look up ledger emails: %w", err)
	}
	if !held || l.emailIndex.Load() {
		return held, nil
	}
	if l.writer != nil {
		err := l.inTx(ctx, func(ctx context.Context, w *writer) error {
			_, err := w.conn.ExecContext(ctx, emailIndexSQL)
			return err
		})
		if err != nil {
			return false, fmt.Errorf("index ledger emails: %w", err)
		}
		l.emailIndex.Store(true)
		return true, nil
	}
	var n int
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries_email'").Scan(&n); err != nil {
		return false, fmt.Errorf("look up ledger emails: %w", err)
	}
	l.emailIndex.Store(n > 0)
	return n > 0, nil
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
