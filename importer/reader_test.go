package importer

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/prolifi/prolifi-import/client"
)

// readAll reads every row and renders each as "line:status:detail".
func readAll(t testing.TB, in string, cfg ReaderConfig) ([]string, error) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(in), cfg)
	if err != nil {
		return nil, err
	}
	return render(rd)
}

// render reads every row rd has left and renders each as
// "line:email|first_name|last_name|external_id|metadata", or
// "line:bad:fields-or-type:cells-or-raw" for one with a problem.
func render(rd *Reader) ([]string, error) {
	rows, err := drain(rd)
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
			text := row.Raw
			if row.Fields != nil {
				text = strings.Join(row.Fields, ",")
			}
			out = append(out, fmt.Sprintf("%d:bad:%s:%s", row.Line, detail, text))
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
	return drain(rd)
}

// mustRead opens in and reads all its rows, failing the test on an error.
func mustRead(t *testing.T, in io.Reader, cfg ReaderConfig) (*Reader, []Row) {
	t.Helper()
	rd, err := NewReader(in, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := drain(rd)
	if err != nil {
		t.Fatal(err)
	}
	return rd, rows
}

// drain reads every row rd has left.
func drain(rd *Reader) ([]Row, error) {
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
		{"pipe sniffed", "email|first_name\na@b.co|Ann\n", ReaderConfig{}, []string{"2:a@b.co|Ann|||"}},
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
		{"header only", "email,first_name\n", ReaderConfig{}, nil},
		{"header only without newline", "email,first_name", ReaderConfig{}, nil},
		{"old mac line ends", "email,first_name\ra@b.co,Ann\rc@d.co,Bob\r", ReaderConfig{}, []string{"2:a@b.co|Ann|||", "3:c@d.co|Bob|||"}},
		{"old mac line ends, quoted line end", "email,first_name\r\"a@b.co\",\"Ann\rMarie\"\rc@d.co,Bob", ReaderConfig{}, []string{"2:a@b.co|Ann\nMarie|||", "4:c@d.co|Bob|||"}},
		{"empty records skipped", "email,first_name\na@b.co,Ann\n,\n , \nc@d.co,Bob\n,,\n,\n", ReaderConfig{}, []string{"2:a@b.co|Ann|||", "5:c@d.co|Bob|||", "6:bad:csv_error:,,"}},
		{"lines of spaces skipped", "email,first_name\na@b.co,Ann\n   \n\t \t\nc@d.co,Bob\n \n", ReaderConfig{}, []string{"2:a@b.co|Ann|||", "5:c@d.co|Bob|||"}},
		{"line of spaces before the header skipped", "  \n\t\nemail,first_name\na@b.co,Ann\n", ReaderConfig{}, []string{"4:a@b.co|Ann|||"}},
		{"quoted spaces are a cell, not an empty line", "email,first_name\n\"  \"\nc@d.co,Bob\n", ReaderConfig{}, []string{"2:bad:csv_error:\"  \"", "3:c@d.co|Bob|||"}},
		{"tab-delimited line of tabs is a record", "email\tfirst_name\tphone\n\t\na@b.co\tAnn\t1\n", ReaderConfig{}, []string{"2:bad:csv_error:\t", "3:a@b.co|Ann|||"}},
		{"excel sep line", "sep=;\nemail;first_name\na@b.co;Ann\nc@d.co\n", ReaderConfig{}, []string{"3:a@b.co|Ann|||", "4:bad:csv_error:c@d.co"}},
		{"excel sep line, bom and crlf", "\ufeffsep=;\r\nemail;first_name\r\na@b.co;Ann\r\n", ReaderConfig{}, []string{"3:a@b.co|Ann|||"}},
		{"excel sep line names a delimiter sniffing would miss", "sep=|\nemail|first_name\na@b.co|Ann\n", ReaderConfig{}, []string{"3:a@b.co|Ann|||"}},
		{"excel sep line, quoted and upper case", "\"SEP=,\"\nemail,first_name\na@b.co,Ann\n", ReaderConfig{}, []string{"3:a@b.co|Ann|||"}},
		{"excel sep line, --delimiter wins", "sep=;\nemail,first_name\na@b.co,Ann\n", ReaderConfig{Delimiter: ','}, []string{"3:a@b.co|Ann|||"}},
		{"excel sep line, old mac line ends", "sep=;\remail;first_name\ra@b.co;Ann\r", ReaderConfig{}, []string{"3:a@b.co|Ann|||"}},
		{"excel text marker on id", "Customer ID,email\n'9013808660771,a@b.co\n''7,c@d.co\n", ReaderConfig{}, []string{"2:a@b.co|||9013808660771|", "3:c@d.co|||'7|"}},
		{"quote in a name is data", "email,first_name\na@b.co,'Ann\n", ReaderConfig{}, []string{"2:a@b.co|'Ann|||"}},
		{"unknown ignored", "email,Notes\na@b.co,x\n", ReaderConfig{}, []string{"2:a@b.co||||"}},
		{"unknown to metadata, blank header skipped", "email,Plan,\na@b.co,pro,\n", ReaderConfig{Map: MapOptions{Unknown: UnknownMetadata}}, []string{`2:a@b.co||||{"Plan":"pro"}`}},
		{"rejects file columns ignored", "email,first_name,_error_line,_error_status,_error_message\na@b.co,Ann,7,invalid,bad\n", ReaderConfig{Map: MapOptions{Unknown: UnknownError}}, []string{"2:a@b.co|Ann|||"}},
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
		{"only spaces", " \n\n", "empty", ReaderConfig{}},
		{"wrong delimiter", "name,email\nAnn,a@b.co\n", "read as a single column", ReaderConfig{Delimiter: ';'}},
		{"utf-16 without bom", "n\x00a\x00m\x00e\x00,\x00e\x00m\x00a\x00i\x00l\x00\n\x00", "try --encoding utf-16le", ReaderConfig{}},
		{"no email column", "name,phone\nAnn,1\n", `no email column among "name", "phone": name one with --map 'HEADER=email'`, ReaderConfig{}},
		{"title rows above the header", "Customer export\nGenerated 2026-11-01\n\nEmail,First Name\na@b.co,Ann\n",
			`no email column among "Customer export": the header is expected on the first line, but the file seems to have 3 lines before one that looks like a header (line 4 has an email column, "Email"): remove the lines above it and run again`, ReaderConfig{}},
		{"title row above a semicolon header", "Report;\nKundennummer;E-mail Address;Name\nK1;a@b.co;Ann\n",
			`the file seems to have 1 line before one that looks like a header (line 2 has an email column, "E-mail Address"): remove the line above it`, ReaderConfig{}},
		{"title rows and no header below", "Customer export\nname,phone\nAnn,1\n", `no email column among "Customer export": name one with --map`, ReaderConfig{}},
		{"two email aliases", "E-mail,Mail\na@b.co,c@d.co\n", `columns 1 ("E-mail") and 2 ("Mail") both map to email`, ReaderConfig{}},
		{"two exact names", "email,Email\na@b.co,c@d.co\n", "both map to email", ReaderConfig{}},
		{"two explicit", "A,B\na@b.co,c@d.co\n", "both map to email", ReaderConfig{Map: MapOptions{Explicit: map[string]string{"A": "email", "B": "email"}}}},
		{"two weak ids", "email,ID,Record ID\na@b.co,1,2\n", "both map to external_id", ReaderConfig{}},
		{"metadata key twice by --map", "email,metadata.plan,Plan\na@b.co,x,y\n", `columns 2 ("metadata.plan") and 3 ("Plan") both map to metadata.plan`,
			ReaderConfig{Map: MapOptions{Explicit: map[string]string{"Plan": "metadata.plan"}}}},
		{"metadata key twice by policy", "email,metadata.Plan,Plan\na@b.co,x,y\n", "both map to metadata.Plan", ReaderConfig{Map: MapOptions{Unknown: UnknownMetadata}}},
		{"metadata key twice, explicit first", "email,Plan,metadata.plan\na@b.co,x,y\n", "both map to metadata.plan",
			ReaderConfig{Map: MapOptions{Explicit: map[string]string{"Plan": "metadata.plan"}}}},
		{"no header", "", "the input is empty", ReaderConfig{}},
		{"blank header", ",,\na@b.co,,\n", "no column names", ReaderConfig{}},
		{"header not utf-8", "email,Pr\x81nom\na@b.co,x\n", "not valid UTF-8", ReaderConfig{}},
		{"header malformed", "email,\"first\n", "read header: line 1", ReaderConfig{}},
		{"header too long", "email," + strings.Repeat("x", 9000) + "\na@b.co,x\n", "read header: record starting on line 1 is longer than 100 bytes", ReaderConfig{MaxRecordBytes: 100}},
		{"sheet for text", "email\na@b.co\n", "not an .xlsx workbook", ReaderConfig{Sheet: "Customers"}},
		{"xls", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003", ReaderConfig{}},
		{"zip that is no workbook", "PK\x03\x04garbage", "read the input as an .xlsx workbook (it is a zip archive; save an .ods", ReaderConfig{}},
		{"gzip that is broken", "\x1f\x8bgarbage", "read gzip input", ReaderConfig{}},
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

func TestReaderMalformed(t *testing.T) {
	long := "a@b.co,\"" + strings.Repeat("é", 300) + "\"" // 610 bytes
	huge := "a@b.co," + strings.Repeat("é", 10000)
	tests := []struct {
		name, in string
		cfg      ReaderConfig
		line     int
		raw      string
		why      string // the whole Problem message
	}{
		{"too few fields", "email,first_name\nok@b.co,A\na@b.co\n", ReaderConfig{}, 3, "a@b.co",
			"line 3 has 1 fields, the header has 2"},
		{"too many fields", "email,first_name\na@b.co,Ann,x\r\n", ReaderConfig{}, 2, "a@b.co,Ann,x",
			"line 2 has 3 fields, the header has 2"},
		{"too many fields after empty lines", "email,first_name\r\n\r\n\na@b.co,Ann,x\n", ReaderConfig{}, 4, "a@b.co,Ann,x",
			"line 4 has 3 fields, the header has 2"},
		{"bare quote", "email,first_name\n\na@b.co,An\"n\n", ReaderConfig{}, 3, "a@b.co,An\"n",
			`line 3, column 10: bare " in non-quoted-field`},
		{"unclosed quote", "email,first_name\na@b.co,\"Ann\nc@d.co,Bob\n", ReaderConfig{}, 2, "a@b.co,\"Ann",
			`record starting on line 2: extraneous or missing " in quoted-field (on line 3); reading resumes on line 3`},
		{"oversized", "email,first_name\n" + long + "\n", ReaderConfig{MaxRecordBytes: 100}, 2, long[:256],
			"record starting on line 2 is longer than 100 bytes"},
		{"oversized after an empty line", "email,first_name\n\n" + long + "\n", ReaderConfig{MaxRecordBytes: 100}, 3, long[:256],
			"record starting on line 3 is longer than 100 bytes"},
		{"oversized, cut inside a character", "email,first_name\n" + long[1:] + "\n", ReaderConfig{MaxRecordBytes: 100}, 2, long[1:256],
			"record starting on line 2 is longer than 100 bytes"},
		{"oversized past the parser's lookahead", "email,first_name\nok@b.co,x\n\n" + huge + "\n", ReaderConfig{MaxRecordBytes: 100}, 4, huge[:255],
			"record starting on line 4 is longer than 100 bytes; reading resumes on the next line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := readRows(tt.in, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var bad *Row
			for i := range rows {
				if rows[i].Problem != nil {
					bad = &rows[i]
				}
			}
			if bad == nil {
				t.Fatalf("no malformed row in %+v", rows)
			}
			if bad.Fields != nil || bad.Line != tt.line || bad.Raw != tt.raw || bad.Problem.Type != ErrorTypeCSV || bad.Problem.Message != tt.why {
				t.Errorf("got line %d fields %q raw %q problem %+v\nwant line %d raw %q message %q", bad.Line, bad.Fields, bad.Raw, bad.Problem, tt.line, tt.raw, tt.why)
			}
			if !utf8.ValidString(bad.Raw) {
				t.Errorf("raw %q is not UTF-8", bad.Raw)
			}
		})
	}
}

func TestReaderFieldsAndRaw(t *testing.T) {
	rows, err := readRows("email,first_name\n a@b.co ,\"Ann, Marie\"\nnope,Bob\n", ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	for i, want := range [][]string{{" a@b.co ", "Ann, Marie"}, {"nope", "Bob"}} {
		if !reflect.DeepEqual(rows[i].Fields, want) || rows[i].Raw != "" {
			t.Errorf("row %d: fields %q raw %q, want fields %q and no raw", i, rows[i].Fields, rows[i].Raw, want)
		}
	}
	if rows[0].Request.Email != "a@b.co" || rows[0].Problem != nil || rows[1].Problem == nil {
		t.Errorf("requests %+v / %+v", rows[0], rows[1])
	}
}

func TestReaderBlank(t *testing.T) {
	// Lines of spaces are empty lines (not counted); ", " is a record of
	// empty cells (counted).
	rd, rows := mustRead(t, strings.NewReader("email,first_name\n,\na@b.co,Ann\n\n  \n , \n\t\n,\n"), ReaderConfig{})
	var lines []int
	for _, row := range rows {
		lines = append(lines, row.Line)
	}
	if !reflect.DeepEqual(lines, []int{3}) || rd.Blank() != 3 {
		t.Errorf("rows on lines %v, %d blank; want [3] and 3 blank", lines, rd.Blank())
	}
}

// TestReaderWarnings checks the sentences the reader asks to show once.
func TestReaderWarnings(t *testing.T) {
	cp1252, err := charmap.Windows1252.NewEncoder().String("email,external_id,first_name\na@b.co,1,Zoë\n")
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String("email,external_id\na@b.co,1\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, in string
		cfg      ReaderConfig
		want     []string // one substring a warning, in order
	}{
		{"none", "email,external_id\na@b.co,1\n", ReaderConfig{}, nil},
		{"windows-1252 detected", cp1252, ReaderConfig{}, []string{"not valid UTF-8 but reads as Windows-1252"}},
		{"windows-1252 named", cp1252, ReaderConfig{Encoding: "windows-1252"}, nil},
		{"utf-16 mark", utf16, ReaderConfig{}, []string{"UTF-16 byte-order mark"}},
		{"old mac", "email,id\ra@b.co,1\r", ReaderConfig{}, []string{"carriage return alone"}},
		{"exact name wins", "Email,E-mail,external_id\na@b.co,c@d.co,1\n", ReaderConfig{},
			[]string{`Columns "Email" and "E-mail" could both be email; "Email" was chosen because its header is the field's own name, and "E-mail" is not imported (pass --map 'E-mail=email' to use it instead).`}},
		{"alias wins over weak", "ID,customer_id,user_email\n1,2,a@b.co\n", ReaderConfig{},
			[]string{`Columns "customer_id" and "ID" could both be external_id; "customer_id" was chosen because its header is the more usual name for that field`}},
		{"explicit wins", "Email,Work Mail,external_id\na@b.co,c@d.co,1\n", ReaderConfig{Map: MapOptions{Explicit: map[string]string{"work mail": "email"}}},
			[]string{`Columns "Work Mail" and "Email" could both be email; "Work Mail" was chosen because --map names it, and "Email" is not imported.`}},
		{"no id, none likely", "email,Notes\na@b.co,x\n", ReaderConfig{},
			[]string{"No column maps to external_id, so a customer whose create request gets no answer (a timeout, a dropped connection) cannot be retried safely and is reported as outcome unknown, and a later run matches rows by email instead of by id. If a column holds a stable id for each customer, pass --map 'HEADER=external_id'."}},
		{"no id, one likely", "email,Paid,LEID,Ref Key\na@b.co,1,2,3\n", ReaderConfig{},
			[]string{`If "LEID" holds a stable id for each customer, pass --map 'LEID=external_id'.`}},
		{"no id, quoted", "email,Owner's ID\na@b.co,1\n", ReaderConfig{},
			[]string{`pass --map 'Owner'\''s ID=external_id'.`}},
		{"rejects file", "email,external_id,_error_line\na@b.co,1,2\n", ReaderConfig{}, []string{"rejects file of this tool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(tt.in), tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			got := rd.Warnings()
			ok := len(got) == len(tt.want)
			for i := 0; ok && i < len(got); i++ {
				ok = strings.Contains(got[i], tt.want[i])
			}
			if !ok {
				t.Errorf("warnings\n%q\nwant ones containing\n%q", got, tt.want)
			}
			for _, w := range got {
				if !strings.HasSuffix(w, ".") || strings.ToUpper(w[:1]) != w[:1] && !strings.HasPrefix(w, "--") {
					t.Errorf("%q is not a full sentence", w)
				}
			}
		})
	}
}

// TestRejectsRoundTrip reads a rejects file of this tool: the quote its
// writer puts before formula-like cells comes off again, so that a fixed
// row sends what the original held; elsewhere a leading quote is data.
func TestRejectsRoundTrip(t *testing.T) {
	original := []string{"=1+2@x.co", "+49 30 1234", "-5", "@Ann", "\tTab", "'quoted", "'", "Zoë"}
	guarded := []string{"'=1+2@x.co", "'+49 30 1234", "'-5", "'@Ann", "'\tTab", "'quoted", "'", "Zoë"}
	header := "email,phone,external_id,first_name,last_name,company_name,name,metadata.k"
	in := func(h string, cells []string) string {
		var b strings.Builder
		w := csv.NewWriter(&b)
		_ = w.Write(strings.Split(h, ","))
		_ = w.Write(cells)
		w.Flush()
		return b.String()
	}
	rd, err := NewReader(strings.NewReader(in(header+",'@handle,_error_line,_error_status,_error_message",
		append(guarded, "'@me", "2", "invalid", "'=bad"))), ReaderConfig{Map: MapOptions{Unknown: UnknownMetadata}})
	if err != nil {
		t.Fatal(err)
	}
	if h := rd.Header()[len(original)]; h != "@handle" {
		t.Errorf("header cell %q, want the guard removed", h)
	}
	row, err := rd.Next()
	if err != nil {
		t.Fatal(err)
	}
	if got := row.Fields[:len(original)]; !reflect.DeepEqual(got, original) {
		t.Errorf("fields %q, want %q", got, original)
	}
	r := row.Request
	got := []string{r.Email, r.Phone, r.ExternalID, r.FirstName, r.LastName, r.CompanyName, r.Name, string(r.Metadata)}
	want := []string{"=1+2@x.co", "+49 30 1234", "-5", "@Ann", "Tab", "'quoted", "'", `{"k":"Zoë","@handle":"@me"}`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("request %q, want %q", got, want)
	}

	// The same cells in a file that is not a rejects file keep their quote.
	rows, err := readRows(in(header, guarded), ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0].Fields; !reflect.DeepEqual(got, guarded) {
		t.Errorf("plain file: fields %q, want them as read %q", got, guarded)
	}
	if r := rows[0].Request; r.FirstName != "'@Ann" || r.Phone != "+49 30 1234" || r.ExternalID != "-5" {
		t.Errorf("plain file: first_name %q phone %q external_id %q; only the id's and phone's quote is Excel's marker", r.FirstName, r.Phone, r.ExternalID)
	}
}

// TestReaderStreams reads through readers that are not seekable and hand
// out one byte at a time, as a pipe may.
func TestReaderStreams(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("email;first_name\r\na@b.co;Ann\r\n\"c@d.co\";\"Bob\nBy\"\r\n"))
	_ = zw.Close()
	tests := []struct{ name, in string }{
		{"text", "email;first_name\r\na@b.co;Ann\r\n\"c@d.co\";\"Bob\nBy\"\r\n"},
		{"gzip", gz.String()},
		{"xlsx", string(workbook(t, sheet{"Sheet1", [][]any{{"email", "first_name"}, {"a@b.co", "Ann"}, {"c@d.co", "Bob\nBy"}}}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows := mustRead(t, iotest.OneByteReader(io.MultiReader(strings.NewReader(tt.in))), ReaderConfig{})
			var got []string
			for _, row := range rows {
				got = append(got, fmt.Sprintf("%d:%s|%s|%v", row.Line, row.Request.Email, row.Request.FirstName, row.Problem))
			}
			want := []string{"2:a@b.co|Ann|<nil>", "3:c@d.co|Bob\nBy|<nil>"}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestReaderInputErrors: a stream that breaks mid-way is an error from
// Next, not a silent end.
func TestReaderInputErrors(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte("email\n" + strings.Repeat("a@b.co\n", 20000)))
	_ = zw.Close()
	cut := gz.Bytes()[:gz.Len()/2]
	rd, err := NewReader(bytes.NewReader(cut), ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("a cut gzip stream ended as if complete")
		}
		if err != nil {
			if !strings.Contains(err.Error(), "unexpected EOF") {
				t.Errorf("err %v", err)
			}
			return
		}
	}
}

// TestReaderMemoryFlat reads a large generated CSV and checks that what the
// reader holds does not grow with it: the heap after a collection stays
// small, and the tap's buffer stays within a record and the lookahead.
func TestReaderMemoryFlat(t *testing.T) {
	const rows = 80000 // about 6 MB
	gen := &csvGen{rows: rows}
	rd, err := NewReader(gen, ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var peak uint64
	for n := 0; ; n++ {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n%20000 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		if src := rd.src.(*csvSource); cap(src.tap.buf) > 64<<10 {
			t.Fatalf("row %d: the tap holds %d bytes", n, cap(src.tap.buf))
		}
	}
	if gen.sent < 5<<20 {
		t.Fatalf("generated only %d bytes", gen.sent)
	}
	if peak > 16<<20 {
		t.Errorf("heap reached %d bytes reading %d bytes", peak, gen.sent)
	}
}

// csvGen generates a CSV of rows records without holding it.
type csvGen struct {
	rows, n int
	buf     []byte
	sent    int
}

func (g *csvGen) Read(p []byte) (int, error) {
	for len(g.buf) == 0 {
		switch {
		case g.n > g.rows:
			return 0, io.EOF
		case g.n == 0:
			g.buf = []byte("external_id,email,first_name,last_name,Notes\n")
		default:
			g.buf = fmt.Appendf(g.buf, "c%d,user%d@example.com,Ann,Lee,\"note, with comma and \"\"quotes\"\"\"\n", g.n, g.n)
		}
		g.n++
	}
	n := copy(p, g.buf)
	g.buf = g.buf[n:]
	g.sent += n
	return n, nil
}

func BenchmarkReader(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		rd, err := NewReader(&csvGen{rows: 10000}, ReaderConfig{})
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := rd.Next(); err != nil {
				break
			}
		}
	}
}

// TestUnusedMapRefused: a --map naming a header the file does not have is a
// typing mistake: the file is refused, not read with the automatic mapping.
func TestUnusedMapRefused(t *testing.T) {
	_, err := NewReader(strings.NewReader("email,external_id\na@b.co,1\n"), ReaderConfig{Map: MapOptions{Explicit: map[string]string{"Mail Adress": "email"}}})
	if err == nil || !strings.Contains(err.Error(), `--map names "Mail Adress", but no column has that header`) || !strings.Contains(err.Error(), `"email"`) {
		t.Errorf("err %v", err)
	}
}

// TestCellsPeopleHave: what real exports put in cells, and what is sent.
func TestCellsPeopleHave(t *testing.T) {
	tests := []struct {
		name, in string
		want     client.CreateCustomerRequest
		field    string // the field that must fail, if any
	}{
		{"Google's several values: the first", "E-mail 1 - Value,Phone 1 - Value\na@b.co ::: c@d.co,+1 555 0100 ::: +1 555 0199\n",
			client.CreateCustomerRequest{Email: "a@b.co", Phone: "+1 555 0100"}, ""},
		{"an empty phone takes the next column", "Email,Mobile Phone,Business Phone,Home Phone\na@b.co,,,+49 30 1234\n",
			client.CreateCustomerRequest{Email: "a@b.co", Phone: "+49 30 1234"}, ""},
		{"the chosen phone wins when it has one", "Email,Mobile Phone,Business Phone\na@b.co,+1 2,+3 4\n",
			client.CreateCustomerRequest{Email: "a@b.co", Phone: "+1 2"}, ""},
		{"an id in scientific notation", "Email,Customer ID\na@b.co,9.01381E+12\n",
			client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "9.01381E+12"}, "external_id"},
		{"a phone in scientific notation, comma decimal", "Email;Telefon\na@b.co;4,91511E+12\n",
			client.CreateCustomerRequest{Email: "a@b.co", Phone: "4,91511E+12"}, "phone"},
		{"an id that only looks like it", "Email,Customer ID\na@b.co,E+12\n",
			client.CreateCustomerRequest{Email: "a@b.co", ExternalID: "E+12"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(tt.in), ReaderConfig{})
			if err != nil {
				t.Fatal(err)
			}
			row, err := rd.Next()
			if err != nil {
				t.Fatal(err)
			}
			if row.Request.Email != tt.want.Email || row.Request.Phone != tt.want.Phone || row.Request.ExternalID != tt.want.ExternalID {
				t.Errorf("request %+v, want %+v", row.Request, tt.want)
			}
			failed := ""
			if row.Problem != nil && len(row.Problem.FieldErrors) > 0 {
				failed = row.Problem.FieldErrors[0].Field
			}
			if failed != tt.field {
				t.Errorf("failed field %q (%+v), want %q", failed, row.Problem, tt.field)
			}
		})
	}
}

// TestWrongSheetNamesTheOthers: a sheet whose header maps to nothing says
// which other sheets the workbook has.
func TestWrongSheetNamesTheOthers(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "exports", "excel.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = NewReader(f, ReaderConfig{Sheet: "Notes"})
	if err == nil || !strings.Contains(err.Error(), `no email column`) || !strings.Contains(err.Error(), `other sheets, "Customers"`) || !strings.Contains(err.Error(), "--sheet") {
		t.Errorf("err %v", err)
	}
}

// TestOldMacLinesWithANewlineInACell: a file whose lines end in CR alone is
// read as such even when a quoted cell holds a newline.
func TestOldMacLinesWithANewlineInACell(t *testing.T) {
	rd, err := NewReader(strings.NewReader("email,name\ra@x.com,A\rb@x.com,B\rc@x.com,\"x\ny\"\r"), ReaderConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		emails = append(emails, row.Request.Email)
	}
	if strings.Join(emails, " ") != "a@x.com b@x.com c@x.com" {
		t.Errorf("rows %q", emails)
	}
}

// TestTitleRowsInAWorkbook: a report sheet with a title above its table
// is refused, naming the sheet row of the header and what to remove.
func TestTitleRowsInAWorkbook(t *testing.T) {
	book := workbook(t, sheet{"Report", [][]any{{"Customer export"}, {"Generated 2026-11-01"}, nil, {"Email Address", "Name"}, {"a@b.co", "Ann"}}})
	_, err := NewReader(bytes.NewReader(book), ReaderConfig{})
	want := `the header is expected on the first row, but the file seems to have 3 rows before one that looks like a header (row 4 has an email column, "Email Address"): remove the rows above it`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("err %v\nwant it to contain %q", err, want)
	}
}

func TestSepLine(t *testing.T) {
	tests := []struct {
		name, head string
		delim      rune
		n          int // 0: not a sep line
	}{
		{"semicolon", "sep=;\nemail", ';', 6},
		{"crlf", "sep=,\r\nemail", ',', 7},
		{"tab", "sep=\t\n", '\t', 6},
		{"quoted", "\"sep=|\"\n", '|', 8},
		{"upper case", "SEP=;\n", ';', 6},
		{"only line", "sep=;", ';', 5},
		{"nothing named", "sep=\nemail", 0, 0},
		{"two characters", "sep=;;\n", 0, 0},
		{"quote", "sep=\"\n", 0, 0},
		{"a header", "email;sep=;\n", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delim, n, ok := sepLine([]byte(tt.head))
			if ok != (tt.n > 0) || delim != tt.delim || n != tt.n {
				t.Errorf("sepLine(%q) = %q, %d, %v; want %q, %d", tt.head, delim, n, ok, tt.delim, tt.n)
			}
		})
	}
}
