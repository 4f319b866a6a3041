package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error types the API documents in error.type.
const (
	TypeAuthentication = "authentication_error"
	TypePermission     = "permission_error"
	TypeValidation     = "validation_error"
	TypeNotFound       = "not_found"
	TypeInvalidRequest = "invalid_request"
	TypeRateLimit      = "rate_limit_error"
	TypeIPRestricted   = "ip_restricted"
	TypeConflict       = "conflict"
	TypeAPI            = "api_error"
)

// FieldError names one field that failed validation and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ErrorBody is the JSON the API sends with every error:
// {"error":{"type","message","errors":[{"field","message"}]}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the inner object of ErrorBody.
type ErrorDetail struct {
	Type    string       `json:"type"`
	Message string       `json:"message"`
	Errors  []FieldError `json:"errors,omitempty"`
}

// APIError is any answer outside 2xx. When the body is not the documented
// shape (an HTML page from a proxy, an empty 502), Type is empty and Body
// holds the start of what was sent.
type APIError struct {
	Status      int
	Type        string
	Message     string
	FieldErrors []FieldError
	// RetryAfter is the server's hint from Retry-After (seconds or an HTTP
	// date) or, failing that, X-RateLimit-Reset; zero when there was none.
	RetryAfter time.Duration
	Body       string
}

// Error describes the answer in one line. It never contains the API key: the
// client redacts it from anything the server echoes.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "api answered %d", e.Status)
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	} else if e.Body != "" {
		b.WriteString(": " + strconv.Quote(e.Body))
	}
	if len(e.FieldErrors) > 0 {
		b.WriteString(" (" + JoinFieldErrors(e.FieldErrors) + ")")
	}
	return b.String()
}

// JoinFieldErrors renders field errors as "field: message; field: message".
func JoinFieldErrors(fe []FieldError) string {
	var b strings.Builder
	for i, f := range fe {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
	}
	return b.String()
}

// TransportError is a call that got no HTTP answer. Sent reports whether the
// request had been written in full before the failure: if so the server may
// have acted on it, and the outcome is unknown.
type TransportError struct {
	Method string
	Path   string
	Sent   bool
	Err    error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %v", strings.ToLower(e.Method), e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Class is what a caller may do after an error.
type Class int

const (
	// Permanent errors will fail again: bad input, auth, a conflict.
	Permanent Class = iota
	// Retryable errors left nothing behind on the server: 429, 5xx, or a
	// connection that failed before the request was sent.
	Retryable
	// OutcomeUnknown means the request was sent and no answer came back: the
	// customer may or may not exist now.
	OutcomeUnknown
)

func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case OutcomeUnknown:
		return "outcome_unknown"
	default:
		return "permanent"
	}
}

// Classify sorts an error from CreateCustomer or GetCustomer. Errors this
// package did not make (a cancelled context before the call, say) are
// Permanent.
func Classify(err error) Class {
	var ae *APIError
	if errors.As(err, &ae) {
		if ae.Status == http.StatusTooManyRequests || ae.Status >= 500 {
			return Retryable
		}
		return Permanent
	}
	var te *TransportError
	if errors.As(err, &te) {
		if te.Sent {
			return OutcomeUnknown
		}
		return Retryable
	}
	return Permanent
}

// IsRateLimited reports whether err is a 429 answer.
func IsRateLimited(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusTooManyRequests
}

// maxErrorBody caps how much of an error answer is read; maxRawBody caps how
// much of an unexpected body is kept in APIError.Body.
const (
	maxErrorBody = 64 << 10
	maxRawBody   = 512
)

// parseAPIError builds an APIError from a non-2xx answer whose body (already
// size-limited) is body. now is the moment the answer arrived.
func parseAPIError(status int, h http.Header, body []byte, now time.Time) *APIError {
	e := &APIError{Status: status, RetryAfter: retryAfter(h, now)}
	var eb ErrorBody
	if json.Unmarshal(body, &eb) == nil && eb.Error.Type != "" {
		e.Type, e.Message, e.FieldErrors = eb.Error.Type, eb.Error.Message, eb.Error.Errors
		return e
	}
	raw := strings.TrimSpace(strings.ToValidUTF8(string(body), "?"))
	if len(raw) > maxRawBody {
		raw = strings.ToValidUTF8(raw[:maxRawBody], "") + "…"
	}
	e.Body = raw
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// retryAfter reads the server's wait hint. Retry-After may be whole seconds or
// an HTTP date; X-RateLimit-Reset, used when Retry-After is absent, may be a
// Unix time or a number of seconds.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			return time.Duration(s * float64(time.Second))
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0)
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
			// Values this large are epoch seconds; smaller ones are a delay.
			if s > 1e9 {
				return max(time.Unix(0, int64(s*1e9)).Sub(now), 0)
			}
			return time.Duration(s * float64(time.Second))
		}
	}
	return 0
}
