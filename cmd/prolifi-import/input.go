package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// input is what the run reads: a file or standard input, counted and hashed
// as it streams, so that progress and the fingerprint need no second pass
// and no seekable file.
type input struct {
	name  string      // as given: a path, or "-"
	file  *os.File    // nil for standard input
	info  fs.FileInfo // what the input is on disk, for CheckOutputs; nil when unknown
	r     io.Reader
	read  atomic.Int64 // bytes read so far
	size  int64        // bytes in all; 0 when unknown
	lines int64        // newlines in all, for a plain file; 0 when unknown
	hash  hash.Hash
}

// openInput opens the input. For a plain, uncompressed file it also counts
// the lines first (the progress bar's total): a pass at disk speed.
func openInput(name string, stdin io.Reader) (*input, error) {
	in := &input{name: name, hash: sha256.New()}
	if name == "-" {
		in.r = stdin
		if f, ok := stdin.(*os.File); ok {
			// Standard input may be a file redirected in: no output may be
			// that file either.
			in.info, _ = f.Stat()
		}
		return in, nil
	}
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErr("input %s: no such file", name)
		}
		return nil, usageErr("open input: %v", err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() && st.Mode()&fs.ModeNamedPipe == 0 && st.Mode()&fs.ModeCharDevice == 0 {
		f.Close()
		return nil, usageErr("input %s is not a file", name)
	}
	in.file, in.r, in.info = f, f, st
	if st.Mode().IsRegular() {
		in.size = st.Size()
		if in.lines, err = countLines(f); err != nil {
			f.Close()
			return nil, usageErr("read input: %v", err)
		}
	}
	return in, nil
}

// countLines counts the newlines of a plain text file and rewinds it; 0 for
// a compressed file or a workbook, whose size says nothing of its rows.
func countLines(f *os.File) (int64, error) {
	head := make([]byte, 4)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b || n == 4 && string(head) == "PK\x03\x04" {
		return 0, nil
	}
	var lines int64
	br := bufio.NewReaderSize(f, 256<<10)
	buf := make([]byte, 256<<10)
	for {
		n, err := br.Read(buf)
		lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	_, err := f.Seek(0, io.SeekStart)
	return lines, err
}

func (in *input) Read(p []byte) (int, error) {
	n, err := in.r.Read(p)
	in.read.Add(int64(n))
	in.hash.Write(p[:n])
	return n, err
}

// Close closes the file, if there is one.
func (in *input) Close() error {
	if in.file == nil {
		return nil
	}
	return in.file.Close()
}

// fingerprint is the SHA-256 of the bytes read so far: of the whole input
// once it has been read to the end.
func (in *input) fingerprint() string { return "sha256:" + hex.EncodeToString(in.hash.Sum(nil)) }

// records estimates the records of a plain file: its lines, less the
// header. 0 when unknown.
func (in *input) records() int64 { return max(in.lines-1, 0) }

// sibling names a file beside the input: customers.csv →
// customers.results.csv; standard input writes stdin.results.csv here.
func (in *input) sibling(suffix string) string {
	if in.name == "-" {
		return "stdin" + suffix
	}
	base := in.name
	for _, ext := range []string{".gz", ".csv", ".txt", ".tsv", ".xlsx"} {
		if strings.EqualFold(filepath.Ext(base), ext) {
			base = strings.TrimSuffix(base, filepath.Ext(base))
		}
	}
	return base + suffix
}
