package report

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Lock keeps two runs from writing one results file. It is an flock(2) on
// PATH.lock: the kernel drops it when the holder dies, so a lock left by a
// killed process never blocks the next run. The holder's pid is written in
// the file so the refusal can name it.
type Lock struct {
	f    *os.File
	path string
}

// ErrLocked is wrapped by AcquireLock when another process holds the lock.
const ErrLocked = lockError("results file is in use")

type lockError string

func (e lockError) Error() string { return string(e) }

// AcquireLock takes the lock for resultsPath, or fails at once.
func AcquireLock(resultsPath string) (*Lock, error) {
	path := resultsPath + ".lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			pid := strings.TrimSpace(string(holder))
			if pid == "" {
				pid = "unknown"
			}
			return nil, fmt.Errorf("%w: %s is locked by process %s (another prolifi-import run); wait for it or stop it", ErrLocked, resultsPath, pid)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Release drops the lock and removes its file.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	_ = os.Remove(l.path)
	return l.f.Close()
}
