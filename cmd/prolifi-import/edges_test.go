package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// keyEnv is an environment with a test key and its own ledger.
func keyEnv(t *testing.T) func(string) string {
	return env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_edges"})
}

// files returns the results and rejects paths of a temporary folder.
func files(t *testing.T) (dir, results, rejects string) {
	dir = t.TempDir()
	return dir, filepath.Join(dir, "r.csv"), filepath.Join(dir, "rj.csv")
}

// TestRedirectsNeverFollowed: a 3xx ends its row as failed with error_type
// redirect, naming the status and the host; nothing reaches the Location.
func TestRedirectsNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(200)
		io.WriteString(w, `{"data":{"id":"invented","email":"a@example.com"}}`)
	}))
	defer other.Close()
	for _, status := range []int{301, 302, 307, 308} {
		_, base := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/api/v1/public/customers", status)
		}))
		dir, results, rejects := files(t)
		in := filepath.Join(dir, "in.csv")
		os.WriteFile(in, []byte(goodCSV), 0o600)
		o := runCmd(t, keyEnv(t), "--base-url", base, "--results", results, "--rejects", rejects, in)
		host := strings.TrimPrefix(other.URL, "http://")
		if o.code != exitRows || !strings.Contains(o.results, ",failed,") || !strings.Contains(o.results, "redirect") ||
			!strings.Contains(o.results, host) || !strings.Contains(o.results, itoa(status)) {
			t.Errorf("%d: exit %d\n%s\n%s", status, o.code, o.results, o.stderr)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the Location got %d requests", n)
	}
}

// TestOutputsThatWouldDestroy: outputs that are the input, another output,
// a link, a device or a file this tool did not write are refused before
// anything is sent or written.
func TestOutputsThatWouldDestroy(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir := t.TempDir()
	in := filepath.Join(dir, "big.csv")
	os.WriteFile(in, []byte(goodCSV), 0o600)
	hard := filepath.Join(dir, "hard.csv")
	os.Link(in, hard)
	link := filepath.Join(dir, "link.csv")
	os.Symlink(filepath.Join(dir, "victim.txt"), link)
	os.WriteFile(filepath.Join(dir, "victim.txt"), []byte("precious\n"), 0o600)
	foreign := filepath.Join(dir, "notes.csv")
	os.WriteFile(foreign, []byte("my,own,notes\n"), 0o600)
	pkg := filepath.Join(dir, "package.json")
	os.WriteFile(pkg, []byte("{\n  \"name\": \"my-app\"\n}\n"), 0o600)
	led := filepath.Join(dir, "l.db")
	r := filepath.Join(dir, "r.csv")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"results is the input", []string{"--results", in}, "is the input file"},
		{"rejects is the input", []string{"--rejects", in}, "is the input file"},
		{"a hard link to the input", []string{"--results", hard}, "is the input file"},
		{"results and rejects the same", []string{"--results", r, "--rejects", r}, "name the same file"},
		{"summary is the results", []string{"--results", r, "--summary-json", r}, "name the same file"},
		{"ledger is the input", []string{"--ledger", in}, "is the input file"},
		{"a symbolic link", []string{"--results", link}, "symbolic link"},
		{"a device", []string{"--rejects", "/dev/full"}, "not a regular file"},
		{"a foreign file", []string{"--results", foreign}, "was not written by prolifi-import"},
		{"a foreign rejects file", []string{"--rejects", foreign}, "was not written by prolifi-import"},
		{"a JSON file that is not a summary", []string{"--summary-json", pkg}, "was not written by prolifi-import"},
		{"a profile over the input", []string{"--cpuprofile", in}, "is the input file"},
		{"results on the ledger's log", []string{"--ledger", led, "--results", led + "-wal"}, "name the same file"},
		{"rejects on the ledger's lock", []string{"--ledger", led, "--rejects", led + ".lock"}, "name the same file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := runCmd(t, keyEnv(t), append(append([]string{"--base-url", base}, tt.args...), in)...)
			if o.code != exitUsage || !strings.Contains(o.stderr, tt.want) {
				t.Errorf("exit %d, want 2 and %q:\n%s", o.code, tt.want, o.stderr)
			}
		})
	}
	if n := emu.n.Load(); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	for path, want := range map[string]string{in: goodCSV, filepath.Join(dir, "victim.txt"): "precious\n", foreign: "my,own,notes\n",
		pkg: "{\n  \"name\": \"my-app\"\n}\n"} {
		if b, _ := os.ReadFile(path); string(b) != want {
			t.Errorf("%s changed: %q", path, b)
		}
	}
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Errorf("/dev/full: %v", err)
	}
	// Standard input redirected from a file: no output may be that file.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	o := runWithStdin(t, keyEnv(t), f, "--base-url", base, "--rejects", in, "-")
	if o.code != exitUsage || !strings.Contains(o.stderr, "is the input file") {
		t.Errorf("stdin from the rejects path: exit %d\n%s", o.code, o.stderr)
	}
	if b, _ := os.ReadFile(in); string(b) != goodCSV {
		t.Errorf("the input changed: %q", b)
	}
}

