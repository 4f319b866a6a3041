package client

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
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
// NewTransport(16)). The client uses a copy that never follows redirects,
// whatever hc's own CheckRedirect says.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.ua = ua } }

// WithTimeout bounds each call, from dialing to the end of the body (default
// 30s). Zero or less keeps the default: an API call must not wait forever.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// WithClock sets the clock used to turn Retry-After dates and rate-limit
// resets into times.
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
	hc := http.Client{Transport: NewTransport(16)}
	if c.hc != nil {
		hc = *c.hc
	}
	// A redirect would carry the key and the customer's data to wherever the
	// Location points, and a 301/302 would turn the create into a GET whose
	// 200 looks like success. The 3xx comes back to the caller instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.hc = &hc
	return c, nil
}

// CheckBaseURL validates a base URL and returns it in one spelling: scheme
// and host in lower case, no default port, no trailing dot on the host, no
// empty path segments, no trailing slash. One API then has one base URL,
// whatever way it was typed (the ledger keeps its entries per base URL).
func CheckBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("parse base url: %w", err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), u.Port()
	if u.Scheme == "https" && port == "443" || u.Scheme == "http" && port == "80" {
		port = ""
	}
	if u.Host != "" {
		u.Host = host
		if strings.Contains(host, ":") {
			u.Host = "[" + host + "]" // an IPv6 address
		}
		if port != "" {
			u.Host += ":" + port
		}
	}
	for strings.Contains(u.Path, "//") {
		u.Path = strings.ReplaceAll(u.Path, "//", "/")
	}
	u.RawPath = ""
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

// Host is the host (and port) of the API root, for messages.
func (c *Client) Host() string {
	u, _ := url.Parse(c.base) // checked by New
	return u.Host
}

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
