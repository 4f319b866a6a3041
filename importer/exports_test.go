package importer

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestExports reads files laid out as real exports write them (headers,
// encoding, line ends, quoting; the data is invented), each with no flags
// or with the one flag the tool suggests for it. Each must map the columns
// listed, read every record as a valid row, and say what it guessed; the
// whole reading is kept in a golden file beside the export.
func TestExports(t *testing.T) {
	writeExcelFixture(t)
	tests := []struct {
		name, file string
		cfg        ReaderConfig
		maps       map[string]string // header → field, for the columns that must be mapped
		warnings   []string          // a substring of each warning, in order
		blank      int
	}{
		{"shopify", "shopify.csv", ReaderConfig{}, map[string]string{"Customer ID": "external_id", "First Name": "first_name",
			"Last Name": "last_name", "Email": "email", "Default Address Company": "company_name", "Phone": "phone"},
			[]string{`"Phone" feeds phone; where it is empty, "Default Address Phone" stands in.`}, 0},
		{"hubspot", "hubspot.csv", ReaderConfig{}, map[string]string{"Record ID": "external_id", "First Name": "first_name",
			"Last Name": "last_name", "Email": "email", "Phone Number": "phone", "Company Name": "company_name"}, nil, 0},
		{"google-contacts", "google-contacts.csv", ReaderConfig{}, map[string]string{"First Name": "first_name", "Last Name": "last_name",
			"Organization Name": "company_name", "E-mail 1 - Value": "email", "Phone 1 - Value": "phone"},
			[]string{`where it is empty, "Phone 2 - Value" stands in`, "No column maps to external_id"}, 0},
		{"google-contacts-legacy", "google-contacts-legacy.csv", ReaderConfig{}, map[string]string{"Name": "name", "Given Name": "first_name",
			"Family Name": "last_name", "E-mail 1 - Value": "email", "Phone 1 - Value": "phone", "Organization 1 - Name": "company_name"},
			[]string{"No column maps to external_id"}, 0},
		{"outlook", "outlook.csv", ReaderConfig{}, map[string]string{"First Name": "first_name", "Last Name": "last_name",
			"E-mail Address": "email", "Mobile Phone": "phone", "Company": "company_name"},
			[]string{"reads as Windows-1252", `"Mobile Phone" feeds phone; where it is empty, the first non-empty of "Home Phone", "Business Phone", "Other Phone", "Primary Phone", "Company Main Telephone" stands in.`,
				"No column maps to external_id"}, 0},
		{"mailchimp", "mailchimp.csv", ReaderConfig{}, map[string]string{"Email Address": "email", "First Name": "first_name",
			"Last Name": "last_name", "Phone Number": "phone", "Company": "company_name"},
			[]string{`If "LEID" holds a stable id for each customer, pass --map 'LEID=external_id'.`}, 0},
		{"mailchimp-with-id", "mailchimp.csv", ReaderConfig{Map: MapOptions{Explicit: map[string]string{"LEID": "external_id"}}},
			map[string]string{"LEID": "external_id", "Email Address": "email"}, nil, 0},
		{"stripe", "stripe.csv", ReaderConfig{}, map[string]string{"id": "external_id", "Email": "email", "Name": "name", "Phone": "phone"}, nil, 0},
		{"woocommerce", "woocommerce.csv", ReaderConfig{}, map[string]string{"customer_id": "external_id", "user_email": "email",
			"display_name": "name", "first_name": "first_name", "last_name": "last_name", "billing_company": "company_name", "billing_phone": "phone"},
			[]string{`Columns "customer_id" and "ID" could both be external_id; "customer_id" was chosen`}, 0},
		{"salesforce", "salesforce.csv", ReaderConfig{}, map[string]string{"ID": "external_id", "FIRSTNAME": "first_name", "LASTNAME": "last_name",
			"NAME": "name", "PHONE": "phone", "EMAIL": "email"}, nil, 0},
		{"excel-csv", "excel.csv", ReaderConfig{}, map[string]string{"Kundennummer": "external_id", "Vorname": "first_name",
			"Nachname": "last_name", "Firma": "company_name", "E-Mail": "email", "Telefon": "phone"}, []string{"reads as Windows-1252"}, 3},
		// "CSV (semicolon)" as Excel writes it with its sep= line, and a
		// line of spaces left by a hand edit.
		{"excel-sep", "excel-sep.csv", ReaderConfig{}, map[string]string{"Kundennummer": "external_id", "Vorname": "first_name",
			"E-Mail": "email", "Telefon": "phone"}, []string{"reads as Windows-1252"}, 1},
		{"excel-xlsx", "excel.xlsx", ReaderConfig{}, map[string]string{"Customer Id": "external_id", "Name": "name",
			"Email Address": "email", "Company Name": "company_name", "Phone": "phone"},
			[]string{`The workbook has 2 sheets; the first, "Customers", was read`}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "exports", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rd, rows := mustRead(t, f, tt.cfg)
			checkExport(t, rd, rows, tt.maps, tt.warnings, tt.blank)
			golden(t, filepath.Join("testdata", "exports", tt.name+".golden"), exportText(rd, rows))
		})
	}
}

