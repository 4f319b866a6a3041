//go:build !unix

package ledger

import "time"

// cpuTime is not measured here.
func cpuTime() time.Duration { return 0 }
