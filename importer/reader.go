package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gocarina/gocsv"

	"github.com/prolifi/prolifi-import/client"
)

// record is what gocsv decodes a row into. The tags are the API's field
// names; the reader renames each input column to the field it feeds.
type record struct {
	Email       string `csv:"email"`
	Name        string `csv:"name"`
	FirstName   string `csv:"first_name"`
	LastName    string `csv:"last_name"`
	CompanyName string `csv:"company_name"`
	ExternalID  string `csv:"external_id"`
	Phone       string `csv:"phone"`
	CountryID   string `csv:"country_id"`
	Metadata    string `csv:"metadata"`
}

// ReaderConfig sets how the input is read.
type ReaderConfig struct {
	Delimiter rune   // 0: detect from the header line
	Encoding  string // "", "utf-8", "windows-1252", "iso-8859-1", "utf-16"
	// MaxRecordBytes refuses longer records without holding them whole
	// (default 1 MiB).
	MaxRecordBytes int
	// LazyQuotes accepts a quote inside an unquoted field as a character,
	// where RFC 4180 (and the default) calls the record malformed.
	LazyQuotes bool
	Map        MapOptions
}

// Reader streams mapped rows out of a CSV file. Memory stays flat: it holds
// one record, the parser's buffer and the bytes of the record being read.
type Reader struct {
	cfg       ReaderConfig
	delim     rune
	mapping   *Mapping
	rawHeader string   // the header line as read, without its line ending
	needExtra bool     // some column feeds metadata: gocsv must return unmatched cells
	colNames  []string // what gocsv calls each column: its field, or "#i" for unmatched ones

	src      io.Reader // decoded input after the bytes the current parser was given
	tap      *tap
	csv      *csv.Reader
	um       *gocsv.Unmarshaller
	lineBase int // real line = lineBase + the parser's line
}

// NewReader reads the header of r and maps it. Errors here are the input's
// fault and nothing has been sent: an empty file, no email column, two
// columns for one field.
func NewReader(r io.Reader, cfg ReaderConfig) (*Reader, error) {
	if cfg.MaxRecordBytes <= 0 {
		cfg.MaxRecordBytes = 1 << 20
	}
	dec, err := decode(r, cfg.Encoding)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(dec, 64<<10)
	first, _ := br.Peek(64 << 10)
	if len(bytes.TrimSpace(first)) == 0 {
		return nil, errors.New("the input is empty: want a header line and at least one record")
	}
	delim := cfg.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(first)
	}
	rd := &Reader{cfg: cfg, delim: delim, src: br, lineBase: 0}
	if err := rd.start(nil); err != nil {
		return nil, err
	}
	return rd, nil
}

// start builds a parser over replay followed by the rest of the input. After
// the first call the header is fed again first, so that gocsv knows the
// columns; the line numbers are shifted to match the file.
func (rd *Reader) start(replay []byte) error {
	var in io.Reader = rd.src
	if rd.mapping != nil {
		in = io.MultiReader(strings.NewReader(rd.rawHeader+"\n"), bytes.NewReader(replay), rd.src)
	}
	rd.tap = &tap{r: in, limit: rd.cfg.MaxRecordBytes}
	rd.csv = csv.NewReader(rd.tap)
	rd.csv.Comma = rd.delim
	rd.csv.FieldsPerRecord = 0 // every record must have as many fields as the header
	rd.csv.LazyQuotes = rd.cfg.LazyQuotes
	um, err := gocsv.NewUnmarshaller(rd.csv, record{})
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("read header (line %d): %v", pe.StartLine, pe.Err)
		}
		if errors.Is(err, errRecordTooLarge) {
			return fmt.Errorf("read header: longer than %d bytes", rd.cfg.MaxRecordBytes)
		}
		return fmt.Errorf("read header: %w", err)
	}
	rd.um = um
	hdr := rd.tap.take(rd.csv.InputOffset())
	if rd.mapping == nil {
		rd.rawHeader = strings.TrimRight(hdr, "\r\n")
		if !utf8.ValidString(rd.rawHeader) {
			return errors.New("the header line is not valid UTF-8: pass --encoding (windows-1252, iso-8859-1 or utf-16)")
		}
		header := append([]string(nil), um.Headers...)
		if len(header) > 0 {
			header[0] = strings.TrimPrefix(header[0], "\ufeff")
		}
		m, err := NewMapping(header, rd.cfg.Map)
		if err != nil {
			return err
		}
		rd.mapping = m
		rd.colNames = make([]string, len(m.columns))
		for i, c := range m.columns {
			rd.needExtra = rd.needExtra || c.metaKey != ""
			rd.colNames[i] = c.field
			if c.field == "" {
				rd.colNames[i] = "#" + strconv.Itoa(i) // matches no field; read as unmatched
			}
		}
	}
	return um.RenormalizeHeaders(func([]string) []string { return rd.colNames })
}

