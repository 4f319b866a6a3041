package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// cell makes text fit to write in a results file, which people open in a
// spreadsheet: bytes that are not UTF-8 are shown as \xNN, and text a
// spreadsheet would run as a formula is guarded.
func cell(s string) string { return guard(escapeInvalid(s)) }

// guard puts a ' before text that starts with =, +, -, @, a tab or a
// carriage return, so that a spreadsheet shows it instead of running it as
// a formula (OWASP "CSV injection"). The input's own cells and the API's
// messages both pass through here. Reading a rejects file back removes that
// one quote again (see importer.Reader).
func guard(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

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
