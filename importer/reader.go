package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// ReaderConfig sets how the input is read.
type ReaderConfig struct {
	Delimiter rune // 0: detect from the header line (text input only)
	// Encoding of text input: "" or "auto" detects (a byte-order mark, else
	// Windows-1252 when the start of the input is not UTF-8 but reads as
	// it); a name forces one: one of Encodings.
	Encoding string
	// Sheet names the sheet of an .xlsx workbook to read; "" reads the
	// first. Naming one for another kind of input is an error.
	Sheet string
	// MaxRecordBytes refuses longer records without holding them whole
	// (default 1 MiB).
	MaxRecordBytes int
	// LazyQuotes accepts a quote inside an unquoted field as a character,
	// where RFC 4180 (and the default) calls the record malformed.
	LazyQuotes bool
	Map        MapOptions
	// ValueMaps replaces values of a field by lookup: field → from → to
	// (see LoadValueMap). A non-empty value missing from its field's table
	// makes the row invalid.
	ValueMaps map[string]map[string]string
}

// Reader streams mapped rows out of a CSV file, a gzip-compressed one, or
// a sheet of an .xlsx workbook. For text, memory stays flat: it holds one
// record, the parser's buffer and the bytes of the record being read.
type Reader struct {
	src      source
	close    func() error
	delim    rune
	header   []string
	mapping  *Mapping
	decoder  *cellDecoder
	values   []valueMap
	unguard  bool // the input is a rejects file: undo its formula guard
	warnings []string
	blank    int
}

// NewReader reads the header of r and maps it. r need not be seekable.
// Errors here are the input's fault and nothing has been sent: an empty
// file, no email column, two columns for one field.
func NewReader(r io.Reader, cfg ReaderConfig) (*Reader, error) {
	if cfg.MaxRecordBytes <= 0 {
		cfg.MaxRecordBytes = 1 << 20
	}
	in, err := openInput(r, cfg)
	if err != nil {
		return nil, err
	}
	rd := &Reader{src: in.src, close: in.close, delim: in.delim, warnings: in.warnings}
	if err := rd.readHeader(cfg); err != nil {
		_ = rd.Close() // the header's error is the one to report
		if len(in.otherSheets) > 0 {
			err = fmt.Errorf("%w; the workbook has other sheets, %s: if the customers are on one of them, choose it with --sheet", err, quoteList(in.otherSheets))
		}
		return nil, err
	}
	return rd, nil
}

// readHeader reads the first record and maps it.
func (rd *Reader) readHeader(cfg ReaderConfig) error {
	rec, err := rd.src.next()
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("the input is empty: want a header line")
	case err != nil:
		return fmt.Errorf("read header: %w", err)
	case rec.fields == nil:
		return fmt.Errorf("read header: %s", rec.why)
	case blank(rec.fields):
		return errors.New("the input is empty: its first line has no column names")
	}
	header := rec.fields
	header[0] = strings.TrimPrefix(header[0], "\ufeff")
	for _, h := range header {
		if !utf8.ValidString(h) {
			return errors.New("the header line is not valid UTF-8: pass --encoding (windows-1252, iso-8859-1 or utf-16)")
		}
	}
	if rd.unguard = isRejectsFile(header); rd.unguard {
		unguard(header)
		rd.warnings = append(rd.warnings, "The input is a rejects file of this tool (it has an "+rejectsMarker+
			" column): the quote it puts before cells that start with =, +, -, @, a tab or a carriage return was removed, and its _error columns are not imported.")
	}
	m, err := NewMapping(header, cfg.Map)
	if errors.Is(err, errNoEmail) {
		return rd.titleRows(err, header, cfg)
	}
	if err != nil {
		return err
	}
	if rd.values, err = valueMaps(cfg.ValueMaps, m); err != nil {
		return err
	}
	if rd.decoder, err = newCellDecoder(m); err != nil {
		return err
	}
	rd.header, rd.mapping = header, m
	rd.warnings = append(rd.warnings, m.Warnings...)
	return nil
}

// Header is the header's cells as read.
func (rd *Reader) Header() []string { return rd.header }

// Mapping is the header's mapping.
func (rd *Reader) Mapping() *Mapping { return rd.mapping }

// Delimiter is the field separator in use (',' for a workbook).
func (rd *Reader) Delimiter() rune { return rd.delim }

// Warnings are sentences to show the user once, before the run: what the
// reader guessed (the encoding, the line ends, the sheet) and what the
// mapping chose (a column over another, no id column).
func (rd *Reader) Warnings() []string { return rd.warnings }

// Blank is the number of records skipped so far because all their cells
// were empty. Empty lines are not records and are not counted.
func (rd *Reader) Blank() int { return rd.blank }

// Close releases what reading a workbook holds (excelize may keep a large
// sheet in temporary files). It is safe to call more than once, and does
// nothing for text input.
func (rd *Reader) Close() error {
	c := rd.close
	rd.close = nil
	if c == nil {
		return nil
	}
	return c()
}

// Next returns the next record as a Row, io.EOF after the last one, or
// another error when the input cannot be read on. A malformed record is a
// Row with a Problem, and reading goes on after it.
func (rd *Reader) Next() (Row, error) {
	for {
		rec, err := rd.src.next()
		if errors.Is(err, io.EOF) {
			if err := rd.Close(); err != nil {
				return Row{}, fmt.Errorf("close input: %w", err)
			}
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, err
		}
		switch {
		case rec.fields == nil:
			return Row{Line: rec.line, Raw: rec.raw, Problem: &Problem{Type: ErrorTypeCSV, Message: rec.why}}, nil
		case blank(rec.fields):
			rd.blank++
			continue
		}
		if rd.unguard {
			unguard(rec.fields)
		}
		row := Row{Line: rec.line, Fields: rec.fields}
		rd.fill(&row)
		return row, nil
	}
}
