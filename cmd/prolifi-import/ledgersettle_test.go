package main

import (
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client/sandbox"
	"github.com/prolifi/prolifi-import/report"
)

func TestReadSettlementsUndoesTheFormulaGuard(t *testing.T) {
	file := writeFile(t, "unknown.csv", "identity,state,customer_id,email\n"+
		"e:+tag@example.com,outcome_unknown,,'+tag@example.com\n"+
		"e:=eq@example.com,outcome_unknown,,'=eq@example.com\n"+
		"e:o'brien@example.com,outcome_unknown,cus_1,o'brien@example.com\n"+
		"e:'quote@example.com,outcome_unknown,,'quote@example.com\n")
	got, err := readSettlements(file)
	if err != nil {
		t.Fatal(err)
	}
	want := []report.Settlement{{Email: "+tag@example.com"}, {Email: "=eq@example.com"},
		{Email: "o'brien@example.com", CustomerID: "cus_1"}, {Email: "'quote@example.com"}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// A line of ledger unknown's output names its target: settling it leaves
// the same email's unknown outcome under another target (where nobody
// looked) as it was, or the next run there could create it twice.
func TestSettleFileKeepsToItsTarget(t *testing.T) {
	_, baseA := emulator(t, sandbox.New(sandbox.Config{LostRate: 1}))
	_, baseB := emulator(t, sandbox.New(sandbox.Config{LostRate: 1}))
	in := writeFile(t, "in.csv", "email\nboth@example.com\n")
	k := keyEnv(t)
	for _, base := range []string{baseA, baseB} {
		if o := runCmd(t, k, "--base-url", base, in); o.code != exitRows {
			t.Fatalf("run against %s: exit %d\n%s", base, o.code, o.stderr)
		}
	}
	unknown := runCmd(t, k, "ledger", "unknown", "--base-url", baseB)
	if unknown.code != exitOK || strings.Count(unknown.stdout, "\n") != 2 {
		t.Fatalf("ledger unknown --base-url B: exit %d\n%s", unknown.code, unknown.stdout)
	}
	list := writeFile(t, "checked-in-B.csv", unknown.stdout)
	if o := runCmd(t, k, "ledger", "missing", "--file", list); o.code != exitOK || !strings.Contains(o.stdout, "1 rows settled") {
		t.Fatalf("ledger missing --file: exit %d\n%s\n%s", o.code, o.stdout, o.stderr)
	}
	left := runCmd(t, k, "ledger", "unknown")
	if !strings.Contains(left.stdout, baseA) || strings.Contains(left.stdout, baseB) {
		t.Errorf("after settling B only, ledger unknown says:\n%s", left.stdout)
	}
}
