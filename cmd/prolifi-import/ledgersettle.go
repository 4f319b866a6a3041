package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/prolifi/prolifi-import/report"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// settleLedger is `ledger found` and `ledger missing`: a person's answers
// about rows whose outcome is unknown, from the arguments (EMAIL or
// EMAIL=CUSTOMER_ID) or a CSV file with an email column (and, for found, a
// customer_id column), such as the output of `ledger unknown`.
func settleLedger(ctx context.Context, verb, path, base, file string, args []string, stdout io.Writer) error {
	var items []report.Settlement
	for _, a := range args {
		it, err := report.ParseSettlement(a)
		if err != nil {
			return usageErr("ledger %s: %v", verb, err)
		}
		items = append(items, it)
	}
	if file != "" {
		more, err := readSettlements(file)
		if err != nil {
			return usageErr("ledger %s: %v", verb, err)
		}
		items = append(items, more...)
	}
	if len(items) == 0 {
		return usageErr("ledger %s: name the rows by email (EMAIL, or EMAIL=CUSTOMER_ID), or give --file", verb)
	}
	res, err := report.Settle(ctx, path, base, verb == "found", items)
	if err != nil {
		return err
	}
	next := "the next runs count them as imported"
	if verb == "missing" {
		next = "the next run sends them"
	}
	fmt.Fprintf(stdout, "%d rows settled as %s: %s\n", res.Changed, verb, next)
	if len(res.NotUnknown) > 0 {
		return &exitError{code: exitRows, err: fmt.Errorf("ledger %s: the ledger holds no unknown outcome for %s; left as they were",
			verb, strings.Join(res.NotUnknown, ", "))}
	}
	return nil
}

// readSettlements reads the email and customer_id columns of a CSV file.
func readSettlements(path string) ([]report.Settlement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	email, id, base, key := -1, -1, -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "email":
			email = i
		case "customer_id":
			id = i
		case "base_url":
			base = i
		case "key_fingerprint":
			key = i
		}
	}
	if email < 0 {
		return nil, fmt.Errorf("%s has no email column", path)
	}
	var out []report.Settlement
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		it := report.Settlement{Email: unguarded(cellAt(rec, email)), CustomerID: cellAt(rec, id),
			Target: ledger.Target{BaseURL: cellAt(rec, base), KeyFingerprint: cellAt(rec, key)}}
		if it.Email != "" {
			out = append(out, it)
		}
	}
}

func cellAt(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// unguarded drops the quote that ledger unknown (like every CSV the tool
// writes) puts before an email a spreadsheet would take for a formula
// ('+tag@example.com), so that its output can be given back as it is.
func unguarded(email string) string {
	if len(email) >= 2 && email[0] == '\'' && strings.IndexByte("=+-@", email[1]) >= 0 {
		return email[1:]
	}
	return email
}
