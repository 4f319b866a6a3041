package ledger

import (
	"context"
	"fmt"
	"strings"
)

// entryColumns are the columns scanEntry reads, entries as e joined with
// targets as t.
const entryColumns = `t.base_url, t.key_fingerprint, e.identity, e.state, e.customer_id, e.external_id, e.email,
	e.input, e.line, e.run, e.at, e.message, e.seen_run, e.seen_line`

// scanEntry reads one row of entryColumns.
func scanEntry(r interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var state, at string
	err := r.Scan(&e.Target.BaseURL, &e.Target.KeyFingerprint, &e.Identity, &state, &e.CustomerID,
		&e.ExternalID, &e.Email, &e.Input, &e.Line, &e.Run, &at, &e.Message, &e.SeenRun, &e.SeenLine)
	e.State, e.At = State(state), parseTime(at)
	return e, err
}

// Lookup returns the entries the ledger holds for identities, by identity;
// an identity it does not hold is absent from the map. A reader over several
// keys of a base URL gives, for an identity held under more than one, the
// entry written last. One statement per chunk of up to 256 identities.
func (l *Ledger) Lookup(ctx context.Context, identities []string) (map[string]Entry, error) {
	found := make(map[string]Entry, len(identities))
	for start := 0; start < len(identities); {
		n := chunkSize(len(identities) - start)
		if err := l.lookupChunk(ctx, identities[start:start+n], found); err != nil {
			return nil, err
		}
		start += n
	}
	return found, nil
}

func (l *Ledger) lookupChunk(ctx context.Context, ids []string, found map[string]Entry) error {
	stmt, err := l.looks.get(ctx, stmtKey{kindLookup, len(ids)}, l.lookupSQL)
	if err != nil {
		return err
	}
	args := make([]any, 0, len(l.scope.args)+len(ids))
	args = append(args, l.scope.args...)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("look up ledger entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("look up ledger entries: %w", err)
		}
		if old, ok := found[e.Identity]; !ok || e.At.After(old.At) {
			found[e.Identity] = e
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look up ledger entries: %w", err)
	}
	return nil
}

// lookupSQL selects the entries of n identities in the ledger's scope.
func (l *Ledger) lookupSQL(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM entries e JOIN targets t ON t.id = e.target WHERE %s AND e.identity IN (", entryColumns, l.scope.where)
	values(&b, n, "?")
	b.WriteString(")")
	return b.String()
}
