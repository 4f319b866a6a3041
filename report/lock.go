package report

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is wrapped by lockFile when another process holds the lock.
const ErrLocked = lockError("in use by another prolifi-import run")

type lockError string

func (e lockError) Error() string { return string(e) }

// lockFile takes an exclusive lock on f without waiting: flock(2) on Unix,
// LockFileEx on Windows. The kernel drops it when the holder dies, so a lock
// left by a killed process never blocks the next run. what names the file
// in the refusal, which names the holding process when the system tells it.
func lockFile(f *os.File, what string) error {
	err := tryLock(f)
	if err == nil {
		return nil
	}
	if !errors.Is(err, errWouldBlock) {
		return fmt.Errorf("lock %s: %w", what, err)
	}
	holder := "another process"
	if pid := lockHolder(f); pid > 0 {
		holder = fmt.Sprintf("process %d", pid)
	}
	return fmt.Errorf("%s is %w: held by %s; wait for it to finish or stop it", what, ErrLocked, holder)
}
