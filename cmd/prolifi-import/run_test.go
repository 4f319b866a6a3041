package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/report"
)

const (
	goodCSV  = "external_id,email,name\nc1,a@example.com,Ann Lee\nc2,b@example.com,Bob Ray\n"
	mixedCSV = "external_id,email,name\nc1,a@example.com,Ann Lee\nc2,not-an-email,Bob Ray\nc1,c@example.com,Again\n"
)

func TestExitCodes(t *testing.T) {
	key := map[string]string{"PROLIFI_API_KEY": "sk_test_abc"}
	tests := []struct {
		name     string
		csv      string
		env      map[string]string
		args     []string
		handler  http.Handler // nil: the emulator
		wantCode int
		wantReqs int64 // -1: don't check
		wantErr  string
	}{
		{"all created", goodCSV, key, nil, nil, 0, 2, "finished: 2 rows"},
		{"some rows to fix", mixedCSV, key, nil, nil, 1, 1, "finished with 2 rows to fix"},
		{"dry run valid", goodCSV, nil, []string{"--dry-run"}, nil, 0, 0, "dry run: every row is valid"},
		{"dry run invalid", mixedCSV, nil, []string{"--dry-run"}, nil, 1, 0, "finished with 2 rows to fix"},
		{"no key", goodCSV, nil, nil, nil, 2, 0, "no API key"},
		{"read-only key", goodCSV, map[string]string{"PROLIFI_API_KEY": "pk_test_abc"}, nil, nil, 2, 0, "read-only"},
		{"malformed key", goodCSV, map[string]string{"PROLIFI_API_KEY": "sk_prod_abc"}, nil, nil, 2, 0, "api key"},
		{"no email column", "name\nAnn\n", key, nil, nil, 2, 0, "no email column"},
		{"empty file", "", key, nil, nil, 2, 0, "empty"},
		{"bad flag value", goodCSV, key, []string{"--rate", "0"}, nil, 2, 0, "--rate"},
		{"header only", "external_id,email\n", key, nil, nil, 0, 0, "no records"},
		{"key refused", goodCSV, key, nil, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			w.Write([]byte(`{"error":{"type":"authentication_error","message":"bad key"}}`))
		}), 3, -1, "refused the key"},
		{"error budget", "email\nx1@b.example\nx2@b.example\nx3@b.example\nx4@b.example\nx5@b.example\n", key, []string{"--max-errors", "2", "--workers", "1"},
			sandbox.New(sandbox.Config{Reject: func(r clientReq) []clientFieldError { return []clientFieldError{{Field: "email", Message: "blocked"}} }}), 3, -1, "error budget"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.handler
			if h == nil {
				h = sandbox.New(sandbox.Config{})
			}
			emu, base := emulator(t, h)
			in := writeFile(t, "in.csv", tt.csv)
			dir := filepath.Dir(in)
			args := append([]string{"--base-url", base, "--results", filepath.Join(dir, "r.csv"), "--rejects", filepath.Join(dir, "rj.csv")}, tt.args...)
			o := runCmd(t, env(t, tt.env), append(args, in)...)
			if o.code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", o.code, tt.wantCode, o.stderr)
			}
			if tt.wantReqs >= 0 && emu.n.Load() != tt.wantReqs {
				t.Errorf("%d requests, want %d", emu.n.Load(), tt.wantReqs)
			}
			if tt.wantErr == "" || !strings.Contains(o.stderr, tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, o.stderr)
			}
		})
	}
}

// TestKeyEnvironmentChecks: keys for the wrong environment are refused
// before any request, so these runs need no network.
func TestKeyEnvironmentChecks(t *testing.T) {
	in := writeFile(t, "in.csv", goodCSV)
	tests := []struct {
		name, key string
		args      []string
		wantErr   string
	}{
		{"test key on live", "sk_test_abc", nil, "cannot write to the live API"},
		{"live key on sandbox", "sk_live_abc", []string{"--sandbox"}, "must not be used with --sandbox"},
		{"public live key", "pk_live_abc", nil, "read-only"},
		{"http to a remote host", "sk_test_abc", []string{"--base-url", "http://example.com/api"}, "loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"--results", filepath.Join(t.TempDir(), "r.csv")}, tt.args...), in)
			o := runCmd(t, env(t, map[string]string{"PROLIFI_API_KEY": tt.key}), args...)
			if o.code != exitUsage || !strings.Contains(o.stderr, tt.wantErr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and %q", o.code, o.stderr, tt.wantErr)
			}
			if strings.Contains(o.stderr, tt.key) {
				t.Error("stderr shows the key")
			}
		})
	}
}

