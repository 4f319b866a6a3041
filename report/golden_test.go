package report_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fakeAPI is a hand-written Creator.
type fakeAPI struct {
	create func(client.CreateCustomerRequest) (*client.Customer, *client.Response, error)
	get    func(string) (*client.Customer, *client.Response, error)
}

func (f fakeAPI) CreateCustomer(_ context.Context, r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
	return f.create(r)
}
func (f fakeAPI) GetCustomer(_ context.Context, id string) (*client.Customer, *client.Response, error) {
	return f.get(id)
}

// collect keeps results so the test can write them in line order.
type collect struct{ rs []importer.Result }

func (c *collect) Write(r importer.Result) error { c.rs = append(c.rs, r); return nil }
func (c *collect) Flush() error                  { return nil }

// TestMessyFileGolden imports a deliberately messy file (Excel-style
// semicolons, aliases, padding, bad emails, a duplicate, a quoted newline, a
// bare quote, ragged rows, a server-side 422, a 409, an unclosed quote, and
// Windows-1252 bytes) and compares the results and rejects files with
// golden copies. Run with -update to rewrite them.
func TestMessyFileGolden(t *testing.T) {
	api := fakeAPI{
		create: func(r client.CreateCustomerRequest) (*client.Customer, *client.Response, error) {
			switch {
			case strings.HasSuffix(r.Email, "@server-rejects.example"):
				return nil, &client.Response{Status: 422}, &client.APIError{Status: 422, Type: client.TypeValidation, Message: "The given data was invalid.",
					FieldErrors: []client.FieldError{{Field: "email", Message: "this domain does not accept mail"}}}
			case r.ExternalID == "c-10":
				return nil, &client.Response{Status: 409}, &client.APIError{Status: 409, Type: client.TypeConflict, Message: "taken"}
			}
			return &client.Customer{ID: "id-" + r.ExternalID + r.Email}, &client.Response{Status: 201}, nil
		},
		get: func(ext string) (*client.Customer, *client.Response, error) {
			return &client.Customer{ID: "old-" + ext}, &client.Response{Status: 200}, nil
		},
	}
	f, err := os.Open("testdata/messy.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := importer.NewReader(f, importer.ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := &collect{}
	stats, err := importer.New(api, importer.Config{Rate: 1e6, Workers: 1, BackoffInitial: time.Millisecond}).Run(context.Background(), rd, got)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(got.rs, func(i, j int) bool { return got.rs[i].Line < got.rs[j].Line })

	dir := t.TempDir()
	files, err := report.OpenFiles(report.FilesConfig{Results: filepath.Join(dir, "results.csv"), Rejects: filepath.Join(dir, "rejects.csv"),
		Header: rd.Header(), Delimiter: rd.Delimiter()})
	if err != nil {
		t.Fatal(err)
	}
	// Written out of order, as workers finish: Close puts them in line order.
	for i := len(got.rs) - 1; i >= 0; i-- {
		if err := files.Write(got.rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := files.Close(); err != nil {
		t.Fatal(err)
	}
	// The summary a person reads, and the one a monitor reads, with the
	// rows to fix grouped by cause.
	sum := report.NewSummary(stats)
	sum.RunID, sum.Input, sum.Target, sum.Results, sum.Rejects = "run-1", "messy.csv", "api.example", "messy.results.csv", "messy.rejects.csv"
	sum.Causes, sum.Elapsed, sum.RowsPerSec, sum.ExitCode, sum.Outcome = files.Causes(), 2, 9, 1, "finished with 8 rows to fix"
	var printed strings.Builder
	sum.Print(&printed)
	os.WriteFile(filepath.Join(dir, "summary.txt"), []byte(printed.String()), 0o600)
	js, _ := json.MarshalIndent(struct {
		Counts map[string]int `json:"counts"`
		Causes []report.Cause `json:"causes"`
	}{sum.Counts, sum.Causes}, "", "  ")
	os.WriteFile(filepath.Join(dir, "summary.json"), js, 0o600)
	for _, name := range []string{"results.csv", "rejects.csv", "summary.txt", "summary.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "messy."+strings.TrimSuffix(strings.TrimSuffix(name, ".csv"), ".txt")+".golden")
		if *update {
			if err := os.WriteFile(golden, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./report -update to create it)", err)
		}
		if string(b) != string(want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, golden, b, want)
		}
	}
}