func checkExport(t *testing.T, rd *Reader, rows []Row, maps map[string]string, warnings []string, blank int) {
	t.Helper()
	fields := strings.Join(rd.Mapping().Fields(), "\n")
	for h, f := range maps {
		if !strings.Contains("\n"+fields+"\n", "\n"+h+" → "+f+"\n") {
			t.Errorf("%q does not map to %s; mapping:\n%s", h, f, fields)
		}
	}
	if len(rows) < 2 {
		t.Errorf("%d rows", len(rows))
	}
	for _, row := range rows {
		if row.Problem != nil {
			t.Errorf("line %d: %s", row.Line, row.Problem.Message)
		}
	}
	got := rd.Warnings()
	ok := len(got) == len(warnings)
	for i := 0; ok && i < len(got); i++ {
		ok = strings.Contains(got[i], warnings[i])
	}
	if !ok {
		t.Errorf("warnings %q\nwant ones containing %q", got, warnings)
	}
	if rd.Blank() != blank {
		t.Errorf("%d blank records, want %d", rd.Blank(), blank)
	}
}

// exportText renders what the reader made of an export, for its golden file.
func exportText(rd *Reader, rows []Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "delimiter %q\nmapping:\n", rd.Delimiter())
	for _, f := range rd.Mapping().Fields() {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	b.WriteString("warnings:\n")
	for _, w := range rd.Warnings() {
		fmt.Fprintf(&b, "  %s\n", w)
	}
	b.WriteString("rows:\n")
	for _, row := range rows {
		req, _ := json.Marshal(row.Request)
		fmt.Fprintf(&b, "  %d %s\n", row.Line, req)
		if row.Problem != nil {
			fmt.Fprintf(&b, "    %s: %s\n", row.Problem.Type, row.Problem.Message)
		}
	}
	fmt.Fprintf(&b, "blank records: %d\n", rd.Blank())
	return b.String()
}

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("differs from %s (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// writeExcelFixture writes testdata/exports/excel.xlsx with -update: a
// workbook as a person types one in Excel, with dates and numbers, empty
// formatted rows under the table, and a second sheet.
func writeExcelFixture(t *testing.T) {
	if !*update {
		return
	}
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{
		{"Customer Id", "Name", "Email Address", "Company Name", "Phone", "Country", "Signed up", "Seats"},
		{1001, "Olivia Smith", "olivia@example.com", "Smith & Partners", "+44 7700 900123", "United Kingdom", time.Date(2023, 2, 14, 0, 0, 0, 0, time.UTC), 12},
		{1002, "Liam O'Brien", "liam.obrien@example.ie", "", 353851234567, "Ireland", time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC), 1.5},
		{"A-17", "Mia Fischer", "mia@example.de", "Fischer GmbH", "", "Germany", "", ""},
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Customers"))
	for i, r := range rows {
		must(f.SetSheetRow("Customers", fmt.Sprintf("A%d", i+1), &r))
	}
	must(f.SetSheetRow("Customers", "A6", &[]any{"", " "})) // a row of empty cells, as formatting leaves
	_, err := f.NewSheet("Notes")
	must(err)
	must(f.SetCellValue("Notes", "A1", "exported for the migration"))
	var b bytes.Buffer
	_, err = f.WriteTo(&b)
	must(err)
	must(os.WriteFile(filepath.Join("testdata", "exports", "excel.xlsx"), b.Bytes(), 0o644))
}
