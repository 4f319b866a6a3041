package ledger

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
)

// docBlocks are the indented (code) lines of doc.go's comment.
func docBlocks(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var code []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "//\t"); ok {
			code = append(code, rest)
		}
	}
	return strings.Join(code, "\n")
}

func TestDocShowsTheSchema(t *testing.T) {
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if !strings.Contains(norm(docBlocks(t)), norm(schema)) {
		t.Error("doc.go does not show the schema of schema.go")
	}
}

// TestDocQueriesRun runs doc.go's example queries on a ledger.
func TestDocQueriesRun(t *testing.T) {
	path := ledgerPath(t)
	l := openT(t, path, targetA())
	apply(t, l, outcome("x:1", "r1", 2, StateOutcomeUnknown, ""), outcome("x:2", "r1", 3, StateCreated, "c2"))
	db, err := sql.Open(driverName, "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var queries int
	for _, q := range strings.SplitAfter(docBlocks(t), ";") {
		if q = strings.TrimSpace(q); !strings.HasPrefix(q, "SELECT") {
			continue
		}
		queries++
		rows, err := db.QueryContext(context.Background(), q)
		if err != nil {
			t.Errorf("%s\n%v", q, err)
			continue
		}
		rows.Close()
	}
	if queries != 3 {
		t.Errorf("found %d example queries, want 3", queries)
	}
}