// Mapping is the header's mapping.
func (rd *Reader) Mapping() *Mapping { return rd.mapping }

// RawHeader is the header line exactly as read.
func (rd *Reader) RawHeader() string { return rd.rawHeader }

// Delimiter is the field separator in use.
func (rd *Reader) Delimiter() rune { return rd.delim }

// Next returns the next record as a Row, io.EOF after the last one, or
// another error when the input cannot be read at all. A malformed record is
// a Row with a Problem, and reading goes on after it.
func (rd *Reader) Next() (Row, error) {
	var (
		rec       any
		extra     map[string]string
		err       error
		recordEnd int64
	)
	if rd.needExtra {
		rec, extra, err = rd.um.ReadUnmatched()
	} else {
		rec, err = rd.um.Read()
	}
	if err == io.EOF {
		return Row{}, io.EOF
	}
	if err != nil {
		return rd.malformed(err)
	}
	line, _ := rd.csv.FieldPos(0)
	recordEnd = rd.csv.InputOffset()
	row := Row{Line: rd.lineBase + line, Raw: trimEOL(rd.tap.take(recordEnd))}
	rd.fill(&row, rec.(record), extra)
	return row, nil
}

// malformed turns a parse failure into a Row and resumes reading on the line
// after the one where the bad record started, so that a stray quote costs
// that line only, not every line up to the next quote.
func (rd *Reader) malformed(err error) (Row, error) {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount):
		// One whole line with the wrong number of fields: the parser is
		// already past it.
		n := len(rd.mapping.Header)
		raw := trimEOL(rd.tap.take(rd.csv.InputOffset()))
		got := len(splitForCount(raw, rd.delim))
		return Row{Line: rd.lineBase + pe.StartLine, Raw: raw, Problem: &Problem{Type: ErrorTypeCSV,
			Message: fmt.Sprintf("line %d has %d fields, the header has %d", rd.lineBase+pe.StartLine, got, n)}}, nil
	case errors.As(err, &pe):
		start := rd.lineBase + pe.StartLine
		raw, replay := rd.tap.splitFirstLine()
		msg := fmt.Sprintf("line %d, column %d: %v", rd.lineBase+pe.Line, pe.Column, pe.Err)
		if pe.StartLine != pe.Line {
			msg = fmt.Sprintf("record starting on line %d: %v (on line %d); reading resumes on line %d", start, pe.Err, rd.lineBase+pe.Line, start+1)
		}
		rd.lineBase = start - 1 // the header fed again is line 1, the replay starts at line 2
		if err := rd.start(replay); err != nil {
			return Row{}, err
		}
		return Row{Line: start, Raw: raw, Problem: &Problem{Type: ErrorTypeCSV, Message: msg}}, nil
	case errors.Is(err, errRecordTooLarge):
		start := rd.lineBase + rd.tap.lines + 1
		raw, replay := rd.tap.splitFirstLine()
		if len(raw) > 256 {
			raw = strings.ToValidUTF8(raw[:256], "")
		}
		rd.lineBase = start - 1
		if err := rd.start(replay); err != nil {
			return Row{}, err
		}
		return Row{Line: start, Raw: raw, Problem: &Problem{Type: ErrorTypeCSV,
			Message: fmt.Sprintf("record starting on line %d is longer than %d bytes; reading resumes on the next line", start, rd.cfg.MaxRecordBytes)}}, nil
	}
	return Row{}, fmt.Errorf("read input: %w", err)
}

