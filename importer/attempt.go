package importer

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// rowAttempt is one row on its way through the API: a small state machine
// that the worker drives with a plain loop. call says which request to make
// next; next takes its outcome and the policy's decision and says what to
// do: call again now, wait first, or stop with the Result.
type rowAttempt struct {
	res        Result
	job        job
	hasExt     bool
	lookup     bool // the next call is a look-up by external_id
	rechecked  bool // the recheck's look-up found nothing: the row is created now
	created    bool // a create answered 2xx: whatever comes next, the customer exists
	uncertain  bool // an earlier attempt may have created the customer
	retries    int
	maxRetries int
	bo         *backoff.ExponentialBackOff
}

// stepKind is what the worker does after an attempt.
type stepKind int

const (
	stepAgain stepKind = iota // make the next call now (the pacer still paces it)
	stepWait                  // make it after step.wait
	stepDone                  // the row is finished: record res
	stepLeave                 // nothing to record: the row is left for the next run
)

type step struct {
	kind stepKind
	wait time.Duration
}

func newRowAttempt(j job, cfg Config) *rowAttempt {
	bo := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(cfg.BackoffInitial),
		backoff.WithMaxInterval(cfg.BackoffMax),
		backoff.WithMaxElapsedTime(0),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
	)
	res := j.row.result()
	res.failedBefore = j.failedBefore
	return &rowAttempt{
		res: res, job: j, hasExt: j.row.Request.ExternalID != "",
		lookup: j.recheck, uncertain: j.maybeSent, maxRetries: cfg.MaxRetries, bo: bo,
	}
}

// next moves the row on after one call.
func (a *rowAttempt) next(o outcome, d decision) step {
	a.res.Attempts++
	a.res.Sent = true
	// The create's answer is the one worth keeping; a look-up's only when
	// no create has answered (a recheck).
	if o.resp != nil && (!o.lookup || a.res.HTTPStatus == 0) {
		a.res.HTTPStatus = o.resp.Status
	}
	switch d.verdict {
	case vDone:
		a.finish(o, d)
		return step{kind: stepDone}
	case vLookup:
		a.uncertain = a.uncertain || d.uncertain
		a.created = a.created || !o.lookup && o.resp != nil && o.resp.Status < 300
		a.lookup = true
		return step{kind: stepAgain}
	case vCreate:
		if !a.job.recheck || a.rechecked {
			// A 409 said the external_id is taken and the look-up cannot
			// find it: creating again would go round for ever.
			a.fail(o, decision{errorType: "inconsistent_answers", message: "the API answered 409 (the external_id exists) to the create but 404 to its look-up; nothing more was sent for this row"}, "")
			return step{kind: stepDone}
		}
		a.rechecked, a.lookup = true, false
		return step{kind: stepAgain}
	case vRetry:
		return a.retry(o, d)
	case vUnknown:
		a.res.Status, a.res.ErrorType = StatusFailed, ErrorTypeOutcomeUnknown
		a.res.Message = unknownMessage(a.res.Email)
		return step{kind: stepDone}
	case vStop:
		return step{kind: stepLeave}
	}
	a.fail(o, d, "")
	return step{kind: stepDone}
}

// retry spends one retry, or gives up when none is left.
func (a *rowAttempt) retry(o outcome, d decision) step {
	a.uncertain = a.uncertain || d.uncertain
	if a.retries >= a.maxRetries {
		if a.uncertain && !a.hasExt {
			a.res.Status, a.res.ErrorType, a.res.Message = StatusFailed, ErrorTypeOutcomeUnknown, unknownMessage(a.res.Email)
			return step{kind: stepDone}
		}
		a.fail(o, d, fmt.Sprintf("gave up after %d attempts: ", a.res.Attempts))
		return step{kind: stepDone}
	}
	a.retries++
	if d.throttled {
		// The server's whole wait, even when the search cut the pause of
		// the other sends short (rateSearch.cutPause).
		return step{kind: stepWait, wait: cmp.Or(d.wait, time.Second)}
	}
	return step{kind: stepWait, wait: a.bo.NextBackOff()}
}

// finish records a call that did its job.
func (a *rowAttempt) finish(o outcome, d decision) {
	a.res.Status = StatusCreated
	if o.customer != nil {
		a.res.CustomerID = o.customer.ID
	}
	a.res.ErrorType, a.res.Message = d.errorType, d.message
	if !o.lookup {
		return
	}
	// A look-up found the customer. After an attempt whose answer was lost,
	// that attempt is what created it; otherwise it was there before.
	if !a.uncertain {
		a.res.Status = StatusExists
	}
	if c := o.customer; c != nil && c.Email != "" && !strings.EqualFold(c.Email, a.res.Email) {
		a.res.Message = "Prolifi has " + c.Email + " for this external_id, not " + a.res.Email
	}
}

// fail records a final failure from the outcome that ended the row, unless
// a create already answered 2xx: then the customer exists, and only the
// look-up of its id failed.
func (a *rowAttempt) fail(o outcome, d decision, prefix string) {
	if a.created {
		a.res.Status, a.res.CustomerID, a.res.ErrorType = StatusCreated, "", ErrorTypeUnreadable
		a.res.Message = "the API created the customer (its answer named no id) and the look-up of its id failed: find it in Prolifi by its external_id"
		return
	}
	a.res.Status = StatusFailed
	createStatus := a.res.HTTPStatus
	describe(&a.res, o.err)
	if o.lookup && createStatus != 0 {
		a.res.HTTPStatus = createStatus // the create's answer is the one worth keeping
	}
	if d.errorType != "" {
		a.res.ErrorType, a.res.Message = d.errorType, d.message
	}
	a.res.Message = prefix + a.res.Message
}

// leaveOrRecord is what a row stopped mid-way becomes: nothing to record
// (it is sent again next run) unless an attempt may have created a
// customer that a resend would double. maybeSent tells the ledger to keep
// the row's pending mark: only with an external_id, which makes the next
// run's resend safe, is a maybe-sent row left unrecorded.
func (a *rowAttempt) leaveOrRecord() (res Result, ok, maybeSent bool) {
	if a.uncertain && !a.hasExt {
		a.res.Status, a.res.ErrorType, a.res.Message = StatusFailed, ErrorTypeOutcomeUnknown, unknownMessage(a.res.Email)
		return a.res, true, true
	}
	return a.res, false, a.uncertain
}

func unknownMessage(email string) string {
	return "the request was sent but no answer came back, so the customer may or may not have been created; " +
		settleAdvice(email)
}

// settleAdvice tells a person how to settle a row whose outcome is unknown.
func settleAdvice(email string) string {
	return "look for " + email + " in Prolifi, then record what you found: `prolifi-import ledger found " + email +
		"` if it is there, `prolifi-import ledger missing " + email + "` if not (the next run then sends it)"
}
