package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// rowsCSV writes n rows with external ids x-from … and emails.
func rowsCSV(from, n int) string {
	var b strings.Builder
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "x-%d,u%d@example.com,Person %d\n", i, i, i)
	}
	return b.String()
}

// TestRerunSendsOnlyWhatIsNew: the same command again sends nothing and
// reports every customer as already imported; an export that grew sends
// exactly the new rows; the results file always has one row per record, in
// line order.
func TestRerunSendsOnlyWhatIsNew(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	os.WriteFile(in, []byte("external_id,email,name\n"+rowsCSV(0, 300)), 0o600)
	k := keyEnv(t)
	args := []string{"--base-url", base, "--rate", "5000", in}
	if o := runCmd(t, k, args...); o.code != exitOK || emu.n.Load() != 300 {
		t.Fatalf("first run: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	o := runCmd(t, k, args...)
	if o.code != exitOK || emu.n.Load() != 300 {
		t.Fatalf("unchanged rerun: exit %d, %d requests in all, want 300\n%s", o.code, emu.n.Load(), o.stderr)
	}
	results := filepath.Join(dir, "export.results.csv")
	recs := readCSV(t, results)
	if len(recs) != 301 || recs[1][1] != "exists" || recs[1][9] != "0" || !strings.Contains(recs[1][7], "imported on") || !strings.Contains(recs[1][7], "line 2 of export.csv") {
		t.Fatalf("rerun results: %d rows, first %v", len(recs)-1, recs[1])
	}
	// The nightly export grew, and was re-sorted on the way.
	grown := "external_id,email,name\n" + rowsCSV(300, 100) + rowsCSV(0, 300)
	os.WriteFile(in, []byte(grown), 0o600)
	if o := runCmd(t, k, args...); o.code != exitOK || emu.n.Load() != 400 {
		t.Fatalf("grown export: exit %d, %d requests in all, want 400\n%s", o.code, emu.n.Load(), o.stderr)
	}
	recs = readCSV(t, results)
	for i, rec := range recs[1:] {
		if rec[0] != itoa(i+2) {
			t.Fatalf("row %d is for line %s: the file is not one row per line in order", i+1, rec[0])
		}
	}
	if st := emu.h.(*sandbox.Server).Stats(); st.Created != 400 {
		t.Errorf("emulator created %d customers, want 400", st.Created)
	}
	if st := (o.stderr); !strings.Contains(st, "exists 300") {
		t.Errorf("the rerun summary does not say 300 exist:\n%s", st)
	}
}

// swappable lets a test replace the API behind one base URL.
type swappable struct {
	mu sync.Mutex
	h  http.Handler
}

func (s *swappable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.h
	s.mu.Unlock()
	h.ServeHTTP(w, r)
}

func (s *swappable) set(h http.Handler) { s.mu.Lock(); s.h = h; s.mu.Unlock() }

// TestUnknownOutcomesAndRecheck: a row without external_id whose answer
// was lost is never sent again by a rerun, until --retry-unknown; --recheck
// asks the API about known customers and creates the ones it lost.
func TestUnknownOutcomesAndRecheck(t *testing.T) {
	sw := &swappable{h: sandbox.New(sandbox.Config{LostRate: 1})}
	emu, base := emulator(t, sw)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("email,name\nlost@example.com,Lost\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows || !strings.Contains(o.stderr, "ledger unknown") {
		t.Fatalf("first run: exit %d\n%s", o.code, o.stderr)
	}
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows || emu.n.Load() != 1 || !strings.Contains(o.stderr, "--retry-unknown") {
		t.Fatalf("rerun: exit %d, %d requests, want 1 and no resend\n%s", o.code, emu.n.Load(), o.stderr)
	}
	var out strings.Builder
	if err := run(t.Context(), []string{"ledger", "unknown"}, k, strings.NewReader(""), &out, &out); err != nil || !strings.Contains(out.String(), "lost@example.com") {
		t.Fatalf("ledger unknown: %v\n%s", err, out.String())
	}
	healthy := sandbox.New(sandbox.Config{})
	sw.set(healthy)
	if o := runCmd(t, k, "--base-url", base, "--retry-unknown", in); o.code != exitOK || emu.n.Load() != 2 {
		t.Fatalf("--retry-unknown: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}

	// Known customers: no request without --recheck; with it, a customer
	// the API no longer has is created again.
	os.WriteFile(in, []byte("external_id,email\nr1,r1@example.com\n"), 0o600)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK {
		t.Fatalf("import r1: exit %d\n%s", o.code, o.stderr)
	}
	sw.set(sandbox.New(sandbox.Config{})) // the customer was deleted in Prolifi
	before := emu.n.Load()
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != before {
		t.Fatalf("rerun without --recheck sent %d requests", emu.n.Load()-before)
	}
	o := runCmd(t, k, "--base-url", base, "--recheck", "--results", filepath.Join(dir, "r.csv"), in)
	if o.code != exitOK || emu.n.Load() != before+2 || !strings.Contains(o.results, "2,created,") {
		t.Fatalf("--recheck: exit %d, %d requests (want a look-up and a create)\n%s\n%s", o.code, emu.n.Load()-before, o.results, o.stderr)
	}
}

// TestDryRunConsultsLedger: a dry run, with no key, says what would be
// created and what is already imported, and writes nothing to the ledger.
func TestDryRunConsultsLedger(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("external_id,email,name\n"+rowsCSV(0, 5)), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK {
		t.Fatalf("import: exit %d\n%s", o.code, o.stderr)
	}
	os.WriteFile(in, []byte("external_id,email,name\n"+rowsCSV(0, 8)), 0o600)
	led := ledgerOf(k)
	before, _ := os.ReadFile(led)
	noKey := func(name string) string {
		if name == "PROLIFI_API_KEY" {
			return ""
		}
		return k(name)
	}
	o := runCmd(t, noKey, "--dry-run", "--base-url", base, in)
	if o.code != exitOK || !strings.Contains(o.stderr, "would create 3 · already imported 5") || strings.Contains(o.stderr, "rate limited") {
		t.Errorf("dry run: exit %d\n%s", o.code, o.stderr)
	}
	if after, _ := os.ReadFile(led); string(after) != string(before) {
		t.Error("the dry run changed the ledger")
	}
}

// TestDryRunOfANewKey: a dry run with a key says what the run itself would
// do: stop where the run would stop over another key's entries, and count
// with --key-replaces what the replaced key imported.
func TestDryRunOfANewKey(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(in, []byte("email,name\nann@example.com,Ann\nbob@example.com,Bob\n"), 0o600)
	state := filepath.Join(t.TempDir(), "state")
	withKey := func(key string) func(string) string {
		return env(t, map[string]string{"PROLIFI_API_KEY": key, "XDG_STATE_HOME": state})
	}
	if o := runCmd(t, withKey("sk_test_old"), "--base-url", base, in); o.code != exitOK {
		t.Fatalf("first run: exit %d\n%s", o.code, o.stderr)
	}
	old := ledger.Fingerprint("sk_test_old")
	for _, tc := range []struct {
		name  string
		flags []string
		code  int
		want  string
	}{
		{"new key", nil, exitUsage, "--key-replaces " + old},
		{"--key-replaces", []string{"--key-replaces", old}, exitOK, "would create 0 · already imported 2"},
		{"--key-replaces an unknown key", []string{"--key-replaces", ledger.Fingerprint("sk_test_none")}, exitUsage, "no key"},
		{"--new-account", []string{"--new-account"}, exitOK, "would create 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := runCmd(t, withKey("sk_test_new"), append([]string{"--dry-run", "--base-url", base, in}, tc.flags...)...)
			if o.code != tc.code || !strings.Contains(o.stderr, tc.want) {
				t.Errorf("exit %d, want %d and %q\n%s", o.code, tc.code, tc.want, o.stderr)
			}
		})
	}
	if emu.n.Load() != 2 {
		t.Errorf("%d requests in all, want the first run's 2", emu.n.Load())
	}
}

// TestLedgerCommandBaseURL: the ledger command's --base-url is spelled as
// a run spells it (a run's "HTTP://Host/…/" is its "http://host/…"), a
// malformed one or a word too many is a usage error, not an empty list.
func TestLedgerCommandBaseURL(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := filepath.Join(t.TempDir(), "in.csv")
	os.WriteFile(in, []byte("email,name\nann@example.com,Ann\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK {
		t.Fatalf("import: exit %d\n%s", o.code, o.stderr)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"entries, another spelling", []string{"entries", "--base-url", strings.ToUpper(base[:4]) + base[4:] + "/"}, exitOK, "ann@example.com"},
		{"show, this API", []string{"show", "--base-url", base}, exitOK, "created 1"},
		{"show, another API", []string{"show", "--base-url", "https://elsewhere.example/api"}, exitOK, "ledger "},
		{"malformed", []string{"unknown", "--base-url", "nonsense"}, exitUsage, "base url"},
		{"a word too many", []string{"show", "unknown"}, exitUsage, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := runCmd(t, k, append([]string{"ledger"}, tc.args...)...)
			if o.code != tc.code || !strings.Contains(o.stdout+o.stderr, tc.want) {
				t.Errorf("exit %d, want %d and %q\n%s%s", o.code, tc.code, tc.want, o.stdout, o.stderr)
			}
			if tc.name == "show, another API" && strings.Contains(o.stdout, "created") {
				t.Errorf("shows another API's entries\n%s", o.stdout)
			}
		})
	}
}

// TestLocalLedgerIsTemporary: --local keeps its ledger in a temporary file
// and removes it, so the emulator's customers never mix with real ones.
func TestLocalLedgerIsTemporary(t *testing.T) {
	in := writeFile(t, "in.csv", goodCSV)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	k := env(t, nil)
	o := runCmd(t, k, "--local", in)
	if o.code != exitOK || !strings.Contains(o.stderr, "temporary") {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	if _, err := os.Stat(ledgerOf(k)); err == nil {
		t.Error("--local wrote the default ledger")
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

// TestLocalNextStepStaysLocal: after a --local run with rows to fix, the
// next step it prints keeps --local; the bare command would go to the live
// API.
func TestLocalNextStepStaysLocal(t *testing.T) {
	in := writeFile(t, "in.csv", "email\na@b.example\nnot-an-email\n")
	t.Setenv("TMPDIR", t.TempDir())
	o := runCmd(t, env(t, nil), "--local", in)
	if o.code != exitRows || !strings.Contains(o.stderr, "then run prolifi-import --local on that file") {
		t.Errorf("exit %d\n%s", o.code, o.stderr)
	}
}

// TestErrorBudgetEveryNight: --max-errors counts rows the API refused, not
// rows the local checks refused (they cost nothing), and not rows that
// failed the same way on an earlier night: a bad row in every night's
// export must not stop every night at the same place.
func TestErrorBudgetEveryNight(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{Reject: func(r clientReq) []clientFieldError {
		if strings.HasSuffix(r.Email, "@blocked.example") {
			return []clientFieldError{{Field: "email", Message: "domain refused"}}
		}
		return nil
	}}))
	var b strings.Builder
	b.WriteString("external_id,email,name\n")
	for i := range 3 {
		fmt.Fprintf(&b, "b%d,b%d@blocked.example,B\nl%d,not-an-email-%d,L\n", i, i, i, i)
	}
	b.WriteString(rowsCSV(0, 20))
	in := writeFile(t, "nightly.csv", b.String())
	k := keyEnv(t)
	args := []string{"--base-url", base, "--max-errors", "2", "--workers", "1", in}
	if o := runCmd(t, k, args...); o.code != exitAborted || !strings.Contains(o.stderr, "error budget spent: 3 of the") {
		t.Fatalf("first night: exit %d, want 3\n%s", o.code, o.stderr)
	}
	o := runCmd(t, k, args...)
	if o.code != exitRows || !strings.Contains(o.stderr, "created") {
		t.Fatalf("second night: exit %d, want 1 (the same three rows refused again do not stop it)\n%s", o.code, o.stderr)
	}
	if st := emu.h.(*sandbox.Server).Stats(); st.Created != 20 {
		t.Errorf("%d customers created, want the 20 good rows\n%s", st.Created, o.stderr)
	}
}

// TestExternalIDAddedLater: an export imported by email, then given an
// external_id column, is not created again: the rows are found under their
// emails, and later runs find them under their ids.
func TestExternalIDAddedLater(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("email,first_name\na@example.com,A\nb@example.com,B\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != 2 {
		t.Fatalf("by email: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	os.WriteFile(in, []byte("customer_id,email,first_name\nc-1,a@example.com,A\nc-2,b@example.com,B\nc-3,c@example.com,C\n"), 0o600)
	for run, want := range []string{"created 1 · exists 2", "created 0 · exists 3"} {
		o := runCmd(t, k, "--base-url", base, in)
		if o.code != exitOK || emu.n.Load() != 3 || !strings.Contains(o.stderr, want) {
			t.Fatalf("run %d with ids: exit %d, %d requests in all (want only c-3 sent), want %q\n%s", run+1, o.code, emu.n.Load(), want, o.stderr)
		}
	}
	if twins := emu.h.(*sandbox.Server).CreatedWithEmail("a@example.com"); twins != 1 {
		t.Errorf("a@example.com created %d times", twins)
	}
}

// TestExternalIDAddedAfterAKill: a run killed while a row without an
// external_id was marked pending leaves its customer maybe created; when
// the export then gives that row an external_id, the row is neither sent
// (that would make a twin) nor does it stop every later run: it ends
// outcome_unknown, and the other rows go on.
func TestExternalIDAddedAfterAKill(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("email,first_name\na@example.com,A\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != 1 {
		t.Fatalf("by email: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	// What a run killed between the mark of b@example.com and its answer leaves.
	l, err := ledger.Open(context.Background(), ledgerOf(k), ledger.Target{BaseURL: base, KeyFingerprint: ledger.Fingerprint("sk_test_edges")}, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = l.Apply(context.Background(), []ledger.Change{{Op: ledger.OpPending, Identity: "e:b@example.com", Run: "killed", Line: 3, Email: "b@example.com"}})
	if cerr := l.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	os.WriteFile(in, []byte("customer_id,email,first_name\nc-1,a@example.com,A\nc-2,b@example.com,B\nc-3,c@example.com,C\n"), 0o600)
	for run := range 2 {
		o := runCmd(t, k, "--base-url", base, in)
		if o.code != exitRows || emu.n.Load() != 2 {
			t.Fatalf("run %d with ids: exit %d, %d requests in all; want exit 1, only c-3 sent\n%s", run+1, o.code, emu.n.Load(), o.stderr)
		}
		if got := lastStatus(t, filepath.Join(dir, "in.results.csv")); got[2] != "exists" || got[3] != "failed" || got[4] != "created" && got[4] != "exists" {
			t.Fatalf("run %d: statuses by line %v", run+1, got)
		}
	}
}

// TestReplacedKey: a run with a new key of an API the ledger knows under
// another key is refused before anything is sent (rows imported by email
// would be created again); --key-replaces carries the old key's entries
// over, and --new-account imports afresh.
func TestReplacedKey(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	os.WriteFile(in, []byte("email,name\nann@example.com,Ann\nbob@example.com,Bob\n"), 0o600)
	state := filepath.Join(t.TempDir(), "state")
	withKey := func(key string) func(string) string {
		return env(t, map[string]string{"PROLIFI_API_KEY": key, "XDG_STATE_HOME": state})
	}
	args := []string{"--base-url", base, in}
	if o := runCmd(t, withKey("sk_test_old"), args...); o.code != exitOK || emu.n.Load() != 2 {
		t.Fatalf("first run: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	o := runCmd(t, withKey("sk_test_new"), args...)
	old := ledger.Fingerprint("sk_test_old")
	if o.code != exitUsage || emu.n.Load() != 2 || !strings.Contains(o.stderr, "--key-replaces "+old) || !strings.Contains(o.stderr, "--new-account") {
		t.Fatalf("new key: exit %d, %d requests in all; want exit 2, nothing sent, advice naming %s\n%s", o.code, emu.n.Load(), old, o.stderr)
	}
	if o := runCmd(t, withKey("sk_test_new"), append([]string{"--key-replaces", "sk_test_old"}, args...)...); o.code != exitUsage || !strings.Contains(o.stderr, "never a key") {
		t.Fatalf("a key given as the fingerprint: exit %d\n%s", o.code, o.stderr)
	}
	o = runCmd(t, withKey("sk_test_new"), append([]string{"--key-replaces", old}, args...)...)
	if o.code != exitOK || emu.n.Load() != 2 || !strings.Contains(o.stderr, "exists 2") {
		t.Fatalf("--key-replaces: exit %d, %d requests in all; want 0 more, both existing\n%s", o.code, emu.n.Load(), o.stderr)
	}
	// Left in a nightly script, the flag moves nothing more and stops nothing.
	o = runCmd(t, withKey("sk_test_new"), append([]string{"--key-replaces", old}, args...)...)
	if o.code != exitOK || emu.n.Load() != 2 {
		t.Fatalf("--key-replaces again: exit %d, %d requests in all; want 0 more\n%s", o.code, emu.n.Load(), o.stderr)
	}
	// The old key has nothing left; a third key of another account goes on
	// only when told.
	if o := runCmd(t, withKey("sk_test_other"), args...); o.code != exitUsage {
		t.Fatalf("third key: exit %d, want 2\n%s", o.code, o.stderr)
	}
	if o := runCmd(t, withKey("sk_test_other"), append([]string{"--new-account"}, args...)...); o.code != exitOK || emu.n.Load() != 4 {
		t.Fatalf("--new-account: exit %d, %d requests in all, want 4\n%s", o.code, emu.n.Load(), o.stderr)
	}
	// From then on that key has its own history and is not asked again.
	if o := runCmd(t, withKey("sk_test_other"), args...); o.code != exitOK || emu.n.Load() != 4 {
		t.Fatalf("another account's rerun: exit %d, %d requests in all, want 4\n%s", o.code, emu.n.Load(), o.stderr)
	}
}

// TestRelativeLedgerFromEnvironment: a relative PROLIFI_LEDGER is refused
// (a scheduler's folder would hold another, empty ledger); --ledger may be
// relative, as any path a person types.
func TestRelativeLedgerFromEnvironment(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	os.WriteFile(in, []byte("email\nann@example.com\n"), 0o600)
	o := runCmd(t, env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_x", "PROLIFI_LEDGER": "ledger.db"}), "--base-url", base, in)
	if o.code != exitUsage || emu.n.Load() != 0 || !strings.Contains(o.stderr, "PROLIFI_LEDGER must be an absolute path") {
		t.Fatalf("relative PROLIFI_LEDGER: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	t.Chdir(dir)
	if o := runCmd(t, keyEnv(t), "--base-url", base, "--ledger", "here.db", in); o.code != exitOK || emu.n.Load() != 1 {
		t.Fatalf("relative --ledger: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "here.db")); err != nil {
		t.Errorf("relative --ledger: %v", err)
	}
}

// TestExternalIDColumnLost: an export that lost its external_id column
// (another view of the same list) finds its customers by email among those
// the ledger holds under external ids: nothing is created twice. A row
// with an external_id and a later row of the same email without one are
// one customer in the same run too.
func TestExternalIDColumnLost(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("customer_id,email,first_name\nc-1,A@example.com,A\nc-2,b@example.com,B\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != 2 {
		t.Fatalf("with ids: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	os.WriteFile(in, []byte("email,first_name\na@example.com,A\nb@example.com,B\nc@example.com,C\n"), 0o600)
	results := filepath.Join(dir, "in.results.csv")
	o := runCmd(t, k, "--base-url", base, in)
	if o.code != exitOK || emu.n.Load() != 3 || !strings.Contains(o.stderr, "created 1 · exists 2") ||
		!strings.Contains(readRegular(results), "with external_id c-1, found by its email") {
		t.Fatalf("without ids: exit %d, %d requests in all (want only c sent)\n%s\n%s", o.code, emu.n.Load(), o.stderr, readRegular(results))
	}
	// One file, both ways: the row without an id is the same customer.
	os.WriteFile(in, []byte("customer_id,email\nd-1,d@example.com\n,d@example.com\n"), 0o600)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows || emu.n.Load() != 4 || !strings.Contains(readRegular(results), "as line 2") {
		t.Fatalf("same email with and without an id: exit %d, %d requests in all (want d-1 only)\n%s\n%s", o.code, emu.n.Load(), o.stderr, readRegular(results))
	}
	srv := emu.h.(*sandbox.Server)
	for _, e := range []string{"a@example.com", "A@example.com", "b@example.com", "d@example.com"} {
		if n := srv.CreatedWithEmail(e); n > 1 {
			t.Errorf("%s created %d times", e, n)
		}
	}
}

// TestDryRunKeepsTheRealResults: a dry run writes its own files
// (INPUT.dry-run.results.csv), so the results of the real run before it,
// with their customer ids, stay as they were.
func TestDryRunKeepsTheRealResults(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "export.csv")
	os.WriteFile(in, []byte("email\nann@example.com\nnot-an-email\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows {
		t.Fatalf("real run: exit %d\n%s", o.code, o.stderr)
	}
	real := readRegular(filepath.Join(dir, "export.results.csv"))
	if o := runCmd(t, k, "--base-url", base, "--dry-run", in); o.code != exitRows {
		t.Fatalf("dry run: exit %d\n%s", o.code, o.stderr)
	}
	if got := readRegular(filepath.Join(dir, "export.results.csv")); got != real {
		t.Errorf("the dry run replaced the real results:\n%s\nwas\n%s", got, real)
	}
	dry := readRegular(filepath.Join(dir, "export.dry-run.results.csv"))
	if !strings.Contains(dry, "2,exists,") || !strings.Contains(dry, "3,invalid,") {
		t.Errorf("dry-run results:\n%s", dry)
	}
	if _, err := os.Stat(filepath.Join(dir, "export.dry-run.rejects.csv")); err != nil {
		t.Errorf("dry-run rejects: %v", err)
	}
}

// TestSettleUnknownByHand: rows without an external_id whose answer was
// lost fail every night until a person says what they found: `ledger found`
// makes them imported (no request, exit 0), `ledger missing` makes the next
// run send them; an email the ledger does not hold as unknown is named.
func TestSettleUnknownByHand(t *testing.T) {
	sw := &swappable{h: sandbox.New(sandbox.Config{LostRate: 1})}
	emu, base := emulator(t, sw)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("email\nthere@example.com\ngone@example.com\nalso@example.com\n"), 0o600)
	k := keyEnv(t)
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows || emu.n.Load() != 3 {
		t.Fatalf("first run: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
	sw.set(sandbox.New(sandbox.Config{}))
	o := runCmd(t, k, "ledger", "found", "there@example.com=cus_9", "nobody@example.com")
	if o.code != exitRows || !strings.Contains(o.stdout, "1 rows settled as found") || !strings.Contains(o.stderr, "nobody@example.com") {
		t.Fatalf("ledger found: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	list := writeFile(t, "missing.csv", "identity,state,email\ne:gone@example.com,outcome_unknown,gone@example.com\n,,also@example.com\n")
	if o := runCmd(t, k, "ledger", "missing", "--file", list); o.code != exitOK || !strings.Contains(o.stdout, "2 rows settled as missing") {
		t.Fatalf("ledger missing: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	results := filepath.Join(dir, "in.results.csv")
	if o := runCmd(t, k, "--base-url", base, in); o.code != exitOK || emu.n.Load() != 5 {
		t.Fatalf("rerun: exit %d, %d requests in all (want the 2 missing sent)\n%s\n%s", o.code, emu.n.Load(), o.stderr, readRegular(results))
	}
	if r := readRegular(results); !strings.Contains(r, "2,exists,cus_9,") || !strings.Contains(r, "3,created,") {
		t.Errorf("rerun results:\n%s", r)
	}
	if o := runCmd(t, k, "ledger", "found"); o.code != exitUsage {
		t.Errorf("ledger found with nothing: exit %d", o.code)
	}
}
