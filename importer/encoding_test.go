package importer

import (
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestEncodings(t *testing.T) {
	const text = "email;Given Name;Surname\r\nzoe@example.com;Zoë;Müller-Straße\r\nrene@example.fr;René;Œuvre €\r\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(text)
	tests := []struct {
		name, in, enc string
		want          []string
	}{
		{"utf-8", text, "", []string{"2:zoe@example.com|Zoë|Müller-Straße||", "3:rene@example.fr|René|Œuvre €||"}},
		{"windows-1252 named", cp1252, "windows-1252", []string{"2:zoe@example.com|Zoë|Müller-Straße||", "3:rene@example.fr|René|Œuvre €||"}},
		{"windows-1252 unnamed", cp1252, "", nil},
		{"utf-16 by its mark", utf16, "", []string{"2:zoe@example.com|Zoë|Müller-Straße||", "3:rene@example.fr|René|Œuvre €||"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.in, ReaderConfig{Encoding: tt.enc})
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "windows-1252 unnamed" {
				// Rows with bad bytes are invalid, never sent garbled.
				for i, g := range got {
					if !strings.HasPrefix(g, []string{"2:bad:", "3:bad:"}[i]) {
						t.Errorf("row %d: %q, want invalid", i, g)
					}
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	rows, err := readRows(cp1252, ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if p := rows[0].Problem; p == nil || !strings.Contains(p.Message, "--encoding windows-1252") || p.FieldErrors[0].Message != "must be valid UTF-8 text" {
		t.Errorf("problem %+v does not point at --encoding", p)
	}
}
