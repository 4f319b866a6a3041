package main

import (
	"net/http"
	"sync"
	"time"
)

// recorder wraps the emulator and notes when each request arrived and what
// status it was answered with, so that a scenario can tell the rate the
// server accepted over any span, and act when a number of requests has
// been accepted (onAccepted).
type recorder struct {
	next http.Handler

	mu         sync.Mutex
	calls      []call
	accepted   int
	onAccepted func(n int) // called with each new count of accepted requests, under no lock
}

// call is one request as the server saw it.
type call struct {
	at     time.Time
	status int
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	rec.next.ServeHTTP(sw, r)
	rec.mu.Lock()
	rec.calls = append(rec.calls, call{at: at, status: sw.status})
	n := -1
	if sw.status < 300 {
		rec.accepted++
		n = rec.accepted
	}
	hook := rec.onAccepted
	rec.mu.Unlock()
	if n > 0 && hook != nil {
		hook(n)
	}
}

// snapshot returns the calls so far, in the order they were answered.
func (rec *recorder) snapshot() []call {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]call(nil), rec.calls...)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
