package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// ResultsHeader is the first line of every results file.
const ResultsHeader = "line,status,customer_id,external_id,email,http_status,error_type,error_message,field_errors,attempts"

// Results writes the results file. While the run goes on, rows are appended
// as they finish, pushed to the operating system on every Flush and to the
// disk at least once a second. Close rewrites the file in input line order,
// so that it lies next to the input row by row.
type Results struct {
	out      *partial
	f        *os.File
	bw       *bufio.Writer
	cw       *csv.Writer
	now      func() time.Time
	lastSync time.Time
	rec      []string
	lastLine int
	ordered  bool // every row so far came after the one before
}

// OpenResults starts the results file at path (see partial): rows go to
// PATH.partial, locked against a second run, until Close puts them in
// place.
func OpenResults(path string, now func() time.Time) (*Results, error) {
	out, err := openPartial(path, "results file")
	if err != nil {
		return nil, err
	}
	f := out.f
	bw := bufio.NewWriterSize(f, 64<<10)
	w := &Results{out: out, f: f, bw: bw, cw: csv.NewWriter(bw), now: now, lastSync: now(), rec: make([]string, 10), ordered: true}
	if _, err := bw.WriteString(ResultsHeader + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("write results header: %w", err)
	}
	return w, nil
}

// Write adds one result.
func (w *Results) Write(r importer.Result) error {
	if r.Line < w.lastLine {
		w.ordered = false
	}
	w.lastLine = r.Line
	rec := w.rec
	rec[0] = strconv.Itoa(r.Line)
	rec[1] = string(r.Status)
	rec[2] = cell(r.CustomerID)
	rec[3] = cell(r.ExternalID)
	rec[4] = cell(r.Email)
	rec[5] = ""
	if r.HTTPStatus != 0 {
		rec[5] = strconv.Itoa(r.HTTPStatus)
	}
	rec[6] = cell(r.ErrorType)
	rec[7] = cell(r.Message)
	rec[8] = cell(client.JoinFieldErrors(r.FieldErrors))
	rec[9] = strconv.Itoa(r.Attempts)
	return w.cw.Write(rec)
}

// Flush hands buffered rows to the operating system, and syncs them to disk
// when the last sync is a second old.
func (w *Results) Flush() error {
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	if now := w.now(); now.Sub(w.lastSync) >= time.Second {
		w.lastSync = now
		return w.f.Sync()
	}
	return nil
}

// Close finishes the file: rows in input line order, synced, at the final
// path, and the lock released.
func (w *Results) Close() error {
	w.cw.Flush()
	if err := w.out.commit(w.cw.Error(), lineOrder{key: 0, comma: ','}, w.ordered); err != nil {
		return fmt.Errorf("put the results in place: %w", err)
	}
	return nil
}
