package client

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
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
// holds the start of what was sent. It states facts only; what to do about
// them is the caller's policy.
type APIError struct {
	Status      int
	Type        string
	Message     string
	FieldErrors []FieldError
	RetryAfter  time.Duration // see Response.RetryAfter
	RateLimit   RateLimit
	Body        string
	// Location is the host a 3xx answer pointed to. Redirects are never
	// followed: the key and the customer's data stay with the API root.
	Location string
}

// Error describes the answer in one line. It never contains the API key: the
// client redacts it from anything the server echoes.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "api answered %d", e.Status)
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	if e.Location != "" {
		b.WriteString(" redirecting to " + e.Location)
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
// have acted on it.
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

// Certificate reports whether TLS failed: a certificate that could not be
// verified, or a peer that does not speak TLS at all.
func (e *TransportError) Certificate() bool {
	var (
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		ci  x509.CertificateInvalidError
		rec tls.RecordHeaderError
	)
	return errors.As(e.Err, &cv) || errors.As(e.Err, &ua) || errors.As(e.Err, &hn) || errors.As(e.Err, &ci) || errors.As(e.Err, &rec) ||
		// net/http replaces the record-header error of a plain-HTTP peer
		// with an error of its own that has no type to match.
		strings.Contains(e.Err.Error(), "server gave HTTP response to HTTPS client")
}

// UnknownHost reports whether the API's host name did not resolve.
func (e *TransportError) UnknownHost() bool {
	var dns *net.DNSError
	return errors.As(e.Err, &dns) && dns.IsNotFound
}

// Refused reports whether the connection was refused.
func (e *TransportError) Refused() bool { return errors.Is(e.Err, syscall.ECONNREFUSED) }

// DecodeError is a 2xx answer whose body could not be read as a customer:
// the server acted, but its answer does not say on what.
type DecodeError struct {
	Status int
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("read %d answer: %v", e.Status, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// maxErrorBody caps how much of an error answer is read; maxRawBody caps how
// much of an unexpected body is kept in APIError.Body.
const (
	maxErrorBody = 64 << 10
	maxRawBody   = 512
)

// parseAPIError builds an APIError from a non-2xx answer r whose body
// (already size-limited) is body.
func parseAPIError(r *Response, body []byte) *APIError {
	e := &APIError{Status: r.Status, RetryAfter: r.RetryAfter, RateLimit: r.RateLimit}
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
	e.Message = http.StatusText(r.Status)
	return e
}
