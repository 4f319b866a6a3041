package report

import (
	"bufio"
	"container/heap"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// sortChunk bounds the memory the sort holds: a million-row results file is
// sorted in runs of this size, each written to a temporary file, and then
// merged.
const sortChunk = 4 << 20

// lineOrder says how to sort a CSV file the run wrote: by the input line
// number in column key, fields separated by comma.
type lineOrder struct {
	key   int
	comma rune
}

// sortByLine rewrites the CSV file at path (a results or rejects file) in
// input line order, atomically, holding about chunk bytes of rows at a
// time. Rows with the same line keep their order.
func sortByLine(path string, o lineOrder, chunk int) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	r := o.reader(in)
	header, err := r.Read()
	if err != nil {
		return err
	}
	var runs []*os.File
	defer func() {
		for _, f := range runs {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	for {
		rows, err := o.readChunk(r, chunk)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		f, err := o.writeRun(path, rows)
		if err != nil {
			return err
		}
		runs = append(runs, f)
	}
	return replaceFile(path, func(out *os.File) error { return o.merge(out, header, runs) })
}

func (o lineOrder) reader(f io.Reader) *csv.Reader {
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = o.comma, -1, true
	return r
}

func (o lineOrder) writer(w io.Writer) *csv.Writer {
	cw := csv.NewWriter(w)
	cw.Comma = o.comma
	return cw
}

// lineOf reads the line number of rec; a row without one sorts first.
func (o lineOrder) lineOf(rec []string) int {
	if o.key >= len(rec) {
		return 0
	}
	n, _ := strconv.Atoi(rec[o.key])
	return n
}

// row is one results row and the line it is for.
type row struct {
	line int
	rec  []string
}

// readChunk reads rows until about limit bytes are held, sorted by line.
func (o lineOrder) readChunk(r *csv.Reader, limit int) ([]row, error) {
	var chunk []row
	size := 0
	for size < limit {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		chunk = append(chunk, row{line: o.lineOf(rec), rec: rec})
		for _, f := range rec {
			size += len(f) + 16
		}
	}
	slices.SortStableFunc(chunk, func(a, b row) int { return a.line - b.line })
	return chunk, nil
}

// writeRun writes a sorted chunk to a private temporary file beside path.
func (o lineOrder) writeRun(path string, chunk []row) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), ".sort-run-*.csv")
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(f, 64<<10)
	w := o.writer(bw)
	for _, r := range chunk {
		if err := w.Write(r.rec); err != nil {
			return f, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return f, err
	}
	if err := bw.Flush(); err != nil {
		return f, err
	}
	_, err = f.Seek(0, io.SeekStart)
	return f, err
}

// merge writes the header and then the rows of every sorted run, in line
// order, to out.
func (o lineOrder) merge(out *os.File, header []string, runs []*os.File) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	w := o.writer(bw)
	if err := w.Write(header); err != nil {
		return err
	}
	h := &runHeap{order: o}
	for i, f := range runs {
		if err := h.pushNext(o.reader(f), i); err != nil {
			return err
		}
	}
	for h.Len() > 0 {
		top := h.rows[0]
		if err := w.Write(top.rec); err != nil {
			return err
		}
		heap.Pop(h)
		if err := h.pushNext(top.src, top.run); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// runHeap holds the next row of each sorted run, the lowest line on top
// (the earlier run first when lines tie).
type runHeap struct {
	rows  []headRow
	order lineOrder
}

type headRow struct {
	row
	run int
	src *csv.Reader
}

func (h *runHeap) Len() int { return len(h.rows) }
func (h *runHeap) Less(i, j int) bool {
	a, b := h.rows[i], h.rows[j]
	if a.line != b.line {
		return a.line < b.line
	}
	return a.run < b.run
}
func (h *runHeap) Swap(i, j int) { h.rows[i], h.rows[j] = h.rows[j], h.rows[i] }
func (h *runHeap) Push(x any)    { h.rows = append(h.rows, x.(headRow)) }
func (h *runHeap) Pop() any {
	x := h.rows[len(h.rows)-1]
	h.rows = h.rows[:len(h.rows)-1]
	return x
}

// pushNext reads the next row of run i, if any, into the heap.
func (h *runHeap) pushNext(r *csv.Reader, i int) error {
	rec, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err != nil {
		return err
	}
	heap.Push(h, headRow{row: row{line: h.order.lineOf(rec), rec: rec}, run: i, src: r})
	return nil
}
