package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// BasePath is where Running.BaseURL puts the API, as the real hosts do.
const BasePath = "/api/v1/public"

// Running is a handler being served on a local address by Start.
type Running struct {
	// URL is the root, http://HOST:PORT, where LimitPath lives.
	URL string
	// BaseURL is where a client finds the API: URL + BasePath.
	BaseURL string
	srv     *http.Server
}

// Start serves h on addr; "" picks a free loopback port. h is normally a
// *Server, or one wrapped by a test to watch or hold its requests.
func Start(addr string, h http.Handler) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	return &Running{URL: url, BaseURL: url + BasePath, srv: srv}, nil
}

// Shutdown stops serving, waiting for requests in flight until ctx ends.
func (r *Running) Shutdown(ctx context.Context) error {
	if err := r.srv.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down emulator: %w", err)
	}
	return nil
}

// Close stops serving, waits a moment for requests in flight, then drops
// what is left; it suits t.Cleanup and defer. (Shutdown alone waits five
// seconds for a connection a client opened and never used, as HTTP clients
// do when they dial ahead.)
func (r *Running) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if r.srv.Shutdown(ctx) != nil {
		_ = r.srv.Close()
	}
}
