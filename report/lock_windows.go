//go:build windows

package report

import (
	"os"

	"golang.org/x/sys/windows"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
const errWouldBlock = windows.ERROR_LOCK_VIOLATION

// oNoFollow: Windows has no O_NOFOLLOW; CheckOutputs refuses links first.
const oNoFollow = 0

// tryLock takes an exclusive lock on f without waiting; Windows drops it
// when the holder exits.
func tryLock(f *os.File) error {
	ol := new(windows.Overlapped)
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
}

// lockHolder cannot tell the holder on Windows.
func lockHolder(*os.File) int { return 0 }
