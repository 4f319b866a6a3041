package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/client"
	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
)

const version = "0.1.0"

func versionString() string {
	v := "prolifi-import " + version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	return v
}

// run is the whole program: main only maps its error to an exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	if o.version {
		fmt.Fprintln(stdout, versionString())
		return nil
	}
	runID := uuid.NewString()
	log, err := newLogger(o, stderr, runID)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()

	// Everything that can be wrong with the command line, the input or the
	// key is found before the first request.
	delim, err := o.delimiterRune()
	if err != nil {
		return err
	}
	explicit, err := o.mapping()
	if err != nil {
		return err
	}
	maxErrors, maxErrorRate, err := o.errorBudget()
	if err != nil {
		return err
	}
	in, err := os.Open(o.input)
	if err != nil {
		return usageErr("open input: %v", err)
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil || st.IsDir() {
		return usageErr("open input: %s is not a file", o.input)
	}
	fingerprint, lines, err := fingerprintFile(in)
	if err != nil {
		return usageErr("read input: %v", err)
	}
	tuneGC(getenv, lines)
	counted := &countingReader{r: in}
	rd, err := importer.NewReader(counted, importer.ReaderConfig{
		Delimiter: delim, Encoding: o.encoding, MaxRecordBytes: o.maxRecord, LazyQuotes: o.lazyQuotes,
		Map: importer.MapOptions{Explicit: explicit, Unknown: importer.UnknownColumns(o.unknown)},
	})
	if err != nil {
		return usageErr("%s: %v", o.input, err)
	}
	if unk := rd.Mapping().Unknown; len(unk) > 0 {
		what := map[string]string{"ignore": "not imported", "metadata": "sent as metadata keys"}[o.unknown]
		log.Warn("columns that feed no customer field are "+what+"; map them with --map or set --unknown-columns",
			zap.Strings("columns", unk))
	}
	log.Info("mapped columns", zap.Strings("columns", rd.Mapping().Fields()), zap.String("delimiter", string(rd.Delimiter())))

	target := "nothing (dry run)"
	var api importer.Creator
	if !o.dryRun {
		c, stop, err := connect(o, getenv, stderr, log)
		if err != nil {
			return err
		}
		defer stop()
		api, target = c, hostOf(c.BaseURL())
	}

	resultsPath := o.results
	if resultsPath == "" {
		resultsPath = sibling(o.input, ".results.csv")
	}
	rejectsPath := o.rejects
	if rejectsPath == "" {
		rejectsPath = sibling(o.input, ".rejects.csv")
	}
	lock, err := report.AcquireLock(resultsPath)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	defer lock.Release()
	if err := checkState(resultsPath, o.input, fingerprint, o.resume, log); err != nil {
		return err
	}
	results, err := report.OpenResults(resultsPath, o.resume, time.Now)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	var done *report.Done
	if o.resume {
		if done, err = report.ReadDone(resultsPath); err != nil {
			results.Close()
			return &exitError{code: exitUsage, err: err}
		}
		log.Info("resuming", zap.Int("lines_done", done.Len()))
	}
	rejects := report.NewRejects(rejectsPath, rd.RawHeader(), rd.Delimiter())
	sink := &sinks{results: results, rejects: rejects}

	im := importer.New(api, importer.Config{
		Workers: o.workers, Rate: o.rate, Burst: o.burst, MaxRetries: o.maxRetries, DryRun: o.dryRun,
		Skip: done.Has, Limit: o.limit, MaxErrors: maxErrors, MaxErrorRate: maxErrorRate,
		Grace: o.grace, Logger: log,
	})
	log.Info("starting", zap.String("input", o.input), zap.String("target", target), zap.Bool("dry_run", o.dryRun),
		zap.String("workers", workersText(o.workers)), zap.Float64("rate", o.rate), zap.String("results", resultsPath))

	if o.cpuProfile != "" {
		stopProfile, err := startCPUProfile(o.cpuProfile)
		if err != nil {
			return usageErr("--cpuprofile: %v", err)
		}
		defer stopProfile()
	}
	total := max(lines-1, 1)
	if o.limit > 0 {
		total = min(total, int64(o.limit))
	}
	prog := startProgress(o, stderr, log, total, counted, st.Size(), sink, im)
	stats, runErr := im.Run(ctx, rd, sink)
	prog.stop()

	closeErr := errors.Join(results.Close(), rejects.Close())
	sum := report.NewSummary(stats)
	sum.RunID, sum.Input, sum.Fingerprint, sum.Target, sum.DryRun = runID, o.input, fingerprint, target, o.dryRun
	sum.Results = resultsPath
	if rejects.Count() > 0 {
		sum.Rejects = rejectsPath
	}
	sum.Finished = time.Now().UTC()
	code, outcome := outcomeOf(stats, o.dryRun, runErr, closeErr)
	sum.ExitCode, sum.Outcome = code, outcome
	sum.Print(stderr)
	if o.summaryJSON != "" {
		if err := sum.WriteJSON(o.summaryJSON); err != nil {
			log.Error("summary json not written", zap.Error(err))
		}
	}
	switch {
	case closeErr != nil:
		return &exitError{code: code, err: fmt.Errorf("finish results: %w", closeErr)}
	case runErr != nil:
		return &exitError{code: code, err: runErr}
	case code != exitOK:
		return &exitError{code: code, silent: true}
	}
	return nil
}

