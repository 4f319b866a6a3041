package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// want is what a test checks of an entry.
type want struct {
	state    State
	customer string
	email    string
	run      string
	line     int
	message  string
	seenRun  string
	seenLine int
}

func got(e Entry) want {
	return want{e.State, e.CustomerID, e.Email, e.Run, e.Line, e.Message, e.SeenRun, e.SeenLine}
}

func TestApplyStates(t *testing.T) {
	tests := []struct {
		name    string
		batches [][]Change
		want    map[string]want // identity → entry; absent when the zero want
	}{
		{
			name:    "pending then created",
			batches: [][]Change{{pending("x:1", "r1", 2)}, {outcome("x:1", "r1", 2, StateCreated, "c1")}},
			want:    map[string]want{"x:1": {state: StateCreated, customer: "c1", run: "r1", line: 2, seenRun: "r1", seenLine: 2}},
		},
		{
			name: "pending then outcome unknown keeps the message",
			batches: [][]Change{{pending("x:1", "r1", 2)},
				{{Op: OpOutcome, Identity: "x:1", Run: "r1", Line: 2, State: StateOutcomeUnknown, Message: "timeout"}}},
			want: map[string]want{"x:1": {state: StateOutcomeUnknown, run: "r1", line: 2, message: "timeout", seenRun: "r1", seenLine: 2}},
		},
		{
			name:    "an outcome without pending is recorded and seen",
			batches: [][]Change{{outcome("e:a@b.c", "r1", 7, StateExists, "c9")}},
			want:    map[string]want{"e:a@b.c": {state: StateExists, customer: "c9", email: "a@b.c", run: "r1", line: 7, seenRun: "r1", seenLine: 7}},
		},
		{
			name: "an outcome keeps what it does not say",
			batches: [][]Change{
				{{Op: OpPending, Identity: "x:1", Run: "r1", Line: 2, Email: "a@b.c"}},
				{{Op: OpOutcome, Identity: "x:1", Run: "r1", State: StateCreated, CustomerID: "c1"}}},
			want: map[string]want{"x:1": {state: StateCreated, customer: "c1", email: "a@b.c", run: "r1", line: 2, seenRun: "r1", seenLine: 2}},
		},
		{
			name: "a created message does not carry an earlier failure",
			batches: [][]Change{
				{{Op: OpOutcome, Identity: "x:1", Run: "r1", Line: 2, State: StateFailed, Message: "500"}},
				{pending("x:1", "r2", 3)}, {outcome("x:1", "r2", 3, StateCreated, "c1")}},
			want: map[string]want{"x:1": {state: StateCreated, customer: "c1", run: "r2", line: 3, seenRun: "r2", seenLine: 3}},
		},
		{
			name:    "seen marks an entry and changes nothing else",
			batches: [][]Change{{outcome("x:1", "r1", 2, StateCreated, "c1")}, {seen("x:1", "r2", 40)}},
			want:    map[string]want{"x:1": {state: StateCreated, customer: "c1", run: "r1", line: 2, seenRun: "r2", seenLine: 40}},
		},
		{
			name:    "seen of an identity the ledger does not hold writes nothing",
			batches: [][]Change{{seen("x:404", "r1", 3)}},
			want:    map[string]want{"x:404": {}},
		},
		{
			name:    "a later change of a batch wins",
			batches: [][]Change{{pending("x:1", "r1", 2), outcome("x:1", "r1", 2, StateInvalid, "")}},
			want:    map[string]want{"x:1": {state: StateInvalid, run: "r1", line: 2, seenRun: "r1", seenLine: 2}},
		},
		{
			name:    "the last of two seen of one identity in a batch wins",
			batches: [][]Change{{outcome("x:1", "r1", 2, StateCreated, "c1")}, {seen("x:1", "r2", 5), seen("x:1", "r2", 9)}},
			want:    map[string]want{"x:1": {state: StateCreated, customer: "c1", run: "r1", line: 2, seenRun: "r2", seenLine: 9}},
		},
		{
			name:    "a new mark makes the outcome of the mark before it stale",
			batches: [][]Change{{outcome("x:1", "r1", 2, StateCreated, "c1")}, {pending("x:1", "r2", 3)}},
			want:    map[string]want{"x:1": {state: StatePending, run: "r2", line: 3, seenRun: "r2", seenLine: 3}},
		},
		{
			name: "a mark again in its own run, after its outcome, is pending again",
			batches: [][]Change{{pending("x:1", "r1", 2)}, {outcome("x:1", "r1", 2, StateCreated, "c1")},
				{pending("x:1", "r1", 2)}},
			want: map[string]want{"x:1": {state: StatePending, run: "r1", line: 2, seenRun: "r1", seenLine: 2}},
		},
		{
			name: "an outcome in another run than the mark marks the entry in its run",
			batches: [][]Change{{{Op: OpPending, Identity: "x:1", Run: "r1", Line: 2, Email: "a@b.c"}},
				{outcome("x:1", "r2", 5, StateExists, "c1")}},
			want: map[string]want{"x:1": {state: StateExists, customer: "c1", email: "a@b.c", run: "r2", line: 5, seenRun: "r2", seenLine: 5}},
		},
		{
			name: "an email that is the identity reads back",
			batches: [][]Change{{{Op: OpPending, Identity: "e:a@b.c", Run: "r1", Line: 2, Email: "a@b.c"},
				{Op: OpPending, Identity: "e:d@e.f", Run: "r1", Line: 3, Email: "D@e.f"}}},
			want: map[string]want{
				"e:a@b.c": {state: StatePending, email: "a@b.c", run: "r1", line: 2, seenRun: "r1", seenLine: 2},
				"e:d@e.f": {state: StatePending, email: "d@e.f", run: "r1", line: 3, seenRun: "r1", seenLine: 3},
			},
		},
		{
			name: "an outcome keeps a later line seen in its run",
			batches: [][]Change{{pending("x:1", "r1", 2)}, {seen("x:1", "r1", 30)},
				{outcome("x:1", "r1", 2, StateCreated, "c1")}},
			want: map[string]want{"x:1": {state: StateCreated, customer: "c1", run: "r1", line: 2, seenRun: "r1", seenLine: 30}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openT(t, ledgerPath(t), targetA())
			for _, b := range tt.batches {
				apply(t, l, b...)
			}
			for id, w := range tt.want {
				e, ok := lookup(t, l, id)[id]
				if w == (want{}) {
					if ok {
						t.Errorf("%s: got %+v, want no entry", id, e)
					}
					continue
				}
				if got(e) != w {
					t.Errorf("%s:\n got %+v\nwant %+v", id, got(e), w)
				}
			}
		})
	}
}

