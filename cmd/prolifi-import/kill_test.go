package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// tripwire counts requests and closes hit once the count reaches at.
type tripwire struct {
	h   http.Handler
	mu  sync.Mutex
	n   int
	at  int
	hit chan struct{}
}

func (w *tripwire) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	w.n++
	if w.n == w.at {
		close(w.hit)
	}
	w.mu.Unlock()
	w.h.ServeHTTP(rw, r)
}

// arm sets the next trip after more requests and returns its channel.
func (w *tripwire) arm(more int) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.at, w.hit = w.n+more, make(chan struct{})
	return w.hit
}

// crashInput is the case: half the rows without an external_id.
func crashInput(n int) string {
	var b strings.Builder
	b.WriteString("external_id,email,name\n")
	for i := range n {
		ext := ""
		if i%2 == 0 {
			ext = fmt.Sprintf("k-%d", i)
		}
		fmt.Fprintf(&b, "%s,k%d@example.com,Person %d\n", ext, i, i)
	}
	return b.String()
}

// checkNoTwins holds the promise across every run: one final row per
// line, no customer created twice, and every row without an external_id
// whose customer exists is either created (with its answer) or
// outcome_unknown, never sent again.
func checkNoTwins(t *testing.T, emu *sandbox.Server, n int, results string) {
	t.Helper()
	recs := readCSV(t, results)
	if len(recs)-1 != n {
		t.Fatalf("%d result rows for %d lines", len(recs)-1, n)
	}
	for i, rec := range recs[1:] {
		line, status, errType := i+2, rec[1], rec[6]
		if rec[0] != itoa(line) {
			t.Fatalf("row %d is for line %s", i+1, rec[0])
		}
		k := line - 2
		made := emu.CreatedWithEmail(fmt.Sprintf("k%d@example.com", k))
		switch {
		case made > 1:
			t.Errorf("line %d: customer created %d times", line, made)
		case k%2 == 0 && status != "created" && status != "exists":
			t.Errorf("line %d (external_id): ends %s %s %s", line, status, errType, rec[7])
		case k%2 == 1 && made == 1 && status != "created" && status != "exists" && errType != importer.ErrorTypeOutcomeUnknown:
			t.Errorf("line %d (no external_id): created in Prolifi but ends %s %s", line, status, errType)
		case made == 0 && (status == "created" || status == "exists"):
			t.Errorf("line %d: %s in the results, not in Prolifi", line, status)
		}
	}
}

// TestKilledAtRandomMoments kills the importer with SIGKILL at 20 random
// moments of a 5,000-row import against an API that drops connections and
// loses answers, reruns after each kill, then once to the end.
func TestKilledAtRandomMoments(t *testing.T) {
	const rows = 5000
	emu := sandbox.New(sandbox.Config{LostRate: 0.03, ResetRate: 0.03, Seed: 11})
	tw := &tripwire{h: emu}
	api, err := sandbox.Start("", tw)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(crashInput(rows)), 0o600)
	environ := append(os.Environ(), "PROLIFI_IMPORT_BE_MAIN=1", "PROLIFI_API_KEY=sk_test_kill", "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	args := []string{"--base-url", api.BaseURL, "--rate", "20000", "--workers", "16", "--max-retries", "30", "--progress", "off", "--log-level", "warn", in}
	rng := rand.New(rand.NewPCG(5, 8))
	killed := 0
	for range 20 {
		hit := tw.arm(1 + rng.IntN(600))
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = environ
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		select {
		case <-hit:
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			killed++
		case err := <-exited:
			var ee *exec.ExitError
			if err != nil && !errors.As(err, &ee) {
				t.Fatalf("run: %v\n%s", err, stderr.String())
			}
		}
	}
	final := exec.Command(os.Args[0], args...)
	final.Env = environ
	if out, err := final.CombinedOutput(); err != nil && final.ProcessState.ExitCode() > exitRows {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	checkNoTwins(t, emu, rows, filepath.Join(dir, "in.results.csv"))
	st := emu.Stats()
	t.Logf("%d kills; emulator %+v", killed, st)
	if killed < 10 || st.Lost == 0 || st.Resets == 0 {
		t.Errorf("the test did not exercise what it claims: %d kills, %d lost answers, %d resets", killed, st.Lost, st.Resets)
	}
}

// fullDisk is a Sink whose writes fail after a number of rows, as a full
// disk would.
type fullDisk struct {
	inner importer.Sink
	left  int
}

func (f *fullDisk) Write(r importer.Result) error {
	if f.left <= 0 {
		return syscall.ENOSPC
	}
	f.left--
	return f.inner.Write(r)
}

func (f *fullDisk) Flush() error { return f.inner.Flush() }

// TestDiskFullThenRerun: when the results cannot be written, the run stops;
// the customers it created are in the ledger, and the next run creates none
// of them again.
func TestDiskFullThenRerun(t *testing.T) {
	const rows = 2000
	emu := sandbox.New(sandbox.Config{LostRate: 0.03, Seed: 3})
	api, err := sandbox.Start("", emu)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	c, err := client.New(api.BaseURL, "sk_test_disk")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(crashInput(rows)), 0o600)
	results := filepath.Join(dir, "in.results.csv")
	target := ledger.Target{BaseURL: api.BaseURL, KeyFingerprint: ledger.Fingerprint("sk_test_disk")}
	importOnce := func(run string, wrap func(importer.Sink) importer.Sink) error {
		f, err := os.Open(in)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rd, err := importer.NewReader(f, importer.ReaderConfig{})
		if err != nil {
			t.Fatal(err)
		}
		led, err := report.OpenLedger(context.Background(), filepath.Join(dir, "ledger.db"), target, ledger.Run{ID: run, Input: in}, report.KeyChange{})
		if err != nil {
			t.Fatal(err)
		}
		files, err := report.OpenFiles(report.FilesConfig{Results: results, Rejects: filepath.Join(dir, "rj.csv"), Header: rd.Header(), Delimiter: ',', Recorder: led})
		if err != nil {
			t.Fatal(err)
		}
		im := importer.New(c, importer.Config{Rate: 1e5, Workers: 16, MaxRetries: 20, Ledger: led, RunID: run, BackoffInitial: time.Millisecond})
		_, runErr := im.Run(context.Background(), rd, wrap(files))
		files.Close()
		led.Finish(context.Background(), "test", nil)
		return runErr
	}
	err = importOnce("run-1", func(s importer.Sink) importer.Sink { return &fullDisk{inner: s, left: 700} })
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("the full disk was not reported: %v", err)
	}
	if err := importOnce("run-2", func(s importer.Sink) importer.Sink { return s }); err != nil {
		t.Fatal(err)
	}
	checkNoTwins(t, emu, rows, results)
}
