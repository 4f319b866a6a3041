package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
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
// with the input's columns, then why, in input line order once closed. The file is created on the first
// reject; a run with none leaves no rejects file (and removes the one an
// earlier run left there).
type Rejects struct {
	path    string
	header  []string
	keep    []int // the input's columns written: all but its own _error columns
	delim   rune
	lastRow int
	ordered bool
	f       *os.File
	bw      *bufio.Writer
	cw      *csv.Writer
	rec     []string
	count   int
}

// NewRejects prepares a rejects file at path for an input with header and
// delimiter.
func NewRejects(path string, header []string, delim rune) *Rejects {
	w := &Rejects{path: path, delim: delim, ordered: true}
	// A rejects file imported again has _error columns of its own: they
	// are replaced by this run's, not repeated.
	for i, h := range header {
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))), "_error") {
			w.keep = append(w.keep, i)
			w.header = append(w.header, h)
		}
	}
	w.rec = make([]string, len(w.header)+3)
	w.bw = bufio.NewWriter(nil)
	w.cw = csv.NewWriter(w.bw)
	w.cw.Comma = delim
	return w
}

// Write adds r when it needs a person's attention.
func (w *Rejects) Write(r importer.Result) error {
	if !r.Status.ToFix() {
		return nil
	}
	if w.f == nil {
		if err := w.create(); err != nil {
			return err
		}
	}
	w.count++
	if r.Line < w.lastRow {
		w.ordered = false
	}
	w.lastRow = r.Line
	n := len(w.header)
	why := r.Message
	if len(r.FieldErrors) > 0 {
		why = client.JoinFieldErrors(r.FieldErrors)
	}
	clear(w.rec)
	if r.Fields == nil {
		// A record that could not be read: its cells stay empty, so that
		// the row cannot import half-read, and its text goes with why.
		if r.Raw != "" {
			why += "; the record as read: " + r.Raw
		}
	} else {
		for i, col := range w.keep {
			if col < len(r.Fields) {
				w.rec[i] = guard(r.Fields[col])
			}
		}
	}
	w.rec[n], w.rec[n+1], w.rec[n+2] = strconv.Itoa(r.Line), string(r.Status), guard(escapeInvalid(why))
	return w.cw.Write(w.rec)
}

// create opens the file, replacing one an earlier run wrote (CheckOutputs
// has made sure it is one), and writes the header.
func (w *Rejects) create() error {
	f, err := openPrivate(w.path)
	if err == nil {
		err = f.Truncate(0)
	}
	if err != nil {
		return fmt.Errorf("create rejects: %w", err)
	}
	w.f = f
	w.bw.Reset(f)
	// A byte-order mark, so that Excel on Windows opens the file as UTF-8
	// rather than as its own code page: the rejects file is the one people
	// edit there and import again (the reader drops the mark).
	if _, err := w.bw.WriteString("\ufeff"); err != nil {
		return err
	}
	head := append(append([]string(nil), w.header...), strings.Split(RejectColumns, ",")...)
	return w.cw.Write(head)
}

// Count is the number of rejected records written.
func (w *Rejects) Count() int { return w.count }

// Flush hands buffered rows to the operating system.
func (w *Rejects) Flush() error {
	if w.f == nil {
		return nil
	}
	w.cw.Flush()
	return w.cw.Error()
}

// Close finishes the file, or removes the one an earlier run left when
// this run has no rejects.
func (w *Rejects) Close() error {
	if w.f == nil {
		if err := os.Remove(w.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove the earlier rejects file: %w", err)
		}
		return nil
	}
	w.cw.Flush()
	if err := finish(w.cw.Error(), w.f); err != nil || w.ordered {
		return err
	}
	if err := sortByLine(w.path, lineOrder{key: len(w.header), comma: w.delim}, sortChunk); err != nil {
		return fmt.Errorf("put rejects in line order: %w", err)
	}
	return nil
}
