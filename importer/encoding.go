package importer

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encodings lists the values --encoding accepts.
const Encodings = "auto, utf-8, windows-1252, iso-8859-1, utf-16, utf-16le, utf-16be"

// sniffBytes is how much of the input is looked at to guess its encoding,
// delimiter and line ends: the input is a stream, so only a prefix can be.
const sniffBytes = 64 << 10

// decode returns r as UTF-8, and a sentence for the user when it chose the
// encoding itself. enc "" or "auto" detects: a byte-order mark decides;
// without one, a prefix that is not UTF-8 but is Windows-1252 text makes
// the input Windows-1252. UTF-8 input is passed through untouched, bad bytes
// included (they make their row invalid later, instead of becoming U+FFFD).
func decode(br *bufio.Reader, enc string) (io.Reader, string, error) {
	name := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(enc))
	auto := name == "" || name == "auto"
	head, _ := br.Peek(3)
	var note string
	switch {
	case !auto && name != "utf8":
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		_, _ = br.Discard(3)
		return br, "", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		name = "utf16"
		if auto {
			note = "The input starts with a UTF-16 byte-order mark, so it was read as UTF-16."
		}
	case name == "utf8":
		return br, "", nil
	default:
		prefix, err := br.Peek(sniffBytes)
		if utf8Prefix(prefix, err == nil) || !windows1252(prefix) {
			return br, "", nil
		}
		name = "windows1252"
		note = "The input is not valid UTF-8 but reads as Windows-1252 (what Excel on Windows writes for plain CSV), " +
			"so it was read as Windows-1252; if accented letters look wrong, run again with --encoding set to one of " + Encodings + "."
	}
	switch name {
	case "windows1252", "cp1252":
		return transform.NewReader(br, charmap.Windows1252.NewDecoder()), note, nil
	case "iso88591", "latin1":
		return transform.NewReader(br, charmap.ISO8859_1.NewDecoder()), note, nil
	case "utf16", "utf16le":
		return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()), note, nil
	case "utf16be":
		return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()), note, nil
	}
	return nil, "", fmt.Errorf("unknown encoding %q: want one of %s", enc, Encodings)
}

// utf8Prefix reports whether b is valid UTF-8, but for a character cut
// off at its end when b is cut from a longer stream.
func utf8Prefix(b []byte, cut bool) bool {
	for i := len(b) - 1; cut && i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				b = b[:i]
			}
			break
		}
	}
	return utf8.Valid(b)
}

// windows1252 reports whether b, which is not UTF-8, can be Windows-1252
// text: none of the five bytes that encoding leaves undefined, no control
// characters but tab, line ends and form feed, and no valid UTF-8 sequence
// of more than one byte. Such a sequence means a UTF-8 file with some bad
// bytes: reading it as Windows-1252 would garble every good accent, so it
// stays UTF-8 and only the rows with bad bytes fail.
func windows1252(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		c := b[0]
		switch {
		case size > 1 && r != utf8.RuneError:
			return false
		case c == 0x81, c == 0x8D, c == 0x8F, c == 0x90, c == 0x9D:
			return false
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f':
			return false
		}
		b = b[size:]
	}
	return true
}
