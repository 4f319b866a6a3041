package ledger

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// fingerprintSalt makes a key's fingerprint useless for checking guesses
// against a plain SHA-256 of a key seen elsewhere.
const fingerprintSalt = "prolifi-import ledger key fingerprint v1\x00"

// Target is the account a ledger entry belongs to: the API base URL and the
// fingerprint of the API key. The key itself is never stored.
type Target struct {
	BaseURL        string
	KeyFingerprint string
}

// Fingerprint identifies an API key without revealing it: "sha256:" and the
// first 16 bytes, in hex, of a salted SHA-256 of the key.
func Fingerprint(key string) string {
	sum := sha256.Sum256([]byte(fingerprintSalt + key))
	return "sha256:" + hex.EncodeToString(sum[:16])
}

// normalBaseURL drops trailing slashes, so that "https://api.x/" and
// "https://api.x" are one target.
func normalBaseURL(u string) string { return strings.TrimRight(u, "/") }
