package importer

import "strings"

// rejectsMarker is the column by which a rejects file of this tool is
// known: the reader then undoes the file's formula guard.
const rejectsMarker = "_error_line"

// isRejectsFile reports whether header is that of a rejects file.
func isRejectsFile(header []string) bool {
	for _, h := range header {
		if strings.EqualFold(strings.TrimSpace(h), rejectsMarker) {
			return true
		}
	}
	return false
}

// unguard removes the quote the results and rejects files put before a
// cell that a spreadsheet would take for a formula (one starting with =, +,
// -, @, a tab or a carriage return), so that a fixed rejects file sends
// what the original row held. A quote before anything else is data.
func unguard(cells []string) {
	for i, c := range cells {
		if len(c) >= 2 && c[0] == '\'' && strings.IndexByte("=+-@\t\r", c[1]) >= 0 {
			cells[i] = c[1:]
		}
	}
}

// stripTextMarker drops the single quote that Excel and Shopify put before
// a number that is to stay text ('9013808660771, '+4915112345678): in an
// id or a phone it is a marker, not data. v is already trimmed.
func stripTextMarker(v string) string { return strings.TrimPrefix(v, "'") }

// blank reports whether every cell is empty or white space, as in the
// ",,,,," lines Excel leaves under a table.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
