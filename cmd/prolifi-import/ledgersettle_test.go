package main

import (
	"testing"

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