// TestKeyNeverShown: a server that echoes the key in its errors, and every
// byte the run writes is searched for it.
func TestKeyNeverShown(t *testing.T) {
	const secret = "sk_test_TOPSECRET0123456789"
	for _, tt := range []struct {
		name     string
		status   int
		body     string
		wantCode int
	}{
		{"key refused", 401, `{"error":{"type":"authentication_error","message":"key ` + secret + ` is revoked"}}`, exitAborted},
		{"rows rejected", 422, `{"error":{"type":"validation_error","message":"key ` + secret + ` says no","errors":[{"field":"email","message":"seen by ` + secret + `"}]}}`, exitRows},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, base := emulator(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			in := writeFile(t, "in.csv", goodCSV)
			dir := filepath.Dir(in)
			keyFile := filepath.Join(dir, "key")
			os.WriteFile(keyFile, []byte(secret+"\n"), 0o600)
			summary := filepath.Join(dir, "s.json")
			o := runCmd(t, env(t, nil), "--base-url", base, "--api-key-file", keyFile, "--log-level", "debug", "--summary-json", summary,
				"--results", filepath.Join(dir, "r.csv"), "--rejects", filepath.Join(dir, "rj.csv"), in)
			if o.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\n%s", o.code, tt.wantCode, o.stderr)
			}
			sum, _ := os.ReadFile(summary)
			for name, text := range map[string]string{"stdout": o.stdout, "stderr": o.stderr, "results": o.results, "rejects": o.rejects, "summary": string(sum)} {
				if strings.Contains(text, "TOPSECRET") {
					t.Errorf("%s shows the key:\n%s", name, text)
				}
			}
			if !strings.Contains(o.stderr+o.results, "[redacted]") {
				t.Errorf("the server's message was lost:\n%s\n%s", o.stderr, o.results)
			}
		})
	}
}

func TestJSONLogsAndSummary(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := writeFile(t, "in.csv", mixedCSV)
	dir := filepath.Dir(in)
	summary := filepath.Join(dir, "s.json")
	o := runCmd(t, env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_x"}), "--log-format", "json", "--base-url", base, "--summary-json", summary,
		"--results", filepath.Join(dir, "r.csv"), "--rejects", filepath.Join(dir, "rj.csv"), in)
	var runID string
	logLines := 0
	for _, line := range strings.Split(o.stderr, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		logLines++
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		id, _ := m["run_id"].(string)
		if id == "" || runID != "" && id != runID {
			t.Errorf("log line without the run id: %s", line)
		}
		runID = id
	}
	if logLines < 2 {
		t.Fatalf("%d JSON log lines in:\n%s", logLines, o.stderr)
	}
	var s report.Summary
	b, err := os.ReadFile(summary)
	if err != nil || json.Unmarshal(b, &s) != nil {
		t.Fatalf("summary json: %v\n%s", err, b)
	}
	if s.RunID != runID || s.ExitCode != 1 || s.Counts["created"] != 1 || s.Counts["invalid"] != 1 || s.Counts["duplicate"] != 1 ||
		s.Rows != 3 || s.Requests != 1 || !strings.HasPrefix(s.Fingerprint, "sha256:") || s.Input != in || !strings.HasPrefix(base, "http://"+s.Target) {
		t.Errorf("summary %+v", s)
	}
}