// fill maps a decoded record to the request, and checks it.
func (rd *Reader) fill(row *Row, rec record, extra map[string]string) {
	req := client.CreateCustomerRequest{
		Email: rec.Email, Name: rec.Name, FirstName: rec.FirstName, LastName: rec.LastName,
		CompanyName: rec.CompanyName, ExternalID: rec.ExternalID, Phone: rec.Phone, CountryID: rec.CountryID,
	}
	req = client.Normalize(req)
	var fieldErrs []client.FieldError
	meta := strings.TrimSpace(rec.Metadata)
	var keys [][2]string // metadata.KEY cells, in column order
	for i, c := range rd.mapping.columns {
		if c.metaKey == "" {
			continue
		}
		v := strings.TrimSpace(extra[rd.colNames[i]])
		if v == "" {
			continue
		}
		if !utf8.ValidString(v) {
			fieldErrs = append(fieldErrs, client.FieldError{Field: metadataPrefix + c.metaKey, Message: "must be valid UTF-8 text"})
			continue
		}
		keys = append(keys, [2]string{c.metaKey, v})
	}
	switch {
	case keys == nil && meta != "":
		req.Metadata = json.RawMessage(meta) // checked by Validate
	case keys != nil && meta == "":
		req.Metadata = appendObject(nil, keys)
	case keys != nil:
		obj := map[string]any{}
		if !utf8.ValidString(meta) || json.Unmarshal([]byte(meta), &obj) != nil || obj == nil {
			fieldErrs = append(fieldErrs, client.FieldError{Field: FieldMetadata, Message: "must be a JSON object"})
			obj = map[string]any{}
		}
		for _, kv := range keys {
			obj[kv[0]] = kv[1]
		}
		b, _ := json.Marshal(obj)
		req.Metadata = b
	}
	row.Request = req
	fieldErrs = append(client.Validate(req), fieldErrs...)
	if len(fieldErrs) > 0 {
		msg := "invalid " + fieldList(fieldErrs)
		if !utf8.ValidString(row.Raw) {
			msg += ": the line has bytes that are not UTF-8; if the file was saved as plain CSV by Excel or another older program, run again with --encoding windows-1252"
		}
		row.Problem = &Problem{Type: client.TypeValidation, Message: msg, FieldErrors: fieldErrs}
	}
}

// appendObject encodes string pairs as a JSON object, keys in the given
// order: the common case of metadata.KEY columns, without a map.
func appendObject(b []byte, kv [][2]string) []byte {
	b = append(b, '{')
	for i, p := range kv {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p[0])
		b = append(b, ':')
		b = appendJSONString(b, p[1])
	}
	return append(b, '}')
}

// appendJSONString quotes valid UTF-8 s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func fieldList(fe []client.FieldError) string {
	names := make([]string, len(fe))
	for i, f := range fe {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}

func trimEOL(s string) string { return strings.TrimRight(s, "\r\n") }

// splitForCount counts fields of a well-quoted line, for the message only.
func splitForCount(line string, delim rune) []string {
	r := csv.NewReader(strings.NewReader(line))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	f, _ := r.Read()
	return f
}

// sniffDelimiter picks ',', ';' or tab from the header line: the one that
// occurs outside quotes when only one does, else the most frequent, else ','.
func sniffDelimiter(b []byte) rune {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(b) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best, n, tie := ',', 0, false
	for _, c := range []rune{',', ';', '\t'} {
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
