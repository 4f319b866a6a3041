package ledger

import (
	"context"
	"fmt"
	"time"
)

// Writes are committed in groups: a write that arrives while a commit is
// under way waits for it to end, and then goes out in one transaction with
// every other write that arrived meanwhile. The importer writes from two
// goroutines at once (pending marks before sending, outcomes after), and a
// commit's fixed cost, above all its fsync, is most of what a small batch
// costs; a group pays it once. Each write keeps its own all-or-nothing: it
// runs under a savepoint of the group's transaction, and returns only when
// the transaction is on disk.
//
// Under load the two goroutines write a few milliseconds apart and a commit
// takes less than that, so few writes would meet by chance. A write of
// outcomes only is not on the way to any request (marks are: a create waits
// for its mark), so it waits for company: up to patience for another write
// to lead a group it joins, and only then commits alone.

// request is one write waiting for its group.
type request struct {
	ctx   context.Context
	fn    func(ctx context.Context, w *writer) error
	err   error
	taken bool          // a group holds it
	lead  bool          // set when it is handed the lead, before done closes
	done  chan struct{} // closed when it is written, or when it leads
}

// inTx runs fn in a transaction on the writer's connection, perhaps shared
// with other writes (see above); with synchronous=FULL the commit is on
// disk when inTx returns nil. fn's context is ctx without its cancellation:
// once a group has begun, it is not cut short for one of its writes.
func (l *Ledger) inTx(ctx context.Context, fn func(ctx context.Context, w *writer) error) error {
	return l.write(ctx, fn, false)
}

// write is inTx for a write that may wait for company when patient.
func (l *Ledger) write(ctx context.Context, fn func(ctx context.Context, w *writer) error, patient bool) error {
	w := l.writer
	if w == nil {
		return ErrReadOnly
	}
	r := &request{ctx: ctx, fn: fn, done: make(chan struct{})}
	w.qmu.Lock()
	w.queue = append(w.queue, r)
	switch {
	case !w.leading && (!patient || w.patience <= 0):
		w.leading = true
		w.qmu.Unlock()
	case !w.leading:
		w.qmu.Unlock()
		if !w.awaitCompany(r) {
			return r.err
		}
	default:
		w.qmu.Unlock()
		if <-r.done; !r.lead {
			return r.err
		}
	}
	w.lead()
	return r.err
}

// awaitCompany waits, up to the writer's patience, for another write to
// take r into its group. It reports whether r is to lead a group after all:
// nobody came, or r was handed the lead.
func (w *writer) awaitCompany(r *request) (lead bool) {
	t := time.NewTimer(w.patience)
	defer t.Stop()
	select {
	case <-r.done:
		return r.lead
	case <-t.C:
	}
	w.qmu.Lock()
	if !w.leading && !r.taken {
		w.leading = true
		w.qmu.Unlock()
		return true
	}
	w.qmu.Unlock()
	<-r.done
	return r.lead
}

// lead commits the writes waiting now as one group, then hands the lead to
// the first write that arrived meanwhile, if any.
func (w *writer) lead() {
	w.qmu.Lock()
	group := w.queue
	w.queue = nil
	for _, r := range group {
		r.taken = true
	}
	w.groups++
	w.qmu.Unlock()

	w.commit(group)

	w.qmu.Lock()
	if len(w.queue) > 0 {
		next := w.queue[0]
		next.lead = true
		close(next.done)
	} else {
		w.leading = false
	}
	w.qmu.Unlock()
	for _, r := range group {
		if !r.lead {
			close(r.done)
		}
	}
}

// commit writes a group in one transaction. A write whose context ended
// before it began is not run.
func (w *writer) commit(group []*request) {
	live := make([]*request, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = fmt.Errorf("begin ledger transaction: %w", err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	ctx := context.Background()
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		failAll(live, fmt.Errorf("begin ledger transaction: %w", err))
		return
	}
	written := w.runGroup(live)
	if written == 0 {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		return
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = w.conn.ExecContext(ctx, "ROLLBACK")
		failAll(live, fmt.Errorf("commit ledger transaction: %w", err))
	}
}

// runGroup runs each write of a group, under a savepoint when it shares the
// transaction, and returns how many succeeded.
func (w *writer) runGroup(live []*request) (written int) {
	shared := len(live) > 1
	for _, r := range live {
		ctx := context.WithoutCancel(r.ctx)
		if shared {
			if _, err := w.conn.ExecContext(ctx, "SAVEPOINT write"); err != nil {
				r.err = fmt.Errorf("begin ledger write: %w", err)
				continue
			}
		}
		r.err = r.fn(ctx, w)
		if shared && r.err != nil {
			_, _ = w.conn.ExecContext(ctx, "ROLLBACK TO write")
		}
		if shared {
			if _, err := w.conn.ExecContext(ctx, "RELEASE write"); err != nil && r.err == nil {
				r.err = fmt.Errorf("end ledger write: %w", err)
			}
		}
		if r.err == nil {
			written++
		}
	}
	return written
}

// failAll gives every write of a group err, but keeps an error a write
// already has.
func failAll(group []*request, err error) {
	for _, r := range group {
		if r.err == nil {
			r.err = err
		}
	}
}
