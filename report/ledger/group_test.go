package ledger

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// holdLead makes w act as if a group were being committed, so that writes
// queue up; the test then commits them itself with w.lead.
func holdLead(w *writer) {
	w.qmu.Lock()
	w.leading = true
	w.qmu.Unlock()
}

// waitQueued returns once n writes wait in w's queue.
func waitQueued(w *writer, n int) {
	for {
		w.qmu.Lock()
		k := len(w.queue)
		w.qmu.Unlock()
		if k == n {
			return
		}
		runtime.Gosched()
	}
}

func groups(w *writer) int {
	w.qmu.Lock()
	defer w.qmu.Unlock()
	return w.groups
}

// applyAsync applies changes in another goroutine; the channel gets its
// error.
func applyAsync(l *Ledger, changes ...Change) <-chan error {
	done := make(chan error, 1)
	go func() { done <- l.Apply(context.Background(), changes) }()
	return done
}

func TestWritesThatMeetShareACommit(t *testing.T) {
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, pending("x:1", "r1", 2)) // the run is known: its record takes no group of its own below
	w := l.writer
	before := groups(w)
	holdLead(w)
	marks := applyAsync(l, pending("x:2", "r1", 3))
	outs := applyAsync(l, outcome("x:1", "r1", 2, StateCreated, "c1"))
	waitQueued(w, 2)
	w.lead()
	for _, done := range []<-chan error{marks, outs} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := groups(w) - before; n != 1 {
		t.Errorf("%d commits, want 1", n)
	}
	m := lookup(t, l, "x:1", "x:2")
	if m["x:1"].State != StateCreated || m["x:2"].State != StatePending {
		t.Errorf("after the group: %+v", m)
	}
}

func TestAWriteThatFailsInAGroupFailsAlone(t *testing.T) {
	ctx := context.Background()
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, pending("x:0", "r1", 2))
	w := l.writer
	holdLead(w)
	good := applyAsync(l, pending("x:1", "r1", 3))
	boom := errors.New("boom")
	bad := make(chan error, 1)
	go func() {
		bad <- l.inTx(ctx, func(ctx context.Context, w *writer) error {
			if _, err := w.conn.ExecContext(ctx, "UPDATE runs SET input = 'changed'"); err != nil {
				return err
			}
			return boom
		})
	}()
	waitQueued(w, 2)
	w.lead()
	if err := <-good; err != nil {
		t.Errorf("the good write: %v", err)
	}
	if err := <-bad; !errors.Is(err, boom) {
		t.Errorf("the bad write: %v, want its own error", err)
	}
	if e := lookup(t, l, "x:1")["x:1"]; e.State != StatePending || e.Input == "changed" {
		t.Errorf("x:1 after the group: %+v", e)
	}
}

func TestOutcomesWaitForMarksToShareTheirCommit(t *testing.T) {
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, pending("x:1", "r1", 2))
	w := l.writer
	w.patience = time.Hour // it would wait all that, alone
	before := groups(w)
	outs := applyAsync(l, outcome("x:1", "r1", 2, StateCreated, "c1"))
	waitQueued(w, 1)
	apply(t, l, pending("x:2", "r1", 3))
	if err := <-outs; err != nil {
		t.Fatal(err)
	}
	if n := groups(w) - before; n != 1 {
		t.Errorf("%d commits, want 1", n)
	}
	if e := lookup(t, l, "x:1")["x:1"]; e.State != StateCreated {
		t.Errorf("x:1: %+v", e)
	}
}

func TestAWriteWhoseContextEndedWaitingIsNotWritten(t *testing.T) {
	l := openT(t, ledgerPath(t), targetA())
	apply(t, l, pending("x:0", "r1", 2))
	w := l.writer
	holdLead(w)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Apply(ctx, []Change{pending("x:1", "r1", 3)}) }()
	waitQueued(w, 1)
	cancel()
	w.lead()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Apply: %v, want context.Canceled", err)
	}
	if m := lookup(t, l, "x:1"); len(m) != 0 {
		t.Errorf("written anyway: %+v", m)
	}
}