func TestApplyRefusesABadBatchWhole(t *testing.T) {
	tests := []struct {
		name string
		bad  Change
	}{
		{"no identity", Change{Op: OpPending, Run: "r1"}},
		{"no run", Change{Op: OpSeen, Identity: "x:2"}},
		{"pending is no outcome", Change{Op: OpOutcome, Identity: "x:2", Run: "r1", State: StatePending}},
		{"unknown state", Change{Op: OpOutcome, Identity: "x:2", Run: "r1", State: "done"}},
		{"unknown op", Change{Identity: "x:2", Run: "r1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openT(t, ledgerPath(t), targetA())
			if err := l.Apply(context.Background(), []Change{pending("x:1", "r1", 2), tt.bad}); err == nil {
				t.Fatal("Apply: no error")
			}
			if m := lookup(t, l, "x:1", "x:2"); len(m) != 0 {
				t.Errorf("a refused batch wrote %v", m)
			}
		})
	}
}

// TestBatchesAcrossChunks writes and reads batches larger than one
// statement's chunk, of sizes that take several chunks of different sizes.
func TestBatchesAcrossChunks(t *testing.T) {
	for _, n := range []int{1, 257, 519} { // 519 = 256 + 256 + 4 + 2 + 1
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			l := openT(t, ledgerPath(t), targetA())
			var ids []string
			var pend, outs, seens []Change
			for i := range n {
				id := fmt.Sprintf("x:%d", i)
				ids = append(ids, id, "x:absent-"+id)
				pend = append(pend, pending(id, "r1", i+2))
				outs = append(outs, outcome(id, "r1", i+2, StateCreated, "c"+id))
				seens = append(seens, seen(id, "r2", i+1000))
			}
			apply(t, l, pend...)
			apply(t, l, outs...)
			apply(t, l, seens...)
			m := lookup(t, l, ids...)
			if len(m) != n {
				t.Fatalf("found %d entries, want %d", len(m), n)
			}
			for i := range n {
				id := fmt.Sprintf("x:%d", i)
				if e := m[id]; e.State != StateCreated || e.CustomerID != "c"+id || e.SeenLine != i+1000 {
					t.Fatalf("%s: %+v", id, e)
				}
			}
		})
	}
}

