package ledger

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// lock keeps a second writer out of a ledger. It is an flock(2) (LockFileEx
// on Windows) on PATH.lock rather than on the database: SQLite's own locks
// must stay SQLite's, and the kernel drops ours when the holder dies, so a
// lock left by a killed process never blocks. The file stays after release:
// removing it would let two processes lock two different files of one name.
type lock struct {
	f *os.File
}

// acquireLock takes the lock for the ledger at path, or fails at once with
// an *InUseError naming the holder. me is written into the lock file.
func acquireLock(path string, me Holder) (*lock, error) {
	lp := path + ".lock"
	if err := refuseSymlink(lp); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open ledger lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errWouldBlock) {
			h, _ := readHolder(lp)
			return nil, &InUseError{Path: path, Holder: h, now: me.Since, host: me.Host}
		}
		return nil, fmt.Errorf("lock %s: %w", lp, err)
	}
	if err := claim(f, lp, me); err != nil {
		f.Close()
		return nil, err
	}
	return &lock{f: f}, nil
}

// claim writes me into the lock file, after checking that what it held was
// a lock of this tool (or nothing).
func claim(f *os.File, lp string, me Holder) error {
	old, err := io.ReadAll(io.NewSectionReader(f, 0, holderMax))
	if err != nil {
		return fmt.Errorf("read ledger lock: %w", err)
	}
	if len(old) > 0 {
		var h Holder
		if json.Unmarshal(old, &h) != nil || h.Tool != lockTool {
			return fmt.Errorf("%w: %s holds something else; move it away", ErrNotLedger, lp)
		}
	}
	me.Tool = lockTool
	b, err := json.Marshal(me)
	if err != nil {
		return fmt.Errorf("encode ledger lock: %w", err)
	}
	// Write, then cut: a reader never sees an empty file mid-way.
	if _, err := f.WriteAt(b, 0); err != nil {
		return fmt.Errorf("write ledger lock: %w", err)
	}
	if err := f.Truncate(int64(len(b))); err != nil {
		return fmt.Errorf("write ledger lock: %w", err)
	}
	return nil
}

// holderMax bounds what is read of a lock file.
const holderMax = 4096

// readHolder reads who holds the lock at lp.
func readHolder(lp string) (Holder, error) {
	f, err := os.Open(lp)
	if err != nil {
		return Holder{}, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, holderMax))
	if err != nil {
		return Holder{}, err
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil || h.Tool != lockTool {
		return Holder{}, errors.New("no holder")
	}
	return h, nil
}

// release empties the lock file and drops the lock.
func (l *lock) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}
