//go:build unix

package ledger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// childEnv names the ledger a child process writes to (see
// TestKilledHolderChild).
const childEnv = "LEDGER_TEST_CHILD_PATH"

const (
	childBatch = 50  // identities a batch
	childMax   = 400 // batches at most, so that a lost parent does not leave it running long
)

// TestKilledHolderChild is the child of TestAKilledHolderBlocksNothing: it
// writes batches to the ledger and prints the number of each once
// committed, until it is killed.
func TestKilledHolderChild(t *testing.T) {
	path := os.Getenv(childEnv)
	if path == "" {
		t.Skip("run by TestAKilledHolderBlocksNothing")
	}
	ctx := context.Background()
	l, err := Open(ctx, path, targetA(), Options{Input: "child.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.BeginRun(ctx, Run{ID: "killed", Input: "child.csv"}); err != nil {
		t.Fatal(err)
	}
	for b := range childMax {
		changes := make([]Change, 0, 2*childBatch)
		for i := range childBatch {
			id := fmt.Sprintf("x:%d-%d", b, i)
			changes = append(changes, pending(id, "killed", i), outcome(id, "killed", i, StateCreated, "c"+id))
		}
		if err := l.Apply(ctx, changes); err != nil {
			t.Fatal(err)
		}
		fmt.Println(b)
	}
}

func TestAKilledHolderBlocksNothing(t *testing.T) {
	ctx := context.Background()
	path := ledgerPath(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestKilledHolderChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	committed := -1 // the last batch the child said it committed
	read := func() bool {
		if !lines.Scan() {
			return false
		}
		if n, err := strconv.Atoi(lines.Text()); err == nil {
			committed = n
		}
		return true
	}
	for committed < 2 && read() {
	}
	// While it runs, it holds the ledger.
	_, err = Open(ctx, path, targetA(), Options{})
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.Holder.PID != cmd.Process.Pid || inUse.Holder.Input != "child.csv" {
		t.Errorf("Open beside the child: %v", err)
	}
	cmd.Process.Kill() // SIGKILL, in the middle of its writes
	for read() {
	}
	cmd.Wait()
	t.Logf("the child was killed after batch %d of %d", committed, childMax)

	l := openT(t, path, targetA())
	for b := range childMax {
		m := lookup(t, l, batchIDs(b)...)
		switch {
		case b <= committed && len(m) != childBatch:
			t.Fatalf("batch %d was committed, but %d of %d entries are there", b, len(m), childBatch)
		case len(m) != 0 && len(m) != childBatch:
			t.Fatalf("batch %d is there in part: %d of %d", b, len(m), childBatch)
		}
		for _, e := range m {
			if e.State != StateCreated {
				t.Fatalf("batch %d: %+v", b, e)
			}
		}
	}
	runs, err := l.Runs(ctx, 0)
	if err != nil || len(runs) != 1 || runs[0].Outcome != RunUnfinished || !runs[0].Finished.IsZero() {
		t.Errorf("Runs: %+v, %v; want the killed run, unfinished", runs, err)
	}
}

func batchIDs(b int) []string {
	ids := make([]string, childBatch)
	for i := range ids {
		ids[i] = fmt.Sprintf("x:%d-%d", b, i)
	}
	return ids
}
