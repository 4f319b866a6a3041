package importer

import (
	"bytes"
	"io"
)

// errRecordTooLarge stops the parser when one record outgrows the limit.
const errRecordTooLarge = readError("record too large")

type readError string

func (e readError) Error() string { return string(e) }

// tap sits between the text and the CSV parser and keeps the bytes the
// parser has read since the end of the last record. They let the source
// quote a malformed record, re-read the lines after it, and bound how much
// one record may take.
type tap struct {
	r     io.Reader
	buf   []byte // bytes since the end of the last taken record
	base  int64  // stream offset of buf[0]
	lines int    // newlines in everything taken so far
	limit int
}

// lookahead is how far the parser may read past the record it parses; the
// limit is enforced within that much.
const lookahead = 4096 // csv.Reader reads through a default-sized bufio.Reader

func (t *tap) Read(p []byte) (int, error) {
	if len(t.buf) > t.limit+lookahead {
		return 0, errRecordTooLarge
	}
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// take returns the text up to stream offset end and forgets it.
func (t *tap) take(end int64) string {
	n := t.upTo(end)
	s := string(t.buf[:n])
	t.forget(n)
	return s
}

// skip forgets the bytes up to stream offset end.
func (t *tap) skip(end int64) { t.forget(t.upTo(end)) }

func (t *tap) upTo(end int64) int { return min(max(int(end-t.base), 0), len(t.buf)) }

func (t *tap) forget(n int) {
	t.lines += bytes.Count(t.buf[:n], []byte{'\n'})
	rest := copy(t.buf, t.buf[n:])
	t.buf = t.buf[:rest]
	t.base += int64(n)
	if cap(t.buf) > 4*lookahead && len(t.buf) < lookahead {
		t.buf = append([]byte(nil), t.buf...) // give back a buffer an oversized record grew
	}
}

// pending is what the parser read since the last taken record.
func (t *tap) pending() []byte { return t.buf }
