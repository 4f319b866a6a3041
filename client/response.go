package client

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is what every HTTP answer tells, whatever its status: the facts a
// caller needs to pace itself, as go-github's Response does.
type Response struct {
	Status int
	// RetryAfter is the server's wait hint from Retry-After (seconds or an
	// HTTP date); zero when there was none.
	RetryAfter time.Duration
	RateLimit  RateLimit
	// Wrote is when the request was written in full: after any wait for a
	// connection (a dial, a TLS handshake), so the nearest the client knows
	// to when the server received it. Zero when not seen.
	Wrote time.Time
}

// RateLimit is the server's own account of its limit, from the
// X-RateLimit-Limit/-Remaining/-Reset trio or the IETF draft
// RateLimit-Policy and RateLimit headers. Fields the answer did not give are
// zero (Remaining: -1).
type RateLimit struct {
	Limit     int           // requests allowed per Window
	Window    time.Duration // the policy's window; zero when not stated
	Remaining int           // requests left in this window; -1 when unknown
	Reset     time.Time     // when the window resets (or the next token comes)
}

// Known reports whether the answer carried any rate-limit header.
func (r RateLimit) Known() bool { return r.Limit > 0 || r.Remaining >= 0 || !r.Reset.IsZero() }

// newResponse reads the facts of resp, which arrived at now.
func newResponse(resp *http.Response, now time.Time) *Response {
	return &Response{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header, now), RateLimit: parseRateLimit(resp.Header, now)}
}

// retryAfter reads Retry-After: whole seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if d, ok := parseSeconds(v); ok {
		return d
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// parseRateLimit reads the rate-limit headers. The IETF pair wins over the
// older trio when both are present, since it states its window.
func parseRateLimit(h http.Header, now time.Time) RateLimit {
	rl := RateLimit{Remaining: -1}
	if v := first(h, "X-Ratelimit-Limit"); v != "" {
		rl.Limit = max(atoi(v), 0)
	}
	if v := first(h, "X-Ratelimit-Remaining"); v != "" {
		rl.Remaining = atoi(v)
	}
	if v := first(h, "X-Ratelimit-Reset"); v != "" {
		rl.Reset = resetTime(v, now)
	}
	// Earlier drafts of the IETF headers: RateLimit-Limit/-Remaining/-Reset,
	// the reset always a delay in seconds.
	if v := first(h, "Ratelimit-Limit"); v != "" {
		rl.Limit = max(atoi(v), 0)
	}
	if v := first(h, "Ratelimit-Remaining"); v != "" {
		rl.Remaining = atoi(v)
	}
	if v := first(h, "Ratelimit-Reset"); v != "" {
		rl.Reset = addClamped(now, seconds(v))
	}
	if v := first(h, "Ratelimit-Policy"); v != "" {
		p := structuredParams(v)
		if q, ok := p["q"]; ok {
			rl.Limit = max(atoi(q), 0)
		} else if lead, ok := p[""]; ok {
			rl.Limit = max(atoi(lead), 0)
		}
		if w, ok := p["w"]; ok {
			rl.Window = seconds(w)
		}
	}
	if v := first(h, "Ratelimit"); v != "" {
		p := structuredParams(v)
		if r, ok := p["r"]; ok {
			rl.Remaining = atoi(r)
		}
		if t, ok := p["t"]; ok {
			rl.Reset = addClamped(now, seconds(t))
		}
	}
	return rl
}

// first is h's first value for key, which must be in canonical form
// ("X-Ratelimit-Limit"): Header.Get would canonicalise it, and allocate,
// for each of eight headers on every answer.
func first(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// structuredParams reads the parameters of the first item of a structured
// header list: `"default";q=100;w=60` gives q and w; a bare leading number
// (`100;w=60`, an older draft) is returned under "".
func structuredParams(v string) map[string]string {
	first, _, _ := strings.Cut(v, ",")
	out := map[string]string{}
	for i, part := range strings.Split(first, ";") {
		part = strings.TrimSpace(part)
		k, val, ok := strings.Cut(part, "=")
		switch {
		case ok:
			out[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(val), `"`)
		case i == 0 && part != "" && part[0] != '"':
			out[""] = part
		}
	}
	return out
}

// resetTime reads X-RateLimit-Reset: Unix seconds when it is that large,
// else a delay in seconds.
func resetTime(v string, now time.Time) time.Time {
	d, ok := parseSeconds(v)
	switch {
	case !ok:
		return time.Time{}
	case d > 1e9*time.Second && d != Forever:
		return time.Unix(0, 0).Add(d) // Unix seconds, not a delay
	}
	return addClamped(now, d)
}

// addClamped is now + d, without wrapping around for a Forever d.
func addClamped(now time.Time, d time.Duration) time.Time {
	if t := now.Add(d); t.After(now) || d == 0 {
		return t
	}
	return now.Add(Forever / 2)
}

func seconds(v string) time.Duration {
	d, _ := parseSeconds(v)
	return d
}

// Forever is the wait a server asks for when its number of seconds is too
// large for a time.Duration (or infinite): longer than any run will wait.
const Forever = time.Duration(1<<63 - 1)

// parseSeconds reads a number of seconds, as a decimal (no hex, no "inf"
// spelled as a word counts as garbage). A value too large for a Duration
// is Forever rather than a wrapped-around number.
func parseSeconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, "xXpP") {
		return 0, false
	}
	s, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), s < 0, math.IsNaN(s):
		return 0, false
	case math.IsInf(s, 1) || s >= float64(Forever/time.Second):
		return Forever, true
	}
	return time.Duration(s * float64(time.Second)), true
}

// atoi reads a count; -1 when it is not one, so that a garbled Remaining is
// "unknown" rather than "none left".
func atoi(v string) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}
