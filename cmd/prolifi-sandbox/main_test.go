package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestServesAndStops: the first line on stdout is a base URL that works,
// the flags reach the emulator, the limit can be changed while it runs,
// and the server stops cleanly when its context ends (as on SIGINT/SIGTERM).
func TestServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--rate", "100", "--window", "1m", "--rate-headers"}, pw, io.Discard)
	}()
	base, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	base = strings.TrimSpace(base)
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/api/v1/public") {
		t.Fatalf("first line %q is not a base URL", base)
	}
	do := func(method, url, body string) *http.Response {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk_test_x")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	resp := do("POST", base+"/customers", `{"email":"a@b.co"}`)
	if resp.StatusCode != 201 {
		t.Errorf("create answered %d", resp.StatusCode)
	}
	if got := resp.Header.Get("RateLimit-Policy"); got != `"default";q=6000;w=60` {
		t.Errorf("RateLimit-Policy %q: --window or --rate-headers did not reach the emulator", got)
	}
	limit := strings.TrimSuffix(base, "/api/v1/public") + "/_emulator/limit"
	if resp := do("POST", limit+"?rate=5&burst=2", ""); resp.StatusCode != 200 {
		t.Errorf("changing the limit answered %d", resp.StatusCode)
	}
	b, _ := io.ReadAll(do("GET", limit, "").Body)
	if got := strings.TrimSpace(string(b)); got != `{"rate":5,"burst":2,"window":"1m0s"}` {
		t.Errorf("limit after the change: %s", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after stop: %v", err)
	}
}

func TestHelpShowsTheLimitControl(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"--help"}, io.Discard, &out)
	if err == nil || !strings.Contains(out.String(), "/_emulator/limit?rate=") || !strings.Contains(out.String(), "-rate-headers") {
		t.Errorf("err %v, help:\n%s", err, out.String())
	}
}
