package report

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// partial is an output written beside its final path (FINAL.partial) and
// put in place at the end, in input line order. The file at the final path
// is always whole: the last run's, until this one has finished. The
// partial file is locked, so two runs cannot write one output, and a run
// killed half-way leaves the final file as it was.
type partial struct {
	final string
	f     *os.File
}

// PartialSuffix names the file a run writes before it is complete:
// FINAL.partial, beside its output.
const PartialSuffix = ".partial"

// openPartial opens FINAL.partial for writing, locked and empty, and removes
// what a killed run left of its sort.
func openPartial(final, what string) (*partial, error) {
	f, err := openPrivate(final + PartialSuffix)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	if err := lockFile(f, what+" "+final); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("open %s: %w", what, err)
	}
	// Holding the lock, this run owns every FINAL.tmp-* file: one a killed
	// run left behind holds customer data and nothing else will remove it.
	stale, _ := filepath.Glob(globEscape(final) + tempSuffix + "*")
	for _, s := range stale {
		_ = os.Remove(s)
	}
	return &partial{final: final, f: f}, nil
}

// commit syncs the partial file and puts it in place, as it is when its
// rows are in order, else sorted by line; then it closes it. The lock is
// held until the file is in place: a second run that starts meanwhile
// finds it taken.
func (p *partial) commit(flushErr error, o lineOrder, ordered bool) error {
	err := flushErr
	if err == nil {
		err = p.f.Sync()
	}
	if err == nil && ordered {
		err = os.Rename(p.f.Name(), p.final)
	} else if err == nil {
		err = sortByLine(p.f.Name(), p.final, o, sortChunk)
	}
	return errors.Join(err, p.f.Close())
}

// discardPartial closes and removes the partial file only: the run did not
// start.
func (p *partial) discardPartial() {
	p.f.Close()
	_ = os.Remove(p.f.Name())
}

// discard closes and removes the partial file, and the final file too (a
// run with nothing to write leaves none; CheckOutputs has made sure that a
// file there is one of ours).
func (p *partial) discard() error {
	p.f.Close()
	err := os.Remove(p.f.Name())
	if rerr := os.Remove(p.final); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = errors.Join(err, rerr)
	}
	return err
}

// globEscape quotes the characters filepath.Glob treats as patterns.
func globEscape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '*' || r == '?' || r == '[' || r == '\\' {
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}
