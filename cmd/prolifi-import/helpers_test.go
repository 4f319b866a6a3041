package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
)

type (
	clientReq        = client.CreateCustomerRequest
	clientFieldError = client.FieldError
)

// env is a fake environment for run, with its own ledger folder: no test
// touches the user's ledger, and each starts with an empty one.
func env(t *testing.T, vars map[string]string) func(string) string {
	t.Helper()
	all := map[string]string{"XDG_STATE_HOME": filepath.Join(t.TempDir(), "state")}
	for k, v := range vars {
		all[k] = v
	}
	return func(k string) string { return all[k] }
}

// ledgerOf is where env puts the ledger.
func ledgerOf(getenv func(string) string) string { return defaultLedger(getenv) }

// outcome is what one call of run produced.
type outcome struct {
	code           int
	stdout, stderr string
	results        string
	rejects        string
}

func runCmd(t *testing.T, getenv func(string) string, args ...string) outcome {
	t.Helper()
	return runWithStdin(t, getenv, strings.NewReader(""), args...)
}

// runWithStdin runs the command as a person would see it: logs and the
// summary as text (tests that read JSON lines pass --log-format json).
func runWithStdin(t *testing.T, getenv func(string) string, stdin io.Reader, args ...string) outcome {
	t.Helper()
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "--log-format") }) && (len(args) == 0 || args[0] != "ledger") {
		args = append([]string{"--log-format", "console"}, args...)
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, getenv, stdin, &stdout, &stderr)
	code := exitCode(err, &stderr)
	o := outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for i, a := range args {
		switch a {
		case "--results":
			o.results = readRegular(args[i+1])
		case "--rejects":
			o.rejects = readRegular(args[i+1])
		}
	}
	return o
}

// readRegular reads a regular file; "" for anything else (/dev/full reads
// zeros for ever).
func readRegular(path string) string {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	b, _ := os.ReadFile(path)
	return string(b)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// counting wraps a handler and counts the requests it sees.
type counting struct {
	h http.Handler
	n atomic.Int64
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.n.Add(1); c.h.ServeHTTP(w, r) }

func emulator(t *testing.T, h http.Handler) (*counting, string) {
	t.Helper()
	c := &counting{h: h}
	api, err := sandbox.Start("", c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	return c, api.BaseURL
}

// lastStatus reads a results file: the last status of each line.
func lastStatus(t *testing.T, path string) map[int]string {
	t.Helper()
	out := map[int]string{}
	for _, rec := range readCSV(t, path)[1:] {
		n, _ := strconv.Atoi(rec[0])
		out[n] = rec[1]
	}
	return out
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
		t.Fatalf("%s unreadable: %v", path, err)
	}
	return recs
}

func itoa(n int) string { return strconv.Itoa(n) }
