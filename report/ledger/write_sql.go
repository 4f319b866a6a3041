package ledger

import "strings"

// Statements use anonymous parameters only: the driver looks up every
// parameter's name when it binds, which costs time in the square of the
// count for numbered ones (?NNN) and nothing for plain ones. So a value used
// twice is passed twice.

// opStatement gives, for op, the statement kind, its builder and the
// function that appends a row's values in the builder's order. The writer's
// target and the batch time are passed in as t and at. Values are of the
// driver's own types (int64, string), which database/sql passes on without
// converting.
func opStatement(op Op) (stmtKind, func(int) string, func(v []any, t int64, at string, c Change) []any) {
	switch op {
	case OpPending:
		return kindPending, pendingSQL, func(v []any, t int64, at string, c Change) []any {
			line := int64(c.Line)
			return append(v, t, c.Identity, c.ExternalID, c.Email, c.Input, line, c.Run, at, c.Run, line)
		}
	case OpOutcome:
		return kindOutcome, outcomeSQL, func(v []any, t int64, at string, c Change) []any {
			line := int64(c.Line)
			return append(v, t, c.Identity, string(c.State), c.CustomerID, c.ExternalID, c.Email, c.Input,
				line, c.Run, at, c.Message, c.Run, line)
		}
	default:
		return kindSeen, seenSQL, func(v []any, _ int64, _ string, c Change) []any {
			return append(v, c.Identity, c.Run, int64(c.Line))
		}
	}
}

// pendingSQL upserts n pending entries. The entry's former values go to
// prev, unless it is already pending in this run (then prev is already the
// state before the run).
func pendingSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO entries (target, identity, state, external_id, email, input, line, run, at, seen_run, seen_line) VALUES ")
	values(&b, n, "(?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?)")
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
	values(&b, n, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
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

// seenSQL marks n identities seen; entries that do not exist stay so. The
// target comes after the rows.
func seenSQL(n int) string {
	var b strings.Builder
	b.WriteString("UPDATE entries SET seen_run = v.column2, seen_line = v.column3 FROM (VALUES ")
	values(&b, n, "(?, ?, ?)")
	b.WriteString(") AS v WHERE entries.target = ? AND entries.identity = v.column1")
	return b.String()
}

// values writes n copies of group, comma-separated.
func values(b *strings.Builder, n int, group string) {
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
}