// tuneGC trades memory the run can spare for CPU: garbage may pile up to
// 24 MiB beyond what must stay live, the duplicate index (about 32 bytes a
// line) and the rest. Collecting less often saves about a tenth of the CPU
// per row; the memory limit keeps the peak near live + 24 MiB, however large
// the file. GOGC or GOMEMLIMIT in the environment win.
func tuneGC(getenv func(string) string, lines int64) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(400)
	debug.SetMemoryLimit(lines*32 + 24<<20)
}

// startCPUProfile profiles the process until the returned func is called.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

func workersText(n int) string {
	if n == 0 {
		return fmt.Sprintf("auto (rate × latency, up to %d)", importer.MaxAutoWorkers)
	}
	return fmt.Sprint(n)
}

// outcomeOf decides the exit code and a one-line verdict.
func outcomeOf(st importer.Stats, dryRun bool, runErr, closeErr error) (int, string) {
	var ae *importer.AbortError
	switch {
	case closeErr != nil:
		return exitInternal, "failed: results not saved"
	case errors.As(runErr, &ae):
		return exitAborted, "aborted (" + ae.Reason + ")"
	case errors.Is(runErr, importer.ErrInterrupted):
		return exitAborted, "interrupted"
	case runErr != nil:
		return exitInternal, "failed"
	}
	bad := st.ByStatus[importer.StatusInvalid] + st.ByStatus[importer.StatusFailed] + st.ByStatus[importer.StatusDuplicate]
	if bad > 0 {
		return exitRows, fmt.Sprintf("finished with %d rows to fix", bad)
	}
	if dryRun {
		return exitOK, "dry run: every row is valid"
	}
	return exitOK, "finished"
}

// connect builds the API client for the chosen target, after the key checks
// that must pass before any request: a read-only key, or a key of the wrong
// environment, is refused.
func connect(o *options, getenv func(string) string, stderr io.Writer, log *zap.Logger) (*client.Client, func(), error) {
	hc := &http.Client{Transport: client.NewTransport(max(o.workers, importer.MaxAutoWorkers))}
	opts := []client.Option{client.WithHTTPClient(hc), client.WithTimeout(o.timeout), client.WithUserAgent("prolifi-import/" + version)}
	if o.local {
		base, stop, err := startLocal()
		if err != nil {
			return nil, nil, err
		}
		c, err := client.New(base, "sk_test_local", opts...)
		if err != nil {
			stop()
			return nil, nil, err
		}
		log.Info("using the in-process emulator", zap.String("base_url", base))
		return c, stop, nil
	}
	base := liveURL
	switch {
	case o.sandbox:
		base = sandboxURL
	case o.baseURL != "":
		base = o.baseURL
	}
	key, err := readKey(o, getenv, log)
	if err != nil {
		return nil, nil, err
	}
	kind, err := client.ParseKey(key)
	if err != nil {
		return nil, nil, usageErr("api key: %v", err)
	}
	switch {
	case !kind.CanWrite():
		return nil, nil, usageErr("api key is a read-only %s key: creating customers needs a secret key (sk_test_… or sk_live_…)", kind)
	case base == liveURL && !kind.Live:
		return nil, nil, usageErr("an sk_test_ key cannot write to the live API: use --sandbox, or an sk_live_ key")
	case base == sandboxURL && kind.Live:
		return nil, nil, usageErr("an sk_live_ key must not be used with --sandbox: use an sk_test_ key")
	}
	c, err := client.New(base, key, opts...)
	if err != nil {
		return nil, nil, usageErr("%v", err)
	}
	if base == liveURL {
		log.Warn("writing to the LIVE Prolifi API: customers created now are real", zap.String("host", hostOf(base)))
	}
	return c, func() {}, nil
}

