package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/prolifi/prolifi-import/report/ledger"
)

// LedgerColumns are the columns WriteLedgerCSV writes.
const LedgerColumns = "base_url,key_fingerprint,identity,state,customer_id,external_id,email,input,line,run,at,message"

// WriteLedgerCSV writes the entries of the ledger at path whose state is
// one of states (all when none) as CSV, one row per customer identity,
// cells guarded for spreadsheets. An empty baseURL lists every target.
// byHand keeps only the entries a rerun cannot settle by itself: those
// without an external_id (with one, a rerun's 409 finds the customer).
func WriteLedgerCSV(ctx context.Context, w io.Writer, path, baseURL string, states []ledger.State, byHand bool) error {
	l, err := ledger.OpenReadOnly(ctx, path, baseURL, "")
	if err != nil {
		return err
	}
	defer l.Close()
	cw := csv.NewWriter(w)
	if err := cw.Write(strings.Split(LedgerColumns, ",")); err != nil {
		return err
	}
	err = l.Entries(ctx, states, func(e ledger.Entry) error {
		if byHand && e.ExternalID != "" {
			return nil
		}
		return cw.Write([]string{e.Target.BaseURL, e.Target.KeyFingerprint, cell(e.Identity), string(e.State), cell(e.CustomerID),
			cell(e.ExternalID), cell(e.Email), cell(e.Input), strconv.Itoa(e.Line), e.Run, e.At.UTC().Format(time.RFC3339), cell(e.Message)})
	})
	cw.Flush()
	if err != nil {
		return err
	}
	return cw.Error()
}

// PrintLedger writes, for a person, what the ledger at path holds: per
// target, the count of customers in each state, and the last runs. An
// empty baseURL shows every target.
func PrintLedger(ctx context.Context, w io.Writer, path, baseURL string, runs int) error {
	l, err := ledger.OpenReadOnly(ctx, path, baseURL, "")
	if err != nil {
		return err
	}
	defer l.Close()
	targets, err := l.Targets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "ledger %s\n", path)
	for _, t := range targets {
		var parts []string
		for _, s := range ledger.States() {
			if n := t.Counts[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", s, n))
			}
		}
		if len(parts) == 0 {
			// A run that stopped before any answer (a host that does not
			// resolve, a refused key) still names its target.
			parts = []string{"no customers recorded"}
		}
		fmt.Fprintf(w, "\n%s (key %s)\n  %s\n", t.Target.BaseURL, t.Target.KeyFingerprint, strings.Join(parts, " · "))
	}
	list, err := l.Runs(ctx, runs)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		fmt.Fprintf(w, "\nlast runs:\n")
	}
	for _, r := range list {
		outcome := r.Outcome
		if r.Finished.IsZero() && outcome == "" {
			outcome = "running, or killed"
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s  %s\n", r.Started.Local().Format("2006-01-02 15:04"), r.ID[:min(8, len(r.ID))], r.Input, outcome, countsText(r.Counts))
	}
	return nil
}

func countsText(c map[string]int) string {
	var parts []string
	for _, k := range []string{"created", "exists", "invalid", "duplicate", "failed"} {
		if n := c[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, " · ")
}
