//go:build unix

package report

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// errWouldBlock is what tryLock returns when another process holds the lock.
const errWouldBlock = syscall.EWOULDBLOCK

// oNoFollow makes open fail on a symbolic link.
const oNoFollow = syscall.O_NOFOLLOW

// tryLock takes an exclusive flock(2) on f without waiting.
func tryLock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// lockHolder finds the process holding an flock on f's file in
// /proc/locks (Linux); 0 when it cannot tell.
func lockHolder(f *os.File) int {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer locks.Close()
	// A line reads: "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF".
	dev := uint64(st.Dev)
	want := fmt.Sprintf("%02x:%02x:%d", (dev>>8)&0xfff|(dev>>32)&^0xfff, dev&0xff|(dev>>12)&^0xff, st.Ino)
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 6 && f[1] == "FLOCK" && f[5] == want {
			if pid, err := strconv.Atoi(f[4]); err == nil && pid != os.Getpid() {
				return pid
			}
		}
	}
	return 0
}