// readKey takes the key from --api-key-file or PROLIFI_API_KEY.
func readKey(o *options, getenv func(string) string, log *zap.Logger) (string, error) {
	if o.apiKeyFile != "" {
		st, err := os.Stat(o.apiKeyFile)
		if err != nil {
			return "", usageErr("read --api-key-file: %v", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			log.Warn("the API key file can be read by other users: chmod 600 it", zap.String("file", o.apiKeyFile))
		}
		b, err := os.ReadFile(o.apiKeyFile)
		if err != nil {
			return "", usageErr("read --api-key-file: %v", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	if k := strings.TrimSpace(getenv("PROLIFI_API_KEY")); k != "" {
		return k, nil
	}
	return "", usageErr("no API key: set PROLIFI_API_KEY or pass --api-key-file (or use --local or --dry-run)")
}

// startLocal serves the emulator on a free loopback port.
func startLocal() (string, func(), error) {
	base, stop, err := sandbox.New(sandbox.Config{}).Listen("127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start local emulator: %w", err)
	}
	return base, func() { _ = stop(context.Background()) }, nil
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil {
		return u.Host
	}
	return base
}

// sibling names a file beside input: customers.csv → customers.results.csv.
func sibling(input, suffix string) string {
	ext := filepath.Ext(input)
	if strings.EqualFold(ext, ".csv") || strings.EqualFold(ext, ".txt") || strings.EqualFold(ext, ".tsv") {
		return strings.TrimSuffix(input, ext) + suffix
	}
	return input + suffix
}

// fingerprintFile hashes the whole input, counts its lines (the progress
// bar's total; a quoted newline counts one too many) and rewinds it.
func fingerprintFile(f *os.File) (string, int64, error) {
	h := sha256.New()
	lc := &lineCounter{}
	if _, err := io.Copy(io.MultiWriter(h, lc), f); err != nil {
		return "", 0, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), lc.n, nil
}

type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

// runState is kept beside the results file so that --resume can tell
// whether the results belong to this input.
type runState struct {
	Input       string    `json:"input"`
	Fingerprint string    `json:"input_fingerprint"`
	Started     time.Time `json:"started_at"`
}

// checkState refuses a resume against results of another input, and
// records this run's input for the next one.
func checkState(resultsPath, input, fingerprint string, resume bool, log *zap.Logger) error {
	path := resultsPath + ".state"
	if resume {
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			var prev runState
			if json.Unmarshal(b, &prev) == nil && prev.Fingerprint != fingerprint {
				return usageErr("--resume: %s was written for a different input (%s, %s); this input is %s. Use another --results, or drop --resume to start over",
					resultsPath, prev.Input, prev.Fingerprint, fingerprint)
			}
		case errors.Is(err, os.ErrNotExist):
			if _, serr := os.Stat(resultsPath); serr == nil {
				log.Warn("no record of which input the results file belongs to; resuming anyway", zap.String("results", resultsPath))
			}
		default:
			return usageErr("read %s: %v", path, err)
		}
	}
	b, _ := json.Marshal(runState{Input: input, Fingerprint: fingerprint, Started: time.Now().UTC()})
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return usageErr("write %s: %v", path, err)
	}
	return nil
}