// TestRejectsRoundTrip: the rejects of a messy run, fixed, import as they
// are, and the rows that were fine the first time are not sent again.
func TestRejectsRoundTrip(t *testing.T) {
	emu, base := emulator(t, sandbox.New(sandbox.Config{}))
	messy := "Customer ID;E-mail;Given Name;Plan\nm1;ok1@example.com;Ann;pro\nm2;broken;Bob;basic\nm3;ok3@example.com;Cy;pro\nm4;\"bad\"quote@x.com;Di;pro\nm5;dup@example.com;Ed;pro\nm5;dup2@example.com;Ed;pro\n"
	in := writeFile(t, "messy.csv", messy)
	dir := filepath.Dir(in)
	k := env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_x"})
	rejects := filepath.Join(dir, "messy.rejects.csv")
	o := runCmd(t, k, "--base-url", base, "--rejects", rejects, in)
	if o.code != exitRows {
		t.Fatalf("first run exit %d\n%s", o.code, o.stderr)
	}
	before := emu.n.Load()
	fixed, err := os.ReadFile(rejects)
	if err != nil {
		t.Fatal(err)
	}
	text := string(fixed)
	if !strings.HasPrefix(text, "\ufeffCustomer ID;E-mail;Given Name;Plan;_error_line;_error_status;_error_message\n") {
		t.Fatalf("rejects header:\n%s", text)
	}
	// A person fixes the three rows in a spreadsheet.
	text = strings.Replace(text, "m2;broken;", "m2;bob@example.com;", 1)
	// The malformed record kept no cells: its text is in _error_message,
	// and the person types the row in again.
	text = strings.Replace(text, ";;;;5;invalid;", "m4;di@example.com;Di;pro;5;invalid;", 1)
	text = strings.Replace(text, "m5;dup2@example.com;", "m6;dup2@example.com;", 1)
	again := filepath.Join(dir, "fixed.csv")
	os.WriteFile(again, []byte(text), 0o600)
	o = runCmd(t, k, "--base-url", base, again)
	if o.code != exitOK {
		t.Fatalf("second run exit %d\n%s", o.code, o.stderr)
	}
	if sent := emu.n.Load() - before; sent != 3 {
		t.Errorf("second run sent %d requests, want 3 (the fixed rows only)", sent)
	}
	for _, line := range strings.Split(o.stderr, "\n") {
		if strings.Contains(line, "feed no customer field") && strings.Contains(line, "_error") {
			t.Errorf("the error columns were reported as unknown: %s", line)
		}
	}
}

