package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// input is an opened input: its records and what was learned opening it.
type input struct {
	src      source
	delim    rune
	warnings []string
	close    func() error // nil when there is nothing to release
	// otherSheets are the sheets of a workbook that were not read: a header
	// that maps to nothing may just be the wrong sheet's.
	otherSheets []string
}

// Magic bytes that tell what an input is, whatever its name. The input
// may be standard input, so its name cannot be relied on.
const (
	gzipMagic = "\x1f\x8b"
	zipMagic  = "PK\x03\x04"       // an .xlsx workbook is a zip archive
	oleMagic  = "\xd0\xcf\x11\xe0" // Excel 97-2003 .xls, or an encrypted .xlsx
)

// openInput looks at the first bytes of r: gzip is decompressed on the fly,
// a workbook is read with excelize, anything else is delimited text. None
// of it needs r to be seekable.
func openInput(r io.Reader, cfg ReaderConfig) (input, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	if startsWith(br, gzipMagic) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return input{}, fmt.Errorf("read gzip input: %w", err)
		}
		br = bufio.NewReaderSize(zr, sniffBytes)
	}
	switch {
	case startsWith(br, zipMagic):
		return openWorkbook(br, cfg)
	case startsWith(br, oleMagic):
		return input{}, errors.New("the input is an Excel 97-2003 (.xls) or encrypted workbook, which cannot be read: save it as .xlsx (unencrypted) or as CSV")
	case cfg.Sheet != "":
		return input{}, fmt.Errorf("a sheet (%q) was named, but the input is not an .xlsx workbook", cfg.Sheet)
	}
	return openText(br, cfg)
}

func startsWith(br *bufio.Reader, magic string) bool {
	head, _ := br.Peek(len(magic))
	return string(head) == magic
}

// openText prepares delimited text: its encoding, line ends and delimiter
// are guessed from its first bytes unless the config names them.
func openText(br *bufio.Reader, cfg ReaderConfig) (input, error) {
	text, note, err := decode(br, cfg.Encoding)
	if err != nil {
		return input{}, err
	}
	var warnings []string
	if note != "" {
		warnings = append(warnings, note)
	}
	tb, ok := text.(*bufio.Reader)
	if !ok {
		tb = bufio.NewReaderSize(text, sniffBytes)
	}
	head, _ := tb.Peek(sniffBytes)
	var in io.Reader = tb
	if crEnded(head) {
		in = crLines{tb}
		head = bytes.ReplaceAll(head, []byte{'\r'}, []byte{'\n'})
		warnings = append(warnings, "The input ends its lines with a carriage return alone (as old Mac programs did), so each one was read as a line end.")
	}
	delim, after := cfg.Delimiter, 0
	if sep, n, ok := sepLine(head); ok {
		// The line is no part of the table: drop it, keep counting lines
		// from the file's first, and take the delimiter it names.
		_, _ = tb.Discard(n) // n bytes are buffered: they came from Peek
		head, after = head[n:], 1
		if delim == 0 {
			delim = sep
		}
	}
	if delim == 0 {
		delim = sniffDelimiter(head)
	}
	return input{src: newCSVSource(in, delim, cfg.LazyQuotes, cfg.MaxRecordBytes, after), delim: delim, warnings: warnings}, nil
}

// crEnded reports whether the first bytes of a text end their lines with a
// carriage return alone: more lone CRs than newlines (a newline inside a
// quoted cell of such a file is text, not a line end).
func crEnded(head []byte) bool {
	lone := bytes.Count(head, []byte{'\r'}) - bytes.Count(head, []byte("\r\n"))
	return lone > 0 && lone > bytes.Count(head, []byte{'\n'})
}

// crLines reads text whose lines end in a carriage return alone as text
// whose lines end in a newline, which is all encoding/csv knows. A CR
// inside a quoted cell becomes a newline too, and a CRLF an empty line,
// which encoding/csv skips.
type crLines struct{ r io.Reader }

func (c crLines) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for i, b := range p[:n] {
		if b == '\r' {
			p[i] = '\n'
		}
	}
	return n, err
}
