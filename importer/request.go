package importer

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/prolifi/prolifi-import/client"
)

// fill builds the request from a record's cells, and checks it.
func (rd *Reader) fill(row *Row) {
	cols, err := rd.decoder.decode(row.Fields)
	if err != nil {
		row.Problem = &Problem{Type: ErrorTypeCSV, Message: err.Error()}
		return
	}
	req := client.Normalize(client.CreateCustomerRequest{
		Email: cols.Email, Name: cols.Name, FirstName: cols.FirstName, LastName: cols.LastName,
		CompanyName: cols.CompanyName, ExternalID: cols.ExternalID, Phone: cols.Phone, CountryID: cols.CountryID,
	})
	rd.fillFallbacks(&req, row.Fields)
	req.Email, req.Phone = firstValue(req.Email), firstValue(req.Phone)
	req.ExternalID, req.Phone = stripTextMarker(req.ExternalID), stripTextMarker(req.Phone)
	fieldErrs := excelNumbers(req)
	for _, v := range rd.values {
		if fe := v.apply(&req); fe != nil {
			fieldErrs = append(fieldErrs, *fe)
		}
	}
	req = client.Normalize(req)
	var metaErrs []client.FieldError
	req.Metadata, metaErrs = rd.metadata(row.Fields, strings.TrimSpace(cols.Metadata))
	row.Request = req
	fieldErrs = append(append(validate(req, fieldErrs), fieldErrs...), metaErrs...)
	if len(fieldErrs) == 0 {
		return
	}
	msg := "invalid " + fieldList(fieldErrs)
	for _, f := range row.Fields {
		if !utf8.ValidString(f) {
			msg += ": the record has bytes that are not UTF-8; if the file was saved as plain CSV by Excel or another older program, run again with --encoding windows-1252"
			break
		}
	}
	row.Problem = &Problem{Type: client.TypeValidation, Message: msg, FieldErrors: fieldErrs}
}

// fillFallbacks gives an empty phone or company the first non-empty cell
// of the columns that lost to its column (see Mapping.fallback).
func (rd *Reader) fillFallbacks(req *client.CreateCustomerRequest, cells []string) {
	for field, cols := range rd.mapping.fallback {
		dst := &req.Phone
		if field == FieldCompanyName {
			dst = &req.CompanyName
		}
		for _, c := range cols {
			if *dst != "" || c >= len(cells) {
				break
			}
			*dst = strings.TrimSpace(cells[c])
		}
	}
}

// firstValue keeps the first of the values Google Contacts puts in one
// cell, "a@x.org ::: b@y.org": the first is the primary.
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, " ::: ")
	return strings.TrimSpace(first)
}

// excelNumbers refuses an id or a phone that a spreadsheet turned into a
// number in scientific notation (9.01381E+12): its last digits are gone,
// and no lookup can bring them back.
func excelNumbers(req client.CreateCustomerRequest) []client.FieldError {
	var errs []client.FieldError
	for _, f := range []struct{ name, v string }{{FieldExternalID, req.ExternalID}, {FieldPhone, req.Phone}} {
		if scientific(f.v) {
			errs = append(errs, client.FieldError{Field: f.name, Message: fmt.Sprintf(
				"%q is a number a spreadsheet rewrote in scientific notation, and its digits are lost: export the column as text", f.v)})
		}
	}
	return errs
}

// scientific reports whether v reads like 9.01381E+12 or 4,91511E+12.
func scientific(v string) bool {
	mant, exp, ok := strings.Cut(strings.ToUpper(v), "E+")
	if !ok || exp == "" || mant == "" {
		return false
	}
	for _, part := range []string{strings.Replace(mant, ",", ".", 1), exp} {
		digits := strings.TrimLeft(strings.Replace(part, ".", "", 1), "0123456789")
		if digits != "" {
			return false
		}
	}
	return true
}

// validate applies the API's rules, leaving out the fields that already
// failed their value map: the value's absence from the map is the cause.
func validate(req client.CreateCustomerRequest, failed []client.FieldError) []client.FieldError {
	errs := client.Validate(req)
	if len(failed) == 0 {
		return errs
	}
	kept := errs[:0]
	for _, fe := range errs {
		if !slices.ContainsFunc(failed, func(f client.FieldError) bool { return f.Field == fe.Field }) {
			kept = append(kept, fe)
		}
	}
	return kept
}

// metadata builds the metadata object from the metadata column (JSON) and
// the metadata.KEY columns, which add to it and win over its keys.
func (rd *Reader) metadata(cells []string, meta string) (json.RawMessage, []client.FieldError) {
	var errs []client.FieldError
	var keys [][2]string // metadata.KEY cells, in column order
	for i, c := range rd.mapping.columns {
		if c.metaKey == "" {
			continue
		}
		v := strings.TrimSpace(cells[i])
		switch {
		case v == "":
		case !utf8.ValidString(v):
			errs = append(errs, client.FieldError{Field: metadataPrefix + c.metaKey, Message: "must be valid UTF-8 text"})
		default:
			keys = append(keys, [2]string{c.metaKey, v})
		}
	}
	switch {
	case keys == nil && meta == "":
		return nil, errs
	case keys == nil:
		return json.RawMessage(meta), errs // checked by Validate
	case meta == "":
		return appendObject(nil, keys), errs
	}
	obj := map[string]any{}
	if !utf8.ValidString(meta) || json.Unmarshal([]byte(meta), &obj) != nil || obj == nil {
		errs = append(errs, client.FieldError{Field: FieldMetadata, Message: "must be a JSON object"})
		obj = map[string]any{}
	}
	for _, kv := range keys {
		obj[kv[0]] = kv[1]
	}
	b, _ := json.Marshal(obj) // strings and decoded JSON always encode
	return b, errs
}

// appendObject encodes string pairs as a JSON object, keys in the given
// order: the common case of metadata.KEY columns, without a map.
func appendObject(b []byte, kv [][2]string) []byte {
	b = append(b, '{')
	for i, p := range kv {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p[0])
		b = append(b, ':')
		b = appendJSONString(b, p[1])
	}
	return append(b, '}')
}

// appendJSONString quotes valid UTF-8 s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func fieldList(fe []client.FieldError) string {
	names := make([]string, len(fe))
	for i, f := range fe {
		names[i] = f.Field
	}
	return strings.Join(names, ", ")
}
