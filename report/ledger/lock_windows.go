//go:build windows

package ledger

import (
	"os"

	"golang.org/x/sys/windows"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
const errWouldBlock = windows.ERROR_LOCK_VIOLATION

// lockOffsetHigh places the locked byte at 4 GiB, past the holder text:
// Windows locks are mandatory, and a lock on the text would keep a second
// process from reading who holds it.
const lockOffsetHigh = 1

// tryLock takes an exclusive lock on f without waiting; Windows drops it
// when the holder exits.
func tryLock(f *os.File) error {
	ol := &windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
}