func TestTargetsAreIsolated(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	c := newClock()
	for _, tc := range []struct {
		target   Target
		customer string
	}{{targetA(), "from-a"}, {targetB(), "from-b"}, {targetC(), "from-c"}} {
		l := openWith(t, path, tc.target, c)
		if m := lookup(t, l, "x:1"); len(m) != 0 {
			t.Fatalf("%v sees another target's entry: %v", tc.target, m)
		}
		apply(t, l, outcome("x:1", "r", 2, StateCreated, tc.customer))
		if n, err := l.Release(ctx, "r", []string{"x:1"}); err != nil || n != 0 {
			t.Fatalf("Release: %d, %v", n, err)
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, baseURL, fp string
		want              string
	}{
		{"one key", targetA().BaseURL, targetA().KeyFingerprint, "from-a"},
		{"the other key", targetB().BaseURL, targetB().KeyFingerprint, "from-b"},
		{"any key of a base URL: the latest", targetA().BaseURL + "/", "", "from-b"},
		{"another base URL", targetC().BaseURL, "", "from-c"},
		{"an unknown key", targetA().BaseURL, Fingerprint("nobody"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := lookup(t, openRO(t, path, tt.baseURL, tt.fp), "x:1")["x:1"]
			if e.CustomerID != tt.want {
				t.Errorf("got %q, want %q", e.CustomerID, tt.want)
			}
		})
	}
}

func TestRelease(t *testing.T) {
	ctx := context.Background()
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, outcome("x:created", "r1", 2, StateCreated, "c1"),
		Change{Op: OpOutcome, Identity: "x:failed", Run: "r1", Line: 3, State: StateFailed, Message: "500"},
		pending("x:killed", "r0", 4), pending("x:other-run", "r9", 5))
	before := lookup(t, l, "x:created", "x:failed", "x:killed", "x:other-run")
	apply(t, l, pending("x:new", "r2", 10), pending("x:created", "r2", 11), pending("x:failed", "r2", 12),
		pending("x:killed", "r2", 13), pending("x:sent", "r2", 14), pending("x:maybe-sent", "r2", 15))
	apply(t, l, pending("x:new", "r2", 10)) // the same pending twice keeps the state before the run
	apply(t, l, outcome("x:sent", "r2", 14, StateCreated, "c2"))

	// x:sent has its outcome, x:other-run belongs to another run: named or
	// not, they stay; x:maybe-sent is not named, so it stays pending.
	n, err := l.Release(ctx, "r2", []string{"x:new", "x:created", "x:failed", "x:killed", "x:sent", "x:other-run"})
	if err != nil || n != 4 {
		t.Fatalf("Release = %d, %v; want 4 released", n, err)
	}
	if e := lookup(t, l, "x:maybe-sent")["x:maybe-sent"]; e.State != StatePending {
		t.Errorf("an entry not named was released: %+v", e)
	}
	after := lookup(t, l, "x:new", "x:created", "x:failed", "x:killed", "x:other-run", "x:sent")
	if e, ok := after["x:new"]; ok {
		t.Errorf("an entry new in the run should vanish, got %+v", e)
	}
	for id, b := range before {
		a := after[id]
		a.SeenRun, a.SeenLine, b.SeenRun, b.SeenLine = "", 0, "", 0
		if a != b {
			t.Errorf("%s:\n got %+v\nwant %+v", id, a, b)
		}
	}
	if e := after["x:created"]; e.SeenRun != "r2" || e.SeenLine != 11 {
		t.Errorf("what the run saw should stay seen: %+v", e)
	}
	if e := after["x:sent"]; e.State != StateCreated {
		t.Errorf("a sent entry was reverted: %+v", e)
	}
}

