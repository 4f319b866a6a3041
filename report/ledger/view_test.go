package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// viewLedger writes entries for two targets and returns its path.
func viewLedger(t *testing.T) string {
	path := ledgerPath(t)
	c := newClock()
	a := openWith(t, path, targetA(), c)
	apply(t, a, outcome("x:3", "r1", 4, StateOutcomeUnknown, ""), outcome("x:1", "r1", 2, StateCreated, "c1"),
		outcome("x:2", "r1", 3, StateOutcomeUnknown, ""), outcome("e:z@y.x", "r1", 5, StateInvalid, ""),
		pending("x:4", "r1", 6))
	a.Close()
	b := openWith(t, path, targetB(), c)
	apply(t, b, outcome("x:0", "r2", 2, StateOutcomeUnknown, ""), outcome("x:1", "r2", 3, StateExists, "c1"))
	b.Close()
	return path
}

func TestTargetsCounts(t *testing.T) {
	path := viewLedger(t)
	r := openRO(t, path, "", "")
	got, err := r.Targets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[Target]map[State]int{
		targetA(): {StateCreated: 1, StateOutcomeUnknown: 2, StateInvalid: 1, StatePending: 1},
		targetB(): {StateOutcomeUnknown: 1, StateExists: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d targets, want %d: %+v", len(got), len(want), got)
	}
	for _, tc := range got {
		if !maps.Equal(tc.Counts, want[tc.Target]) {
			t.Errorf("%v: %v, want %v", tc.Target, tc.Counts, want[tc.Target])
		}
	}
	one := openRO(t, path, targetB().BaseURL, targetB().KeyFingerprint)
	if got, _ := one.Targets(context.Background()); len(got) != 1 || got[0].Target != targetB() {
		t.Errorf("a reader of one target lists %+v", got)
	}
}

func TestEntriesFilteredAndOrdered(t *testing.T) {
	path := viewLedger(t)
	tests := []struct {
		name   string
		fp     string
		states []State
		want   []string
	}{
		{"every outcome_unknown", "", []State{StateOutcomeUnknown}, []string{"x:2", "x:3", "x:0"}},
		{"one target, two states", targetA().KeyFingerprint, []State{StateInvalid, StatePending}, []string{"e:z@y.x", "x:4"}},
		{"all of a target", targetB().KeyFingerprint, nil, []string{"x:0", "x:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := openRO(t, path, targetA().BaseURL, tt.fp)
			var got []string
			err := r.Entries(context.Background(), tt.states, func(e Entry) error {
				got = append(got, e.Identity)
				return nil
			})
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	stop := errors.New("stop")
	r := openRO(t, path, "", "")
	n := 0
	err := r.Entries(context.Background(), nil, func(Entry) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("an error from fn: %v after %d calls, want it at once", err, n)
	}
}

func TestRuns(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	c := newClock()
	l := openWith(t, path, targetA(), c)
	if err := l.BeginRun(ctx, Run{ID: "r1", Input: "a.csv", InputFingerprint: "sha256:ab"}); err != nil {
		t.Fatal(err)
	}
	if err := l.EndRun(ctx, Run{ID: "r1", Outcome: "ok", Counts: map[string]int{"created": 3}}); err != nil {
		t.Fatal(err)
	}
	if err := l.BeginRun(ctx, Run{ID: "r2", Input: "b.csv"}); err != nil {
		t.Fatal(err)
	}
	if err := l.EndRun(ctx, Run{ID: "nope"}); err == nil {
		t.Error("EndRun of a run never begun: no error")
	}
	l.Close() // r2 never ends: its process died, as far as the ledger knows
	l = openWith(t, path, targetA(), c)
	if err := l.BeginRun(ctx, Run{ID: "r3", Started: c.Now()}); err != nil {
		t.Fatal(err)
	}

	runs, err := openRO(t, path, "", "").Runs(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		id, outcome string
		finished    bool
		created     int
	}
	var got []row
	for _, r := range runs {
		got = append(got, row{r.ID, r.Outcome, !r.Finished.IsZero(), r.Counts["created"]})
	}
	want := []row{{"r3", "", false, 0}, {"r2", RunUnfinished, false, 0}, {"r1", "ok", true, 3}}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	if r := runs[2]; r.Input != "a.csv" || r.InputFingerprint != "sha256:ab" || r.PID == 0 || r.Target != targetA() ||
		!r.Finished.After(r.Started) || r.Started.Location() != time.UTC {
		t.Errorf("r1: %+v", r)
	}
	if last, _ := l.Runs(ctx, 1); len(last) != 1 || last[0].ID != "r3" {
		t.Errorf("Runs(1): %+v", last)
	}
}

// TestTheViewShowsWhatEntriesDoes: the view ledger, for sqlite3, tells
// each entry as Entries does.
func TestTheViewShowsWhatEntriesDoes(t *testing.T) {
	path := viewLedger(t)
	l := openT(t, path, targetA())
	apply(t, l, seen("x:1", "r3", 40), pending("x:3", "r3", 7))
	if _, err := l.Release(context.Background(), "r3", []string{"x:3"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	var want []string
	err := openRO(t, path, "", "").Entries(context.Background(), nil, func(e Entry) error {
		want = append(want, fmt.Sprint(e.Target.BaseURL, e.Target.KeyFingerprint, e.Identity, e.State, e.CustomerID,
			e.ExternalID, e.Email, e.Input, e.Line, e.Run, e.At.Format(timeLayout), e.Message, e.SeenRun, e.SeenLine))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open(driverName, "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT base_url, key_fingerprint, identity, state, customer_id, external_id, email, input, line,
		run, at, message, seen_run, seen_line FROM ledger`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v [14]any
		ptrs := make([]any, len(v))
		for i := range v {
			ptrs[i] = &v[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprint(v[:]...))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the view:\n%s\nEntries:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
