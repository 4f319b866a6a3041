package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/report/ledger"
)

// TestPrintLedgerEmptyTarget: a target whose runs recorded no customer (they
// stopped before any answer) says so, rather than printing an empty line.
func TestPrintLedgerEmptyTarget(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ledger.db")
	l, err := ledger.Open(t.Context(), path, ledger.Target{BaseURL: "https://api.example/v1", KeyFingerprint: "sha256:00ff"}, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := PrintLedger(t.Context(), &out, path, 10); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "(key sha256:00ff)\n  no customers recorded\n") {
		t.Errorf("got\n%s", out.String())
	}
}
