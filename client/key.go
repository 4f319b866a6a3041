package client

import "strings"

// KeyKind says which environment an API key belongs to and whether it may write.
type KeyKind struct {
	Secret bool // sk_ keys may write; pk_ keys only read
	Live   bool // _live_ keys act on the production API
}

// constError lets sentinel errors be constants, so the package has no variables.
type constError string

func (e constError) Error() string { return string(e) }

// ErrMalformedKey is returned for a key that is not sk_test_, sk_live_,
// pk_test_ or pk_live_ followed by at least one visible ASCII character (a
// control byte or a space could not be sent in a header). The message never
// repeats the key.
const ErrMalformedKey = constError("api key is not of the form sk_test_…, sk_live_…, pk_test_… or pk_live_… (letters, digits and punctuation only, no spaces or control characters)")

// ParseKey tells what kind of key k is, without ever echoing it.
func ParseKey(k string) (KeyKind, error) {
	for _, p := range [...]struct {
		prefix string
		kind   KeyKind
	}{
		{"sk_test_", KeyKind{Secret: true}},
		{"sk_live_", KeyKind{Secret: true, Live: true}},
		{"pk_test_", KeyKind{}},
		{"pk_live_", KeyKind{Live: true}},
	} {
		rest, ok := strings.CutPrefix(k, p.prefix)
		if !ok {
			continue
		}
		if rest == "" || strings.ContainsFunc(rest, notVisibleASCII) {
			return KeyKind{}, ErrMalformedKey
		}
		return p.kind, nil
	}
	return KeyKind{}, ErrMalformedKey
}

// notVisibleASCII is true for what cannot stand in an HTTP header value as a
// token: control bytes, spaces and anything beyond ASCII.
func notVisibleASCII(r rune) bool { return r <= ' ' || r >= 0x7f }

// CanWrite reports whether the key may create customers.
func (k KeyKind) CanWrite() bool { return k.Secret }

// String names the kind of key ("sk_live", "pk_test", …), never the key itself.
func (k KeyKind) String() string {
	s := "pk"
	if k.Secret {
		s = "sk"
	}
	if k.Live {
		return s + "_live"
	}
	return s + "_test"
}
