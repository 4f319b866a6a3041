package client

import (
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
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
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
	if v := h.Get("X-RateLimit-Limit"); v != "" {
		rl.Limit = max(atoi(v), 0)
	}
	if v := h.Get("X-RateLimit-Remaining"); v != "" {
		rl.Remaining = atoi(v)
	}
	if v := h.Get("X-RateLimit-Reset"); v != "" {
		rl.Reset = resetTime(v, now)
	}
	// Earlier drafts of the IETF headers: RateLimit-Limit/-Remaining/-Reset,
	// the reset always a delay in seconds.
	if v := h.Get("RateLimit-Limit"); v != "" {
		rl.Limit = max(atoi(v), 0)
	}
	if v := h.Get("RateLimit-Remaining"); v != "" {
		rl.Remaining = atoi(v)
	}
	if v := h.Get("RateLimit-Reset"); v != "" {
		rl.Reset = now.Add(seconds(v))
	}
	if v := h.Get("RateLimit-Policy"); v != "" {
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
	if v := h.Get("RateLimit"); v != "" {
		p := structuredParams(v)
		if r, ok := p["r"]; ok {
			rl.Remaining = atoi(r)
		}
		if t, ok := p["t"]; ok {
			rl.Reset = now.Add(seconds(t))
		}
	}
	return rl
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
	s, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || s < 0 {
		return time.Time{}
	}
	if s > 1e9 {
		return time.Unix(0, int64(s*1e9))
	}
	return now.Add(time.Duration(s * float64(time.Second)))
}

func seconds(v string) time.Duration {
	s, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
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
