package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// RejectColumns are the columns the rejects file adds after the input's
// own. The importer ignores columns whose names start with "_error", so the
// file, once its rows are fixed, imports as it is.
const RejectColumns = "_error_line,_error_status,_error_message"

// Rejects writes the records that ended invalid, failed or duplicate, each
// exactly as it was read, followed by why. The file is created on the first
// reject; a run with none leaves no file.
type Rejects struct {
	path   string
	header string
	delim  string
	f      *os.File
	bw     *bufio.Writer
	count  int
}

// NewRejects prepares a rejects file at path for an input whose header line
// and delimiter are given. Any file already at path is replaced when the
// first reject is written, or removed by Close when there is none.
func NewRejects(path, header string, delim rune) *Rejects {
	return &Rejects{path: path, header: header, delim: string(delim)}
}

// Write adds r when it needs a person's attention.
func (w *Rejects) Write(r importer.Result) error {
	switch r.Status {
	case importer.StatusInvalid, importer.StatusFailed, importer.StatusDuplicate:
	default:
		return nil
	}
	if w.f == nil {
		f, err := os.Create(w.path)
		if err != nil {
			return fmt.Errorf("create rejects: %w", err)
		}
		w.f, w.bw = f, bufio.NewWriter(f)
		cols := strings.ReplaceAll(RejectColumns, ",", w.delim)
		if _, err := w.bw.WriteString(w.header + w.delim + cols + "\n"); err != nil {
			return err
		}
	}
	w.count++
	why := r.Message
	if len(r.FieldErrors) > 0 {
		why = client.JoinFieldErrors(r.FieldErrors)
	}
	var tail strings.Builder
	cw := csv.NewWriter(&tail)
	cw.Comma = []rune(w.delim)[0]
	_ = cw.Write([]string{strconv.Itoa(r.Line), string(r.Status), safe(why)})
	cw.Flush()
	_, err := w.bw.WriteString(r.Raw + w.delim + tail.String())
	return err
}

// Count is the number of rejected records written.
func (w *Rejects) Count() int { return w.count }

// Flush hands buffered rows to the operating system.
func (w *Rejects) Flush() error {
	if w.bw == nil {
		return nil
	}
	return w.bw.Flush()
}

// Close finishes the file, or removes a stale one when there were no rejects.
func (w *Rejects) Close() error {
	if w.f == nil {
		if err := os.Remove(w.path); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("remove stale rejects: %w", err)
		}
		return nil
	}
	return finish(w.bw.Flush(), w.f)
}
