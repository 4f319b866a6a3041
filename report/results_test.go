package report

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/importer"
)

// TestResultsInLineOrder: rows written as workers finish them come out in
// input line order, through the in-memory sort and through the merge of
// sorted runs on disk alike.
func TestResultsInLineOrder(t *testing.T) {
	for _, chunk := range []int{sortChunk, 2 << 10} {
		t.Run(strconv.Itoa(chunk), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "r.csv")
			w, err := OpenResults(path, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			lines := rand.New(rand.NewPCG(1, 2)).Perm(500)
			for _, l := range lines {
				msg := ""
				if l%7 == 0 {
					msg = "a message\nover two lines, with \"quotes\""
				}
				if err := w.Write(importer.Result{Line: l + 2, Status: importer.StatusCreated, CustomerID: fmt.Sprint("c", l), Message: msg}); err != nil {
					t.Fatal(err)
				}
			}
			w.cw.Flush()
			if err := finish(w.cw.Error(), w.f); err != nil {
				t.Fatal(err)
			}
			if err := sortByLine(path, lineOrder{comma: ','}, chunk); err != nil {
				t.Fatal(err)
			}
			recs := readCSV(t, path)
			if strings.Join(recs[0], ",") != ResultsHeader || len(recs) != 501 {
				t.Fatalf("header %v, %d rows", recs[0], len(recs)-1)
			}
			for i, rec := range recs[1:] {
				if rec[0] != strconv.Itoa(i+2) || rec[2] != fmt.Sprint("c", i) {
					t.Fatalf("row %d is %v", i+1, rec)
				}
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
				t.Errorf("mode %v after the rewrite, want 0600", fi.Mode().Perm())
			}
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestFormulaGuard: a cell a spreadsheet would run is written with a
// leading quote, in the results file and in the rejects file, whether it
// comes from the input or from the API.
func TestFormulaGuard(t *testing.T) {
	for _, in := range []string{"=1+1", "+1 555", "-2", "@SUM(A1)", "\tx", "\rx"} {
		if got := cell(in); got != "'"+in {
			t.Errorf("cell(%q) = %q", in, got)
		}
	}
	for _, in := range []string{"", "a=b", "ann@example.com", "'already", "1-2"} {
		if got := cell(in); got != in {
			t.Errorf("cell(%q) = %q, want it unchanged", in, got)
		}
	}
	dir := t.TempDir()
	f, err := OpenFiles(FilesConfig{Results: filepath.Join(dir, "r.csv"), Rejects: filepath.Join(dir, "x.csv"), Header: []string{"email", "name"}, Delimiter: ','})
	if err != nil {
		t.Fatal(err)
	}
	err = f.Write(importer.Result{Line: 2, Status: importer.StatusInvalid, Email: "=cmd|' /C calc'!A0", Fields: []string{"=cmd|' /C calc'!A0", "@x"},
		FieldErrors: []client.FieldError{{Field: "email", Message: "=HYPERLINK(\"http://evil\")"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	res := readCSV(t, filepath.Join(dir, "r.csv"))[1]
	rej := readCSV(t, filepath.Join(dir, "x.csv"))[1]
	if res[4] != "'=cmd|' /C calc'!A0" || res[8] != "email: =HYPERLINK(\"http://evil\")" {
		t.Errorf("results row %q", res)
	}
	if rej[0] != "'=cmd|' /C calc'!A0" || rej[1] != "'@x" {
		t.Errorf("rejects row %q", rej)
	}
}

// TestRejectsOfARejectsFile: importing a rejects file again writes its
// rows with this run's _error columns only, not a second set.
func TestRejectsOfARejectsFile(t *testing.T) {
	dir := t.TempDir()
	w := NewRejects(filepath.Join(dir, "x.csv"), []string{"email", "name", "_error_line", "_error_status", "_error_message"}, ',')
	if err := w.Write(importer.Result{Line: 2, Status: importer.StatusInvalid, Message: "still wrong", Fields: []string{"bad", "Ann", "4", "invalid", "old"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs := readCSV(t, filepath.Join(dir, "x.csv"))
	if got := strings.Join(recs[0], ","); got != "\ufeffemail,name,"+RejectColumns {
		t.Errorf("header %s", got)
	}
	if got := strings.Join(recs[1], ","); got != "bad,Ann,2,invalid,still wrong" {
		t.Errorf("row %s", got)
	}
}
