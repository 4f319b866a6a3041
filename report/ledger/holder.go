package ledger

import (
	"fmt"
	"time"
)

// Holder is the process that holds a ledger, as it wrote itself into the
// lock file.
type Holder struct {
	Tool  string    `json:"tool"` // lockTool, so that a foreign file is recognised
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Input string    `json:"input"` // what it is importing
	Since time.Time `json:"since"`
}

// lockTool marks a lock file as this tool's.
const lockTool = "prolifi-import ledger"

// InUseError is returned by Open when another process holds the ledger. It
// wraps ErrInUse.
type InUseError struct {
	Path   string
	Holder Holder // zero when the holder could not be read
	now    time.Time
	host   string // this process's host: another one is named
}

func (e *InUseError) Unwrap() error { return ErrInUse }

func (e *InUseError) Error() string {
	h := e.Holder
	if h.PID == 0 {
		return fmt.Sprintf("ledger %s is in use by another process", e.Path)
	}
	on := ""
	if h.Host != "" && h.Host != e.host {
		on = " on " + h.Host
	}
	what := ""
	if h.Input != "" {
		what = "importing " + h.Input + " "
	}
	return fmt.Sprintf("ledger %s is in use by process %d%s (%ssince %s)", e.Path, h.PID, on, what, sinceText(h.Since, e.now))
}

// sinceText gives the time of day when since is within the last day, and the
// date too otherwise.
func sinceText(since, now time.Time) string {
	since = since.In(now.Location())
	if since.IsZero() {
		return "an unknown time"
	}
	if now.Sub(since) < 24*time.Hour && now.Sub(since) > -time.Hour {
		return since.Format("15:04:05")
	}
	return since.Format("2006-01-02 15:04:05")
}
