package importer

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// outcome is what one call to the API came back with: the facts the client
// reports, and nothing decided yet.
type outcome struct {
	customer *client.Customer
	resp     *client.Response // nil when no HTTP answer came back
	err      error
	lookup   bool      // the call was a GET by external_id, not a create
	sent     time.Time // when the call began: the pacing counts sends by it
}

// verdict is what the policy says to do after one call.
type verdict int

const (
	// vDone: the call did its job; the row is finished.
	vDone verdict = iota
	// vRetry: nothing happened on the server that a new attempt could
	// double; try again after the backoff (or the server's wait).
	vRetry
	// vLookup: the customer exists (409) or was created without an id we
	// could read: look it up by external_id.
	vLookup
	// vCreate: a look-up found nothing (404 on a recheck): create it.
	vCreate
	// vGiveUp: the answer is final for this row.
	vGiveUp
	// vUnknown: the request may have created the customer and a second
	// create could make a twin: record that and never resend on our own.
	vUnknown
	// vStop: the whole run must stop (the key was refused, the API cannot
	// be trusted or reached, or it asks for a longer wait than allowed).
	vStop
)

// decision is the policy's answer to one outcome.
type decision struct {
	verdict verdict
	// wait is the server's wait before any request (429), 0 for the usual
	// backoff.
	wait time.Duration
	// uncertain marks an attempt that may have reached the server: a later
	// 409 means that attempt created the customer.
	uncertain bool
	// throttled and failing feed the pacer and the run's health.
	throttled, failing bool
	// errorType and message describe a final failure or a stop.
	errorType, message string
}

// The error types the importer itself assigns.
const (
	ErrorTypeDuplicate      = "duplicate"
	ErrorTypeOutcomeUnknown = "outcome_unknown"
	ErrorTypeNetwork        = "network_error"
	ErrorTypeRedirect       = "redirect"
	ErrorTypeUnreadable     = "unreadable_answer"
)

// decide is the whole retry policy, one pure function of one call's outcome,
// whether the row has an external_id, and the longest wait the run accepts:
//   - 2xx: done; a create whose answer names no id is looked up by
//     external_id when there is one;
//   - 429: retry after Retry-After (else the rate-limit reset, else the
//     backoff), unless that is longer than maxWait: then the run stops;
//   - 5xx, or a connection that failed before the request went out: retry;
//     but a 5xx that is not the API's own error (a gateway's page) to a
//     create without an external_id may hide a customer created upstream:
//     unknown;
//   - no answer after the request went out: retry only with an external_id
//     (a second create then answers 409) or for a look-up; else unknown;
//   - a certificate that fails or a host that does not resolve: stop the
//     run, since every row would meet it;
//   - 409 on a create with an external_id: look it up; 404 on a look-up of
//     a recheck: create;
//   - 3xx: give up (redirects are never followed); 401, 403: stop the run;
//     other 4xx: give up on the row.
func decide(o outcome, hasExt bool, maxWait time.Duration, now time.Time) decision {
	var (
		ae *client.APIError
		te *client.TransportError
		de *client.DecodeError
	)
	switch {
	case o.err == nil:
		return decision{verdict: vDone}
	case errors.As(o.err, &de):
		return decideUnreadable(de, o.lookup, hasExt)
	case errors.As(o.err, &ae):
		return decideAnswer(ae, o.lookup, hasExt, maxWait, now)
	case errors.As(o.err, &te):
		return decideTransport(te, o.lookup, hasExt)
	}
	return decision{verdict: vGiveUp, errorType: "error", message: o.err.Error()}
}

// decideUnreadable handles a 2xx whose body named no customer: the server
// acted, so the row is created, and only its id is missing.
func decideUnreadable(de *client.DecodeError, lookup, hasExt bool) decision {
	if !lookup && hasExt {
		// uncertain: the look-up will find what this create made.
		return decision{verdict: vLookup, uncertain: true}
	}
	msg := fmt.Sprintf("the API answered %d but its answer could not be read (%v)", de.Status, de.Err)
	if lookup {
		return decision{verdict: vGiveUp, errorType: ErrorTypeUnreadable, message: msg}
	}
	return decision{verdict: vDone, errorType: ErrorTypeUnreadable,
		message: msg + ": the customer was created, but without an external_id its id cannot be looked up"}
}

