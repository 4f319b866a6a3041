package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
)

// TestMain lets the test binary stand in for the command, so that tests can
// signal a real process.
func TestMain(m *testing.M) {
	if os.Getenv("PROLIFI_IMPORT_BE_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// gate counts requests and closes reached once n have been served.
type gate struct {
	h       http.Handler
	mu      sync.Mutex
	n, seen int
	reached chan struct{}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.h.ServeHTTP(w, r)
	g.mu.Lock()
	g.seen++
	if g.seen == g.n {
		close(g.reached)
	}
	g.mu.Unlock()
}

func TestStopAndResume(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			const rows = 400
			emu := sandbox.New(sandbox.Config{Latency: 5 * time.Millisecond})
			g := &gate{h: emu, n: 100, reached: make(chan struct{})}
			_, base := emulator(t, g)
			var b strings.Builder
			b.WriteString("external_id,email\n")
			for i := range rows {
				fmt.Fprintf(&b, "s-%d,s%d@example.com\n", i, i)
			}
			in := writeFile(t, "in.csv", b.String())
			results := filepath.Join(filepath.Dir(in), "in.results.csv")
			args := []string{"--base-url", base, "--rate", "300", "--workers", "8", "--progress", "off", in}

			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), "PROLIFI_IMPORT_BE_MAIN=1", "PROLIFI_API_KEY=sk_test_sig", "XDG_STATE_HOME="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			<-g.reached
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			code := cmd.ProcessState.ExitCode()
			if sig == syscall.SIGTERM && code != exitAborted {
				t.Fatalf("exit %d (%v) after SIGTERM, want 3\n%s", code, err, stderr.String())
			}
			// A killed run leaves its rows in the partial file; the results
			// file appears, whole, when a run ends.
			recorded := results
			if sig == syscall.SIGKILL {
				recorded += ".partial"
			}
			first := lastStatus(t, recorded)
			if len(first) == 0 || len(first) >= rows {
				t.Fatalf("%d lines recorded before the stop, want some but not all", len(first))
			}
			if sig == syscall.SIGTERM && !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("no summary after SIGTERM:\n%s", stderr.String())
			}

			resume := exec.Command(os.Args[0], append([]string{"--resume"}, args...)...)
			resume.Env = cmd.Env
			out, err := resume.CombinedOutput()
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, out)
			}
			final := lastStatus(t, results)
			if n := len(readCSV(t, results)) - 1; n != rows {
				t.Errorf("%d result rows after the resume, want one for each of %d lines", n, rows)
			}
			for line := 2; line < rows+2; line++ {
				if s := final[line]; s != "created" && s != "exists" {
					t.Errorf("line %d ends %q", line, s)
				}
			}
			if st := emu.Stats(); st.Created != rows {
				t.Errorf("emulator created %d customers for %d rows", st.Created, rows)
			}
			t.Logf("%d lines done before %s; %d after resume", len(first), sig, len(final))
		})
	}
}
