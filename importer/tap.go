package importer

import (
	"bytes"
	"io"
)

// errRecordTooLarge stops the parser when one record outgrows the limit.
const errRecordTooLarge = readError("record too large")

type readError string

func (e readError) Error() string { return string(e) }

// tap sits between the decoded input and the CSV parser and keeps the bytes
// the parser has read since the end of the last record. They give each row
// its raw text (for the rejects file), let the reader re-read the lines after
// a malformed record, and bound how much one record may take.
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
	n := int(end - t.base)
	n = min(max(n, 0), len(t.buf))
	s := string(t.buf[:n])
	t.lines += bytes.Count(t.buf[:n], []byte{'\n'})
	t.forget(n)
	return s
}

func (t *tap) forget(n int) {
	rest := copy(t.buf, t.buf[n:])
	t.buf = t.buf[:rest]
	t.base += int64(n)
	if cap(t.buf) > 4*lookahead && len(t.buf) < lookahead {
		t.buf = append([]byte(nil), t.buf...) // give back a buffer an oversized record grew
	}
}

// splitFirstLine takes the first non-empty line of what was read since the
// last record (the start of a malformed record) and returns it with the
// bytes after it, which must be parsed again. When that line has no end in
// what was read, the rest of it is read and dropped, and replay starts after
// its newline.
func (t *tap) splitFirstLine() (raw string, replay []byte) {
	b := t.buf
	for len(b) > 0 && (b[0] == '\n' || b[0] == '\r' && len(b) > 1 && b[1] == '\n') {
		b = b[bytes.IndexByte(b, '\n')+1:]
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		raw = trimEOL(string(b[:i]))
		replay = append([]byte{}, b[i+1:]...)
		t.buf = t.buf[:0]
		return raw, replay
	}
	raw = string(b)
	t.buf = t.buf[:0]
	var chunk [32 << 10]byte
	for {
		n, err := t.r.Read(chunk[:])
		if i := bytes.IndexByte(chunk[:n], '\n'); i >= 0 {
			return raw, append([]byte{}, chunk[i+1:n]...)
		}
		if err != nil {
			return raw, []byte{}
		}
	}
}
