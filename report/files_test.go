package report

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/prolifi/prolifi-import/importer"
)

// fakeRecorder is a Recorder whose calls the test controls: each Record
// says it began on began, then waits for a value on release, which it
// returns.
type fakeRecorder struct {
	began   chan []int // the lines of the batch
	release chan error
	mu      sync.Mutex
	stored  []int // lines recorded without error, in order
}

func newFakeRecorder() *fakeRecorder {
	return &fakeRecorder{began: make(chan []int, 16), release: make(chan error, 16)}
}

func (r *fakeRecorder) Record(_ context.Context, results []importer.Result) error {
	var lines []int
	for _, res := range results {
		lines = append(lines, res.Line)
	}
	r.began <- lines
	err := <-r.release
	if err == nil {
		r.mu.Lock()
		r.stored = append(r.stored, lines...)
		r.mu.Unlock()
	}
	return err
}

func openTestFiles(t *testing.T, rec Recorder) *Files {
	t.Helper()
	dir := t.TempDir()
	f, err := OpenFiles(FilesConfig{Results: filepath.Join(dir, "r.csv"), Rejects: filepath.Join(dir, "x.csv"),
		Header: []string{"email"}, Delimiter: ',', Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func sent(line int) importer.Result {
	return importer.Result{Line: line, Status: importer.StatusCreated, CustomerID: "c", Sent: true}
}

// within fails the test when fn does not return soon: it guards against a
// hang (here, a Flush that waits for the ledger), not a measure of speed.
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not return: it waits for the recorder", what)
		return nil
	}
}

// TestFlushDoesNotWaitForTheLedger: the drain calls Flush every few
// milliseconds, and a ledger commit must not hold the workers up. A batch
// is recorded in the background; outcomes that come meanwhile go in the
// next batch; Close waits until every outcome is stored.
func TestFlushDoesNotWaitForTheLedger(t *testing.T) {
	rec := newFakeRecorder()
	f := openTestFiles(t, rec)
	for _, line := range []int{2, 3} {
		if err := f.Write(sent(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := within(t, "Flush", f.Flush); err != nil {
		t.Fatal(err)
	}
	if got := <-rec.began; !equalInts(got, []int{2, 3}) {
		t.Fatalf("first batch %v, want [2 3]", got)
	}
	// The first batch is still being recorded: these wait for the next.
	for _, line := range []int{4, 5} {
		if err := f.Write(sent(line)); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Write(importer.Result{Line: 6, Status: importer.StatusInvalid}); err != nil { // not sent: not recorded
		t.Fatal(err)
	}
	if err := within(t, "Flush", f.Flush); err != nil {
		t.Fatal(err)
	}
	rec.release <- nil
	rec.release <- nil
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got := <-rec.began; !equalInts(got, []int{4, 5}) {
		t.Fatalf("second batch %v, want [4 5]", got)
	}
	if !equalInts(rec.stored, []int{2, 3, 4, 5}) {
		t.Fatalf("stored %v, want [2 3 4 5]", rec.stored)
	}
}

// TestRecordErrorsComeBack: an outcome the ledger could not store fails a
// later Flush, or Close when it was the last batch, so that the run stops.
func TestRecordErrorsComeBack(t *testing.T) {
	broken := errors.New("disk full")
	t.Run("next flush", func(t *testing.T) {
		rec := newFakeRecorder()
		f := openTestFiles(t, rec)
		f.Write(sent(2))
		rec.release <- broken
		if err := f.Flush(); err != nil {
			t.Fatal(err)
		}
		<-rec.began
		f.mu.Lock()
		for f.busy { // the batch has failed
			f.idle.Wait()
		}
		f.mu.Unlock()
		f.Write(sent(3))
		rec.release <- nil
		if err := f.Flush(); !errors.Is(err, broken) {
			t.Fatalf("Flush: %v, want %v", err, broken)
		}
		if err := f.Close(); err != nil {
			t.Fatalf("Close: %v (the next batch was stored)", err)
		}
		if !equalInts(rec.stored, []int{3}) {
			t.Fatalf("stored %v, want [3]", rec.stored)
		}
	})
	t.Run("close", func(t *testing.T) {
		rec := newFakeRecorder()
		f := openTestFiles(t, rec)
		f.Write(sent(2))
		rec.release <- broken
		if err := f.Close(); !errors.Is(err, broken) {
			t.Fatalf("Close: %v, want %v", err, broken)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOutcomesDoNotWaitForAnotherFlush: outcomes that come while a batch is
// being recorded are recorded as soon as it is stored, without waiting for
// a Flush the drain may not make for seconds (a 429 pause, a slow API).
func TestOutcomesDoNotWaitForAnotherFlush(t *testing.T) {
	rec := newFakeRecorder()
	f := openTestFiles(t, rec)
	f.Write(sent(2))
	f.Flush()
	<-rec.began
	f.Write(sent(3))
	f.Flush() // the first batch is still being recorded
	rec.release <- nil
	select {
	case got := <-rec.began:
		if !equalInts(got, []int{3}) {
			t.Fatalf("second batch %v, want [3]", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the outcome of line 3 waits for another Flush")
	}
	rec.release <- nil
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
