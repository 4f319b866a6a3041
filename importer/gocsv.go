package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/gocarina/gocsv"
)

// apiColumns is what gocsv fills from one record. The tags are the API's
// field names; each input column is named after the field it feeds.
type apiColumns struct {
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

// cellDecoder is the one place gocsv is used: it turns the cells of a
// record, already split by a source, into apiColumns. gocsv's Unmarshaller
// matches columns to fields once, from a header, and then reads rows from
// a *csv.Reader; so the decoder gives it a reader of its own, over a
// buffer that holds the field names and then, one at a time, each record
// written back as a line. Parsing, line numbers and recovery stay with the
// sources, and gocsv never sees the input.
type cellDecoder struct {
	feed bytes.Buffer
	um   *gocsv.Unmarshaller
}

// newCellDecoder names each column after the field it feeds; a column that
// feeds none gets a name no tag has.
func newCellDecoder(m *Mapping) (*cellDecoder, error) {
	names := make([]string, len(m.columns))
	for i, c := range m.columns {
		names[i] = c.field
		if c.field == "" {
			names[i] = "#" + strconv.Itoa(i)
		}
	}
	d := &cellDecoder{}
	d.write(names)
	cr := csv.NewReader(&d.feed)
	cr.FieldsPerRecord = len(names)
	um, err := gocsv.NewUnmarshaller(cr, apiColumns{})
	if err != nil {
		return nil, fmt.Errorf("prepare decoder: %w", err)
	}
	d.um = um
	return d, nil
}

// write puts cells in the feed as one CSV line with every cell quoted, so
// that even a single empty cell is a line the parser reads back as is.
func (d *cellDecoder) write(cells []string) {
	for i, c := range cells {
		if i > 0 {
			d.feed.WriteByte(',')
		}
		d.feed.WriteByte('"')
		d.feed.WriteString(strings.ReplaceAll(c, `"`, `""`))
		d.feed.WriteByte('"')
	}
	d.feed.WriteByte('\n')
}

func (d *cellDecoder) decode(cells []string) (apiColumns, error) {
	d.feed.Reset()
	d.write(cells)
	v, err := d.um.Read()
	if err != nil {
		return apiColumns{}, fmt.Errorf("decode record: %w", err)
	}
	return v.(apiColumns), nil
}
