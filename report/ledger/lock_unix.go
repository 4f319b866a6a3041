//go:build unix

package ledger

import (
	"os"
	"syscall"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
const errWouldBlock = syscall.EWOULDBLOCK

// tryLock takes an exclusive flock(2) on f without waiting. On Linux and
// macOS an flock is apart from the fcntl locks SQLite takes.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}
