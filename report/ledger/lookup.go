package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// entryFrom joins what an entry is made of: its mark (entries e), target
// (t), run (r), outcome when it answers the mark (o), and the run it was
// last seen in (s) when not at the mark.
const entryFrom = `entries e JOIN targets t ON t.id = e.target JOIN runs r ON r.id = e.run
	LEFT JOIN outcomes o ON o.entry = e.id AND o.mark = e.at LEFT JOIN runs s ON s.id = e.seen_run`

// entryColumns are the columns of entryFrom that scanEntry reads.
const entryColumns = `t.base_url, t.key_fingerprint, e.identity, coalesce(o.state, 'pending'), coalesce(o.customer_id, ''),
	e.email, r.input, e.line, r.run, coalesce(o.at, e.at), coalesce(o.message, ''), coalesce(s.run, r.run),
	coalesce(e.seen_line, e.line)`

// scanEntry reads one row of entryColumns.
func scanEntry(r interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var state string
	var at int64
	err := r.Scan(&e.Target.BaseURL, &e.Target.KeyFingerprint, &e.Identity, &state, &e.CustomerID,
		&e.Email, &e.Input, &e.Line, &e.Run, &at, &e.Message, &e.SeenRun, &e.SeenLine)
	e.State, e.At = State(state), fromMillis(at)
	if id, ok := strings.CutPrefix(e.Identity, "x:"); ok {
		e.ExternalID = id
	} else if email, ok := strings.CutPrefix(e.Identity, "e:"); ok && e.Email == "" {
		e.Email = email
	}
	return e, err
}

// eachEntry calls fn with each row of entryColumns in rows, and closes
// rows. Reading errors are wrapped with what; fn's are returned as they are.
func eachEntry(rows *sql.Rows, what string, fn func(Entry) error) error {
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// Lookup returns the entries the ledger holds for identities, by identity;
// an identity it does not hold is absent from the map. A reader over several
// keys of a base URL gives, for an identity held under more than one, the
// entry written last. One statement per chunk of up to 256 identities.
func (l *Ledger) Lookup(ctx context.Context, identities []string) (map[string]Entry, error) {
	found := make(map[string]Entry, len(identities))
	if l.writer != nil {
		var err error
		if identities, err = l.fresh.mayHold(ctx, l, identities); err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(identities); {
		n := min(len(identities)-start, maxChunk)
		if err := l.lookupChunk(ctx, identities[start:start+n], found); err != nil {
			return nil, err
		}
		start += n
	}
	return found, nil
}

// lookupChunk looks up at most maxChunk identities in one statement: the
// one for the next power of two, the last identity repeated to fill it,
// since a statement costs more than a few more values to bind (the
// importer's batches are of 65).
func (l *Ledger) lookupChunk(ctx context.Context, ids []string, found map[string]Entry) error {
	l.fresh.asked.Add(int64(len(ids)))
	size := maxChunk
	for size/2 >= len(ids) {
		size /= 2
	}
	stmt, err := l.looks.get(ctx, stmtKey{kindLookup, size}, l.lookupSQL)
	if err != nil {
		return err
	}
	args := make([]any, 0, len(l.scope.args)+size)
	args = append(args, l.scope.args...)
	for i := range size {
		args = append(args, ids[min(i, len(ids)-1)])
	}
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("look up ledger entries: %w", err)
	}
	return eachEntry(rows, "look up ledger entries", func(e Entry) error {
		if old, ok := found[e.Identity]; !ok || e.At.After(old.At) {
			found[e.Identity] = e
		}
		return nil
	})
}

// lookupSQL selects the entries of n identities in the ledger's scope.
func (l *Ledger) lookupSQL(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "SELECT %s FROM %s WHERE %s AND e.identity IN (", entryColumns, entryFrom, l.scope.where)
	values(&b, n, "?")
	b.WriteString(")")
	return b.String()
}