// TestOutputsArePrivate: every file that holds customer data is 0600, the
// ledger's folder 0700; an old results file of ours is replaced.
func TestOutputsArePrivate(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir, results, rejects := files(t)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(mixedCSV), 0o600)
	os.WriteFile(results, []byte("line,status,customer_id,external_id,email,http_status,error_type,error_message,field_errors,attempts\n9,created,x,,,,,,,1\n"), 0o644)
	summary := filepath.Join(dir, "s.json")
	getenv := keyEnv(t)
	o := runCmd(t, getenv, "--base-url", base, "--results", results, "--rejects", rejects, "--summary-json", summary, in)
	if o.code != exitRows {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	led := ledgerOf(getenv)
	for _, p := range []string{results, rejects, summary, led} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", p, fi.Mode().Perm(), err)
		}
	}
	if fi, _ := os.Stat(filepath.Dir(led)); fi.Mode().Perm() != 0o700 {
		t.Errorf("ledger folder %v, want 0700", fi.Mode().Perm())
	}
	if strings.Contains(o.results, "9,created,x") {
		t.Errorf("the old results were kept:\n%s", o.results)
	}
}

// TestLongRetryAfterStops: a wait longer than --max-wait is not slept: the
// run stops (exit 3), says what the server asked for and when to run
// again, and leaves the rows for the next run.
func TestLongRetryAfterStops(t *testing.T) {
	_, base := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "99999")
		w.WriteHeader(429)
		io.WriteString(w, `{"error":{"type":"rate_limit_error","message":"slow down"}}`)
	}))
	dir, results, rejects := files(t)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(goodCSV), 0o600)
	start := time.Now()
	o := runCmd(t, keyEnv(t), "--base-url", base, "--results", results, "--rejects", rejects, "--workers", "1", in)
	if o.code != exitAborted || !strings.Contains(o.stderr, "27h46m") || !strings.Contains(o.stderr, "run again after") {
		t.Errorf("exit %d after %s:\n%s", o.code, time.Since(start), o.stderr)
	}
	if len(lastStatus(t, results)) != 0 {
		t.Errorf("rows were recorded although none was done:\n%s", o.results)
	}
}

// TestDeadServerStops: connection refused, an untrusted certificate, and a
// server that only answers 503 each stop the run (exit 3) with one plain
// message, instead of retrying every row for minutes.
func TestDeadServerStops(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL + "/api"
	refused.Close()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	_, failing := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		io.WriteString(w, `{"error":{"type":"api_error","message":"down"}}`)
	}))
	var rows strings.Builder
	rows.WriteString("external_id,email\n")
	for i := range 30 {
		rows.WriteString("d" + itoa(i) + ",d" + itoa(i) + "@example.com\n")
	}
	for _, tt := range []struct{ name, base, want string }{
		{"refused", refusedURL, "could not be reached"},
		{"certificate", tlsSrv.URL + "/api", "certificate"},
		{"503 forever", failing, "kept failing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, results, rejects := files(t)
			in := filepath.Join(dir, "in.csv")
			os.WriteFile(in, []byte(rows.String()), 0o600)
			o := runCmd(t, keyEnv(t), "--base-url", tt.base, "--results", results, "--rejects", rejects, "--rate", "1000", in)
			if o.code != exitAborted || !strings.Contains(o.stderr, tt.want) {
				t.Errorf("exit %d, want 3 and %q:\n%s", o.code, tt.want, o.stderr)
			}
		})
	}
}

