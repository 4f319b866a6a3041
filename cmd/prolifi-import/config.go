package main

import (
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/prolifi/prolifi-import/importer"
)

// Hosts of the real API.
const (
	liveURL    = "https://api.prolifi.co/api/v1/public"
	sandboxURL = "https://sandbox.prolifi.co/api/v1/public"
)

// config is the command line, parsed and checked: every value in it makes
// sense, so later steps need not look again.
type config struct {
	input   string
	help    bool
	version bool

	target   targetConfig
	reader   readerFlags
	pace     paceFlags
	outputs  outputFlags
	logging  logFlags
	ledger   string // --ledger, or PROLIFI_LEDGER; "" for the default place
	dryRun   bool
	recheck  bool
	retryUnk bool
	keys     keyFlags
	limit    int
	profile  string // --cpuprofile
}

// keyFlags say what to do when the ledger knows the API only under other
// keys (see report.KeyChange).
type keyFlags struct {
	replaces   string
	newAccount bool
}

// targetConfig says where requests go and with which key.
type targetConfig struct {
	sandbox, local bool
	baseURL        string
	keyFile        string
	timeout        time.Duration
}

// readerFlags are the flags of the input side, as typed.
type readerFlags struct {
	encoding, delimiter, sheet, unknown string
	maps, valueMaps                     []string
	mappingFile                         string
	maxRecord                           int
	lazyQuotes                          bool
}

// paceFlags shape the requests.
type paceFlags struct {
	rate       float64
	burst      int
	workers    int
	maxRetries int
	maxWait    time.Duration
	grace      time.Duration
	maxErrors  string
}

// outputFlags name the files a run writes.
type outputFlags struct {
	results, rejects, summaryJSON string
}

// logFlags shape what a person or a log collector sees.
type logFlags struct {
	level, format, progress string
	interval                time.Duration
}

// flagGroup is one section of --help.
type flagGroup struct {
	title string
	flags *pflag.FlagSet
}

// newFlagSets declares every flag, in the groups --help shows, bound to c.
func newFlagSets(c *config, getenv func(string) string) (*pflag.FlagSet, []flagGroup) {
	group := func(title string) flagGroup { return flagGroup{title, pflag.NewFlagSet(title, pflag.ContinueOnError)} }
	tg, in, led, pc, out, lg := group("Target"), group("Input"), group("Ledger and reruns"), group("Pacing"), group("Output"), group("Logging")
	t := tg.flags
	t.BoolVar(&c.target.sandbox, "sandbox", false, "send to the sandbox API ("+sandboxURL+")")
	t.BoolVar(&c.target.local, "local", false, "send to an emulator of the API started in this process: no key, no network")
	t.StringVar(&c.target.baseURL, "base-url", getenv("PROLIFI_BASE_URL"), "any other API root (env PROLIFI_BASE_URL); plain http only to a loopback host")
	t.StringVar(&c.target.keyFile, "api-key-file", "", "read the API key from this file (default: env PROLIFI_API_KEY); never a flag value")
	t.DurationVar(&c.target.timeout, "timeout", 30*time.Second, "longest wait for one API call")
	declareInput(in.flags, c)
	l := led.flags
	l.StringVar(&c.ledger, "ledger", getenv("PROLIFI_LEDGER"), "the ledger file (env PROLIFI_LEDGER; default $XDG_STATE_HOME/prolifi-import/ledger.db, else ~/.local/state/prolifi-import/ledger.db)")
	l.BoolVar(&c.dryRun, "dry-run", false, "check every row and consult the ledger; send nothing (needs no key)")
	l.BoolVar(&c.recheck, "recheck", false, "ask the API again about customers the ledger has as imported")
	l.BoolVar(&c.retryUnk, "retry-unknown", false, "send again rows without an external_id whose earlier outcome is unknown (after checking Prolifi)")
	l.StringVar(&c.keys.replaces, "key-replaces", "", "this API key replaced the key of this fingerprint (sha256:…, as the ledger names it): its entries become this key's")
	l.BoolVar(&c.keys.newAccount, "new-account", false, "this API key is another account than the keys the ledger knows for the API: import afresh")
	l.Bool("resume", false, "accepted for older scripts: every run continues where the ledger says")
	declarePacing(pc.flags, c)
	o := out.flags
	o.StringVar(&c.outputs.results, "results", "", "results file (default: INPUT.results.csv, INPUT.local… with --local, INPUT.dry-run… with --dry-run; for standard input, stdin…)")
	o.StringVar(&c.outputs.rejects, "rejects", "", "rejects file: the records to fix and import again (default: INPUT.rejects.csv)")
	o.StringVar(&c.outputs.summaryJSON, "summary-json", "", "also write the summary as JSON to this file")
	g := lg.flags
	g.StringVar(&c.logging.level, "log-level", "info", "debug, info, warn or error")
	g.StringVar(&c.logging.format, "log-format", "auto", "auto (readable on a terminal, else JSON), console or json")
	g.StringVar(&c.logging.progress, "progress", "auto", "auto (a bar on a terminal, else log lines), bar, log or off")
	g.DurationVar(&c.logging.interval, "progress-interval", 10*time.Second, "how often --progress log reports")
	g.StringVar(&c.profile, "cpuprofile", "", "write a CPU profile of the run to this file (for development)")
	g.BoolVarP(&c.help, "help", "h", false, "print this help")
	g.BoolVar(&c.version, "version", false, "print the version and exit")
	groups := []flagGroup{tg, in, led, pc, out, lg}
	all := pflag.NewFlagSet("prolifi-import", pflag.ContinueOnError)
	for _, gr := range groups {
		all.AddFlagSet(gr.flags)
	}
	return all, groups
}

