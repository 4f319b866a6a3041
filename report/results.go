package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// ResultsHeader is the first line of every results file.
const ResultsHeader = "line,status,customer_id,external_id,email,http_status,error_type,error_message,field_errors,attempts"

// Results writes the results file. Rows are appended as they finish, pushed
// to the operating system on every Flush and to the disk at least once a
// second, so that a crash loses at most the rows in flight and a power cut
// at most the last second.
type Results struct {
	f        *os.File
	bw       *bufio.Writer
	cw       *csv.Writer
	now      func() time.Time
	lastSync time.Time
	rec      []string
}

// OpenResults opens path for writing results. With appendTo the rows are
// added after those already there (a resume), else the file starts anew. A
// last line torn by a killed process is cut off first.
func OpenResults(path string, appendTo bool, now func() time.Time) (*Results, error) {
	flags := os.O_RDWR | os.O_CREATE
	if !appendTo {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	end, err := cutTornLine(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open results: %w", err)
	}
	if _, err := f.Seek(end, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("open results: %w", err)
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	r := &Results{f: f, bw: bw, cw: csv.NewWriter(bw), now: now, lastSync: now(), rec: make([]string, 10)}
	if end == 0 {
		if _, err := bw.WriteString(ResultsHeader + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write results header: %w", err)
		}
	}
	return r, nil
}

// cutTornLine truncates f after its last newline and returns the new size.
func cutTornLine(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return 0, err
	}
	size := st.Size()
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(end-int64(len(buf)), 0)
		n, err := f.ReadAt(buf[:end-start], start)
		if err != nil && err != io.EOF {
			return 0, err
		}
		for i := n - 1; i >= 0; i-- {
			if buf[i] == '\n' {
				keep := start + int64(i) + 1
				if keep != size {
					return keep, f.Truncate(keep)
				}
				return keep, nil
			}
		}
		end = start
	}
	return 0, f.Truncate(0)
}

// Write adds one result.
func (w *Results) Write(r importer.Result) error {
	rec := w.rec
	rec[0] = strconv.Itoa(r.Line)
	rec[1] = string(r.Status)
	rec[2] = r.CustomerID
	rec[3] = safe(r.ExternalID)
	rec[4] = safe(r.Email)
	rec[5] = ""
	if r.HTTPStatus != 0 {
		rec[5] = strconv.Itoa(r.HTTPStatus)
	}
	rec[6] = r.ErrorType
	rec[7] = safe(r.Message)
	rec[8] = safe(client.JoinFieldErrors(r.FieldErrors))
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

// Close flushes, syncs and closes the file.
func (w *Results) Close() error {
	w.cw.Flush()
	return finish(w.cw.Error(), w.f)
}

// finish syncs and closes f after a final flush whose error was flushErr,
// and returns the first error of the three.
func finish(flushErr error, f *os.File) error {
	err := flushErr
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// safe makes text from the input fit to write in a UTF-8 file: bytes that
// are not UTF-8 are shown as \xNN instead of being passed on.
func safe(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return escapeInvalid(s)
		}
	}
	return s
}
