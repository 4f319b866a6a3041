package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings lists the values --encoding accepts.
const Encodings = "utf-8, windows-1252, iso-8859-1, utf-16, utf-16le, utf-16be"

// decode returns r as UTF-8. UTF-8 input is passed through untouched, bad
// bytes included (they make their row invalid later, instead of becoming
// U+FFFD); a UTF-8 byte-order mark is dropped, and a UTF-16 one switches to
// UTF-16 even when no encoding was named, as Excel's "Unicode text" needs.
func decode(r io.Reader, enc string) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(3)
	name := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(enc))
	if name == "" || name == "utf8" {
		switch {
		case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
			_, _ = br.Discard(3)
			return br, nil
		case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
			name = "utf16"
		default:
			return br, nil
		}
	}
	switch name {
	case "windows1252", "cp1252":
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), nil
	case "iso88591", "latin1":
		return transform.NewReader(br, charmap.ISO8859_1.NewDecoder()), nil
	case "utf16", "utf16le":
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), nil
	case "utf16be":
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), nil
	}
	return nil, fmt.Errorf("unknown encoding %q: want one of %s", enc, Encodings)
}
