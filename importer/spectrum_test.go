package importer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCSVSpectrum reads the csv-spectrum cases through the whole reader
// (encoding, tap, encoding/csv, gocsv, mapping). The first column is mapped
// to email and the rest go to metadata, so every value comes back out.
func TestCSVSpectrum(t *testing.T) {
	files, _ := filepath.Glob("testdata/csv-spectrum/*.csv")
	if len(files) != 12 {
		t.Fatalf("found %d csv-spectrum cases, want 12", len(files))
	}
	// Where the package's expected JSON is not what its CSV says.
	fixes := map[string]func([]map[string]string) []map[string]string{
		// The JSON gives another phone number than the CSV. (Its U+FFFD for
		// the degree signs is right: the file has U+FFFD there too.)
		"location_coordinates": func(want []map[string]string) []map[string]string {
			want[0]["Contact Phone Number"] = "2095257564"
			return want
		},
		// encoding/csv turns a CRLF inside a quoted field into LF; for
		// customer data that is what one wants, and it is documented Go
		// behaviour.
		"newlines_crlf": func(want []map[string]string) []map[string]string {
			want[1]["a"] = strings.ReplaceAll(want[1]["a"], "\r\n", "\n")
			return want
		},
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".csv")
		t.Run(name, func(t *testing.T) {
			want := expected(t, strings.TrimSuffix(f, ".csv")+".json")
			if fix := fixes[name]; fix != nil {
				want = fix(want)
			}
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			header := strings.Split(strings.TrimRight(strings.SplitN(string(in), "\n", 2)[0], "\r"), ",")
			first := header[0]
			explicit := map[string]string{first: FieldEmail}
			for _, h := range header[1:] {
				explicit[h] = "metadata." + h
			}
			// The coordinates hold a bare quote (37'37.8"N), which RFC 4180
			// does not allow: by default that line is a csv_error, and
			// --lazy-quotes reads it as the JSON expects.
			lazy := name == "location_coordinates"
			if lazy {
				if rows, _ := readRows(string(in), ReaderConfig{Map: MapOptions{Explicit: explicit}}); len(rows) != 1 || rows[0].Problem == nil || rows[0].Problem.Type != ErrorTypeCSV {
					t.Errorf("strict read of a bare quote: %+v, want one csv_error", rows)
				}
			}
			rows, err := readRows(string(in), ReaderConfig{LazyQuotes: lazy, Map: MapOptions{Explicit: explicit}})
			if err != nil {
				t.Fatal(err)
			}
			var got []map[string]string
			for _, row := range rows {
				if row.Problem != nil && row.Problem.Type == ErrorTypeCSV {
					t.Fatalf("line %d: %s", row.Line, row.Problem.Message)
				}
				rec := map[string]string{first: row.Request.Email}
				meta := map[string]string{}
				if len(row.Request.Metadata) > 0 {
					if err := json.Unmarshal(row.Request.Metadata, &meta); err != nil {
						t.Fatal(err)
					}
				}
				for _, h := range header[1:] {
					rec[h] = meta[h] // an empty cell is an absent key: ""
				}
				got = append(got, rec)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// expected reads a csv-spectrum JSON file: an array of records, or one.
func expected(t *testing.T, path string) []map[string]string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var many []map[string]string
	if json.Unmarshal(b, &many) == nil {
		return many
	}
	var one map[string]string
	if err := json.Unmarshal(b, &one); err != nil {
		t.Fatal(err)
	}
	return []map[string]string{one}
}
