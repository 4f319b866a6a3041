package ledger

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/bits-and-blooms/bloom/v3"
)

// A first import looks up every identity in a ledger that holds none of
// them: a few microseconds a row of SQL that can only answer "nothing".
// When the writer's target held no entries as its first look-up began,
// an identity can be there only if this writer wrote it since; fresh keeps
// a Bloom filter of what it wrote, and look-ups ask SQL only about the
// identities the filter may hold (a duplicate, or about 1 in 50 of the
// others at a million rows). The filter has no false negatives, so no
// entry is ever missed; it costs about 1 MB (993 KiB for a million rows at
// 2%).

// freshRows is the number of identities the filter is sized for; past it,
// more identities are looked up in SQL, none is missed.
const freshRows = 1_000_000

// fresh is a writer's record of the identities it wrote to a target that
// was empty when it started looking.
type fresh struct {
	asked   atomic.Int64 // identities looked up in SQL, for tests
	mu      sync.Mutex
	checked bool               // whether the target was looked at
	written *bloom.BloomFilter // nil: the target held entries (or a reader)
}

// wrote records identities about to be written. A write before the first
// look-up means the target was not empty when looking began.
func (f *fresh) wrote(changes []Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checked = true
	if f.written == nil {
		return
	}
	for _, c := range changes {
		if c.Op != OpSeen { // a seen mark makes no entry
			f.written.AddString(c.Identity)
		}
	}
}

// held records that entries came into the target by another way than
// Apply (TakeOver): from then on every look-up goes to SQL.
func (f *fresh) held() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.checked, f.written = true, nil
}

// mayHold returns the identities that may be in the target: all of them
// unless the target was empty when looking began.
func (f *fresh) mayHold(ctx context.Context, l *Ledger, ids []string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.checked {
		f.checked = true
		var held bool
		err := l.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM entries WHERE target = ?)", l.writer.target).Scan(&held)
		if err != nil {
			return nil, fmt.Errorf("look up ledger entries: %w", err)
		}
		if !held {
			f.written = bloom.NewWithEstimates(freshRows, 0.02)
		}
	}
	if f.written == nil {
		return ids, nil
	}
	var maybe []string
	for _, id := range ids {
		if f.written.TestString(id) {
			maybe = append(maybe, id)
		}
	}
	return maybe, nil
}
