package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"
)

// patience is how long a write of outcomes waits for a write of marks to
// share its commit (see group.go). At full speed the importer writes a
// batch of up to 1024 marks every 80 ms or so, and its results writer
// records outcomes in the background (report.Files), so nothing waits on an
// outcome's commit: the wait costs only how soon outcomes are on disk (a
// kill loses those of the last 100 ms, whose rows stay pending), and each
// commit saved is an fsync and a rewrite of the pages the batches share.
// On 100,000 rows at full speed: 20 ms made 1,061 fsyncs, 100 ms 323.
const patience = 100 * time.Millisecond

// writer is a writing ledger's own connection: all writes go through it, in
// groups (see group.go), so that look-ups on the other connection never
// wait for a commit's fsync.
type writer struct {
	conn   *sql.Conn
	target int64
	stmts  stmtCache

	qmu      sync.Mutex
	queue    []*request    // writes waiting for the next group
	leading  bool          // a write is committing a group
	patience time.Duration // how long a patient write waits for company
	groups   int           // committed or tried so far

	rmu  sync.Mutex
	runs map[string]int64 // run id → runs.id, of runs on disk
}

// startWriter sets up the schema, the target and the writer connection.
func (l *Ledger) startWriter(ctx context.Context, t Target) error {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open ledger: %w", err)
	}
	w := &writer{conn: conn, stmts: stmtCache{prepare: conn.PrepareContext}, runs: map[string]int64{}, patience: patience}
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

func (w *writer) close() error {
	w.stmts.close()
	if err := w.conn.Close(); err != nil {
		return fmt.Errorf("close ledger: %w", err)
	}
	return nil
}
