package ledger

import "time"

// timeLayout is how the times of targets and runs are stored: UTC, fixed
// width, so that text order is time order.
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

// millis is how entries and outcomes store a time: an integer takes a few
// bytes of a row where text takes twenty-four.
func millis(t time.Time) int64 { return t.UnixMilli() }

// fromMillis reads a time stored by millis, in UTC.
func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
