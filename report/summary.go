package report

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	Counts      map[string]int `json:"counts"`
	Rows        int            `json:"rows"`
	Skipped     int            `json:"skipped"`
	NotDone     int            `json:"not_attempted"`
	Requests    int64          `json:"requests"`
	Retries     int64          `json:"retries"`
	Throttled   int64          `json:"rate_limited"`
	Elapsed     float64        `json:"elapsed_seconds"`
	RowsPerSec  float64        `json:"rows_per_second"`
	ExitCode    int            `json:"exit_code"`
	Outcome     string         `json:"outcome"`
	Finished    time.Time      `json:"finished_at"`
}

// statusOrder is the order counts are printed in.
func statusOrder() []importer.Status {
	return []importer.Status{importer.StatusCreated, importer.StatusExists, importer.StatusValid,
		importer.StatusInvalid, importer.StatusDuplicate, importer.StatusFailed}
}

// NewSummary fills the counts and rates from a run's stats.
func NewSummary(st importer.Stats) Summary {
	s := Summary{Counts: map[string]int{}, Rows: st.Rows(), Skipped: st.Skipped, NotDone: st.NotAttempted,
		Requests: st.Requests, Retries: st.Retries, Throttled: st.Throttled, Elapsed: st.Elapsed.Seconds()}
	for _, k := range statusOrder() {
		s.Counts[string(k)] = st.ByStatus[k]
	}
	if st.Elapsed > 0 {
		s.RowsPerSec = float64(s.Rows) / st.Elapsed.Seconds()
	}
	return s
}

// Print writes the summary for a person.
func (s Summary) Print(w io.Writer) {
	var parts []string
	for _, k := range statusOrder() {
		if n := s.Counts[string(k)]; n > 0 || k == importer.StatusCreated && !s.DryRun || k == importer.StatusValid && s.DryRun {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	fmt.Fprintf(w, "\n%s: %d rows in %s (%.1f rows/s) against %s\n", s.Outcome, s.Rows, time.Duration(s.Elapsed*float64(time.Second)).Round(time.Millisecond), s.RowsPerSec, s.Target)
	fmt.Fprintf(w, "  %s\n", strings.Join(parts, " · "))
	if s.Skipped > 0 {
		fmt.Fprintf(w, "  skipped %d lines already done\n", s.Skipped)
	}
	if s.NotDone > 0 {
		fmt.Fprintf(w, "  %d rows not attempted: run again with --resume to do them\n", s.NotDone)
	}
	fmt.Fprintf(w, "  requests %d · retries %d · rate limited (429) %d\n", s.Requests, s.Retries, s.Throttled)
	fmt.Fprintf(w, "  results: %s\n", s.Results)
	if s.Rejects != "" {
		fmt.Fprintf(w, "  rejects: %s (fix these rows and import that file)\n", s.Rejects)
	}
}

// WriteJSON writes the summary to path, atomically, so that a monitor never
// reads half a file.
func (s Summary) WriteJSON(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".summary-*.json")
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write summary: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write summary: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
