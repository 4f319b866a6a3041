package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// readAll reads every row and renders each as "line:status:detail".
func readAll(t testing.TB, in string, cfg ReaderConfig) ([]string, error) {
	t.Helper()
	rows, err := readRows(in, cfg)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, row := range rows {
		if row.Problem != nil {
			detail := row.Problem.Type
			if len(row.Problem.FieldErrors) > 0 {
				detail = fieldList(row.Problem.FieldErrors)
			}
			out = append(out, fmt.Sprintf("%d:bad:%s:%s", row.Line, detail, row.Raw))
			continue
		}
		r := row.Request
		out = append(out, fmt.Sprintf("%d:%s|%s|%s|%s|%s", row.Line, r.Email, r.FirstName, r.LastName, r.ExternalID, r.Metadata))
	}
	return out, nil
}

// readRows reads every row of in.
func readRows(in string, cfg ReaderConfig) ([]Row, error) {
	rd, err := NewReader(strings.NewReader(in), cfg)
	if err != nil {
		return nil, err
	}
	var rows []Row
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, row)
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name string
		in   string
		cfg  ReaderConfig
		want []string
	}{
		{"basic", "email,first_name\na@b.co,Ann\nc@d.co,Bob\n", ReaderConfig{}, []string{"2:a@b.co|Ann|||", "3:c@d.co|Bob|||"}},
		{"excel bom crlf aliases", "\ufeffE-mail Address,First Name,Surname,Customer ID\r\na@b.co,Ann,Lee,c1\r\n", ReaderConfig{}, []string{"2:a@b.co|Ann|Lee|c1|"}},
		{"no final newline", "email\na@b.co", ReaderConfig{}, []string{"2:a@b.co||||"}},
		{"quoted newline keeps lines", "email,first_name\n\"a@b.co\",\"Ann\nMarie\"\nc@d.co,Bob\n", ReaderConfig{}, []string{"2:a@b.co|Ann\nMarie|||", "4:c@d.co|Bob|||"}},
		{"blank lines skipped", "email\n\na@b.co\n\n\nc@d.co\n", ReaderConfig{}, []string{"3:a@b.co||||", "6:c@d.co||||"}},
		{"semicolon sniffed", "email;first_name\na@b.co;Ann\n", ReaderConfig{}, []string{"2:a@b.co|Ann|||"}},
		{"tab sniffed", "email\tfirst_name\na@b.co\tAnn\n", ReaderConfig{}, []string{"2:a@b.co|Ann|||"}},
		{"ragged rows cost one line", "email,first_name\na@b.co\nc@d.co,Bob,extra\ne@f.co,Eve\n", ReaderConfig{}, []string{"2:bad:csv_error:a@b.co", "3:bad:csv_error:c@d.co,Bob,extra", "4:e@f.co|Eve|||"}},
		{"bare quote costs one line", "email,first_name\na@b.co,An\"n\nc@d.co,Bob\n", ReaderConfig{}, []string{"2:bad:csv_error:a@b.co,An\"n", "3:c@d.co|Bob|||"}},
		{"unclosed quote costs one line", "email,first_name\na@b.co,\"Ann\nc@d.co,Bob\ne@f.co,\"Eve\"\n", ReaderConfig{}, []string{"2:bad:csv_error:a@b.co,\"Ann", "3:c@d.co|Bob|||", "4:e@f.co|Eve|||"}},
		{"unclosed quote at end", "email,first_name\nc@d.co,Bob\na@b.co,\"Ann\n", ReaderConfig{}, []string{"2:c@d.co|Bob|||", "3:bad:csv_error:a@b.co,\"Ann"}},
		{"values trimmed", "email, first_name\n  a@b.co , Ann \n", ReaderConfig{}, []string{"2:a@b.co|Ann|||"}},
		{"invalid email", "email\nnope\n", ReaderConfig{}, []string{"2:bad:email:nope"}},
		{"metadata columns", "email,metadata.plan,metadata.Seats\na@b.co,pro,3\nc@d.co,,\n", ReaderConfig{}, []string{`2:a@b.co||||{"plan":"pro","Seats":"3"}`, "3:c@d.co||||"}},
		{"metadata json and keys", "email,metadata,metadata.plan\na@b.co,\"{\"\"a\"\":1}\",pro\n", ReaderConfig{}, []string{`2:a@b.co||||{"a":1,"plan":"pro"}`}},
		{"metadata not object", "email,metadata\na@b.co,[1]\n", ReaderConfig{}, []string{"2:bad:metadata:a@b.co,[1]"}},
		{"explicit map", "Correo,Nombre\na@b.co,Ann\n", ReaderConfig{Map: MapOptions{Explicit: map[string]string{"correo": "email", "Nombre": "first_name"}}}, []string{"2:a@b.co|Ann|||"}},
		{"unknown to metadata", "email,Plan\na@b.co,pro\n", ReaderConfig{Map: MapOptions{Unknown: UnknownMetadata}}, []string{`2:a@b.co||||{"Plan":"pro"}`}},
		{"oversized record", "email,first_name\na@b.co," + strings.Repeat("x", 20000) + "\nc@d.co,Bob\n", ReaderConfig{MaxRecordBytes: 100}, []string{"2:bad:csv_error:a@b.co," + strings.Repeat("x", 249), "3:c@d.co|Bob|||"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readAll(t, tt.in, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestReaderRefusesFile(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
		cfg               ReaderConfig
	}{
		{"empty", "", "empty", ReaderConfig{}},
		{"only spaces", " \n\n", "empty", ReaderConfig{}},
		{"no email column", "name,phone\nAnn,1\n", "no email column", ReaderConfig{}},
		{"two email columns", "Email,E-mail\na@b.co,c@d.co\n", "both map to email", ReaderConfig{}},
		{"unknown as error", "email,Notes\na@b.co,x\n", "feed no field", ReaderConfig{Map: MapOptions{Unknown: UnknownError}}},
		{"bad map target", "email\na@b.co\n", "is not a field", ReaderConfig{Map: MapOptions{Explicit: map[string]string{"x": "nickname"}}}},
		{"bad encoding", "email\na@b.co\n", "unknown encoding", ReaderConfig{Encoding: "ebcdic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestAppendObject(t *testing.T) {
	kv := [][2]string{{"plain", "v"}, {`q"uote`, `back\slash`}, {"ctl", "a\x00b\tc\nd\x1f"}, {"uni", "Zoë 山田 <&>"}}
	b := appendObject(nil, kv)
	var got map[string]string
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	for _, p := range kv {
		if got[p[0]] != p[1] {
			t.Errorf("key %q: got %q, want %q (json %s)", p[0], got[p[0]], p[1], b)
		}
	}
}
