package importer

import (
	"fmt"
	"sort"
	"strings"
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

// canonical folds a header for matching: trimmed, lower case, with spaces
// and dashes read as underscores ("First Name" → "first_name").
func canonical(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, h)
}

// alias maps headers seen in real exports, already canonical, to fields.
func alias(c string) string {
	switch c {
	case "email", "e_mail", "email_address", "e_mail_address", "mail", "emailaddress", "primary_email":
		return FieldEmail
	case "name", "full_name", "fullname", "customer_name", "contact_name", "display_name":
		return FieldName
	case "first_name", "firstname", "given_name", "forename", "first":
		return FieldFirstName
	case "last_name", "lastname", "surname", "family_name", "last":
		return FieldLastName
	case "company_name", "company", "organization", "organisation", "business_name", "account_name":
		return FieldCompanyName
	case "external_id", "externalid", "customer_id", "customerid", "customer_number", "client_id", "id":
		return FieldExternalID
	case "phone", "phone_number", "telephone", "tel", "mobile", "mobile_phone", "cell":
		return FieldPhone
	case "country_id", "countryid":
		return FieldCountryID
	case "metadata":
		return FieldMetadata
	}
	return ""
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
}

// MapOptions adds a person's knowledge to the built-in rules.
type MapOptions struct {
	// Explicit maps a source header (matched like any header) to a field or
	// to "metadata.KEY". It wins over the built-in rules.
	Explicit map[string]string
	Unknown  UnknownColumns
}

// NewMapping maps a header. It fails, before any row is read, when there is
// no email column, two columns feed the same field, or a mapping names a
// field that does not exist.
func NewMapping(header []string, opts MapOptions) (*Mapping, error) {
	explicit := make(map[string]string, len(opts.Explicit))
	for src, dst := range opts.Explicit {
		d := strings.TrimSpace(dst)
		if !isField(d) && !(strings.HasPrefix(d, metadataPrefix) && len(d) > len(metadataPrefix)) {
			return nil, fmt.Errorf("mapping %q=%q: %q is not a field (want one of email, name, first_name, last_name, company_name, external_id, phone, country_id, metadata, metadata.KEY)", src, dst, dst)
		}
		explicit[canonical(src)] = d
	}
	m := &Mapping{Header: header, columns: make([]column, len(header))}
	used := map[string]int{} // field → column index + 1
	for i, h := range header {
		c := canonical(h)
		if strings.HasPrefix(c, "_error") {
			continue // added by the rejects file; not the customer's data
		}
		target, ok := explicit[c]
		if !ok {
			if f := alias(c); f != "" {
				target = f
			} else if strings.HasPrefix(c, metadataPrefix) && len(c) > len(metadataPrefix) {
				// Keep the key as written, only trimmed: metadata is the
				// customer's own data and its case matters.
				target = metadataPrefix + strings.TrimSpace(strings.TrimSpace(h)[len(metadataPrefix):])
			}
		}
		if target == "" {
			if c == "" {
				continue // a blank header, as spreadsheets leave after the last column
			}
			m.Unknown = append(m.Unknown, h)
			switch opts.Unknown {
			case UnknownMetadata:
				m.columns[i].metaKey = strings.TrimSpace(h)
			case UnknownError:
				// reported below, with every unknown column at once
			}
			continue
		}
		key := target
		if after, ok := strings.CutPrefix(target, metadataPrefix); ok {
			m.columns[i].metaKey = after
		} else {
			m.columns[i].field = target
		}
		if prev := used[key]; prev > 0 {
			return nil, fmt.Errorf("columns %d (%q) and %d (%q) both map to %s: remove one or map it elsewhere with --map", prev, header[prev-1], i+1, h, key)
		}
		used[key] = i + 1
	}
	if opts.Unknown == UnknownError && len(m.Unknown) > 0 {
		return nil, fmt.Errorf("columns %s feed no field (--unknown-columns error): map them with --map or choose ignore or metadata", quoteList(m.Unknown))
	}
	if used[FieldEmail] == 0 {
		return nil, fmt.Errorf("no email column among %s: name one with --map 'HEADER=email'", quoteList(header))
	}
	return m, nil
}

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
