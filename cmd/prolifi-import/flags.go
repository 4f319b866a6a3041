package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prolifi/prolifi-import/importer"
)

// Hosts of the real API.
const (
	liveURL    = "https://api.prolifi.co/api/v1/public"
	sandboxURL = "https://sandbox.prolifi.co/api/v1/public"
)

// options is the parsed command line.
type options struct {
	input       string
	sandbox     bool
	local       bool
	baseURL     string
	apiKeyFile  string
	results     string
	rejects     string
	summaryJSON string
	workers     int
	rate        float64
	burst       int
	maxRetries  int
	dryRun      bool
	resume      bool
	limit       int
	maxErrors   string
	maps        mapFlag
	mappingFile string
	unknown     string
	encoding    string
	delimiter   string
	maxRecord   int
	lazyQuotes  bool
	logLevel    string
	logFormat   string
	progress    string
	progressInt time.Duration
	grace       time.Duration
	timeout     time.Duration
	version     bool
	cpuProfile  string
}

// mapFlag collects repeated --map 'Source Header=field' values.
type mapFlag []string

func (m *mapFlag) String() string     { return strings.Join(*m, ", ") }
func (m *mapFlag) Set(v string) error { *m = append(*m, v); return nil }

const usageText = `Usage: prolifi-import [flags] INPUT.csv

Creates one Prolifi customer per record of INPUT.csv and writes what happened
to each record to a results file (INPUT.results.csv by default).

Target (live by default):
  --sandbox            the sandbox API
  --base-url URL       any other API root (env PROLIFI_BASE_URL); http only to loopback
  --local              an emulator started in this process: no key, no network

The API key comes from the environment variable PROLIFI_API_KEY or from
--api-key-file; it is never a flag value.

Examples:
  prolifi-import --local samples/customers.csv          try the whole job offline
  prolifi-import --dry-run customers.csv                check every row, send nothing
  PROLIFI_API_KEY=sk_test_… prolifi-import --sandbox customers.csv
  prolifi-import --limit 10 customers.csv               a canary run on the live API
  prolifi-import --resume customers.csv                 continue where the last run stopped
  prolifi-import --map 'Correo=email' --map 'Plan=metadata.plan' export.csv

Exit codes: 0 all created or existing · 1 some rows invalid, failed or duplicate ·
2 usage or input error, nothing sent · 3 aborted mid-run · 4 internal error.

Flags:
`

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("prolifi-import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fs.PrintDefaults()
	}
	fs.BoolVar(&o.sandbox, "sandbox", false, "send to the sandbox API ("+sandboxURL+")")
	fs.BoolVar(&o.local, "local", false, "send to an in-process emulator of the API (no key, no network)")
	fs.StringVar(&o.baseURL, "base-url", getenv("PROLIFI_BASE_URL"), "API root URL (env PROLIFI_BASE_URL)")
	fs.StringVar(&o.apiKeyFile, "api-key-file", "", "read the API key from this file instead of PROLIFI_API_KEY")
	fs.StringVar(&o.results, "results", "", "results file (default: INPUT with .results.csv)")
	fs.StringVar(&o.rejects, "rejects", "", "rejects file: the records to fix and import again (default: INPUT with .rejects.csv)")
	fs.StringVar(&o.summaryJSON, "summary-json", "", "also write the summary as JSON to this file")
	fs.IntVar(&o.workers, "workers", 0, "concurrent requests (default: enough to keep --rate busy)")
	fs.Float64Var(&o.rate, "rate", importer.DefaultRate, "requests per second, retries included")
	fs.IntVar(&o.burst, "burst", 1, "requests that may go at once after a quiet spell")
	fs.IntVar(&o.maxRetries, "max-retries", 8, "retries per row for 429, 5xx and network errors")
	fs.BoolVar(&o.dryRun, "dry-run", false, "map and validate every row; send nothing (needs no key)")
	fs.BoolVar(&o.resume, "resume", false, "skip lines the results file says are created or exist; do the rest")
	fs.IntVar(&o.limit, "limit", 0, "process only the first N records (a canary run; --resume continues)")
	fs.StringVar(&o.maxErrors, "max-errors", "", "stop (exit 3) after N invalid or failed rows, or N% of rows")
	fs.Var(&o.maps, "map", "'Source Header=field' (repeatable); field is an API field or metadata.KEY")
	fs.StringVar(&o.mappingFile, "mapping", "", "file of 'Source Header=field' lines, as --map")
	fs.StringVar(&o.unknown, "unknown-columns", "ignore", "columns that feed no field: ignore, metadata or error")
	fs.StringVar(&o.encoding, "encoding", "utf-8", "input encoding: "+importer.Encodings)
	fs.StringVar(&o.delimiter, "delimiter", "", "field separator: , ; tab or | (default: detected from the header)")
	fs.IntVar(&o.maxRecord, "max-record-bytes", 1<<20, "refuse records longer than this")
	fs.BoolVar(&o.lazyQuotes, "lazy-quotes", false, "accept a quote inside an unquoted field as text (default: that record is malformed)")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&o.logFormat, "log-format", "auto", "auto (console on a terminal, else JSON), console or json")
	fs.StringVar(&o.progress, "progress", "auto", "auto (a bar on a terminal, else log lines), bar, log or off")
	fs.DurationVar(&o.progressInt, "progress-interval", 10*time.Second, "how often --progress log reports")
	fs.DurationVar(&o.grace, "grace", 10*time.Second, "after a stop signal, how long requests in flight may finish")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "longest wait for one API call")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the run to this file (for development)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, err
		}
		return nil, &exitError{code: exitUsage, err: err, silent: true}
	}
	if o.version {
		return o, nil
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return nil, usageErr("want exactly one INPUT.csv, got %d arguments", fs.NArg())
	}
	o.input = fs.Arg(0)
	targets := 0
	for _, on := range []bool{o.sandbox, o.local, isSet(fs, "base-url")} {
		if on {
			targets++
		}
	}
	if targets > 1 {
		return nil, usageErr("choose one of --sandbox, --local and --base-url")
	}
	if o.sandbox || o.local {
		o.baseURL = "" // PROLIFI_BASE_URL from the environment yields to an explicit target
	}
	switch {
	case o.rate <= 0:
		return nil, usageErr("--rate must be above 0")
	case o.workers < 0, o.burst < 1, o.limit < 0, o.maxRecord < 1:
		return nil, usageErr("--workers, --limit must not be negative; --burst and --max-record-bytes must be at least 1")
	}
	switch o.unknown {
	case "ignore", "metadata", "error":
	default:
		return nil, usageErr("--unknown-columns must be ignore, metadata or error")
	}
	switch o.progress {
	case "auto", "bar", "log", "off":
	default:
		return nil, usageErr("--progress must be auto, bar, log or off")
	}
	switch o.logFormat {
	case "auto", "console", "json":
	default:
		return nil, usageErr("--log-format must be auto, console or json")
	}
	return o, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// delimiterRune turns --delimiter into a rune; 0 means detect.
