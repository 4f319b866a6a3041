package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// writer is a writing ledger's own connection: all writes go through it, one
// transaction at a time, so that look-ups on the other connection never wait
// for a commit's fsync.
type writer struct {
	mu     sync.Mutex
	conn   *sql.Conn
	target int64
	stmts  stmtCache
}

// startWriter sets up the schema, the target and the writer connection.
func (l *Ledger) startWriter(ctx context.Context, t Target) error {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	w := &writer{conn: conn, stmts: stmtCache{prepare: conn.PrepareContext}}
	l.writer = w
	if err := migrate(ctx, conn, l.path); err != nil {
		return err
	}
	at := formatTime(l.now())
	if _, err := conn.ExecContext(ctx,
		"INSERT INTO targets (base_url, key_fingerprint, created) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
		t.BaseURL, t.KeyFingerprint, at); err != nil {
		return fmt.Errorf("record ledger target: %w", err)
	}
	if err := conn.QueryRowContext(ctx,
		"SELECT id FROM targets WHERE base_url = ?1 AND key_fingerprint = ?2",
		t.BaseURL, t.KeyFingerprint).Scan(&w.target); err != nil {
		return fmt.Errorf("record ledger target: %w", err)
	}
	// We hold the lock, so a run without an end belongs to a dead process.
	if _, err := conn.ExecContext(ctx,
		"UPDATE runs SET outcome = ?1 WHERE finished IS NULL AND outcome = ''", RunUnfinished); err != nil {
		return fmt.Errorf("mark unfinished runs: %w", err)
	}
	l.scope = writeScope(w.target)
	return nil
}

// inTx runs fn in one IMMEDIATE transaction on the writer's connection;
// with synchronous=FULL the commit is on disk when inTx returns nil.
func (l *Ledger) inTx(ctx context.Context, fn func(w *writer) error) error {
	w := l.writer
	if w == nil {
		return ErrReadOnly
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("begin ledger transaction: %w", err)
	}
	if err := fn(w); err != nil {
		// The context may be what failed: roll back regardless.
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("commit ledger transaction: %w", err)
	}
	return nil
}

func (w *writer) close() error {
	w.stmts.close()
	if err := w.conn.Close(); err != nil {
		return fmt.Errorf("close ledger: %w", err)
	}
	return nil
}
