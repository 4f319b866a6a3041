package importer

import (
	"errors"
	"net/http"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/prolifi/prolifi-import/client"
)

// action is what the retry policy says to do after one attempt.
type action int

const (
	actDone    action = iota // the call succeeded
	actRetry                 // try again after the backoff (or the server's hint)
	actLookup                // 409 on an external_id: find the customer and record it
	actGiveUp                // the error will not go away: record it
	actUnknown               // the request may have created a customer and retrying could create another
	actAbort                 // the key was refused: stop the whole run
)

// decision is the retry policy's answer.
type decision struct {
	act  action
	wait time.Duration // the server's hint, 0 for the usual backoff
	// uncertain marks a retry after an attempt that may have reached the
	// server: a later 409 means that attempt created the customer.
	uncertain bool
}

// decide is the whole retry policy, as one pure function of the last
// attempt's error and whether the row has an external_id:
//   - 429: retry after Retry-After, or the backoff when there is none;
//   - 5xx, or a connection that failed before the request went out: retry
//     with exponential backoff and jitter;
//   - no answer after the request went out: retry only with an external_id,
//     which makes a second create safe (it answers 409);
//   - 409 with an external_id: look the customer up;
//   - 401, 403: abort the run; other 4xx: give up on the row.
func decide(err error, hasExternalID bool) decision {
	if err == nil {
		return decision{act: actDone}
	}
	var ae *client.APIError
	if errors.As(err, &ae) {
		switch {
		case ae.Status == http.StatusTooManyRequests:
			return decision{act: actRetry, wait: ae.RetryAfter}
		case ae.Status >= 500:
			return decision{act: actRetry}
		case ae.Status == http.StatusUnauthorized || ae.Status == http.StatusForbidden:
			return decision{act: actAbort}
		case ae.Status == http.StatusConflict && hasExternalID:
			return decision{act: actLookup}
		}
		return decision{act: actGiveUp}
	}
	switch client.Classify(err) {
	case client.Retryable:
		return decision{act: actRetry}
	case client.OutcomeUnknown:
		if hasExternalID {
			return decision{act: actRetry, uncertain: true}
		}
		return decision{act: actUnknown}
	}
	return decision{act: actGiveUp}
}

// hinted is a BackOff whose next wait is the server's Retry-After when it
// gave one: backoff/v4 knows nothing of Retry-After. A hint shorter than the
// backoff's own wait is still honoured as given, since the server knows best.
type hinted struct {
	backoff.BackOff
	hint time.Duration
}

func (h *hinted) NextBackOff() time.Duration {
	d := h.BackOff.NextBackOff()
	if d == backoff.Stop {
		return d
	}
	if h.hint > 0 {
		d, h.hint = h.hint, 0
	}
	return d
}

// newRowBackOff returns the backoff for one row: exponential with jitter,
// the server's hint winning, at most maxRetries retries, and the context
// outermost so that a stop cuts any wait short.
func newRowBackOff(initial, maxWait time.Duration, maxRetries int) *hinted {
	exp := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(initial),
		backoff.WithMaxInterval(maxWait),
		backoff.WithMaxElapsedTime(0),
		backoff.WithRandomizationFactor(0.5),
		backoff.WithMultiplier(2),
	)
	return &hinted{BackOff: backoff.WithMaxRetries(exp, uint64(max(maxRetries, 0)))}
}
