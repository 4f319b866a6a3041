package report

import (
	"context"
	"errors"
	"io/fs"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// Ledger is one run's view of the ledger file: the importer's memory of
// earlier runs (Recall, Begin) and the keeper of this run's outcomes
// (Record), in the ledger's own terms underneath.
type Ledger struct {
	l       *ledger.Ledger
	run     ledger.Run
	write   bool
	movedIn int
}

// OpenLedger opens the ledger at path to write this run's entries for
// target, settles a change of API key (see KeyChange), and records the
// run's start. A second run on the same ledger is refused at once, naming
// the holder.
func OpenLedger(ctx context.Context, path string, target ledger.Target, run ledger.Run, kc KeyChange) (*Ledger, error) {
	l, err := ledger.Open(ctx, path, target, ledger.Options{Input: run.Input})
	if err != nil {
		return nil, err
	}
	moved, err := settleKeys(ctx, l, target.BaseURL, kc)
	if err == nil {
		err = l.BeginRun(ctx, run)
	}
	if err != nil {
		l.Close()
		return nil, err
	}
	return &Ledger{l: l, run: run, write: true, movedIn: moved}, nil
}

// MovedIn is how many entries of a replaced key moved to this run's key.
func (l *Ledger) MovedIn() int {
	if l == nil {
		return 0
	}
	return l.movedIn
}

// OpenLedgerReadOnly opens the ledger to consult it only (a dry run): an
// empty keyFingerprint reads the entries of every key of baseURL. With a
// key it reads what the run would: kc settles a change of key as
// OpenLedger does, and is refused where OpenLedger would refuse it. It
// returns nil, nil when there is no ledger yet.
func OpenLedgerReadOnly(ctx context.Context, path, baseURL, keyFingerprint string, kc KeyChange) (*Ledger, error) {
	l, err := ledger.OpenReadOnly(ctx, path, baseURL, "")
	if err == nil && keyFingerprint != "" {
		l, err = narrowToKey(ctx, l, baseURL, keyFingerprint, kc)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Ledger{l: l}, nil
}

// narrowToKey closes l, a reader of every key of baseURL, and opens the
// ledger again for the key whose entries the run would read (see dryRunKey).
func narrowToKey(ctx context.Context, l *ledger.Ledger, baseURL, keyFingerprint string, kc KeyChange) (*ledger.Ledger, error) {
	targets, err := l.Targets(ctx)
	if err == nil {
		keyFingerprint, err = dryRunKey(targets, l.Path(), baseURL, keyFingerprint, kc)
	}
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return ledger.OpenReadOnly(ctx, l.Path(), baseURL, keyFingerprint)
}

// prior is what the importer needs of an entry.
func prior(e ledger.Entry) importer.Prior {
	return importer.Prior{State: importer.PriorState(e.State), CustomerID: e.CustomerID, Input: e.Input, Line: e.Line,
		At: e.At, SeenRun: e.SeenRun, SeenLine: e.SeenLine}
}

// Path is the ledger file.
func (l *Ledger) Path() string { return l.l.Path() }

// Recall returns what the ledger knows of each identity.
func (l *Ledger) Recall(ctx context.Context, ids []string) (map[string]importer.Prior, error) {
	entries, err := l.l.Lookup(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]importer.Prior, len(entries))
	for id, e := range entries {
		out[id] = prior(e)
	}
	return out, nil
}

// RecallEmails returns, by lower-cased email, what the ledger holds under
// an external_id whose row had that email.
func (l *Ledger) RecallEmails(ctx context.Context, emails []string) (map[string]importer.Prior, error) {
	entries, err := l.l.LookupEmails(ctx, emails)
	if err != nil {
		return nil, err
	}
	out := make(map[string]importer.Prior, len(entries))
	for email, e := range entries {
		p := prior(e)
		p.ExternalID = e.ExternalID
		out[email] = p
	}
	return out, nil
}

// Begin records a batch of marks: pending for the rows about to be sent,
// seen for the others.
func (l *Ledger) Begin(ctx context.Context, marks []importer.Mark) error {
	changes := make([]ledger.Change, len(marks))
	for i, m := range marks {
		c := ledger.Change{Op: ledger.OpSeen, Identity: m.Identity, Run: l.run.ID, Line: m.Line, Email: m.Email}
		switch {
		case m.Pending:
			c.Op = ledger.OpPending
		case m.Adopt != nil && m.Adopt.State != importer.PriorPending:
			// The row's external_id takes over what its email had, so that
			// later runs find it under either. A pending mark is no outcome
			// to take over (a run died, or the email's row is in flight in
			// this one): the row is only seen, and a later run adopts what
			// the email's entry has come to by then.
			c.Op, c.State, c.CustomerID = ledger.OpOutcome, ledger.State(m.Adopt.State), m.Adopt.CustomerID
			c.Message = "carried over from its email: imported before the export gave it an external_id"
		}
		changes[i] = c
	}
	return l.l.Apply(ctx, changes)
}

// Record stores the outcomes of a batch of rows that were sent.
func (l *Ledger) Record(ctx context.Context, results []importer.Result) error {
	changes := make([]ledger.Change, len(results))
	for i, r := range results {
		changes[i] = ledger.Change{Op: ledger.OpOutcome, Identity: r.Identity(), Run: l.run.ID, Line: r.Line,
			State: stateOf(r), CustomerID: r.CustomerID, Email: r.Email, Message: recordedMessage(r)}
	}
	return l.l.Apply(ctx, changes)
}

// stateOf is the ledger state a sent row's Result stands for.
func stateOf(r importer.Result) ledger.State {
	switch {
	case r.Status == importer.StatusCreated:
		return ledger.StateCreated
	case r.Status == importer.StatusExists:
		return ledger.StateExists
	case r.Status == importer.StatusInvalid:
		return ledger.StateInvalid
	case r.ErrorType == importer.ErrorTypeOutcomeUnknown:
		return ledger.StateOutcomeUnknown
	}
	return ledger.StateFailed
}

func recordedMessage(r importer.Result) string {
	if len(r.FieldErrors) > 0 {
		return client.JoinFieldErrors(r.FieldErrors)
	}
	return r.Message
}

// Release undoes the pending marks of rows the run never sent.
func (l *Ledger) Release(ctx context.Context, identities []string) error {
	_, err := l.l.Release(ctx, l.run.ID, identities)
	return err
}

// Finish ends this run in the ledger, its outcome and counts recorded, and
// closes the file.
func (l *Ledger) Finish(ctx context.Context, outcome string, counts map[string]int) error {
	if !l.write {
		return l.l.Close()
	}
	run := l.run
	run.Outcome, run.Counts = outcome, counts
	return errors.Join(l.l.EndRun(ctx, run), l.l.Close())
}
