package importer

import (
	"bufio"
	"io"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestEncodings(t *testing.T) {
	const text = "email;Given Name;Surname\r\nzoe@example.com;Zoë;Müller-Straße\r\nrene@example.fr;René;Œuvre €\r\n"
	want := []string{"2:zoe@example.com|Zoë|Müller-Straße||", "3:rene@example.fr|René|Œuvre €||"}
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	latin1, err := charmap.ISO8859_1.NewEncoder().String(strings.ReplaceAll(strings.ReplaceAll(text, "Œ", "O"), "€", "E"))
	if err != nil {
		t.Fatal(err)
	}
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	utf16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(text)
	// 0x81 is undefined in Windows-1252: such a file is neither encoding,
	// is read as UTF-8, and its rows with bad bytes are invalid.
	undefined := strings.Replace(cp1252, "Zo\xeb", "Zo\x81", 1)
	// A UTF-8 file with one row of Windows-1252 stays UTF-8: the good
	// accents are kept and only that row fails.
	mixed := text + "ann@example.com;Zo\xeb;Lee\r\n"
	// Past the prefix the encoding is guessed from, a Windows-1252 byte
	// makes its row invalid, with the hint to name the encoding.
	late := "email;Given Name\r\n" + strings.Repeat("a@b.co;Ann\r\n", sniffBytes/12+1) + "zoe@example.com;Zo\xeb\r\n"
	tests := []struct {
		name, in, enc string
		want          []string // rows, in readAll's form
		warn          string   // the only warning, or ""
	}{
		{"utf-8", text, "", want, ""},
		{"utf-8 with mark", "\ufeff" + text, "", want, ""},
		{"windows-1252 named", cp1252, "windows-1252", want, ""},
		{"windows-1252 detected", cp1252, "", want, "The input is not valid UTF-8 but reads as Windows-1252"},
		{"windows-1252 detected, auto", cp1252, "auto", want, "The input is not valid UTF-8 but reads as Windows-1252"},
		{"iso-8859-1 overrides", latin1, "iso-8859-1", []string{"2:zoe@example.com|Zoë|Müller-Straße||", "3:rene@example.fr|René|Ouvre E||"}, ""},
		{"utf-8 forced", cp1252, "utf-8", []string{"2:bad:first_name, last_name:" + cells(cp1252, 1), "3:bad:first_name, last_name:" + cells(cp1252, 2)}, ""},
		{"undefined byte is not windows-1252", undefined, "", []string{"2:bad:first_name, last_name:" + cells(undefined, 1), "3:bad:first_name, last_name:" + cells(undefined, 2)}, ""},
		{"windows-1252 letter as the last byte", "email;Given Name\r\nzoe@example.com;Zo\xeb", "", []string{"2:zoe@example.com|Zoë|||"}, "The input is not valid UTF-8 but reads as Windows-1252"},
		{"mixed stays utf-8", mixed, "", append(want[:2:2], "4:bad:first_name:ann@example.com,Zo\xeb,Lee"), ""},
		{"utf-16 by its mark", utf16, "", want, "The input starts with a UTF-16 byte-order mark, so it was read as UTF-16."},
		{"utf-16be by its mark", utf16be, "", want, "The input starts with a UTF-16 byte-order mark"},
		{"utf-16 named", utf16, "utf-16", want, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(tt.in), ReaderConfig{Encoding: tt.enc})
			if err != nil {
				t.Fatal(err)
			}
			got, err := render(rd)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			var warns []string
			for _, w := range rd.Warnings() {
				if !strings.HasPrefix(w, "No column maps to external_id") {
					warns = append(warns, w)
				}
			}
			if tt.warn == "" && len(warns) > 0 || tt.warn != "" && (len(warns) != 1 || !strings.HasPrefix(warns[0], tt.warn)) {
				t.Errorf("warnings %q, want one starting %q", warns, tt.warn)
			}
		})
	}
	t.Run("late bytes", func(t *testing.T) {
		rows, err := readRows(late, ReaderConfig{})
		if err != nil {
			t.Fatal(err)
		}
		last := rows[len(rows)-1]
		if p := last.Problem; p == nil || !strings.Contains(p.Message, "--encoding windows-1252") || p.FieldErrors[0].Message != "must be valid UTF-8 text" {
			t.Errorf("last row's problem %+v does not point at --encoding", p)
		}
		for _, row := range rows[:len(rows)-1] {
			if row.Problem != nil {
				t.Fatalf("line %d: %+v", row.Line, row.Problem)
			}
		}
	})
}

func TestUTF8Prefix(t *testing.T) {
	tests := []struct {
		in   string
		cut  bool
		want bool
	}{
		{"", true, true}, {"abc", true, true}, {"Zoë", true, true}, {"Zo\xc3", true, true}, {"山\xe5\xb1", true, true},
		{"a\xf0\x9f\x98", true, true}, {"Zo\xeb!", true, false}, {"\x81", true, false}, {"\xe5\xb1\xb1\xb1", true, false},
		{"Zo\xc3", false, false}, {"Zo\xeb", false, false}, {"Zoë", false, true},
	}
	for _, tt := range tests {
		if got := utf8Prefix([]byte(tt.in), tt.cut); got != tt.want {
			t.Errorf("utf8Prefix(%q, cut %v) = %v, want %v", tt.in, tt.cut, got, tt.want)
		}
	}
}

func TestDecodeUnknown(t *testing.T) {
	_, _, err := decode(bufio.NewReader(io.MultiReader()), "ebcdic")
	if err == nil || !strings.Contains(err.Error(), `unknown encoding "ebcdic": want one of auto, utf-8`) {
		t.Errorf("err %v", err)
	}
}

// cells is line i (from 0) of a ;-delimited text, as render shows cells.
func cells(text string, i int) string {
	return strings.ReplaceAll(strings.Split(text, "\r\n")[i], ";", ",")
}
