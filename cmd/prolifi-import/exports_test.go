package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// TestRealExportsImportWithNoFlags: each export layout in the importer's
// fixtures (Shopify, HubSpot, Google Contacts, Outlook, Mailchimp, Stripe,
// WooCommerce, Salesforce, Excel as CSV and as a workbook) imports through
// the command with no flags, or with the one flag the tool suggests.
func TestRealExportsImportWithNoFlags(t *testing.T) {
	fixtures, _ := filepath.Glob("../../importer/testdata/exports/*.csv")
	xlsx, _ := filepath.Glob("../../importer/testdata/exports/*.xlsx")
	fixtures = append(fixtures, xlsx...)
	if len(fixtures) < 10 {
		t.Fatalf("only %d export fixtures found", len(fixtures))
	}
	for _, src := range fixtures {
		t.Run(filepath.Base(src), func(t *testing.T) {
			b, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			in := writeFile(t, filepath.Base(src), string(b))
			o := runCmd(t, env(t, nil), "--local", "--rate", "1000", in)
			if o.code != exitOK || !strings.Contains(o.stderr, "finished:") {
				t.Fatalf("exit %d\n%s", o.code, o.stderr)
			}
			if strings.Contains(o.stderr, "--map '") && !strings.Contains(o.stderr, "--map 'HEADER=") {
				// The tool suggested one flag (a column that looks like an
				// id): with it, the import goes just as well.
				suggested := o.stderr[strings.Index(o.stderr, "--map '")+len("--map '"):]
				suggested = suggested[:strings.Index(suggested, "'")]
				if o := runCmd(t, env(t, nil), "--local", "--map", suggested, in); o.code != exitOK {
					t.Errorf("with --map %s: exit %d\n%s", suggested, o.code, o.stderr)
				}
			}
		})
	}
}

// TestLimitSaysWhatIsLeft: a canary run says how many records are left and
// how to go on; the same canary again does the next ones (the ledger skips
// the first), and a run without --limit does the rest.
func TestLimitSaysWhatIsLeft(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := writeFile(t, "in.csv", "external_id,email,name\n"+rowsCSV(0, 30))
	k := keyEnv(t)
	summary := filepath.Join(filepath.Dir(in), "s.json")
	o := runCmd(t, k, "--base-url", base, "--limit", "10", "--summary-json", summary, in)
	if o.code != exitOK || emu.n.Load() != 10 || !strings.Contains(o.stderr, "20 records left after --limit 10") || !strings.Contains(o.stderr, "without --limit") {
		t.Fatalf("exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	if b, _ := os.ReadFile(summary); !strings.Contains(string(b), `"limited": true`) || !strings.Contains(string(b), `"records_left": 20`) {
		t.Errorf("summary json:\n%s", b)
	}
	if o := runCmd(t, k, "--base-url", base, "--limit", "10", in); o.code != exitOK || emu.n.Load() != 20 || !strings.Contains(o.stderr, "10 records left") {
		t.Fatalf("second canary: exit %d, %d requests in all\n%s", o.code, emu.n.Load(), o.stderr)
	}
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != 30 || strings.Contains(o.stderr, "--limit") {
		t.Fatalf("the rest: exit %d, %d requests in all\n%s", o.code, emu.n.Load(), o.stderr)
	}
}
