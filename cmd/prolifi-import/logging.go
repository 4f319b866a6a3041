package main

import (
	"io"
	"os"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs to stderr: readable on a terminal, JSON elsewhere (cron,
// containers), every line tagged with the run id. Repeated messages are
// sampled so that a storm of retries cannot flood the log.
func newLogger(o *options, stderr io.Writer, runID string) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(o.logLevel)
	if err != nil {
		return nil, usageErr("--log-level %q: want debug, info, warn or error", o.logLevel)
	}
	format := o.logFormat
	if format == "auto" {
		format = "json"
		if isTerminal(stderr) {
			format = "console"
		}
	}
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = zapcore.ISO8601TimeEncoder
	var enc zapcore.Encoder
	if format == "console" {
		ec.EncodeLevel = zapcore.CapitalColorLevelEncoder
		ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05")
		enc = zapcore.NewConsoleEncoder(ec)
	} else {
		enc = zapcore.NewJSONEncoder(ec)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), level)
	core = zapcore.NewSamplerWithOptions(core, time.Second, 10, 100)
	return zap.New(core).With(zap.String("run_id", runID)), nil
}
