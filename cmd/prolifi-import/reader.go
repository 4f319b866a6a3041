package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/prolifi/prolifi-import/importer"
	"github.com/prolifi/prolifi-import/report"
	"github.com/prolifi/prolifi-import/report/ledger"
)

// newReader reads the input's header with the input flags, and tells the
// user once what it found worth knowing: how columns map, what was
// detected, and what is missing.
func newReader(in *input, c *config, log *zap.Logger) (*importer.Reader, error) {
	explicit, err := c.reader.mapping()
	if err != nil {
		return nil, err
	}
	values, err := c.reader.loadValueMaps()
	if err != nil {
		return nil, err
	}
	delim, _ := delimiterRune(c.reader.delimiter) // checked by parseFlags
	rd, err := importer.NewReader(in, importer.ReaderConfig{
		Delimiter: delim, Encoding: c.reader.encoding, Sheet: c.reader.sheet, MaxRecordBytes: c.reader.maxRecord,
		LazyQuotes: c.reader.lazyQuotes, ValueMaps: values,
		Map: importer.MapOptions{Explicit: explicit, Unknown: importer.UnknownColumns(c.reader.unknown)},
	})
	if err != nil {
		return nil, usageErr("%s: %v", in.name, err)
	}
	if report.IsResultsHeader(strings.Join(rd.Header(), ",")) {
		return nil, usageErr("%s is a results file of prolifi-import, not an export: import the export (or its rejects file) instead", in.name)
	}
	for _, w := range rd.Warnings() {
		log.Warn(w)
	}
	log.Info("mapped columns", zap.Strings("columns", rd.Mapping().Fields()))
	if unk := rd.Mapping().Unknown; len(unk) > 0 {
		what := map[string]string{"ignore": "not imported", "metadata": "sent as metadata keys"}[c.reader.unknown]
		log.Warn("columns that feed no customer field are "+what+"; map them with --map or set --unknown-columns",
			zap.Strings("columns", unk))
	}
	return rd, nil
}

// mapping merges --mapping FILE and --map values (the flags win).
func (r readerFlags) mapping() (map[string]string, error) {
	m := map[string]string{}
	add := func(where, line string) error {
		src, dst, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(src) == "" || strings.TrimSpace(dst) == "" {
			return usageErr("%s: %q is not 'Header=field'", where, line)
		}
		m[strings.TrimSpace(src)] = strings.TrimSpace(dst)
		return nil
	}
	if r.mappingFile != "" {
		f, err := os.Open(r.mappingFile)
		if err != nil {
			return nil, usageErr("read --mapping: %v", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if err := add(fmt.Sprintf("%s line %d", r.mappingFile, n), line); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, usageErr("read --mapping: %v", err)
		}
	}
	for _, v := range r.maps {
		if err := add("--map", v); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// loadValueMaps reads the --value-map FIELD=FILE tables.
func (r readerFlags) loadValueMaps() (map[string]map[string]string, error) {
	out := map[string]map[string]string{}
	for _, v := range r.valueMaps {
		field, file, ok := strings.Cut(v, "=")
		field, file = strings.TrimSpace(field), strings.TrimSpace(file)
		if !ok || field == "" || file == "" {
			return nil, usageErr("--value-map %q: want FIELD=FILE, such as country_id=countries.csv", v)
		}
		f, err := os.Open(file)
		if err != nil {
			return nil, usageErr("--value-map %s: %v", field, err)
		}
		table, err := importer.LoadValueMap(f, field)
		f.Close()
		if err != nil {
			return nil, usageErr("--value-map %s=%s: %v", field, file, err)
		}
		out[field] = table
	}
	return out, nil
}

// keyFingerprint names a key in the ledger without storing it.
func keyFingerprint(key string) string { return ledger.Fingerprint(key) }
