package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// cell makes text fit to write in a results file, which people open in a
// spreadsheet or print on a terminal: bytes that are not UTF-8 and control
// characters (an escape sequence a server put in its message) are shown as
// \xNN, and text a spreadsheet would run as a formula is guarded.
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

// escapeInvalid replaces each byte of s that is not part of valid UTF-8,
// and each control character but tab and newline, with \xNN, keeping the
// rest as it is.
func escapeInvalid(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, control) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || control(r) {
			fmt.Fprintf(&b, `\x%02X`, s[i])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// control reports whether r is a control character other than tab and
// newline (which a cell may hold).
func control(r rune) bool { return (r < 0x20 && r != '\t' && r != '\n') || r == 0x7f }