func decideAnswer(ae *client.APIError, lookup, hasExt bool, maxWait time.Duration, now time.Time) decision {
	switch s := ae.Status; {
	case s >= 300 && s < 400:
		return decision{verdict: vGiveUp, errorType: ErrorTypeRedirect,
			message: fmt.Sprintf("the API answered %d %s, pointing to %s; redirects are never followed, so nothing was sent there: check the base URL", s, http.StatusText(s), ae.Location)}
	case s == http.StatusTooManyRequests:
		wait := serverWait(ae, now)
		if maxWait > 0 && wait > maxWait {
			return decision{verdict: vStop, wait: wait, throttled: true, errorType: "wait_too_long",
				message: fmt.Sprintf("the API asked to wait %s before the next request, longer than --max-wait %s; run again after %s",
					wait.Round(time.Second), maxWait, now.Add(wait).UTC().Format("2006-01-02 15:04:05 UTC"))}
		}
		return decision{verdict: vRetry, wait: wait, throttled: true}
	case s >= 500 && !hasExt && !lookup && ae.Type == "":
		// Not the API's own error but a proxy's or a gateway's page (a 504
		// after its upstream timed out): the create may have gone through,
		// and without an external_id a second one could make a twin.
		return decision{verdict: vUnknown, failing: true}
	case s >= 500:
		return decision{verdict: vRetry, failing: true}
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		return decision{verdict: vStop, errorType: ae.Type, message: "the API refused the key: " + ae.Error()}
	case s == http.StatusConflict && hasExt && !lookup:
		return decision{verdict: vLookup}
	case s == http.StatusNotFound && lookup:
		// Right for a recheck (the customer was deleted); after a 409 it is
		// a contradiction the row state machine turns into a failure.
		return decision{verdict: vCreate}
	}
	return decision{verdict: vGiveUp}
}

// serverWait is how long the server asked to wait: Retry-After, else the
// time to the rate limit's reset.
func serverWait(ae *client.APIError, now time.Time) time.Duration {
	if ae.RetryAfter > 0 {
		return ae.RetryAfter
	}
	if r := ae.RateLimit.Reset; !r.IsZero() && r.After(now) {
		return r.Sub(now)
	}
	return 0
}

func decideTransport(te *client.TransportError, lookup, hasExt bool) decision {
	switch {
	case te.Certificate():
		return decision{verdict: vStop, errorType: ErrorTypeNetwork,
			message: "the API's TLS certificate could not be verified (" + te.Err.Error() + "): check the base URL and the machine's CA certificates"}
	case te.UnknownHost():
		return decision{verdict: vStop, errorType: ErrorTypeNetwork,
			message: "the API's host name does not resolve (" + te.Err.Error() + "): check the base URL and the machine's DNS"}
	case !te.Sent:
		return decision{verdict: vRetry, failing: true}
	case hasExt || lookup:
		return decision{verdict: vRetry, failing: true, uncertain: !lookup}
	}
	return decision{verdict: vUnknown, failing: true}
}

// describe fills a failed Result from the error that ended the row.
func describe(res *Result, err error) {
	var (
		ae *client.APIError
		te *client.TransportError
	)
	switch {
	case errors.As(err, &ae):
		res.HTTPStatus, res.ErrorType, res.Message, res.FieldErrors = ae.Status, ae.Type, ae.Message, ae.FieldErrors
		if ae.Type == "" {
			res.ErrorType = fmt.Sprintf("http_%d", ae.Status)
			if ae.Body != "" {
				res.Message = strings.TrimSpace(ae.Message + ": " + ae.Body)
			}
		}
		if ae.Status == http.StatusUnprocessableEntity {
			res.Status = StatusInvalid
		}
	case errors.As(err, &te):
		res.ErrorType, res.Message = ErrorTypeNetwork, te.Error()
	case err != nil:
		res.ErrorType, res.Message = "error", err.Error()
	}
}
