package importer

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// titleLookahead is how many records below a first line with no email
// column are searched for the real header: a report's title block is a
// few lines, and the input is refused either way.
const titleLookahead = 20

// titleRows explains a first line with no email column when a later one
// looks like a header (it has an email-like column name): a report export
// puts a title, a date and an empty line above its table. The reader does
// not start there itself, as lines above a header could be anything; it
// says which line it would be and what to remove. Otherwise, or when
// nothing below looks like a header, err stands.
func (rd *Reader) titleRows(err error, header []string, cfg ReaderConfig) error {
	line, name, ok := rd.headerBelow(cfg)
	if !ok {
		return err
	}
	unit := "line"
	if _, text := rd.src.(*csvSource); !text {
		unit = "row" // a workbook's rows are sheet rows
	}
	above := line - 1
	return fmt.Errorf("%w among %s: the header is expected on the first %s, but the file seems to have %s before one that looks like a header (%s %d has an email column, %q): remove the %s above it and run again",
		errNoEmail, quoteList(header), unit, count(above, unit), unit, line, name, plural(above, unit))
}

// headerBelow reads on through the next records for one with a column that
// would feed email by name (--map cannot help: a --map entry that names no
// header of the first line is refused first), and returns its line and
// that column's name.
func (rd *Reader) headerBelow(cfg ReaderConfig) (line int, name string, ok bool) {
	table := aliases()
	for range titleLookahead {
		rec, err := rd.src.next()
		if err != nil {
			return 0, "", false
		}
		cells := rec.fields
		if cells == nil { // a line with another count of fields than the first
			cells = splitLine(rec.raw, cfg.Delimiter)
		}
		for _, c := range cells {
			if target, _, _ := classify(c, nil, table); target == FieldEmail {
				return rec.line, strings.TrimSpace(c), true
			}
		}
	}
	return 0, "", false
}

// splitLine splits the text of one line into cells, with delim or, when it
// is 0, the delimiter the line itself suggests (the input's was guessed
// from its first line, which here is a title).
func splitLine(raw string, delim rune) []string {
	if delim == 0 {
		delim = sniffDelimiter([]byte(raw))
	}
	r := csv.NewReader(strings.NewReader(raw))
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = delim, true, -1
	cells, _ := r.Read()
	return cells
}

// count is n and unit, plural when n is not 1: "1 line", "3 lines".
func count(n int, unit string) string { return fmt.Sprintf("%d %s", n, plural(n, unit)) }

// plural is unit, plural when n is not 1.
func plural(n int, unit string) string {
	if n == 1 {
		return unit
	}
	return unit + "s"
}