func TestLookupSeen(t *testing.T) {
	// The importer's in-file duplicate check: a later line of the same run
	// finds where the identity was last seen.
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, outcome("x:old", "r1", 2, StateCreated, "c1"))
	apply(t, l, pending("x:new", "r2", 5), seen("x:old", "r2", 6))
	m := lookup(t, l, "x:new", "x:old")
	for id, line := range map[string]int{"x:new": 5, "x:old": 6} {
		if m[id].SeenRun != "r2" || m[id].SeenLine != line {
			t.Errorf("%s: seen %q line %d, want r2 line %d", id, m[id].SeenRun, m[id].SeenLine, line)
		}
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	openT(t, path, targetA()).Close()
	r := openRO(t, path, "", "")
	if err := r.Apply(ctx, []Change{pending("x:1", "r", 1)}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Apply: %v, want ErrReadOnly", err)
	}
	if _, err := r.Release(ctx, "r", []string{"x:1"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Release: %v, want ErrReadOnly", err)
	}
	if err := r.BeginRun(ctx, Run{ID: "r"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("BeginRun: %v, want ErrReadOnly", err)
	}
}

func TestFingerprint(t *testing.T) {
	a, b := Fingerprint("secret-key-a"), Fingerprint("secret-key-b")
	if a != Fingerprint("secret-key-a") {
		t.Error("not stable")
	}
	if a == b {
		t.Error("two keys share a fingerprint")
	}
	if !strings.HasPrefix(a, "sha256:") || len(a) != len("sha256:")+32 || strings.Contains(a, "secret") {
		t.Errorf("fingerprint %q", a)
	}
}

// TestLookupBesideApply looks up while batches are written, as the
// importer's batcher and result writer do; run with -race.
func TestLookupBesideApply(t *testing.T) {
	ctx := context.Background()
	l := openT(t, ledgerPath(t), targetA())
	const batches = 20
	written := make(chan int) // the number of each batch once committed
	errs := make(chan error, 1)
	go func() {
		defer close(written)
		for b := range batches {
			var cs []Change
			for i := range 50 {
				cs = append(cs, pending(fmt.Sprintf("x:%d-%d", b, i), "r1", i))
			}
			if err := l.Apply(ctx, cs); err != nil {
				errs <- err
				return
			}
			written <- b
		}
	}()
	for b := range written {
		// Every committed batch is visible to the next look-up.
		m, err := l.Lookup(ctx, []string{fmt.Sprintf("x:%d-0", b), fmt.Sprintf("x:%d-49", b)})
		if err != nil || len(m) != 2 {
			t.Fatalf("batch %d: %d found, %v", b, len(m), err)
		}
	}
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
}

// TestLastSeen: SQLite applies an arbitrary one of two UPDATE … FROM rows
// for one entry, so a batch must not hand it two.
func TestLastSeen(t *testing.T) {
	tests := []struct {
		name string
		in   []Change
		want []int // lines kept, in order
	}{
		{"no repeats", []Change{seen("a", "r", 1), seen("b", "r", 2)}, []int{1, 2}},
		{"the last of each", []Change{seen("a", "r", 1), seen("b", "r", 2), seen("a", "r", 3), seen("a", "r", 4)}, []int{2, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int
			for _, c := range lastSeen(tt.in) {
				got = append(got, c.Line)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEntryTellsItsRunAndInput(t *testing.T) {
	ctx := context.Background()
	l := openT(t, ledgerPath(t), targetA())
	if err := l.BeginRun(ctx, Run{ID: "r1", Input: "/data/customers.csv"}); err != nil {
		t.Fatal(err)
	}
	apply(t, l, pending("x:1", "r1", 2))
	apply(t, l, outcome("x:1", "r1", 2, StateCreated, "c1"), pending("x:2", "r-not-begun", 9))
	m := lookup(t, l, "x:1", "x:2")
	if e := m["x:1"]; e.Input != "/data/customers.csv" || e.ExternalID != "1" || e.Run != "r1" || e.At.IsZero() {
		t.Errorf("x:1: %+v", e)
	}
	if e := m["x:2"]; e.Input != "" || e.Run != "r-not-begun" || e.State != StatePending {
		t.Errorf("x:2, of a run Apply met first: %+v", e)
	}
	if err := l.BeginRun(ctx, Run{ID: "r-not-begun", Input: "late.csv"}); err != nil {
		t.Fatal(err)
	}
	if e := lookup(t, l, "x:2")["x:2"]; e.Input != "late.csv" {
		t.Errorf("x:2 after its run began: %+v", e)
	}
}

// TestANewMarkIsLaterOnAStoppedClock: a mark must be later than the one it
// replaces even when the clock says otherwise, or the old mark's outcome
// would still count.
func TestANewMarkIsLaterOnAStoppedClock(t *testing.T) {
	stopped := time.Date(2025, 3, 4, 2, 14, 5, 0, time.UTC)
	l, err := Open(context.Background(), ledgerPath(t), targetA(), Options{Now: func() time.Time { return stopped }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	apply(t, l, outcome("x:1", "r1", 2, StateCreated, "c1"))
	apply(t, l, pending("x:1", "r2", 3))
	if e := lookup(t, l, "x:1")["x:1"]; e.State != StatePending {
		t.Errorf("after a new mark: %+v, want pending", e)
	}
	if n, err := l.Release(context.Background(), "r2", []string{"x:1"}); err != nil || n != 1 {
		t.Fatalf("Release: %d, %v", n, err)
	}
	if e := lookup(t, l, "x:1")["x:1"]; e.State != StateCreated || e.CustomerID != "c1" {
		t.Errorf("after Release: %+v, want created again", e)
	}
}
