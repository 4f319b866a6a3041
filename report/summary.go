package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prolifi/prolifi-import/importer"
)

// Summary is the end-of-run account, printed for people and written as JSON
// for monitoring.
type Summary struct {
	RunID       string         `json:"run_id"`
	Input       string         `json:"input"`
	Fingerprint string         `json:"input_fingerprint,omitempty"`
	Target      string         `json:"target"`
	DryRun      bool           `json:"dry_run"`
	Results     string         `json:"results_file"`
	Rejects     string         `json:"rejects_file,omitempty"`
	Ledger      string         `json:"ledger_file,omitempty"`
	Counts      map[string]int `json:"counts"`
	Causes      []Cause        `json:"causes"`
	Rows        int            `json:"rows"`
	Blank       int            `json:"blank_records"`
	NotDone     int            `json:"not_attempted"`
	Limited     bool           `json:"limited"`
	Left        int            `json:"records_left,omitempty"` // with Limited: records after the limit, when known
	Requests    int64          `json:"requests"`
	Creates     int64          `json:"creates"`
	Lookups     int64          `json:"lookups"`
	Retries     int64          `json:"retries"`
	Throttled   int64          `json:"rate_limited"`
	Elapsed     float64        `json:"elapsed_seconds"`
	RowsPerSec  float64        `json:"rows_per_second"`
	ExitCode    int            `json:"exit_code"`
	Outcome     string         `json:"outcome"`
	Next        string         `json:"next_step,omitempty"`
	Finished    time.Time      `json:"finished_at"`
}

// NewSummary fills the counts and rates from a run's stats.
func NewSummary(st importer.Stats) Summary {
	s := Summary{Counts: map[string]int{}, Causes: []Cause{}, Rows: st.Rows(), NotDone: st.NotAttempted, Requests: st.Requests,
		Creates: st.Creates, Lookups: st.Lookups, Retries: st.Retries, Throttled: st.Throttled, Elapsed: st.Elapsed.Seconds()}
	for _, k := range importer.Statuses() {
		s.Counts[string(k)] = st.ByStatus[k]
	}
	if st.Elapsed > 0 {
		s.RowsPerSec = float64(s.Rows) / st.Elapsed.Seconds()
	}
	return s
}

// Print writes the summary for a person.
func (s Summary) Print(w io.Writer) {
	elapsed := time.Duration(s.Elapsed * float64(time.Second)).Round(time.Millisecond)
	rows := "rows"
	if s.Rows == 1 {
		rows = "row"
	}
	fmt.Fprintf(w, "\n%s: %d %s in %s (%.1f rows/s) against %s\n", s.Outcome, s.Rows, rows, elapsed, s.RowsPerSec, s.Target)
	switch {
	case s.Rows == 0 && s.NotDone == 0 && s.Blank == 0:
		fmt.Fprintln(w, "  no records: the input has a header and nothing else")
	case s.Rows == 0 && s.NotDone == 0:
		fmt.Fprintln(w, "  no records: every record after the header is empty")
	default:
		fmt.Fprintf(w, "  %s\n", s.countsLine())
	}
	for _, line := range s.causeLines() {
		fmt.Fprintf(w, "  %s\n", line)
	}
	if s.Blank > 0 {
		fmt.Fprintf(w, "  skipped %d empty records\n", s.Blank)
	}
	if !s.DryRun {
		fmt.Fprintf(w, "  requests %d (creates %d, look-ups %d) · retries %d · rate limited (429) %d\n", s.Requests, s.Creates, s.Lookups, s.Retries, s.Throttled)
	}
	fmt.Fprintf(w, "  results: %s\n", s.Results)
	if s.Rejects != "" {
		fmt.Fprintf(w, "  rejects: %s (the rows not imported, each with why)\n", s.Rejects)
	}
	if s.Next != "" {
		fmt.Fprintf(w, "  next: %s\n", s.Next)
	}
}

// countsLine is "created 10 · exists 2 · …", leaving out zeros. A dry run
// says what a real run would do.
func (s Summary) countsLine() string {
	if s.DryRun {
		return s.dryRunLine()
	}
	var parts []string
	for _, k := range importer.Statuses() {
		n := s.Counts[string(k)]
		if n > 0 || k == importer.StatusCreated && !s.DryRun || k == importer.StatusValid && s.DryRun {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, " · ")
}

// dryRunLine is "would create 3 · already imported 5 · …".
func (s Summary) dryRunLine() string {
	parts := []string{fmt.Sprintf("would create %d", s.Counts[string(importer.StatusValid)])}
	unknown := 0
	for _, c := range s.Causes {
		if c.Status == string(importer.StatusFailed) && c.Cause == CauseUnknown {
			unknown += c.Count
		}
	}
	for _, p := range []struct {
		label string
		n     int
	}{
		{"already imported", s.Counts[string(importer.StatusExists)]},
		{"outcome unknown (not sent again)", unknown},
		{"invalid", s.Counts[string(importer.StatusInvalid)]},
		{"duplicate", s.Counts[string(importer.StatusDuplicate)]},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.label, p.n))
		}
	}
	return strings.Join(parts, " · ")
}

// causeLines are the rows to fix, one line per status, grouped by cause:
// "invalid 3: email must be a valid email address ×2 (lines 4, 9) · …".
func (s Summary) causeLines() []string {
	var out []string
	for _, st := range importer.Statuses() {
		var parts []string
		for _, c := range s.Causes {
			if c.Status == string(st) {
				parts = append(parts, fmt.Sprintf("%s ×%d (%s)", c.Cause, c.Count, linesText(c)))
			}
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("%s %d: %s", st, s.Counts[string(st)], strings.Join(parts, " · ")))
		}
	}
	return out
}

func linesText(c Cause) string {
	nums := make([]string, len(c.Lines))
	for i, l := range c.Lines {
		nums[i] = strconv.Itoa(l)
	}
	text := "line"
	if c.Count > 1 {
		text = "lines"
	}
	text += " " + strings.Join(nums, ", ")
	if c.Count > len(c.Lines) {
		text += " …"
	}
	return text
}

// WriteJSON writes the summary to path, atomically and readable by its
// owner only, so that a monitor never reads half a file.
func (s Summary) WriteJSON(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	err = replaceFile(path, func(f *os.File) error {
		_, err := f.Write(append(b, '\n'))
		return err
	})
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
