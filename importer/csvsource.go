package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvSource reads the records of delimited text with encoding/csv. A
// malformed record costs the line it starts on and no more: recovery drops
// that line and puts a new parser on the bytes after it.
type csvSource struct {
	in       io.Reader // the text the tap reads from
	tap      *tap
	parser   *csv.Reader
	delim    rune
	lazy     bool
	fields   int // fields per record, from the header; 0 until it is read
	lineBase int // line of the input just before the parser's line 1
	maxBytes int
}

// newCSVSource reads text whose first line is the input's line after+1.
func newCSVSource(text io.Reader, delim rune, lazyQuotes bool, maxBytes, after int) *csvSource {
	s := &csvSource{delim: delim, lazy: lazyQuotes, maxBytes: maxBytes}
	s.start(text, after)
	return s
}

// start puts a new parser on in, whose first line is the input's line
// after+1.
func (s *csvSource) start(in io.Reader, after int) {
	s.in = in
	s.tap = &tap{r: in, limit: s.maxBytes}
	s.parser = csv.NewReader(s.tap)
	s.parser.Comma = s.delim
	s.parser.LazyQuotes = s.lazy
	s.parser.FieldsPerRecord = s.fields // 0 for the header: the parser takes its count
	s.lineBase = after
}

func (s *csvSource) next() (record, error) {
	for {
		rec, spaces, err := s.read()
		if !spaces {
			return rec, err
		}
	}
}

// read reads one record; spaces reports a line of only spaces and tabs,
// which is no record: it is skipped as encoding/csv skips an empty line.
func (s *csvSource) read() (rec record, spaces bool, err error) {
	fields, err := s.parser.Read()
	if err == nil {
		line, _ := s.parser.FieldPos(0)
		line += s.lineBase
		end := s.parser.InputOffset()
		if spacesOnly(fields) && !strings.Contains(s.tap.take(end), `"`) {
			// Before the header the parser took this line's count for
			// every record's: let it take the header's instead.
			s.parser.FieldsPerRecord = s.fields
			return record{}, true, nil
		}
		if s.fields == 0 {
			s.fields = len(fields)
		}
		if int(end-s.tap.base) <= s.maxBytes {
			s.tap.skip(end)
			return record{line: line, fields: fields}, false, nil
		}
		// Longer than the limit but short enough that the tap let it
		// through whole: refused all the same.
		return record{line: line, raw: quoteStart(s.tap.take(end)), why: s.tooLong(line)}, false, nil
	}
	if err == io.EOF {
		return record{}, false, io.EOF
	}
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		// One whole record with the wrong number of fields: the parser is
		// already past it, nothing to recover.
		line := s.lineBase + pe.StartLine
		raw := recordText(s.tap.take(s.parser.InputOffset()))
		if spacesOnly(fields) && !strings.Contains(raw, `"`) {
			return record{}, true, nil
		}
		return record{line: line, raw: raw,
			why: fmt.Sprintf("line %d has %d fields, the header has %d", line, len(fields), s.fields)}, false, nil
	case errors.As(err, &pe):
		errLine := s.lineBase + pe.Line // before recovery moves lineBase
		raw, line := s.recoverLine()
		why := fmt.Sprintf("line %d, column %d: %v", line, pe.Column, pe.Err)
		if pe.StartLine != pe.Line {
			why = fmt.Sprintf("record starting on line %d: %v (on line %d); reading resumes on line %d",
				line, pe.Err, errLine, line+1)
		}
		return record{line: line, raw: raw, why: why}, false, nil
	case errors.Is(err, errRecordTooLarge):
		raw, line := s.recoverLine()
		return record{line: line, raw: quoteStart(raw), why: s.tooLong(line) + "; reading resumes on the next line"}, false, nil
	}
	return record{}, false, fmt.Errorf("read input: %w", err)
}

// spacesOnly reports whether a record is one cell of spaces and tabs: an
// unquoted one is a line that looks empty, and Excel or a hand edit
// leaves such lines where an empty one was meant.
func spacesOnly(fields []string) bool {
	return len(fields) == 1 && strings.Trim(fields[0], " \t") == ""
}

func (s *csvSource) tooLong(line int) string {
	return fmt.Sprintf("record starting on line %d is longer than %d bytes", line, s.maxBytes)
}

// maxRawBytes caps how much of an oversized record a Row quotes.
const maxRawBytes = 256

// quoteStart is the start of an oversized record's text: at most
// maxRawBytes, cut at a character boundary, line ends dropped.
func quoteStart(raw string) string {
	raw = strings.TrimLeft(raw, "\r\n")
	return trimEOL(strings.ToValidUTF8(raw[:min(len(raw), maxRawBytes)], ""))
}

// recordText is a record's text as the tap took it, without the empty
// lines the parser skipped before it and the line end after it.
func recordText(taken string) string { return trimEOL(strings.TrimLeft(taken, "\r\n")) }

// recoverLine is the recovery step. The malformed record starts on the
// first non-empty line of what the parser read since the last good record;
// that line is dropped and a new parser starts on the bytes after it (and
// the rest of the input). It returns the dropped line and its number.
func (s *csvSource) recoverLine() (raw string, line int) {
	pending := s.tap.pending()
	skipped := 0
	for len(pending) > 0 && (pending[0] == '\n' || pending[0] == '\r' && len(pending) > 1 && pending[1] == '\n') {
		pending = pending[bytes.IndexByte(pending, '\n')+1:]
		skipped++
	}
	line = s.lineBase + s.tap.lines + skipped + 1
	var replay []byte
	if i := bytes.IndexByte(pending, '\n'); i >= 0 {
		raw, replay = trimEOL(string(pending[:i])), pending[i+1:]
	} else {
		raw, replay = string(pending), restOfLine(s.in)
	}
	s.start(io.MultiReader(bytes.NewReader(replay), s.in), line)
	return raw, line
}

// restOfLine reads r past the end of the current line, holding none of it,
// and returns what it read after the newline.
func restOfLine(r io.Reader) []byte {
	var chunk [32 << 10]byte
	for {
		n, err := r.Read(chunk[:])
		if i := bytes.IndexByte(chunk[:n], '\n'); i >= 0 {
			return append([]byte(nil), chunk[i+1:n]...)
		}
		if err != nil {
			return nil
		}
	}
}

func trimEOL(s string) string { return strings.TrimRight(s, "\r\n") }

// sniffDelimiter picks ',', ';', tab or '|' from the header line: the one
// that occurs outside quotes when only one does, else the most frequent,
// else ','.
func sniffDelimiter(b []byte) rune {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for len(b) > 0 {
		c, size := utf8.DecodeRune(b)
		b = b[size:]
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t' || c == '|'):
			counts[c]++
		}
	}
	best, n, tie := ',', 0, false
	for _, c := range []rune{',', ';', '\t', '|'} {
		switch {
		case counts[c] > n:
			best, n, tie = c, counts[c], false
		case counts[c] == n && n > 0:
			tie = true
		}
	}
	if tie {
		return ','
	}
	return best
}
