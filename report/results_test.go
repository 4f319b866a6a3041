package report_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
)

// TestResumeAfterTornLine: a process killed mid-write leaves half a row;
// reopening for a resume cuts it, and the done set ignores it.
func TestResumeAfterTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.csv")
	content := report.ResultsHeader + "\n" +
		"2,created,id-2,e2,a@b.co,201,,,,1\n" +
		"3,failed,,e3,c@d.co,503,api_error,gave up,,9\n" +
		"4,exists,id-4,e4,e@f.co,409,,,,2\n" +
		"3,created,id-3,e3,c@d.co,201,,,,1\n" + // a resume fixed line 3
		"5,creat" // torn
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := report.OpenResults(path, true, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(importer.Result{Line: 5, Status: importer.StatusCreated, CustomerID: "id-5", Attempts: 1}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	done, err := report.ReadDone(path)
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]bool{2: true, 3: true, 4: true, 5: true, 6: false} {
		if done.Has(line) != want {
			t.Errorf("line %d done %v, want %v", line, done.Has(line), want)
		}
	}
	b, _ := os.ReadFile(path)
	if want := content[:len(content)-len("5,creat")] + "5,created,id-5,,,,,,,1\n"; string(b) != want {
		t.Errorf("file after resume:\n%s\nwant\n%s", b, want)
	}
}

func TestReadDoneRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(path, []byte("email,name\na@b.co,Ann\n"), 0o644)
	if _, err := report.ReadDone(path); err == nil {
		t.Error("read an input file as results")
	}
	if d, err := report.ReadDone(filepath.Join(t.TempDir(), "missing.csv")); err != nil || d.Len() != 0 {
		t.Errorf("missing file: %v %v", d, err)
	}
}
