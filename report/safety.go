package report

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Output is one file a run writes, and what makes an existing file at its
// path safe to replace: only a file this tool wrote.
type Output struct {
	Flag string // the flag that names it, for messages: "--results"
	Path string
	// Ours reports whether the file's first line is one this tool writes.
	// nil: any existing file is refused.
	Ours func(firstLine string) bool
	// MayCreateDir: the folder is created when missing (the ledger's).
	MayCreateDir bool
}

// UsageError is a problem with the command line or the files it names:
// nothing has been sent or written.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usage(format string, a ...any) error { return &UsageError{Err: fmt.Errorf(format, a...)} }

// CheckOutputs refuses, before anything is written, outputs that would
// destroy something: an output that is the input or another output (hard
// links and symbolic links included), a symbolic link, something other than
// a regular file, or a file this tool did not write.
func CheckOutputs(input string, outs []Output) error {
	var inStat fs.FileInfo
	if input != "" && input != "-" {
		inStat, _ = os.Stat(input)
	}
	seen := map[string]string{} // cleaned absolute path → flag
	found := map[string]fs.FileInfo{}
	for _, o := range outs {
		if o.Path == "" {
			continue
		}
		abs, err := filepath.Abs(o.Path)
		if err != nil {
			return usage("%s %s: %v", o.Flag, o.Path, err)
		}
		if prev, ok := seen[abs]; ok {
			return usage("%s and %s name the same file %s: give each output its own path", prev, o.Flag, o.Path)
		}
		seen[abs] = o.Flag
		fi, err := statOutput(o)
		if err != nil {
			return err
		}
		if fi == nil {
			continue
		}
		if inStat != nil && os.SameFile(fi, inStat) {
			return usage("%s %s is the input file: writing it would destroy the input", o.Flag, o.Path)
		}
		for flag, other := range found {
			if os.SameFile(fi, other) {
				return usage("%s and %s are the same file (%s): give each output its own path", flag, o.Flag, o.Path)
			}
		}
		found[o.Flag] = fi
		if err := checkOurs(o, fi); err != nil {
			return err
		}
	}
	return nil
}

// statOutput looks at what is at an output's path: nothing (nil), or a
// regular file that is not a link.
func statOutput(o Output) (fs.FileInfo, error) {
	fi, err := os.Lstat(o.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(o.Path); !o.MayCreateDir && !isDir(dir) {
			return nil, usage("%s %s: the folder %s does not exist", o.Flag, o.Path, dir)
		}
		return nil, nil
	case err != nil:
		return nil, usage("%s %s: %v", o.Flag, o.Path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, usage("%s %s is a symbolic link: give the path of a real file, so that no other file is overwritten", o.Flag, o.Path)
	case !fi.Mode().IsRegular():
		return nil, usage("%s %s is not a regular file", o.Flag, o.Path)
	}
	return fi, nil
}

// checkOurs refuses an existing, non-empty file whose first line is not one
// this tool writes.
func checkOurs(o Output, fi fs.FileInfo) error {
	if fi.Size() == 0 {
		return nil
	}
	first, err := firstLine(o.Path)
	if err != nil {
		return usage("%s %s: %v", o.Flag, o.Path, err)
	}
	if o.Ours == nil || !o.Ours(first) {
		return usage("%s %s exists and was not written by prolifi-import: it is left alone; choose another path or move it away", o.Flag, o.Path)
	}
	return nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// firstLine reads the first line of a file (at most 64 KiB of it).
func firstLine(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, err := bufio.NewReaderSize(f, 64<<10).ReadSlice('\n')
	if err != nil && len(line) == 0 {
		return "", nil
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// IsResultsHeader reports whether line is the first line of a results file.
func IsResultsHeader(line string) bool { return line == ResultsHeader }

// IsRejectsHeader reports whether line is the first line of a rejects file:
// the input's header followed by the three _error_ columns.
func IsRejectsHeader(line string) bool {
	line = strings.TrimPrefix(line, "\ufeff")
	for _, d := range []string{",", ";", "\t", "|"} {
		if strings.HasSuffix(line, strings.ReplaceAll(RejectColumns, ",", d)) {
			return true
		}
	}
	return false
}

// IsSummaryJSON reports whether line starts a summary JSON file.
func IsSummaryJSON(line string) bool { return line == "{" }

// IsLedgerFile reports whether line starts an SQLite database; the ledger
// itself then checks that the database is a ledger.
func IsLedgerFile(line string) bool { return strings.HasPrefix(line, "SQLite format 3\x00") }

// openPrivate opens path for writing from its start, readable by its owner
// only, without following a symbolic link put there since CheckOutputs
// looked. An existing file (one of ours) keeps its inode until the caller
// holds its lock and truncates it.
func openPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|oNoFollow, 0o600)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// replaceFile writes path as a whole, atomically: write fills a new private
// file in the same folder, which is synced and renamed over path.
func replaceFile(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone already after a successful rename
	// CreateTemp makes the file 0600: private from its first byte.
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := finish(nil, tmp); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// finish syncs and closes f after a final flush whose error was flushErr,
// and returns the first error of the three.
func finish(flushErr error, f *os.File) error {
	err := flushErr
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
