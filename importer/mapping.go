package importer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// The API fields a column can feed.
const (
	FieldEmail       = "email"
	FieldName        = "name"
	FieldFirstName   = "first_name"
	FieldLastName    = "last_name"
	FieldCompanyName = "company_name"
	FieldExternalID  = "external_id"
	FieldPhone       = "phone"
	FieldCountryID   = "country_id"
	FieldMetadata    = "metadata"
	metadataPrefix   = "metadata."
)

// errNoEmail refuses a header with no column for email, the one field
// every request needs.
const errNoEmail = readError("no email column")

// UnknownColumns decides what happens to columns that feed no field.
type UnknownColumns string

// The policies for unknown columns.
const (
	UnknownIgnore   UnknownColumns = "ignore"   // warn once and leave them out
	UnknownMetadata UnknownColumns = "metadata" // send them as metadata keys
	UnknownError    UnknownColumns = "error"    // refuse the file
)

// isField reports whether f is a field a column can name.
func isField(f string) bool {
	switch f {
	case FieldEmail, FieldName, FieldFirstName, FieldLastName, FieldCompanyName,
		FieldExternalID, FieldPhone, FieldCountryID, FieldMetadata:
		return true
	}
	return false
}

// column is what one input column feeds.
type column struct {
	field   string // an API field, or ""
	metaKey string // a metadata key, or ""
}

// Mapping says, for each input column, which field or metadata key it feeds.
type Mapping struct {
	Header  []string // the header as read
	columns []column
	Unknown []string // headers that feed nothing (or, by policy, metadata)
	// Warnings are sentences for the user about choices the mapping made:
	// a column chosen over another for one field, no id column.
	Warnings []string
	// fallback lists, for phone and company_name, the columns that lost to
	// the chosen one, best first: a row whose chosen cell is empty takes
	// the first of theirs that is not (Outlook's Mobile Phone is empty for
	// a contact with only a Business Phone).
	fallback map[string][]int
}

// fallbackFields are the fields an empty cell may take from a column that
// lost: a person has several phones, and any one is better than none. Ids
// and emails never: a second id column is not the same identity.
func fallbackField(f string) bool { return f == FieldPhone || f == FieldCompanyName }

// MapOptions adds a person's knowledge to the built-in rules.
type MapOptions struct {
	// Explicit maps a source header (matched like any header) to a field or
	// to "metadata.KEY". It wins over the built-in rules.
	Explicit map[string]string
	Unknown  UnknownColumns
}

// candidate is a column that could feed target ("email", "metadata.plan").
type candidate struct {
	col    int
	target string
	tier   tier
}

// NewMapping maps a header. It fails, before any row is read, when there is
// no email column, a mapping names a field that does not exist, or two
// columns could feed one field (or one metadata key) and neither is a
// better match than the other.
func NewMapping(header []string, opts MapOptions) (*Mapping, error) {
	explicit, err := explicitTargets(opts.Explicit)
	if err != nil {
		return nil, err
	}
	m := &Mapping{Header: header, columns: make([]column, len(header)), fallback: map[string][]int{}}
	table := aliases()
	var cands []candidate
	for i, h := range header {
		target, t, data := classify(h, explicit, table)
		switch {
		case !data:
			continue
		case target == "":
			m.Unknown = append(m.Unknown, h)
			if opts.Unknown != UnknownMetadata {
				continue
			}
			target, t = metadataPrefix+strings.TrimSpace(h), tierUnknown
		}
		cands = append(cands, candidate{col: i, target: target, tier: t})
	}
	if unused := unusedMaps(opts.Explicit, header); len(unused) > 0 {
		return nil, fmt.Errorf("%s (the headers are %s)", strings.Join(unused, "; "), quoteList(header))
	}
	if opts.Unknown == UnknownError && len(m.Unknown) > 0 {
		return nil, fmt.Errorf("columns %s feed no field (--unknown-columns error): map them with --map or choose ignore or metadata", quoteList(m.Unknown))
	}
	if err := m.assign(cands); err != nil {
		return nil, err
	}
	if !m.feeds(FieldEmail) {
		return nil, fmt.Errorf("%w among %s: name one with --map 'HEADER=email'%s", errNoEmail, quoteList(header), misreadHint(header))
	}
	if !m.feeds(FieldExternalID) {
		m.Warnings = append(m.Warnings, m.noIDWarning())
	}
	return m, nil
}

