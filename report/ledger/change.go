package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Op is what a Change does.
type Op uint8

const (
	// OpPending marks that a create is about to be sent. The entry's former
	// mark is kept, so that Release can bring it back.
	OpPending Op = iota + 1
	// OpOutcome records what came of the create of the entry's mark in Run
	// (State: any but pending).
	OpOutcome
	// OpSeen records that an identity that is not sent was seen in a run at
	// a line. It changes nothing else, and nothing for an identity the
	// ledger does not hold.
	OpSeen
)

// Change is one write of a batch. Every Op uses Identity, Run and Line;
// OpPending also Email, OpOutcome State, CustomerID and Message. An
// OpOutcome answers the entry's mark in Run; for an entry with no mark in
// Run it makes one first, from Line and Email (a zero Line or empty Email
// keeps what the entry had). The input file is the run's (see BeginRun),
// and the external id is in the identity.
type Change struct {
	Op         Op
	Identity   string
	Run        string
	Line       int
	State      State
	CustomerID string
	Email      string
	Message    string
}

// validate checks a change before anything is written.
func (c Change) validate() error {
	if c.Identity == "" {
		return errors.New("no identity")
	}
	if c.Run == "" {
		return errors.New("no run") // Release and seen go by run
	}
	switch c.Op {
	case OpPending, OpSeen:
		return nil
	case OpOutcome:
		if !c.State.Valid() || c.State == StatePending {
			return fmt.Errorf("%q is not an outcome", c.State)
		}
		return nil
	}
	return fmt.Errorf("unknown op %d", c.Op)
}

// storedEmail is the email an entry keeps for c: none when the identity is
// the email itself. It is kept lower-cased, as identities are: SQLite's
// lower() folds ASCII only, so LookupEmails could not match "ÉLISE@…" to
// "élise@…" otherwise.
func (c Change) storedEmail() string {
	email := strings.ToLower(c.Email)
	if rest, ok := strings.CutPrefix(c.Identity, "e:"); ok && rest == email {
		return ""
	}
	return email
}

// Apply writes a batch in one transaction (perhaps shared with writes
// from other goroutines): on return without error it is on disk, and after
// a crash at any moment either all of it is there or none. Changes apply in
// order, so a later change of the same identity wins. A batch of outcomes
// only may wait a few milliseconds to share a commit (see group.go).
func (l *Ledger) Apply(ctx context.Context, changes []Change) error {
	for i, c := range changes {
		if err := c.validate(); err != nil {
			return fmt.Errorf("apply ledger change %d: %w", i, err)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	l.fresh.wrote(changes)
	runs, err := l.runIDs(ctx, changes)
	if err != nil {
		return err
	}
	at := millis(l.now())
	return l.write(ctx, func(ctx context.Context, w *writer) error {
		for start := 0; start < len(changes); {
			end := start + 1
			for end < len(changes) && changes[end].Op == changes[start].Op && changes[end].Run == changes[start].Run {
				end++
			}
			head := head{target: w.target, run: runs[changes[start].Run], at: at}
			if err := w.applyOps(ctx, head, changes[start:end]); err != nil {
				return err
			}
			start = end
		}
		return nil
	}, outcomesOnly(changes))
}

// outcomesOnly reports whether a batch holds outcomes only: it may wait for
// company (see group.go).
func outcomesOnly(changes []Change) bool {
	for _, c := range changes {
		if c.Op != OpOutcome {
			return false
		}
	}
	return true
}

// head holds the values every row of a statement shares: they are bound
// once, ahead of the rows.
type head struct {
	target, run, at int64
}

// applyOps writes changes that share one Op and run, a chunk per statement.
func (w *writer) applyOps(ctx context.Context, h head, changes []Change) error {
	if changes[0].Op == OpSeen {
		changes = lastSeen(changes)
	}
	for start := 0; start < len(changes); {
		n := chunkSize(len(changes) - start)
		chunk := changes[start : start+n]
		var err error
		switch chunk[0].Op {
		case OpPending:
			_, err = w.exec(ctx, kindPending, h, chunk)
		case OpSeen:
			_, err = w.exec(ctx, kindSeen, h, chunk)
		default:
			err = w.outcomes(ctx, h, chunk)
		}
		if err != nil {
			return fmt.Errorf("write ledger entries: %w", err)
		}
		start += n
	}
	return nil
}

// outcomes writes a chunk of outcomes. They answer the marks of their run;
// when some identity has none (the ledger was not told the create was
// sent, or not in this run), the chunk's marks are made first.
func (w *writer) outcomes(ctx context.Context, h head, chunk []Change) error {
	n, err := w.exec(ctx, kindOutcome, h, chunk)
	if err != nil || n == int64(len(chunk)) {
		return err
	}
	if _, err := w.exec(ctx, kindMark, h, chunk); err != nil {
		return err
	}
	_, err = w.exec(ctx, kindOutcome, h, chunk)
	return err
}

// exec runs the statement of kind for a chunk and returns the rows it
// changed.
func (w *writer) exec(ctx context.Context, kind stmtKind, h head, chunk []Change) (int64, error) {
	st := statementOf(kind)
	stmt, err := w.stmts.get(ctx, stmtKey{kind, len(chunk)}, st.build)
	if err != nil {
		return 0, err
	}
	vals := st.head(make([]any, 0, st.perRow*len(chunk)+3), h)
	for _, c := range chunk {
		vals = st.row(vals, c)
	}
	res, err := stmt.ExecContext(ctx, vals...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// lastSeen keeps, of several seen changes of one identity, the last: one
// UPDATE … FROM with two rows for one entry would apply either.
func lastSeen(changes []Change) []Change {
	last := make(map[string]int, len(changes))
	for i, c := range changes {
		last[c.Identity] = i
	}
	if len(last) == len(changes) {
		return changes
	}
	out := make([]Change, 0, len(last))
	for i, c := range changes {
		if last[c.Identity] == i {
			out = append(out, c)
		}
	}
	return out
}
