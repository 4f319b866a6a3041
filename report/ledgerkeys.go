package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/prolifi/prolifi-import/report/ledger"
)

// KeyChange says what a run does when its API key holds nothing in the
// ledger while other keys of the same API do. The zero value refuses to go
// on: had the key only been replaced, every customer the old key imported
// without an external_id would be created a second time.
type KeyChange struct {
	// Replaces is the fingerprint of the key this one replaced in the same
	// account: that key's entries move to this one.
	Replaces string
	// NewAccount says this key belongs to another account: go on without
	// the other keys' entries.
	NewAccount bool
}

// OtherKeysError is OpenLedger's refusal when this key holds no entries
// but other keys of its API do (see KeyChange).
type OtherKeysError struct {
	Path, BaseURL string
	Keys          []ledger.OtherKey
}

func (e *OtherKeysError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the ledger %s holds nothing for this API key at %s, but holds entries under ", e.Path, e.BaseURL)
	for i, k := range e.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "key %s (%d entries", k.KeyFingerprint, k.Entries)
		if !k.LastRun.IsZero() {
			fmt.Fprintf(&b, ", last run %s", k.LastRun.UTC().Format("2006-01-02"))
		}
		b.WriteString(")")
	}
	return b.String()
}

// settleKeys applies kc before the run begins; it returns how many entries
// moved to this key.
func settleKeys(ctx context.Context, l *ledger.Ledger, baseURL string, kc KeyChange) (int, error) {
	if kc.Replaces != "" {
		return l.TakeOver(ctx, kc.Replaces)
	}
	if kc.NewAccount {
		return 0, nil
	}
	own, err := l.OwnEntries(ctx)
	if err != nil || own > 0 {
		return 0, err
	}
	others, err := l.OtherKeys(ctx)
	if err != nil || len(others) == 0 {
		return 0, err
	}
	return 0, &OtherKeysError{Path: l.Path(), BaseURL: baseURL, Keys: others}
}

// dryRunKey is the key whose entries a dry run reads, given the targets of
// its base URL: what settleKeys would leave the run's key holding. It
// refuses what settleKeys (or TakeOver) would refuse, so that a dry run
// never promises a run that would stop.
func dryRunKey(targets []ledger.TargetCounts, path, baseURL, key string, kc KeyChange) (string, error) {
	own, theirs, replaced := 0, 0, false
	var others []ledger.OtherKey
	for _, t := range targets {
		n := 0
		for _, c := range t.Counts {
			n += c
		}
		fp := t.Target.KeyFingerprint
		switch {
		case fp == key:
			own = n
		case fp == kc.Replaces:
			replaced, theirs = true, n
		}
		if fp != key && n > 0 {
			others = append(others, ledger.OtherKey{KeyFingerprint: fp, Entries: n})
		}
	}
	switch {
	case kc.Replaces != "" && !replaced:
		return "", fmt.Errorf("take over ledger entries: no key %s for this base URL", kc.Replaces)
	case kc.Replaces != "" && theirs == 0:
		return key, nil
	case kc.Replaces != "" && own > 0:
		return "", fmt.Errorf("take over ledger entries: %w (%d)", ledger.ErrOwnEntries, own)
	case kc.Replaces != "":
		return kc.Replaces, nil
	case kc.NewAccount || own > 0 || len(others) == 0:
		return key, nil
	}
	return "", &OtherKeysError{Path: path, BaseURL: baseURL, Keys: others}
}