func declareInput(f *pflag.FlagSet, c *config) {
	f.StringVar(&c.reader.encoding, "encoding", "", "input encoding: "+importer.Encodings+" (default: UTF-8, or Windows-1252 when the file is not UTF-8)")
	f.StringVar(&c.reader.delimiter, "delimiter", "", "field separator: , ; tab or | (default: detected from the header)")
	f.StringVar(&c.reader.sheet, "sheet", "", "the sheet of an .xlsx workbook (default: the first)")
	f.StringArrayVar(&c.reader.maps, "map", nil, "'Header=field' (repeatable); field is an API field or metadata.KEY")
	f.StringVar(&c.reader.mappingFile, "mapping", "", "a file of 'Header=field' lines, as --map")
	f.StringArrayVar(&c.reader.valueMaps, "value-map", nil, "FIELD=FILE: replace the field's values through a two-column CSV (from,to)")
	f.StringVar(&c.reader.unknown, "unknown-columns", "ignore", "columns that feed no field: ignore, metadata or error")
	f.IntVar(&c.reader.maxRecord, "max-record-bytes", 1<<20, "refuse records longer than this")
	f.BoolVar(&c.reader.lazyQuotes, "lazy-quotes", false, "accept a quote inside an unquoted field as text")
	f.IntVar(&c.limit, "limit", 0, "stop once N rows have been sent (a canary run); rows the ledger already has do not count")
}

func declarePacing(f *pflag.FlagSet, c *config) {
	f.Float64Var(&c.pace.rate, "rate", importer.DefaultRate, "requests per second, retries and look-ups included")
	f.IntVar(&c.pace.burst, "burst", 1, "requests that may go at once after a quiet spell")
	f.IntVar(&c.pace.workers, "workers", 0, "concurrent requests (default: enough to keep --rate busy)")
	f.IntVar(&c.pace.maxRetries, "max-retries", 8, "retries per row for 429, 5xx and network errors (0: none)")
	f.DurationVar(&c.pace.maxWait, "max-wait", 2*time.Minute, "stop the run (exit 3) when the API asks to wait longer than this")
	f.DurationVar(&c.pace.grace, "grace", 10*time.Second, "after a stop signal, how long requests in flight may finish")
	f.StringVar(&c.pace.maxErrors, "max-errors", "", "stop (exit 3) once more than N rows sent were refused or failed (N%: of the rows sent, once 100 were); rows that fail the local checks do not count")
}

// parseFlags reads the command line. A mistyped flag gets a suggestion, not
// the whole usage; every numeric flag is checked here, before any file is
// touched.
func parseFlags(args []string, getenv func(string) string) (*config, error) {
	c := &config{}
	fs, _ := newFlagSets(c, getenv)
	fs.SetOutput(discard{})
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		return nil, usageErr("%s", suggest(err, fs))
	}
	if c.help || c.version {
		return c, nil
	}
	if fs.NArg() != 1 {
		return nil, usageErr("want one INPUT (a CSV, .csv.gz or .xlsx file, or - for standard input), got %d; see --help", fs.NArg())
	}
	c.input = fs.Arg(0)
	if err := c.check(fs); err != nil {
		return nil, err
	}
	return c, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// suggest turns a parse error into a message, with "did you mean" for an
