package importer

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client"
)

// FuzzReader feeds arbitrary bytes to the reader and mapper. Whatever the
// input, it must not panic or stall, lines must only go forward, and a row
// without a Problem must pass the API's rules.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/csv-spectrum/*.csv")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(append([]byte("email,"), b...), false)
	}
	for _, s := range []string{
		"email,first_name\na@b.co,Ann\n",
		"\ufeffE-mail;Name\r\na@b.co;\"x\ny\"\r\n",
		"email,metadata,metadata.k\na@b.co,\"{\"\"a\"\":1}\",v\n",
		"email\n\"unterminated\na@b.co\n",
		"email,x\na@b.co,1,2\n\"a\"b,c\n",
		"email\tname\nq@w.io\tZ\xffz\n",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, lazy bool) {
		rd, err := NewReader(strings.NewReader(string(in)), ReaderConfig{MaxRecordBytes: 512, LazyQuotes: lazy,
			Map: MapOptions{Unknown: UnknownMetadata}})
		if err != nil {
			return // refused before any row: fine
		}
		last := 1
		for i := 0; ; i++ {
			if i > len(in)+2 {
				t.Fatalf("more rows than bytes: the reader is not making progress")
			}
			row, err := rd.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				return // the input itself could not be read on
			}
			if row.Line <= last {
				t.Fatalf("row on line %d after line %d", row.Line, last)
			}
			last = row.Line
			if row.Problem == nil {
				if fe := client.Validate(row.Request); len(fe) > 0 {
					t.Fatalf("line %d passed the reader but fails validation: %v", row.Line, fe)
				}
			}
		}
	})
}