func (o *options) delimiterRune() (rune, error) {
	switch o.delimiter {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case ",", ";", "|":
		return rune(o.delimiter[0]), nil
	}
	return 0, usageErr("--delimiter must be , ; tab or |")
}

// errorBudget parses --max-errors: N or N%.
func (o *options) errorBudget() (int, float64, error) {
	v := strings.TrimSpace(o.maxErrors)
	if v == "" {
		return 0, 0, nil
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		p, err := strconv.ParseFloat(pct, 64)
		if err != nil || p <= 0 || p > 100 {
			return 0, 0, usageErr("--max-errors %q: want a number or a percentage from 0 to 100", v)
		}
		return 0, p / 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, 0, usageErr("--max-errors %q: want a whole number or a percentage", v)
	}
	return n, 0, nil
}

// mapping merges --mapping FILE and --map values (the flags win).
func (o *options) mapping() (map[string]string, error) {
	m := map[string]string{}
	add := func(where, line string) error {
		src, dst, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(src) == "" || strings.TrimSpace(dst) == "" {
			return usageErr("%s: %q is not 'Source Header=field'", where, line)
		}
		m[strings.TrimSpace(src)] = strings.TrimSpace(dst)
		return nil
	}
	if o.mappingFile != "" {
		f, err := os.Open(o.mappingFile)
		if err != nil {
			return nil, usageErr("read --mapping: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(fmt.Sprintf("%s line %d", o.mappingFile, n), line); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, usageErr("read --mapping: %v", err)
		}
	}
	for _, v := range o.maps {
		if err := add("--map", v); err != nil {
			return nil, err
		}
	}
	return m, nil
}
