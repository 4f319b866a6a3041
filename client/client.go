package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Client calls the Prolifi public API with one key. It is safe for concurrent
// use. Its String method never shows the key.
type Client struct {
	base    string // scheme://host/path, no trailing slash
	key     string
	kind    KeyKind
	hc      *http.Client
	ua      string
	timeout time.Duration
	now     func() time.Time
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the *http.Client used for every call (default: one with
// NewTransport(16)).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithTimeout bounds each call, from dialing to the end of the body (default 30s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithClock sets the clock used to turn an HTTP-date Retry-After into a wait.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// New returns a client for the API at baseURL (for example
// https://api.prolifi.co/api/v1/public). baseURL must be https, or plain http
// to a loopback host; key must look like a Prolifi key.
func New(baseURL, key string, opts ...Option) (*Client, error) {
	base, err := CheckBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	kind, err := ParseKey(key)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, key: key, kind: kind, ua: "prolifi-import", timeout: 30 * time.Second, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{Transport: NewTransport(16)}
	}
	return c, nil
}

// CheckBaseURL validates a base URL and returns it without a trailing slash.
func CheckBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("parse base url: %w", err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("base url %q: want scheme://host/path with no credentials, query or fragment", u.Redacted())
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return "", fmt.Errorf("base url %q: plain http is allowed only to a loopback host; use https", u.Redacted())
		}
	default:
		return "", fmt.Errorf("base url %q: scheme must be https", u.Redacted())
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// IsLoopback reports whether host is localhost or a loopback IP address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Kind tells what the client's key may do.
func (c *Client) Kind() KeyKind { return c.kind }

// BaseURL is the API root the client calls.
func (c *Client) BaseURL() string { return c.base }

// String describes the client without its key.
func (c *Client) String() string { return fmt.Sprintf("client(%s, %s key)", c.base, c.kind) }

// GoString keeps the key out of %#v too.
func (c *Client) GoString() string { return c.String() }

// NewTransport returns a transport for many concurrent calls to one host:
// conns idle connections kept per host, HTTP/2 when the server offers it, and
// bounded dial, TLS and response-header waits.
func NewTransport(conns int) *http.Transport {
	conns = max(conns, 2)
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          conns * 2,
		MaxIdleConnsPerHost:   conns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// maxSuccessBody caps a 2xx body: a customer is a few hundred bytes.
const maxSuccessBody = 1 << 20

func (c *Client) do(ctx context.Context, method, rawURL string, body []byte) (*Customer, error) {
	path := strings.TrimPrefix(rawURL, c.base)
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	// Whether the request was written in full decides, on failure, between
	// "retry safely" and "the customer may exist".
	var sent atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				sent.Store(true)
			}
		},
	})
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, &TransportError{Method: method, Path: path, Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in the TransportError
		}
		return nil, &TransportError{Method: method, Path: path, Sent: sent.Load(), Err: c.redactErr(err)}
	}
	defer func() {
		// Drain what is left so the connection goes back to the pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxSuccessBody))
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		// A body cut short still leaves the status: the answer stands on it.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		ae := parseAPIError(resp.StatusCode, resp.Header, data, c.now())
		ae.Message, ae.Body = c.redact(ae.Message), c.redact(ae.Body)
		for i := range ae.FieldErrors {
			ae.FieldErrors[i].Message = c.redact(ae.FieldErrors[i].Message)
		}
		return nil, ae
	}
	var env CustomerEnvelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxSuccessBody)).Decode(&env); err != nil {
		// The server acted (2xx) but we cannot tell on what: treat as unknown.
		return nil, &TransportError{Method: method, Path: path, Sent: true, Err: fmt.Errorf("decode %d answer: %w", resp.StatusCode, c.redactErr(err))}
	}
	return &env.Data, nil
}

// redact removes the key from text the server or the network stack produced.
func (c *Client) redact(s string) string {
	if c.key == "" || !strings.Contains(s, c.key) {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}

func (c *Client) redactErr(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.key) {
		return err
	}
	return constError(c.redact(err.Error()))
}
