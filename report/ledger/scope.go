package ledger

// scope is the condition that keeps a ledger's reads to its targets: a
// writer sees its own target, a reader a base URL (one key or all) or the
// whole file. Its SQL uses the alias e for entries, and anonymous
// parameters (see write_sql.go), args in order.
type scope struct {
	where string
	args  []any
}

// writeScope is the writer's: its one target.
func writeScope(target int64) scope {
	return scope{where: "e.target = ?", args: []any{target}}
}

// readScope is a reader's: "" for either value matches any.
func readScope(baseURL, keyFingerprint string) scope {
	return scope{
		where: "e.target IN (SELECT id FROM targets WHERE (? = '' OR base_url = ?) AND (? = '' OR key_fingerprint = ?))",
		args:  []any{baseURL, baseURL, keyFingerprint, keyFingerprint},
	}
}
