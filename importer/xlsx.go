package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"
)

// openWorkbook reads an .xlsx workbook: the sheet the config names, or the
// first. A zip archive cannot be read front to back, so excelize holds the
// compressed workbook in memory; the sheet's rows are then streamed.
func openWorkbook(r io.Reader, cfg ReaderConfig) (input, error) {
	book, err := excelize.OpenReader(r)
	if err != nil {
		return input{}, fmt.Errorf("read the input as an .xlsx workbook (it is a zip archive; save an .ods, .numbers or damaged workbook again as .xlsx or CSV): %w", err)
	}
	sheets := book.GetSheetList()
	sheet, note, err := chooseSheet(sheets, cfg.Sheet)
	if err == nil {
		var rows *excelize.Rows
		if rows, err = book.Rows(sheet); err == nil {
			in := input{src: &xlsxSource{rows: rows, maxBytes: cfg.MaxRecordBytes}, delim: ',',
				close: func() error { return errors.Join(rows.Close(), book.Close()) }}
			if note != "" {
				in.warnings = []string{note}
			}
			in.otherSheets = slices.DeleteFunc(slices.Clone(sheets), func(s string) bool { return s == sheet })
			return in, nil
		}
		err = fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	_ = book.Close() // the error above is the one to report
	return input{}, err
}

// chooseSheet picks the sheet to read, and says so when there was a choice.
func chooseSheet(sheets []string, want string) (string, string, error) {
	switch {
	case len(sheets) == 0:
		return "", "", errors.New("the workbook has no sheets")
	case want != "" && !slices.Contains(sheets, want):
		return "", "", fmt.Errorf("the workbook has no sheet %q: its sheets are %s", want, quoteList(sheets))
	case want != "":
		return want, "", nil
	case len(sheets) > 1:
		return sheets[0], fmt.Sprintf("The workbook has %d sheets; the first, %q, was read (choose another with --sheet).", len(sheets), sheets[0]), nil
	}
	return sheets[0], "", nil
}

// xlsxSource yields the rows of one sheet as records, with the cells as
// Excel shows them (numbers and dates formatted).
type xlsxSource struct {
	rows     *excelize.Rows
	row      int // the sheet row of the last record
	width    int // cells in the header row
	maxBytes int
}

func (s *xlsxSource) next() (record, error) {
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns()
		if err != nil {
			return record{}, fmt.Errorf("read sheet row %d: %w", s.row, err)
		}
		if len(cells) == 0 {
			continue // a row with no cells, like an empty line
		}
		return s.shape(cells), nil
	}
	if err := s.rows.Error(); err != nil {
		return record{}, fmt.Errorf("read sheet: %w", err)
	}
	return record{}, io.EOF
}

// shape fits a row to the header: a sheet leaves out empty cells at a
// row's end, and may hold values past the header's last column.
func (s *xlsxSource) shape(cells []string) record {
	if s.width == 0 {
		s.width = len(cells)
	}
	size := 0
	for i, c := range cells {
		size += len(c) + 1
		if i >= s.width && c != "" {
			return record{line: s.row, raw: rowText(cells), why: fmt.Sprintf(
				"row %d has a value in column %s, past the header's %d columns", s.row, columnName(i), s.width)}
		}
	}
	if size > s.maxBytes {
		return record{line: s.row, raw: quoteStart(rowText(cells)), why: fmt.Sprintf(
			"row %d is longer than %d bytes", s.row, s.maxBytes)}
	}
	for len(cells) < s.width {
		cells = append(cells, "")
	}
	return record{line: s.row, fields: cells[:s.width]}
}

// rowText renders cells as one CSV line, to quote a row that cannot be read.
func rowText(cells []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write(cells) // a strings.Builder does not fail
	w.Flush()
	return trimEOL(b.String())
}

// columnName is the spreadsheet name of the column at index i ("A", "AB").
func columnName(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return fmt.Sprint(i + 1)
	}
	return name
}
