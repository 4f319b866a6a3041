package ledger

// scope is the condition that keeps a ledger's reads to its targets: a
// writer sees its own target, a reader a base URL (one key or all) or the
// whole file. Its SQL uses parameters ?1 up to ?len(args) and the alias e
// for entries.
type scope struct {
	where string
	args  []any
}

// writeScope is the writer's: its one target.
func writeScope(target int64) scope {
	return scope{where: "e.target = ?1", args: []any{target}}
}

// readScope is a reader's: "" for either value matches any.
func readScope(baseURL, keyFingerprint string) scope {
	return scope{
		where: "e.target IN (SELECT id FROM targets WHERE (?1 = '' OR base_url = ?1) AND (?2 = '' OR key_fingerprint = ?2))",
		args:  []any{baseURL, keyFingerprint},
	}
}

// next is the number of the first parameter after the scope's.
func (s scope) next() int { return len(s.args) + 1 }
