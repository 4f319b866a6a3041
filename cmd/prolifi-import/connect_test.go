package main

import (
	"io"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestConnectTargets: which host each choice reaches, and that a live run
// says so at start. connect sends nothing, so the real hosts are not needed.
func TestConnectTargets(t *testing.T) {
	tests := []struct {
		name     string
		opts     options
		key      string
		wantBase string
		wantLive bool
	}{
		{"live by default", options{}, "sk_live_abc", liveURL, true},
		{"sandbox", options{sandbox: true}, "sk_test_abc", sandboxURL, false},
		{"base url", options{baseURL: "http://127.0.0.1:9/api/v1/public"}, "sk_test_abc", "http://127.0.0.1:9/api/v1/public", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.InfoLevel)
			c, stop, err := connect(&tt.opts, env(map[string]string{"PROLIFI_API_KEY": tt.key}), io.Discard, zap.New(core))
			if err != nil {
				t.Fatal(err)
			}
			defer stop()
			if c.BaseURL() != tt.wantBase {
				t.Errorf("base %s, want %s", c.BaseURL(), tt.wantBase)
			}
			live := logs.FilterMessageSnippet("LIVE").FilterField(zap.String("host", "api.prolifi.co")).Len() == 1
			if live != tt.wantLive {
				t.Errorf("live warning %v, want %v: %v", live, tt.wantLive, logs.All())
			}
		})
	}
}
