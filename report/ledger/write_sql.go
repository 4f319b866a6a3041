package ledger

import (
	"fmt"
	"strings"
)

// Write statements number their parameters: ?1 is the target, ?2 the time
// of the batch, then each row's own, per of them a row.

// opStatement gives, for op, the statement kind, its builder, the
// parameters a row takes and the function that appends a row's values.
func opStatement(op Op) (stmtKind, func(int) string, int, func([]any, Change) []any) {
	switch op {
	case OpPending:
		return kindPending, pendingSQL, 6, func(v []any, c Change) []any {
			return append(v, c.Identity, c.ExternalID, c.Email, c.Input, c.Line, c.Run)
		}
	case OpOutcome:
		return kindOutcome, outcomeSQL, 9, func(v []any, c Change) []any {
			return append(v, c.Identity, string(c.State), c.CustomerID, c.ExternalID, c.Email, c.Input, c.Line, c.Run, c.Message)
		}
	default:
		return kindSeen, seenSQL, 3, func(v []any, c Change) []any {
			return append(v, c.Identity, c.Run, c.Line)
		}
	}
}

// pendingSQL upserts n pending entries. The entry's former values go to
// prev, unless it is already pending in this run (then prev is already the
// state before the run).
func pendingSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO entries (target, identity, state, external_id, email, input, line, run, at, seen_run, seen_line) VALUES ")
	rows(&b, n, 3, 6, func(b *strings.Builder, p int) {
		fmt.Fprintf(b, "(?1, ?%d, 'pending', ?%d, ?%d, ?%d, ?%d, ?%d, ?2, ?%d, ?%d)", p, p+1, p+2, p+3, p+4, p+5, p+5, p+4)
	})
	b.WriteString(` ON CONFLICT (target, identity) DO UPDATE SET
	prev = CASE WHEN state = 'pending' AND run = excluded.run THEN prev
		ELSE json_object('state', state, 'customer_id', customer_id, 'external_id', external_id, 'email', email,
			'input', input, 'line', line, 'run', run, 'at', at, 'message', message) END,
	state = 'pending', customer_id = '', external_id = excluded.external_id, email = excluded.email,
	input = excluded.input, line = excluded.line, run = excluded.run, at = excluded.at, message = '',
	seen_run = excluded.run, seen_line = excluded.line`)
	return b.String()
}

// outcomeSQL upserts n outcomes. The entry counts as seen at the outcome's
// line unless this run already saw it (perhaps at a later line).
func outcomeSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO entries (target, identity, state, customer_id, external_id, email, input, line, run, at, message, seen_run, seen_line) VALUES ")
	rows(&b, n, 3, 9, func(b *strings.Builder, p int) {
		fmt.Fprintf(b, "(?1, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?%d, ?2, ?%d, ?%d, ?%d)",
			p, p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+7, p+6)
	})
	b.WriteString(` ON CONFLICT (target, identity) DO UPDATE SET
	state = excluded.state,
	customer_id = coalesce(nullif(excluded.customer_id, ''), customer_id),
	external_id = coalesce(nullif(excluded.external_id, ''), external_id),
	email = coalesce(nullif(excluded.email, ''), email),
	input = coalesce(nullif(excluded.input, ''), input),
	line = coalesce(nullif(excluded.line, 0), line),
	run = excluded.run, at = excluded.at, message = excluded.message, prev = NULL,
	seen_line = CASE WHEN seen_run = excluded.run THEN seen_line ELSE excluded.line END,
	seen_run = excluded.run`)
	return b.String()
}

// seenSQL marks n identities seen; entries that do not exist stay so.
func seenSQL(n int) string {
	var b strings.Builder
	b.WriteString("UPDATE entries SET seen_run = v.column2, seen_line = v.column3 FROM (VALUES ")
	rows(&b, n, 3, 3, func(b *strings.Builder, p int) {
		fmt.Fprintf(b, "(?%d, ?%d, ?%d)", p, p+1, p+2)
	})
	// ?2 (the batch time) is not needed here; naming it keeps the numbering
	// of every write statement alike.
	b.WriteString(") AS v WHERE entries.target = ?1 AND entries.identity = v.column1 AND ?2 IS NOT NULL")
	return b.String()
}