// unknown flag.
func suggest(err error, fs *pflag.FlagSet) string {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return msg + "; see --help"
	}
	best, dist := "", 3
	fs.VisitAll(func(f *pflag.Flag) {
		if d := editDistance(name, f.Name); d < dist || d == dist && best == "" && strings.HasPrefix(f.Name, name) {
			best, dist = f.Name, d
		}
	})
	if best != "" {
		return msg + "; did you mean --" + best + "?"
	}
	return msg + "; see --help"
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// check refuses values that make no sense, naming the flag.
func (c *config) check(fs *pflag.FlagSet) error {
	targets := 0
	for _, on := range []bool{c.target.sandbox, c.target.local, fs.Changed("base-url")} {
		if on {
			targets++
		}
	}
	if targets > 1 {
		return usageErr("choose one of --sandbox, --local and --base-url")
	}
	if c.target.sandbox || c.target.local {
		c.target.baseURL = "" // PROLIFI_BASE_URL from the environment yields to an explicit target
	}
	if c.target.local && fs.Changed("ledger") {
		return usageErr("--ledger cannot go with --local: the emulator's customers vanish with it, so its ledger is temporary")
	}
	p := c.pace
	for _, bad := range []struct {
		when bool
		msg  string
	}{
		{math.IsNaN(p.rate) || math.IsInf(p.rate, 0) || p.rate < 0.01, "--rate must be a number of requests per second, at least 0.01"},
		{p.burst < 1, "--burst must be at least 1"},
		{p.workers < 0 || p.workers > 4096, "--workers must be from 0 (automatic) to 4096"},
		{p.maxRetries < 0, "--max-retries must not be negative (0: no retries)"},
		{p.maxWait <= 0, "--max-wait must be a duration above 0, such as 2m"},
		{p.grace < 0, "--grace must not be negative"},
		{c.target.timeout <= 0, "--timeout must be a duration above 0, such as 30s"},
		{c.logging.interval <= 0, "--progress-interval must be a duration above 0, such as 10s"},
		{c.limit < 0, "--limit must not be negative (0: every record)"},
		{c.reader.maxRecord < 1 || c.reader.maxRecord > 1<<30, "--max-record-bytes must be from 1 to 1073741824 (1 GiB)"},
	} {
		if bad.when {
			return usageErr("%s", bad.msg)
		}
	}
	if _, _, err := errorBudget(p.maxErrors); err != nil {
		return err
	}
	if err := c.keys.check(); err != nil {
		return err
	}
	if !fs.Changed("ledger") && c.ledger != "" && !filepath.IsAbs(c.ledger) {
		// cron and systemd start in another folder: a relative ledger
		// there would be a new, empty one, and every row would go again.
		return usageErr("PROLIFI_LEDGER must be an absolute path, not %q (a scheduler runs in another folder, where it would be another ledger)", c.ledger)
	}
	return checkChoices(c)
}

// check refuses a key fingerprint that is not one, and both answers at once.
func (k keyFlags) check() error {
	if k.replaces != "" && k.newAccount {
		return usageErr("--key-replaces and --new-account contradict each other: choose one")
	}
	hexPart, ok := strings.CutPrefix(k.replaces, "sha256:")
	if k.replaces != "" && (!ok || len(hexPart) != 32 || strings.Trim(hexPart, "0123456789abcdef") != "") {
		return usageErr("--key-replaces wants a key fingerprint as the ledger shows it (sha256: and 32 hex digits), never a key")
	}
	return nil
}

// checkChoices refuses values outside a flag's set of words.
func checkChoices(c *config) error {
	for _, ch := range []struct {
		flag, value string
		allowed     []string
	}{
		{"--unknown-columns", c.reader.unknown, []string{"ignore", "metadata", "error"}},
		{"--progress", c.logging.progress, []string{"auto", "bar", "log", "off"}},
		{"--log-format", c.logging.format, []string{"auto", "console", "json"}},
		{"--log-level", c.logging.level, []string{"debug", "info", "warn", "error"}},
	} {
		ok := false
		for _, a := range ch.allowed {
			ok = ok || ch.value == a
		}
		if !ok {
			return usageErr("%s %q: want %s", ch.flag, ch.value, strings.Join(ch.allowed, ", "))
		}
	}
	if _, err := delimiterRune(c.reader.delimiter); err != nil {
		return err
	}
	return nil
}

// delimiterRune turns --delimiter into a rune; 0 means detect.
func delimiterRune(d string) (rune, error) {
	switch d {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case ",", ";", "|":
		return rune(d[0]), nil
	}
	return 0, usageErr("--delimiter must be , ; tab or |")
}

// errorBudget parses --max-errors: N or N%.
func errorBudget(v string) (int, float64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, 0, nil
	}
	if pct, ok := strings.CutSuffix(v, "%"); ok {
		p, err := strconv.ParseFloat(pct, 64)
		if err != nil || math.IsNaN(p) || p <= 0 || p > 100 {
			return 0, 0, usageErr("--max-errors %q: want a whole number, or a percentage above 0 and at most 100", v)
		}
		return 0, p / 100, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, 0, usageErr("--max-errors %q: want a whole number from 1, or a percentage", v)
	}
	return n, 0, nil
}