// misreadHint names the likely cause when a header has no email column
// because the file was read with the wrong delimiter or encoding: its names
// then run together in one column, or hold the NUL bytes of UTF-16 without a
// byte-order mark. It is empty otherwise.
func misreadHint(header []string) string {
	switch {
	case strings.ContainsRune(strings.Join(header, ""), 0):
		return "; the header holds NUL bytes, as UTF-16 without a byte-order mark does: try --encoding utf-16le (or utf-16be)"
	case len(header) == 1 && strings.ContainsAny(header[0], ",;|\t"):
		return "; the header was read as a single column: if its names are separated by another character, pass --delimiter"
	}
	return ""
}

// explicitTargets checks --map's targets and keys them by folded header.
func explicitTargets(in map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for src, dst := range in {
		d := strings.TrimSpace(dst)
		if !isField(d) && !(strings.HasPrefix(d, metadataPrefix) && len(d) > len(metadataPrefix)) {
			return nil, fmt.Errorf("mapping %q=%q: %q is not a field (want one of email, name, first_name, last_name, company_name, external_id, phone, country_id, metadata, metadata.KEY)", src, dst, dst)
		}
		out[fold(src)] = d
	}
	return out, nil
}

// unusedMaps lists --map entries that match no header: most likely a
// typing mistake, which would otherwise pass silently and leave the column
// to the automatic mapping.
func unusedMaps(explicit map[string]string, header []string) []string {
	folded := map[string]bool{}
	for _, h := range header {
		folded[fold(h)] = true
	}
	var out []string
	for src := range explicit {
		if !folded[fold(src)] {
			out = append(out, fmt.Sprintf("--map names %q, but no column has that header", src))
		}
	}
	sort.Strings(out)
	return out
}

// classify says what header h could feed, and how good a match it is:
// target "" when it feeds nothing known, data false when the column is not
// the customer's data at all.
func classify(h string, explicit map[string]string, table map[string]alias) (target string, t tier, data bool) {
	trimmed := strings.TrimSpace(h)
	f := fold(h)
	switch {
	case strings.HasPrefix(strings.ToLower(trimmed), "_error"), f == "":
		return "", 0, false // added by the rejects file, or a blank header as spreadsheets leave
	case explicit[f] != "":
		return explicit[f], tierExplicit, true
	case isField(f):
		return f, tierExact, true
	case table[f].field != "":
		return table[f].field, table[f].tier, true
	case len(trimmed) > len(metadataPrefix) && strings.EqualFold(trimmed[:len(metadataPrefix)], metadataPrefix):
		// Keep the key as written, only trimmed: metadata is the customer's
		// own data and its case matters.
		return metadataPrefix + strings.TrimSpace(trimmed[len(metadataPrefix):]), tierExact, true
	case strings.HasSuffix(strings.ToLower(trimmed), " (metadata)") && len(trimmed) > len(" (metadata)"):
		// Stripe writes a customer's metadata as "KEY (metadata)" columns.
		return metadataPrefix + strings.TrimSpace(trimmed[:len(trimmed)-len(" (metadata)")]), tierExact, true
	}
	return "", 0, true
}

