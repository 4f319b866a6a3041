package main

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/report"
)

// server is an emulator served on a free loopback port, with a recorder in
// front of it.
type server struct {
	base string
	emu  *sandbox.Server
	rec  *recorder
	stop func()
}

// serve runs an emulator with cfg until stop is called.
func serve(cfg sandbox.Config) (*server, error) {
	emu := sandbox.New(cfg)
	rec := &recorder{next: emu}
	api, err := sandbox.Start("", rec)
	if err != nil {
		return nil, err
	}
	return &server{base: api.BaseURL, emu: emu, rec: rec, stop: api.Close}, nil
}

// importResult is what one run of the importer cost and reported.
type importResult struct {
	wall      time.Duration
	user, sys time.Duration
	maxRSS    int64 // bytes
	summary   report.Summary
}

func (r importResult) rowsPerSec() float64 { return float64(r.summary.Rows) / r.wall.Seconds() }
func (r importResult) cpuMicrosPerRow() float64 {
	return float64((r.user + r.sys).Microseconds()) / float64(r.summary.Rows)
}

// child is one run of the importer: its input, the server it sends to, the
// ledger it keeps (each run its own, unless a scenario reuses one), and its
// flags.
type child struct {
	in, ledger string
	srv        *server
	args       []string
	bin        string // the importer to run; "": bench.bin
}

// input writes n distinct, valid rows to a new file and returns its path,
// and the seed that made its rows distinct from every other input's.
func (b *bench) input(n int) (string, int, error) {
	b.seq++
	path := filepath.Join(b.dir, fmt.Sprintf("in-%d.csv", b.seq))
	return path, b.seq, generate(path, n, b.seq, 0)
}

// ledger returns the path of a new ledger file.
func (b *bench) ledger() string {
	b.seq++
	return filepath.Join(b.dir, fmt.Sprintf("ledger-%d.db", b.seq))
}

// importRun runs the importer on n new rows against a new emulator with
// cfg, with its own ledger, and checks that every row was created.
func (b *bench) importRun(n int, cfg sandbox.Config, args ...string) (importResult, *server, error) {
	return b.importRunOf(b.bin, n, cfg, args...)
}

// importRunOf is importRun with the importer binary bin.
func (b *bench) importRunOf(bin string, n int, cfg sandbox.Config, args ...string) (importResult, *server, error) {
	in, _, err := b.input(n)
	if err != nil {
		return importResult{}, nil, err
	}
	defer os.Remove(in)
	srv, err := serve(cfg)
	if err != nil {
		return importResult{}, nil, err
	}
	defer srv.stop()
	res, err := b.run(child{in: in, ledger: b.ledger(), srv: srv, args: args, bin: bin})
	if err == nil && res.summary.Counts["created"] != n {
		err = fmt.Errorf("importer created %d of %d rows (%s)", res.summary.Counts["created"], n, res.summary.Outcome)
	}
	return res, srv, err
}

// run runs the importer as a child process and reads its summary.
func (b *bench) run(c child) (importResult, error) {
	b.seq++
	summary := filepath.Join(b.dir, fmt.Sprintf("summary-%d.json", b.seq))
	all := append([]string{"--base-url", c.srv.base, "--progress", "off", "--log-level", cmp.Or(b.childLog, "warn"), "--summary-json", summary,
		"--ledger", c.ledger, "--results", filepath.Join(b.dir, fmt.Sprintf("results-%d.csv", b.seq))}, c.args...)
	cmd := exec.CommandContext(b.ctx, cmp.Or(c.bin, b.bin), append(all, c.in)...)
	cmd.Env = append(os.Environ(), "PROLIFI_API_KEY=sk_test_bench")
	// The importer's summary and log go to stderr: shown when the run did
	// not do what the measurement needs, or with --child-log.
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return importResult{}, err
	}
	// rusage's Maxrss for a child can report the parent's size (the child
	// is forked from this process before it execs), so the peak is read from
	// the child's own VmHWM while it runs.
	peak := make(chan int64, 1)
	done := make(chan struct{})
	go func() { peak <- watchPeakRSS(cmd.Process.Pid, done) }()
	err := cmd.Wait()
	wall := time.Since(start)
	close(done)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return importResult{}, err
	}
	res := importResult{wall: wall, maxRSS: <-peak}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.user, res.sys = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
	}
	data, err := os.ReadFile(summary)
	if err == nil {
		err = json.Unmarshal(data, &res.summary)
	}
	if b.childLog != "" {
		b.log.Write(stderr.Bytes())
	}
	if code := cmd.ProcessState.ExitCode(); err != nil || code != 0 {
		b.log.Write(stderr.Bytes())
		return res, fmt.Errorf("importer exited %d: %v", code, err)
	}
	return res, nil
}

// watchPeakRSS samples /proc/PID/status every 20 ms until done and returns
// the largest VmHWM (peak resident set since exec) seen, in bytes.
func watchPeakRSS(pid int, done <-chan struct{}) int64 {
	path := fmt.Sprintf("/proc/%d/status", pid)
	var best int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
					var kb int64
					fmt.Sscanf(strings.TrimSpace(v), "%d", &kb)
					best = max(best, kb*1024)
				}
			}
		}
		select {
		case <-done:
			return best
		case <-tick.C:
		}
	}
}

// generate writes n distinct, valid rows, numbered from first, to a new
// file; with first > 0 it appends them to an existing one instead.
func generate(path string, n, seed, first int) error {
	flag := os.O_CREATE | os.O_EXCL | os.O_WRONLY
	if first > 0 {
		flag = os.O_APPEND | os.O_WRONLY
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if first == 0 {
		fmt.Fprintln(w, "Customer ID,Email,First Name,Last Name,Phone,metadata.plan")
	}
	for i := first; i < first+n; i++ {
		fmt.Fprintf(w, "b%d-%08d,user%d.%d@example.com,Given%d,Family%d,+1 555 %07d,pro\n", seed, i, seed, i, i%1000, i%997, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
