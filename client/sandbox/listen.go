package sandbox

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// BasePath is where Listen's base URL puts the API, as the real hosts do.
const BasePath = "/api/v1/public"

// Listen serves s on addr (port 0 picks a free one) and returns the base URL
// a client should use, http://HOST:PORT/api/v1/public, and a function that
// stops serving, waiting for requests in flight until ctx ends.
func (s *Server) Listen(addr string) (base string, stop func(ctx context.Context) error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + BasePath, srv.Shutdown, nil
}