// assign gives each target to its best candidate. A metadata key takes one
// column only; a field goes to the candidate of the lowest tier, with a
// warning about the others. Two of that tier are an error, except for a
// phone or a company, where the first wins and the other stands in for it.
func (m *Mapping) assign(cands []candidate) error {
	slices.SortStableFunc(cands, func(a, b candidate) int { return int(a.tier) - int(b.tier) })
	best := map[string]candidate{}
	for _, c := range cands {
		prev, seen := best[c.target]
		switch {
		case !seen:
			best[c.target] = c
		case strings.HasPrefix(c.target, metadataPrefix) || c.tier == prev.tier && !fallbackField(c.target):
			a, b := min(prev.col, c.col), max(prev.col, c.col)
			return fmt.Errorf("columns %d (%q) and %d (%q) both map to %s: remove one or map it elsewhere with --map",
				a+1, m.Header[a], b+1, m.Header[b], c.target)
		}
	}
	for _, c := range cands {
		win := best[c.target]
		switch {
		case win.col != c.col && fallbackField(c.target):
			m.fallback[c.target] = append(m.fallback[c.target], c.col)
			continue
		case win.col != c.col:
			m.Warnings = append(m.Warnings, m.choiceWarning(win, c))
			continue
		}
		if key, ok := strings.CutPrefix(c.target, metadataPrefix); ok {
			m.columns[c.col].metaKey = key
		} else {
			m.columns[c.col].field = c.target
		}
	}
	for _, f := range []string{FieldPhone, FieldCompanyName} {
		if cols := m.fallback[f]; len(cols) > 0 {
			m.Warnings = append(m.Warnings, m.fallbackWarning(best[f], cols))
		}
	}
	return nil
}

// fallbackWarning says which columns stand in for an empty phone or
// company, and in what order.
func (m *Mapping) fallbackWarning(win candidate, cols []int) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = m.Header[c]
	}
	if len(names) == 1 {
		return fmt.Sprintf("%q feeds %s; where it is empty, %q stands in.", m.Header[win.col], win.target, names[0])
	}
	return fmt.Sprintf("%q feeds %s; where it is empty, the first non-empty of %s stands in.", m.Header[win.col], win.target, quoteList(names))
}

// choiceWarning tells why column win feeds a field that column lost could
// have fed too.
func (m *Mapping) choiceWarning(win, lost candidate) string {
	w, l := m.Header[win.col], m.Header[lost.col]
	if win.tier == tierExplicit {
		return fmt.Sprintf("Columns %q and %q could both be %s; %q was chosen because --map names it, and %q is not imported.",
			w, l, win.target, w, l)
	}
	why := "its header is the field's own name"
	if win.tier == tierAlias {
		why = "its header is the more usual name for that field"
	}
	return fmt.Sprintf("Columns %q and %q could both be %s; %q was chosen because %s, and %q is not imported (pass --map %s to use it instead).",
		w, l, win.target, w, why, l, shellQuote(strings.TrimSpace(l)+"="+win.target))
}

// feeds reports whether some column feeds field.
func (m *Mapping) feeds(field string) bool {
	for _, c := range m.columns {
		if c.field == field {
			return true
		}
	}
	return false
}

// noIDWarning says what a file without ids costs, and how to name one.
func (m *Mapping) noIDWarning() string {
	hint := "If a column holds a stable id for each customer, pass --map 'HEADER=external_id'."
	for i, h := range m.Header {
		if m.columns[i].field == "" && !strings.HasPrefix(strings.TrimSpace(h), "_") && looksLikeID(h) {
			hint = fmt.Sprintf("If %q holds a stable id for each customer, pass --map %s.", h,
				shellQuote(strings.TrimSpace(h)+"="+FieldExternalID))
			break
		}
	}
	return "No column maps to external_id, so a customer whose create request gets no answer (a timeout, a dropped connection) " +
		"cannot be retried safely and is reported as outcome unknown, and a later run matches rows by email instead of by id. " + hint
}

// looksLikeID reports whether a header reads like an identifier: its last
// word is "id", "uuid", "guid" or "key" in any case, or ends in "ID" or
// "Id" ("LEID", "AccountId"; not "Paid").
func looksLikeID(h string) bool {
	words := strings.FieldsFunc(h, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	switch strings.ToLower(last) {
	case "id", "uuid", "guid", "key":
		return true
	}
	return strings.HasSuffix(last, "ID") || strings.HasSuffix(last, "Id")
}

// shellQuote quotes s for a POSIX shell, for commands the messages suggest.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// Fields lists "header → field" for every mapped column, for the log.
func (m *Mapping) Fields() []string {
	var out []string
	for i, c := range m.columns {
		switch {
		case c.field != "":
			out = append(out, m.Header[i]+" → "+c.field)
		case c.metaKey != "":
			out = append(out, m.Header[i]+" → metadata."+c.metaKey)
		}
	}
	sort.Strings(out)
	return out
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = fmt.Sprintf("%q", v)
	}
	return strings.Join(q, ", ")
}
