package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxChunk is the most rows one statement carries. A batch is cut into
// chunks of powers of two up to it, so that a few prepared statements serve
// every batch size (at most nine per kind) and SQLite's limit of 32766
// parameters is far away.
const maxChunk = 256

// chunkSize is the rows of the next statement when left rows remain.
func chunkSize(left int) int {
	n := maxChunk
	for n > left {
		n /= 2
	}
	return n
}

// stmtKind names a statement family whose text depends on its row count.
type stmtKind uint8

const (
	kindLookup stmtKind = iota
	kindPending
	kindMark
	kindOutcome
	kindSeen
)

type stmtKey struct {
	kind stmtKind
	n    int
}

// stmtCache keeps prepared statements by kind and row count.
type stmtCache struct {
	mu      sync.Mutex
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)
	stmts   map[stmtKey]*sql.Stmt
}

// get returns the statement for key, preparing build(key.n) the first time.
func (c *stmtCache) get(ctx context.Context, key stmtKey, build func(n int) string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts[key]; ok {
		return s, nil
	}
	s, err := c.prepare(ctx, build(key.n))
	if err != nil {
		return nil, fmt.Errorf("prepare ledger statement: %w", err)
	}
	if c.stmts == nil {
		c.stmts = make(map[stmtKey]*sql.Stmt)
	}
	c.stmts[key] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, s := range c.stmts {
		_ = s.Close()
		delete(c.stmts, k)
	}
}