// TestFlagValuesChecked: numbers that make no sense are refused, naming the
// flag, before any file is touched.
func TestFlagValuesChecked(t *testing.T) {
	in := writeFile(t, "in.csv", goodCSV)
	for _, args := range [][]string{
		{"--rate", "NaN"}, {"--rate", "+Inf"}, {"--rate", "-1"}, {"--burst", "0"}, {"--workers", "-2"},
		{"--max-retries", "-1"}, {"--max-errors", "NaN%"}, {"--max-errors", "0"}, {"--max-errors", "150%"},
		{"--timeout", "0"}, {"--progress-interval", "0s"}, {"--max-wait", "0"}, {"--limit", "-5"},
		{"--max-record-bytes", "0"}, {"--grace", "-1s"},
	} {
		o := runCmd(t, env(t, nil), append(append([]string{"--dry-run"}, args...), in)...)
		if o.code != exitUsage || !strings.Contains(o.stderr, args[0]) {
			t.Errorf("%v: exit %d\n%s", args, o.code, o.stderr)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(in), "in.results.csv")); err == nil {
			t.Fatalf("%v: a results file was written", args)
		}
	}
}

// TestMaxRetriesZero: one attempt, no retry.
func TestMaxRetriesZero(t *testing.T) {
	emu, base := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, `{"error":{"type":"api_error","message":"oops"}}`)
	}))
	dir, results, rejects := files(t)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("external_id,email\nz1,z@example.com\n"), 0o600)
	o := runCmd(t, keyEnv(t), "--base-url", base, "--max-retries", "0", "--results", results, "--rejects", rejects, in)
	if o.code != exitRows || emu.n.Load() != 1 {
		t.Errorf("exit %d, %d requests, want 1 and 1\n%s", o.code, emu.n.Load(), o.stderr)
	}
}

// TestAnswersRecordedAsGiven: a 200 is recorded as 200; a 2xx whose body
// names no id is created, looked up when it has an external_id, and never
// lands in the rejects file.
func TestAnswersRecordedAsGiven(t *testing.T) {
	var creates, gets atomic.Int64
	_, base := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			io.WriteString(w, `{"data":{"id":"looked-up","email":"a@example.com"}}`)
			return
		}
		body, _ := io.ReadAll(r.Body)
		creates.Add(1)
		switch {
		case strings.Contains(string(body), `"ok200"`):
			w.WriteHeader(200)
			io.WriteString(w, `{"data":{"id":"id-200","email":"a@example.com"}}`)
		default:
			w.WriteHeader(201) // and no body at all
		}
	}))
	dir, results, rejects := files(t)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("external_id,email\nok200,a@example.com\nempty,b@example.com\n,c@example.com\n"), 0o600)
	o := runCmd(t, keyEnv(t), "--base-url", base, "--results", results, "--rejects", rejects, in)
	recs := readCSV(t, results)
	if o.code != exitOK || len(recs) != 4 {
		t.Fatalf("exit %d\n%s\n%s", o.code, o.results, o.stderr)
	}
	for i, want := range []string{"2,created,id-200,ok200,a@example.com,200", "3,created,looked-up,empty,b@example.com,201", "4,created,,,c@example.com,201"} {
		if got := strings.Join(recs[i+1][:6], ","); got != want {
			t.Errorf("row %d: %s, want %s", i+1, got, want)
		}
	}
	if !strings.Contains(recs[3][7], "could not be read") {
		t.Errorf("no word of the missing id: %q", recs[3][7])
	}
	if _, err := os.Stat(rejects); err == nil || gets.Load() != 1 {
		t.Errorf("rejects file written (%v) or look-ups %d, want none and 1", err, gets.Load())
	}
}

// TestInputOddities: a header-only file is an empty run that says so; a
// file with old Mac line ends imports its records.
func TestInputOddities(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	dir, results, rejects := files(t)
	in := filepath.Join(dir, "mac.csv")
	os.WriteFile(in, []byte("external_id,email\rm1,m1@example.com\rm2,m2@example.com\r"), 0o600)
	o := runCmd(t, keyEnv(t), "--base-url", base, "--results", results, "--rejects", rejects, in)
	if o.code != exitOK || emu.n.Load() != 2 {
		t.Errorf("CR-only file: exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
}

// TestKeyWithControlByte: a key that cannot go in a header is refused
// before any request.
func TestKeyWithControlByte(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := writeFile(t, "in.csv", goodCSV)
	o := runCmd(t, env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_ab\x01cd"}), "--base-url", base, in)
	if o.code != exitUsage || emu.n.Load() != 0 || !strings.Contains(o.stderr, "control") {
		t.Errorf("exit %d, %d requests\n%s", o.code, emu.n.Load(), o.stderr)
	}
}
