package ledger

import (
	"context"
	"errors"
	"fmt"
)

// Op is what a Change does.
type Op uint8

const (
	// OpPending records that a create is about to be sent. The entry's
	// former state is kept, so that Release can bring it back.
	OpPending Op = iota + 1
	// OpOutcome records what came of a create (State: any but pending).
	OpOutcome
	// OpSeen records that an identity that is not sent was seen in a run at
	// a line. It changes nothing else, and nothing for an identity the
	// ledger does not hold.
	OpSeen
)

// Change is one write of a batch. Every Op uses Identity, Run and Line;
// OpOutcome uses the rest, and OpPending all but State, CustomerID and
// Message. An OpOutcome's empty CustomerID, ExternalID, Email, Input or zero
// Line keeps what the entry had.
type Change struct {
	Op         Op
	Identity   string
	Run        string
	Line       int
	State      State
	CustomerID string
	ExternalID string
	Email      string
	Input      string
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

// Apply writes a batch in one transaction: on return without error it is
// on disk, and after a crash at any moment either all of it is there or
// none. Changes apply in order, so a later change of the same identity wins.
func (l *Ledger) Apply(ctx context.Context, changes []Change) error {
	for i, c := range changes {
		if err := c.validate(); err != nil {
			return fmt.Errorf("apply ledger change %d: %w", i, err)
		}
	}
	if len(changes) == 0 {
		return nil
	}
	at := formatTime(l.now())
	return l.inTx(ctx, func(w *writer) error {
		for start := 0; start < len(changes); {
			end := start + 1
			for end < len(changes) && changes[end].Op == changes[start].Op {
				end++
			}
			if err := w.applyOps(ctx, at, changes[start:end]); err != nil {
				return err
			}
			start = end
		}
		return nil
	})
}

// applyOps writes changes that share one Op, a chunk per statement.
func (w *writer) applyOps(ctx context.Context, at string, changes []Change) error {
	op := changes[0].Op
	if op == OpSeen {
		changes = lastSeen(changes)
	}
	kind, build, args := opStatement(op)
	for start := 0; start < len(changes); {
		n := chunkSize(len(changes) - start)
		stmt, err := w.stmts.get(ctx, stmtKey{kind, n}, build)
		if err != nil {
			return err
		}
		vals := make([]any, 0, 13*n+1)
		for _, c := range changes[start : start+n] {
			vals = args(vals, w.target, at, c)
		}
		if op == OpSeen {
			vals = append(vals, w.target)
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return fmt.Errorf("write ledger entries: %w", err)
		}
		start += n
	}
	return nil
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