// TestSecondRunRefused: a second run on the same results file, or the same
// input with other results, or the same ledger, stops at once naming the
// process that holds it.
func TestSecondRunRefused(t *testing.T) {
	in := writeFile(t, "in.csv", goodCSV)
	dir := filepath.Dir(in)
	held, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := report.LockInput(held, in); err != nil {
		t.Fatal(err)
	}
	o := runCmd(t, env(t, nil), "--dry-run", "--results", filepath.Join(dir, "other.csv"), in)
	if o.code != exitUsage || !strings.Contains(o.stderr, "in use by another prolifi-import run") {
		t.Errorf("exit %d\n%s", o.code, o.stderr)
	}
	held.Close()

	results := filepath.Join(dir, "r.csv")
	w, err := report.OpenResults(results, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	o = runCmd(t, env(t, nil), "--dry-run", "--results", results, in)
	if o.code != exitUsage || !strings.Contains(o.stderr, "results file "+results+" is in use") {
		t.Errorf("exit %d\n%s", o.code, o.stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	o := runCmd(t, env(t, nil), "--version")
	if o.code != 0 || !strings.HasPrefix(o.stdout, "prolifi-import ") || !strings.Contains(o.stdout, "go1.") {
		t.Errorf("version: %d %q", o.code, o.stdout)
	}
	o = runCmd(t, env(t, nil), "--help")
	if o.code != 0 || o.stderr != "" {
		t.Errorf("help: exit %d, stderr %q", o.code, o.stderr)
	}
	for _, want := range []string{"Examples:", "\nTarget:\n", "\nInput:\n", "\nPacing:\n", "\nOutput:\n", "\nLogging:\n", "--max-wait", "--ledger"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, o.stdout)
		}
	}
	o = runCmd(t, env(t, nil), "--rat", "5", "x.csv")
	if o.code != exitUsage || !strings.Contains(o.stderr, "did you mean --rate?") || strings.Contains(o.stderr, "Examples:") {
		t.Errorf("mistyped flag: exit %d\n%s", o.code, o.stderr)
	}
	o = runCmd(t, env(t, nil), "--dry-run", "missing.csv", "--rate", "5")
	if o.code != exitUsage || !strings.Contains(o.stderr, "missing.csv: no such file") {
		t.Errorf("a flag after the input: exit %d\n%s", o.code, o.stderr)
	}
}

// TestMappingFile: --mapping holds the same pairs as --map, for cron runs;
// --map wins.
func TestMappingFile(t *testing.T) {
	in := writeFile(t, "in.csv", "Correo;Nombre;Plan\na@example.com;Ana;pro\n")
	dir := filepath.Dir(in)
	mapping := filepath.Join(dir, "map.txt")
	os.WriteFile(mapping, []byte("# columns of the ERP export\nCorreo=email\nNombre = first_name\nPlan=metadata.tier\n"), 0o600)
	results := filepath.Join(dir, "r.csv")
	o := runCmd(t, env(t, nil), "--dry-run", "--mapping", mapping, "--map", "Plan=metadata.plan", "--results", results, in)
	if o.code != exitOK || !strings.Contains(o.stderr, "Plan → metadata.plan") || !strings.Contains(o.stderr, "Nombre → first_name") {
		t.Errorf("exit %d\n%s", o.code, o.stderr)
	}
	os.WriteFile(mapping, []byte("Correo email\n"), 0o600)
	if o := runCmd(t, env(t, nil), "--dry-run", "--mapping", mapping, "--results", results, in); o.code != exitUsage || !strings.Contains(o.stderr, "line 1") {
		t.Errorf("a bad mapping line: exit %d\n%s", o.code, o.stderr)
	}
}

// TestThousandRowsThroughTheCommand: the end-to-end case, through
// run: 1,000 rows of a known mix, one results row each, exit code 1.
func TestThousandRowsThroughTheCommand(t *testing.T) {
	emu := sandbox.New(sandbox.Config{Reject: func(r clientReq) []clientFieldError {
		if strings.HasSuffix(r.Email, "@blocked.example") {
			return []clientFieldError{{Field: "email", Message: "domain refused"}}
		}
		return nil
	}})
	want := map[string]int{}
	var b strings.Builder
	b.WriteString("Customer ID,Email,Name\n")
	for i := range 1000 {
		ext, email := fmt.Sprintf("t-%d", i), fmt.Sprintf("t%d@example.com", i)
		switch {
		case i%40 == 1:
			email = "nope"
			want["invalid"]++
		case i%40 == 2:
			email = fmt.Sprintf("t%d@blocked.example", i)
			want["invalid"]++
		case i%40 == 3:
			ext = fmt.Sprintf("t-%d", i-1)
			want["duplicate"]++
		case i%40 == 4:
			emu.Preload(clientReq{Email: email, ExternalID: ext})
			want["exists"]++
		default:
			want["created"]++
		}
		fmt.Fprintf(&b, "%s,%s,Person %d\n", ext, email, i)
	}
	before := emu.Stats().Created
	_, base := emulator(t, emu)
	in := writeFile(t, "thousand.csv", b.String())
	results := filepath.Join(filepath.Dir(in), "thousand.results.csv")
	o := runCmd(t, env(t, map[string]string{"PROLIFI_API_KEY": "sk_test_x"}), "--base-url", base, "--rate", "5000", in)
	if o.code != exitRows {
		t.Fatalf("exit %d, want 1\n%s", o.code, o.stderr)
	}
	got := map[string]int{}
	lines := lastStatus(t, results)
	for _, st := range lines {
		got[st]++
	}
	if len(lines) != 1000 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%d lines, statuses %v, want 1000 lines, %v", len(lines), got, want)
	}
	if created := emu.Stats().Created - before; created != want["created"] {
		t.Errorf("emulator created %d, results say %d", created, want["created"])
	}
}

func TestKeyFileReadableByOthersWarns(t *testing.T) {
	_, base := emulator(t, sandbox.New(sandbox.Config{}))
	in := writeFile(t, "in.csv", goodCSV)
	keyFile := filepath.Join(filepath.Dir(in), "key")
	os.WriteFile(keyFile, []byte("sk_test_abc\n"), 0o644)
	o := runCmd(t, env(t, nil), "--base-url", base, "--api-key-file", keyFile, in)
	if o.code != exitOK || !strings.Contains(o.stderr, "can be read by other users") {
		t.Errorf("exit %d\n%s", o.code, o.stderr)
	}
}

// TestSentenceLogs: for a person, a log line is a sentence followed by
// key=value pairs, not JSON.
func TestSentenceLogs(t *testing.T) {
	in := writeFile(t, "in.csv", "email,Plan Code\na@example.com,x\n")
	o := runCmd(t, env(t, nil), "--dry-run", "--log-format", "console", in)
	if o.code != exitOK {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	want := `WARN columns that feed no customer field are not imported; map them with --map or set --unknown-columns columns="Plan Code"`
	if !strings.Contains(o.stderr, want) || strings.Contains(o.stderr, "{") {
		t.Errorf("stderr lacks %q, or has JSON:\n%s", want, o.stderr)
	}
}
