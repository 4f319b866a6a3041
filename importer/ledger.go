package importer

import (
	"context"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// Ledger is the memory of earlier runs that the importer consults before it
// sends anything, and keeps up to date as it goes: what happened to each
// customer identity (see Identity) at this target. Outcomes are recorded by
// the Sink, which sees every Result; the importer itself records that rows
// are about to be sent, and that identities were seen in this run.
type Ledger interface {
	// Recall returns what is known of each identity; an identity never
	// seen is absent from the map.
	Recall(ctx context.Context, identities []string) (map[string]Prior, error)
	// RecallEmails returns, by lower-cased email, what is known of a
	// customer held under an external_id whose row had that email: for rows
	// of an export that lost its external_id column. Emails it does not
	// know are absent.
	RecallEmails(ctx context.Context, emails []string) (map[string]Prior, error)
	// Begin records a batch of marks in one go. When it returns without
	// error, the marks survive a crash: only then are their rows sent.
	Begin(ctx context.Context, marks []Mark) error
	// Release undoes the pending marks of rows that were never sent (the
	// run stopped first), at the end of a run.
	Release(ctx context.Context, identities []string) error
}

// PriorState is what an earlier run recorded for an identity.
type PriorState string

// The states a ledger holds.
const (
	PriorPending PriorState = "pending" // a create was about to be sent, and no outcome came back
	PriorCreated PriorState = "created"
	PriorExists  PriorState = "exists"
	PriorUnknown PriorState = "outcome_unknown"
	PriorFailed  PriorState = "failed"
	PriorInvalid PriorState = "invalid"
)

// Prior is what the ledger knows of one identity.
type Prior struct {
	State      PriorState
	CustomerID string
	Input      string    // the input of the row that reached State
	Line       int       // and its line
	At         time.Time // when State was recorded
	// SeenRun and SeenLine are the run and line where the identity was last
	// seen: a second line with it in the same run is a duplicate.
	SeenRun  string
	SeenLine int
	// ExternalID is set by RecallEmails: the external_id the customer is
	// held under.
	ExternalID string
}

// known reports whether the customer is known to be in Prolifi.
func (p Prior) known() bool { return p.State == PriorCreated || p.State == PriorExists }

// maybeSent reports whether a create may have reached the API without an
// answer: resending is safe only with an external_id.
func (p Prior) maybeSent() bool { return p.State == PriorPending || p.State == PriorUnknown }

// Mark is what Begin records for one row.
type Mark struct {
	Identity   string
	Line       int
	Pending    bool // a create (or recheck) is about to be sent; else only seen
	ExternalID string
	Email      string
	// Adopt is what the ledger knew of the row under its email, before the
	// export gave it an external_id: the identity takes it over.
	Adopt *Prior
}

// emailIdentity is the identity a row had before it had an external_id.
func emailIdentity(r Row) string {
	return Identity(client.CreateCustomerRequest{Email: r.Request.Email})
}

// localLedger stands in where nothing may be written: a dry run, or a run
// with no ledger at all. It recalls from the real ledger when there is one
// and remembers what this run saw in memory (a 64-bit hash and a line per
// identity).
type localLedger struct {
	inner Ledger // may be nil
	run   string
	seen  *dedup
}

func newLocalLedger(inner Ledger, run string) *localLedger {
	return &localLedger{inner: inner, run: run, seen: newDedup()}
}

func (l *localLedger) Recall(ctx context.Context, ids []string) (map[string]Prior, error) {
	out := map[string]Prior{}
	if l.inner != nil {
		var err error
		if out, err = l.inner.Recall(ctx, ids); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		if line := l.seen.first(id); line != 0 {
			p := out[id]
			p.SeenRun, p.SeenLine = l.run, line
			out[id] = p
		}
	}
	return out, nil
}

func (l *localLedger) Begin(_ context.Context, marks []Mark) error {
	for _, m := range marks {
		l.seen.see(m.Identity, m.Line)
	}
	return nil
}

func (l *localLedger) RecallEmails(ctx context.Context, emails []string) (map[string]Prior, error) {
	if l.inner == nil {
		return nil, nil
	}
	return l.inner.RecallEmails(ctx, emails)
}

func (l *localLedger) Release(context.Context, []string) error { return nil }
