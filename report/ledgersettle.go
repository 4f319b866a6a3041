package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// A row without an external_id that was sent and got no answer is never
// sent again by itself: only a person can say whether the customer is in
// Prolifi. Settle records that answer, so that a nightly run stops
// reporting the row: found, it counts as imported; missing, the next run
// sends it.

// Settlement is one such answer: the row's email and, for a customer found
// in Prolifi, its id when known. Target, where set (a line of ledger
// unknown's output names it), is the only target the answer is about: a
// person who looked in one account says nothing of another.
type Settlement struct {
	Email, CustomerID string
	Target            ledger.Target
}

// about reports whether s answers for target t.
func (s Settlement) about(t ledger.Target) bool {
	return (s.Target.BaseURL == "" || s.Target.BaseURL == t.BaseURL) &&
		(s.Target.KeyFingerprint == "" || s.Target.KeyFingerprint == t.KeyFingerprint)
}

// Settled is what Settle did: how many entries changed, and the emails the
// ledger does not hold as unknown (left as they were).
type Settled struct {
	Changed    int
	NotUnknown []string
}

// settleKey groups the changes of one target and input: one run each.
type settleKey struct {
	target ledger.Target
	input  string
}

// Settle records, in the ledger at path, answers about rows whose outcome
// is unknown (or pending, from a run that was killed): found → exists,
// missing → failed, so that the next run sends it. An empty baseURL
// settles under every target that holds the email as unknown.
func Settle(ctx context.Context, path, baseURL string, found bool, items []Settlement) (Settled, error) {
	byID := make(map[string][]Settlement, len(items))
	ids := make([]string, 0, len(items))
	for _, it := range items {
		id := importer.Identity(client.CreateCustomerRequest{Email: it.Email})
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], it)
	}
	groups, err := settleChanges(ctx, path, baseURL, found, ids, byID)
	if err != nil {
		return Settled{}, err
	}
	var out Settled
	matched := map[string]bool{}
	for k, changes := range groups {
		changes, err := settleRun(ctx, path, k, changes)
		if err != nil {
			return out, err
		}
		out.Changed += len(changes)
		for _, c := range changes {
			matched[c.Identity] = true
		}
	}
	for _, id := range ids {
		if !matched[id] {
			out.NotUnknown = append(out.NotUnknown, byID[id][0].Email)
		}
	}
	return out, nil
}

// settleChanges looks the identities up under each target and makes the
// changes for those whose outcome is unknown.
func settleChanges(ctx context.Context, path, baseURL string, found bool, ids []string, byID map[string][]Settlement) (map[settleKey][]ledger.Change, error) {
	all, err := ledger.OpenReadOnly(ctx, path, baseURL, "")
	if err != nil {
		return nil, err
	}
	targets, err := all.Targets(ctx)
	all.Close()
	if err != nil {
		return nil, err
	}
	groups := map[settleKey][]ledger.Change{}
	for _, t := range targets {
		r, err := ledger.OpenReadOnly(ctx, path, t.Target.BaseURL, t.Target.KeyFingerprint)
		if err != nil {
			return nil, err
		}
		entries, err := r.Lookup(ctx, ids)
		r.Close()
		if err != nil {
			return nil, err
		}
		for id, e := range entries {
			it, ok := answerFor(byID[id], t.Target)
			if !ok || (e.State != ledger.StateOutcomeUnknown && e.State != ledger.StatePending) {
				continue
			}
			c := ledger.Change{Op: ledger.OpOutcome, Identity: id, State: ledger.StateFailed,
				Message: "not in Prolifi, as a person checked (prolifi-import ledger missing): the next run sends it"}
			if found {
				c.State, c.CustomerID = ledger.StateExists, it.CustomerID
				c.Message = "found in Prolifi by a person (prolifi-import ledger found)"
			}
			k := settleKey{t.Target, e.Input}
			groups[k] = append(groups[k], c)
		}
	}
	return groups, nil
}

// answerFor is the first of items that answers for target t.
func answerFor(items []Settlement, t ledger.Target) (Settlement, bool) {
	for _, it := range items {
		if it.about(t) {
			return it, true
		}
	}
	return Settlement{}, false
}

// settleRun writes one group as a run of its own, so that the ledger's
// history says who changed what, and when, and returns the changes made.
// The look-ups were made before the lock was held: a run that ended since
// may have recorded an outcome, which a person's answer must not replace
// (missing over created would send the row again).
func settleRun(ctx context.Context, path string, k settleKey, changes []ledger.Change) ([]ledger.Change, error) {
	l, err := ledger.Open(ctx, path, k.target, ledger.Options{Input: "prolifi-import ledger"})
	if err != nil {
		return nil, err
	}
	defer l.Close()
	if changes, err = stillUnknown(ctx, l, changes); err != nil || len(changes) == 0 {
		return nil, err
	}
	run := ledger.Run{ID: uuid.NewString(), Input: k.input}
	if err := l.BeginRun(ctx, run); err != nil {
		return nil, err
	}
	for i := range changes {
		changes[i].Run = run.ID
	}
	if err := l.Apply(ctx, changes); err != nil {
		return nil, err
	}
	run.Outcome, run.Counts = "settled by hand", map[string]int{string(changes[0].State): len(changes)}
	if err := l.EndRun(ctx, run); err != nil {
		return nil, err
	}
	return changes, l.Close()
}

// stillUnknown keeps the changes whose entries are still unknown or pending.
func stillUnknown(ctx context.Context, l *ledger.Ledger, changes []ledger.Change) ([]ledger.Change, error) {
	ids := make([]string, len(changes))
	for i, c := range changes {
		ids[i] = c.Identity
	}
	now, err := l.Lookup(ctx, ids)
	if err != nil {
		return nil, err
	}
	kept := changes[:0]
	for _, c := range changes {
		if st := now[c.Identity].State; st == ledger.StateOutcomeUnknown || st == ledger.StatePending {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// ParseSettlement reads "EMAIL" or "EMAIL=CUSTOMER_ID". An email may hold
// an = itself (a=b@example.com): the id is what follows the last =, when
// that is no email.
func ParseSettlement(arg string) (Settlement, error) {
	email, id := arg, ""
	if i := strings.LastIndexByte(arg, '='); i >= 0 && !strings.Contains(arg[i+1:], "@") {
		email, id = arg[:i], arg[i+1:]
	}
	email, id = strings.TrimSpace(email), strings.TrimSpace(id)
	if !strings.Contains(email, "@") {
		return Settlement{}, fmt.Errorf("%q is not an email (rows with an external_id need no answer: the next run settles them)", arg)
	}
	return Settlement{Email: email, CustomerID: id}, nil
}
