package importer

import (
	"bytes"
	"unicode/utf8"
)

// sepPrefix starts the line Excel writes above the header of a "CSV
// (semicolon)" export, or that a person adds so Excel splits a file:
// "sep=;" names the delimiter, and is neither header nor record.
const sepPrefix = "sep="

// sepLine reads a "sep=X" first line from the start of a text. It returns
// the delimiter the line names and the line's length with its line end,
// or ok false when the text does not start with such a line.
func sepLine(head []byte) (delim rune, n int, ok bool) {
	line := head
	n = len(head)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		line, n = head[:i], i+1
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(line) > 2 && line[0] == '"' && line[len(line)-1] == '"' {
		line = line[1 : len(line)-1] // as a program that quotes every cell writes it
	}
	if len(line) <= len(sepPrefix) || !bytes.EqualFold(line[:len(sepPrefix)], []byte(sepPrefix)) {
		return 0, 0, false
	}
	r, size := utf8.DecodeRune(line[len(sepPrefix):])
	if len(sepPrefix)+size != len(line) || !validDelim(r) {
		return 0, 0, false
	}
	return r, n, true
}

// validDelim reports whether encoding/csv accepts r as a delimiter.
func validDelim(r rune) bool {
	return r != '"' && r != '\r' && r != '\n' && r != utf8.RuneError && r != '\uFEFF' && utf8.ValidRune(r)
}
