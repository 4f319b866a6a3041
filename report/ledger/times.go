package ledger

import "time"

// timeLayout is how times are stored: UTC, fixed width, so that text order
// is time order.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads a stored time; text a person put there that is not one
// reads as the zero time rather than failing a whole view.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
