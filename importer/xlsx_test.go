package importer

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheet is one sheet of a workbook a test builds: its name and its rows
// from A1, a nil row leaving a sheet row out.
type sheet struct {
	name string
	rows [][]any
}

// workbook writes an .xlsx file with excelize.
func workbook(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", s.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(s.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range s.rows {
			if row == nil {
				continue
			}
			if err := f.SetSheetRow(s.name, fmt.Sprintf("A%d", r+1), &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReaderXLSX(t *testing.T) {
	book := workbook(t,
		sheet{"Customers", [][]any{
			{"Customer ID", "Email", "Phone", "Since", "Score"},
			{9013808660771, "a@b.co", 4915112345678, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), 0.1 + 0.2},
			nil, // a row the sheet does not have
			{"c7", "c@d.co"},
			{" "},
			{"c9", "e@f.co", "", "", "", "", "surprise"},
			{"c10", "g@h.co", "", "", "", ""},
			{"c11", strings.Repeat("x", 300) + "@b.co"},
		}},
		sheet{"Other", [][]any{{"email", "first_name"}, {"o@b.co", "Otto"}}},
	)
	tests := []struct {
		name     string
		in       []byte
		cfg      ReaderConfig
		want     []string
		warnings []string
	}{
		{"first sheet", book, ReaderConfig{MaxRecordBytes: 200}, []string{
			"2:9013808660771|a@b.co|4915112345678|<nil>",
			"4:c7|c@d.co||<nil>",
			`6:||| row 6 has a value in column G, past the header's 5 columns`,
			"7:c10|g@h.co||<nil>",
			"8:||| row 8 is longer than 200 bytes",
		}, []string{`The workbook has 2 sheets; the first, "Customers", was read (choose another with --sheet).`}},
		{"named sheet", book, ReaderConfig{Sheet: "Other"}, []string{"2:|o@b.co||<nil>"}, []string{"No column maps to external_id"}},
		{"gzip", gzipped(t, book), ReaderConfig{Sheet: "Other"}, []string{"2:|o@b.co||<nil>"}, []string{"No column maps to external_id"}},
		{"header only", workbook(t, sheet{"S", [][]any{{"email"}}}), ReaderConfig{}, nil, []string{"No column maps"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, rows := mustRead(t, bytes.NewReader(tt.in), tt.cfg)
			if rd.Delimiter() != ',' {
				t.Errorf("delimiter %q", rd.Delimiter())
			}
			var got []string
			for _, row := range rows {
				r := row.Request
				p := "<nil>"
				if row.Problem != nil {
					p = " " + row.Problem.Message
				}
				got = append(got, fmt.Sprintf("%d:%s|%s|%s|%s", row.Line, r.ExternalID, r.Email, r.Phone, p))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if w := rd.Warnings(); len(w) != len(tt.warnings) || len(w) > 0 && !strings.Contains(w[0], tt.warnings[0]) {
				t.Errorf("warnings %q, want %q", w, tt.warnings)
			}
			if tt.name == "first sheet" && (rd.Blank() != 1 || rows[4].Raw == "" || len(rows[4].Raw) > 256) {
				t.Errorf("blank %d, oversized raw %q", rd.Blank(), rows[4].Raw)
			}
		})
	}
	if _, err := NewReader(bytes.NewReader(book), ReaderConfig{Sheet: "Nope"}); err == nil || !strings.Contains(err.Error(), `no sheet "Nope": its sheets are "Customers", "Other"`) {
		t.Errorf("missing sheet: %v", err)
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
