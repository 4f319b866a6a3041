package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// TargetCounts is one target of the ledger and how many entries it holds in
// each state.
type TargetCounts struct {
	Target  Target
	Created time.Time
	Counts  map[State]int
}

// Targets lists the ledger's targets in its scope, by base URL and key
// fingerprint, with their counts by state.
func (l *Ledger) Targets(ctx context.Context) ([]TargetCounts, error) {
	where := strings.ReplaceAll(l.scope.where, "e.target", "t.id")
	rows, err := l.db.QueryContext(ctx, `SELECT t.base_url, t.key_fingerprint, t.created, coalesce(c.state, ''), coalesce(c.n, 0)
		FROM targets t LEFT JOIN (SELECT e.target, coalesce(o.state, 'pending') AS state, count(*) AS n
			FROM entries e LEFT JOIN outcomes o ON o.entry = e.id AND o.mark = e.at GROUP BY e.target, 2) c ON c.target = t.id
		WHERE `+where+` ORDER BY t.base_url, t.key_fingerprint`, l.scope.args...)
	if err != nil {
		return nil, fmt.Errorf("list ledger targets: %w", err)
	}
	defer rows.Close()
	var out []TargetCounts
	for rows.Next() {
		var t Target
		var created, state string
		var n int
		if err := rows.Scan(&t.BaseURL, &t.KeyFingerprint, &created, &state, &n); err != nil {
			return nil, fmt.Errorf("list ledger targets: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Target != t {
			out = append(out, TargetCounts{Target: t, Created: parseTime(created), Counts: map[State]int{}})
		}
		if state != "" {
			out[len(out)-1].Counts[State(state)] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ledger targets: %w", err)
	}
	return out, nil
}

// Entries calls fn with each entry in the ledger's scope whose state is one
// of states (any state when none is given), in a stable order: by target,
// then identity. It streams: memory does not grow with the ledger. An error
// from fn stops it and is returned as it is. fn must not use a writing
// Ledger: the one connection it has for reads is busy until Entries returns.
func (l *Ledger) Entries(ctx context.Context, states []State, fn func(Entry) error) error {
	args := append([]any{}, l.scope.args...)
	q := "SELECT " + entryColumns + " FROM " + entryFrom + " WHERE " + l.scope.where
	if len(states) > 0 {
		for _, s := range states {
			args = append(args, string(s))
		}
		q += " AND coalesce(o.state, 'pending') IN (?" + strings.Repeat(", ?", len(states)-1) + ")"
	}
	rows, err := l.db.QueryContext(ctx, q+" ORDER BY e.target, e.identity", args...)
	if err != nil {
		return fmt.Errorf("list ledger entries: %w", err)
	}
	return eachEntry(rows, "list ledger entries", fn)
}

// Runs lists the runs in the ledger's scope, the latest first, at most limit
// of them (all when limit is zero or less).
func (l *Ledger) Runs(ctx context.Context, limit int) ([]Run, error) {
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	where := strings.ReplaceAll(l.scope.where, "e.target", "r.target")
	args := append(append([]any{}, l.scope.args...), limit)
	rows, err := l.db.QueryContext(ctx, fmt.Sprintf(`SELECT r.run, t.base_url, t.key_fingerprint, r.input, r.input_fingerprint,
		r.pid, r.host, r.started, coalesce(r.finished, ''), r.outcome, r.counts
		FROM runs r JOIN targets t ON t.id = r.target WHERE %s ORDER BY r.started DESC, r.run LIMIT ?`, where), args...)
	if err != nil {
		return nil, fmt.Errorf("list ledger runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		var r Run
		var started, finished, counts string
		if err := rows.Scan(&r.ID, &r.Target.BaseURL, &r.Target.KeyFingerprint, &r.Input, &r.InputFingerprint,
			&r.PID, &r.Host, &started, &finished, &r.Outcome, &counts); err != nil {
			return nil, fmt.Errorf("list ledger runs: %w", err)
		}
		r.Started, r.Finished = parseTime(started), parseTime(finished)
		_ = json.Unmarshal([]byte(counts), &r.Counts) // a hand-edited count is not worth failing the list
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list ledger runs: %w", err)
	}
	return out, nil
}
