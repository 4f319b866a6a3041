package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// escapeInvalid replaces each byte of s that is not part of valid UTF-8 with
// \xNN, keeping valid text as it is.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			fmt.Fprintf(&b, `\x%02X`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
