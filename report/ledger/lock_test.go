package ledger

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"
)

func TestASecondWriterFailsAtOnceNamingTheHolder(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	since := time.Date(2025, 3, 4, 2, 14, 5, 0, time.UTC)
	first, err := Open(ctx, path, targetA(), Options{Now: func() time.Time { return since }, Input: "customers.csv"})
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return since.Add(20 * time.Minute) }
	tests := []struct {
		name   string
		target Target
	}{{"same target", targetA()}, {"another target", targetB()}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(ctx, path, tt.target, Options{Now: later, Input: "other.csv"})
			var inUse *InUseError
			if !errors.Is(err, ErrInUse) || !errors.As(err, &inUse) {
				t.Fatalf("Open: %v, want an *InUseError", err)
			}
			want := fmt.Sprintf("ledger %s is in use by process %d (importing customers.csv since 02:14:05)", first.Path(), os.Getpid())
			if err.Error() != want {
				t.Errorf("got  %q\nwant %q", err, want)
			}
		})
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	openT(t, path, targetB()) // free again once closed
}

func TestInUseErrorText(t *testing.T) {
	now := time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		holder Holder
		want   string
	}{
		{"unknown holder", Holder{}, "ledger /l is in use by another process"},
		{"another host, days ago", Holder{PID: 7, Host: "box2", Since: now.Add(-50 * time.Hour)},
			"ledger /l is in use by process 7 on box2 (since 2025-03-02 07:00:00)"},
		{"this host", Holder{PID: 7, Host: "here", Input: "a.csv", Since: now.Add(-time.Minute)},
			"ledger /l is in use by process 7 (importing a.csv since 08:59:00)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &InUseError{Path: "/l", Holder: tt.holder, now: now, host: "here"}
			if e.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", e.Error(), tt.want)
			}
		})
	}
}
