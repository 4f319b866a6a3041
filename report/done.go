package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/prolifi/prolifi-import/importer"
)

// Done is the set of input lines a results file says are finished (created
// or exists), as a bitmap: one bit per line, 125 KB for a million lines.
type Done struct {
	bits []uint64
	n    int
}

// Has reports whether line is done.
func (d *Done) Has(line int) bool {
	if d == nil || line < 0 || line/64 >= len(d.bits) {
		return false
	}
	return d.bits[line/64]&(1<<(line%64)) != 0
}

// Len is the number of done lines.
func (d *Done) Len() int { return d.n }

func (d *Done) set(line int, on bool) {
	for line/64 >= len(d.bits) {
		d.bits = append(d.bits, 0)
	}
	was := d.bits[line/64]&(1<<(line%64)) != 0
	switch {
	case on && !was:
		d.bits[line/64] |= 1 << (line % 64)
		d.n++
	case !on && was:
		d.bits[line/64] &^= 1 << (line % 64)
		d.n--
	}
}

// ReadDone reads a results file. A line that appears more than once counts
// by its last row; a torn last row, left by a killed process, is ignored.
// A missing file is an empty set.
func ReadDone(path string) (*Done, error) {
	d := &Done{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err == io.EOF {
		return d, nil
	}
	if err != nil || len(head) < 2 || head[0] != "line" || head[1] != "status" {
		return nil, fmt.Errorf("read results %s: not a prolifi-import results file", path)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return d, nil
		}
		if err != nil || len(rec) < 2 {
			// Only the last row can be torn; anything after it is gone too.
			return d, nil
		}
		line, perr := strconv.Atoi(rec[0])
		if perr != nil || line < 2 {
			continue
		}
		d.set(line, importer.Status(rec[1]).Done())
	}
}
