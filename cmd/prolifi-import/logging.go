package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"
)

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger logs to stderr: sentences with key=value pairs on a terminal,
// JSON lines elsewhere (cron, containers), every line tagged with the run
// id. Repeated messages are sampled so that a storm of retries cannot flood
// the log.
func newLogger(l logFlags, stderr io.Writer, runID string) (*zap.Logger, error) {
	level, err := zapcore.ParseLevel(l.level)
	if err != nil {
		return nil, usageErr("--log-level %q: want debug, info, warn or error", l.level)
	}
	var enc zapcore.Encoder
	if consoleLogs(l, stderr) {
		enc = newSentenceEncoder()
	} else {
		ec := zap.NewProductionEncoderConfig()
		ec.EncodeTime = zapcore.ISO8601TimeEncoder
		enc = zapcore.NewJSONEncoder(ec)
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(stderr)), level)
	core = zapcore.NewSamplerWithOptions(core, time.Second, 10, 100)
	return zap.New(core).With(zap.String("run_id", runID)), nil
}

// consoleLogs reports whether logs are for a person rather than a
// collector.
func consoleLogs(l logFlags, stderr io.Writer) bool {
	return l.format == "console" || l.format == "auto" && isTerminal(stderr)
}

// sentenceEncoder writes "15:04:05 WARN message key=value key=value": a
// line a person reads as a sentence. The run id, on every JSON line for
// collectors, is left out here: on a terminal there is one run.
type sentenceEncoder struct {
	*zapcore.MapObjectEncoder
	pool buffer.Pool
}

func newSentenceEncoder() zapcore.Encoder {
	return sentenceEncoder{zapcore.NewMapObjectEncoder(), buffer.NewPool()}
}

func (e sentenceEncoder) Clone() zapcore.Encoder {
	c := zapcore.NewMapObjectEncoder()
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	return sentenceEncoder{c, e.pool}
}

func (e sentenceEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	b := e.pool.Get()
	b.AppendString(ent.Time.Format("15:04:05") + " ")
	if ent.Level != zapcore.InfoLevel {
		b.AppendString(ent.Level.CapitalString() + " ")
	}
	b.AppendString(ent.Message)
	for _, f := range fields {
		one := zapcore.NewMapObjectEncoder()
		f.AddTo(one)
		for k, v := range one.Fields {
			b.AppendString(" " + k + "=" + kvValue(v))
		}
	}
	b.AppendString("\n")
	return b, nil
}

// kvValue renders a field's value, quoted when it holds spaces.
func kvValue(v any) string {
	var s string
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		s = strings.Join(parts, ", ")
	case time.Duration:
		s = x.Round(time.Millisecond).String()
	default:
		s = fmt.Sprint(v)
	}
	if strings.ContainsAny(s, " \t\"=") || s == "" {
		return fmt.Sprintf("%q", s)
	}
	return s
}
