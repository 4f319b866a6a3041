package ledger

import "strings"

// Statements use anonymous parameters only: the driver looks up every
// parameter's name when it binds, which costs time in the square of the
// count for numbered ones (?NNN) and nothing for plain ones. What every row
// of a statement shares (the writer's target, the run, the batch time) is
// bound once, in a one-row subquery p ahead of the rows (VALUES v), so that
// a row binds only its own few values: binding is a good part of a row's
// cost. Values are of the driver's own types (int64, string), which
// database/sql passes on without converting.

// statement is a family of statements whose text depends on its row count.
type statement struct {
	build  func(n int) string
	perRow int                           // values a row binds
	head   func(v []any, h head) []any   // appends the shared values
	row    func(v []any, c Change) []any // appends a row's values
}

// statementOf gives the statement family of kind.
func statementOf(kind stmtKind) statement {
	switch kind {
	case kindPending:
		return statement{pendingSQL, 3, markHead, markRow}
	case kindMark:
		return statement{markSQL, 3, markHead, markRow}
	case kindOutcome:
		return statement{outcomeSQL, 4, markHead, func(v []any, c Change) []any {
			return append(v, c.Identity, string(c.State), c.CustomerID, c.Message)
		}}
	default:
		return statement{seenSQL, 2, func(v []any, h head) []any { return append(v, h.target, h.run) },
			func(v []any, c Change) []any { return append(v, c.Identity, int64(c.Line)) }}
	}
}

func markHead(v []any, h head) []any { return append(v, h.target, h.run, h.at) }

func markRow(v []any, c Change) []any { return append(v, c.Identity, int64(c.Line), c.storedEmail()) }

// markRows is the start of the statements that write marks: n rows of
// (identity, line, email) of one run at one time.
func markRows(b *strings.Builder, n int) {
	b.WriteString(`INSERT INTO entries (target, identity, run, line, at, email)
	SELECT p.target, v.column1, p.run, v.column2, p.at, v.column3
	FROM (SELECT ? AS target, ? AS run, ? AS at) p, (VALUES `)
	values(b, n, "(?, ?, ?)")
	b.WriteString(") v WHERE true\n") // WHERE: so that ON reads as the upsert's, not a join's
}

// pendingSQL marks n entries pending. A new mark is always later than the
// one it replaces, which makes the old mark's outcome stale. The old mark
// goes to prev, unless the entry is already pending in this run (then prev
// is already the mark before the run).
func pendingSQL(n int) string {
	var b strings.Builder
	markRows(&b, n)
	b.WriteString(`ON CONFLICT (target, identity) DO UPDATE SET
	prev = CASE WHEN run = excluded.run AND NOT EXISTS (` + validOutcome + `) THEN prev
		ELSE json_array(run, line, at, email) END,
	run = excluded.run, line = excluded.line, at = max(excluded.at, at + 1), email = excluded.email,
	seen_run = NULL, seen_line = NULL`)
	return b.String()
}

// validOutcome selects the outcome of an entry's current mark, if any.
const validOutcome = "SELECT 1 FROM outcomes o WHERE o.entry = entries.id AND o.mark = entries.at"

// markSQL gives the entries of n outcomes a mark in the outcomes' run,
// where they have none: a zero line or empty email keeps the entry's. The
// entry counts as seen at the outcome's line unless this run already saw it.
func markSQL(n int) string {
	var b strings.Builder
	markRows(&b, n)
	b.WriteString(`ON CONFLICT (target, identity) DO UPDATE SET
	seen_line = CASE WHEN coalesce(seen_run, run) = excluded.run THEN coalesce(seen_line, line) ELSE excluded.line END,
	seen_run = excluded.run,
	run = excluded.run, line = coalesce(nullif(excluded.line, 0), line), at = max(excluded.at, at + 1),
	email = coalesce(nullif(excluded.email, ''), email), prev = NULL
	WHERE run <> excluded.run`)
	return b.String()
}

// outcomeSQL records n outcomes, each for its entry's mark in the run;
// identities without one are left out (the caller counts the rows).
func outcomeSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT OR REPLACE INTO outcomes (entry, mark, state, customer_id, message, at)
	SELECT e.id, e.at, v.column2, v.column3, v.column4, p.at
	FROM (SELECT ? AS target, ? AS run, ? AS at) p, (VALUES `)
	values(&b, n, "(?, ?, ?, ?)")
	b.WriteString(") v JOIN entries e ON e.target = p.target AND e.identity = v.column1 AND e.run = p.run")
	return b.String()
}

// seenSQL marks n identities seen; entries that do not exist stay so.
func seenSQL(n int) string {
	var b strings.Builder
	b.WriteString("UPDATE entries SET seen_run = p.run, seen_line = v.column2 FROM (SELECT ? AS target, ? AS run) p, (VALUES ")
	values(&b, n, "(?, ?)")
	b.WriteString(") v WHERE entries.target = p.target AND entries.identity = v.column1")
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
