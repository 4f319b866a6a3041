package importer

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client"
)

// FuzzReader feeds arbitrary bytes to the reader and mapper. Whatever the
// input, it must not panic or stall, lines must only go forward, a row is
// either malformed (no cells, a csv_error) or has one cell per header
// column, and a row without a Problem must pass the API's rules.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/csv-spectrum/*.csv")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(append([]byte("email,"), b...), false)
	}
	for _, s := range []string{
		"email,first_name\na@b.co,Ann\n",
		"\ufeffE-mail;Name\r\na@b.co;\"x\ny\"\r\n",
		"email,metadata,metadata.k\na@b.co,\"{\"\"a\"\":1}\",v\n",
		"email\n\"unterminated\na@b.co\n",
		"email,x\na@b.co,1,2\n\"a\"b,c\n",
		"email\tname\nq@w.io\tZ\xffz\n",
		"email,first_name\ra@b.co,Ann\r,\r",
		"email,Vorname\nz@b.co,Zo\xeb\n",
		"email,phone,Customer ID,_error_line\n'=a@b.co,'+1,'7,2\n",
		"email,Country\na@b.co,de\nb@b.co,Mars\n",
		"email," + strings.Repeat("x", 600) + "\na@b.co,1\n",
		"sep=;\r\nemail;first_name\r\n  \r\na@b.co;Ann\r\n\t\r\n",
		" \nemail\n\" \"\n \na@b.co\n",
		"Customer export\nGenerated\n\nEmail,Name\na@b.co,Ann\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Add(gzipped(f, []byte("email,first_name\na@b.co,Ann\n")), false)
	f.Add(workbook(f, sheet{"S", [][]any{{"email", "phone"}, {"a@b.co", 1}, nil, {"b@b.co", "", "x"}}}), false)
	f.Fuzz(func(t *testing.T, in []byte, lazy bool) {
		rd, err := NewReader(strings.NewReader(string(in)), ReaderConfig{MaxRecordBytes: 512, LazyQuotes: lazy,
			Map:       MapOptions{Unknown: UnknownMetadata, Explicit: map[string]string{"Country": FieldCountryID}},
			ValueMaps: valueMapsFor(in)})
		if err != nil {
			return // refused before any row: fine
		}
		defer rd.Close()
		last := 1 // the header's line at least
		for i := 0; ; i++ {
			if i > len(in)+2 {
				t.Fatalf("more rows than bytes: the reader is not making progress")
			}
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // the input itself could not be read on
			}
			checkFuzzRow(t, rd, row, last)
			last = row.Line
		}
	})
}

// valueMapsFor gives a country_id value map when the input has a Country
// column for it to apply to.
func valueMapsFor(in []byte) map[string]map[string]string {
	if !strings.Contains(string(in), "Country") {
		return nil
	}
	return map[string]map[string]string{FieldCountryID: {"de": "0b6d2c1e-3f4a-4b5c-8d6e-7f8091a2b3c4", "DE ": "not a uuid"}}
}

func checkFuzzRow(t *testing.T, rd *Reader, row Row, last int) {
	t.Helper()
	if row.Line <= last {
		t.Fatalf("row on line %d after line %d", row.Line, last)
	}
	switch {
	case row.Fields == nil:
		if row.Problem == nil || row.Problem.Type != ErrorTypeCSV {
			t.Fatalf("line %d: no cells but problem %+v", row.Line, row.Problem)
		}
	case len(row.Fields) != len(rd.Header()) || row.Raw != "":
		t.Fatalf("line %d: %d cells for %d columns, raw %q", row.Line, len(row.Fields), len(rd.Header()), row.Raw)
	case blank(row.Fields):
		t.Fatalf("line %d: a blank record came out as a row", row.Line)
	}
	if row.Problem == nil {
		if fe := client.Validate(row.Request); len(fe) > 0 {
			t.Fatalf("line %d passed the reader but fails validation: %v", row.Line, fe)
		}
	}
}
