package client

import (
	"bytes"
	"encoding/json"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits the API applies to a new customer, in characters (not bytes).
const (
	MaxEmailLen       = 254
	MaxNameLen        = 255
	MaxExternalIDLen  = 255
	MaxPhoneLen       = 50
	MaxMetadataKeys   = 50
	MaxMetadataKeyLen = 40
	MaxMetadataBytes  = 16 << 10
)

// Normalize trims surrounding white space from every text field, as the API
// does before it validates or stores them.
func Normalize(r CreateCustomerRequest) CreateCustomerRequest {
	r.Email = strings.TrimSpace(r.Email)
	r.Name = strings.TrimSpace(r.Name)
	r.FirstName = strings.TrimSpace(r.FirstName)
	r.LastName = strings.TrimSpace(r.LastName)
	r.CompanyName = strings.TrimSpace(r.CompanyName)
	r.ExternalID = strings.TrimSpace(r.ExternalID)
	r.Phone = strings.TrimSpace(r.Phone)
	r.CountryID = strings.TrimSpace(r.CountryID)
	return r
}

// Validate applies the API's rules for POST /customers to a normalized
// request and returns every failing field, in the order of the spec's
// properties. The sandbox emulator answers with exactly these errors, so a
// row that passes here is rejected by the server only for reasons it alone
// can know (a taken external_id).
func Validate(r CreateCustomerRequest) []FieldError {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{Field: field, Message: msg}) }
	text := func(field, v string, limit int) bool {
		switch {
		case !utf8.ValidString(v):
			add(field, "must be valid UTF-8 text")
		case strings.IndexByte(v, 0) >= 0:
			add(field, "must not contain NUL characters")
		case utf8.RuneCountInString(v) > limit:
			add(field, "must be at most "+strconv.Itoa(limit)+" characters")
		default:
			return true
		}
		return false
	}

	switch {
	case r.Email == "":
		add("email", "is required")
	case text("email", r.Email, MaxEmailLen) && !ValidEmail(r.Email):
		add("email", "must be a valid email address")
	}
	text("name", r.Name, MaxNameLen)
	text("first_name", r.FirstName, MaxNameLen)
	text("last_name", r.LastName, MaxNameLen)
	text("company_name", r.CompanyName, MaxNameLen)
	if text("external_id", r.ExternalID, MaxExternalIDLen) && strings.ContainsFunc(r.ExternalID, isControl) {
		add("external_id", "must not contain control characters")
	}
	text("phone", r.Phone, MaxPhoneLen)
	if r.CountryID != "" && !ValidUUID(r.CountryID) {
		add("country_id", "must be a UUID such as 3f1c2a9e-8b7d-4c6e-9a5f-0d1e2f3a4b5c")
	}
	if len(r.Metadata) > 0 {
		if msg := checkMetadata(r.Metadata); msg != "" {
			add("metadata", msg)
		}
	}
	return errs
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// ValidEmail accepts a bare addr-spec (no display name, no angle brackets)
// whose domain has at least one dot.
func ValidEmail(s string) bool {
	if strings.ContainsAny(s, " \t\r\n<>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// ValidUUID accepts the canonical 8-4-4-4-12 hexadecimal form only.
func ValidUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// checkMetadata returns why raw is not acceptable metadata, or "".
func checkMetadata(raw json.RawMessage) string {
	trimmed := bytes.TrimSpace(raw)
	if bytes.Equal(trimmed, []byte("null")) {
		return ""
	}
	if !utf8.Valid(trimmed) {
		return "must be valid UTF-8 text"
	}
	if len(trimmed) > MaxMetadataBytes {
		return "must be at most " + strconv.Itoa(MaxMetadataBytes) + " bytes of JSON"
	}
	var m map[string]json.RawMessage
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &m) != nil {
		return "must be a JSON object"
	}
	if len(m) > MaxMetadataKeys {
		return "must have at most " + strconv.Itoa(MaxMetadataKeys) + " keys"
	}
	for k := range m {
		if k == "" || utf8.RuneCountInString(k) > MaxMetadataKeyLen {
			return "keys must be 1 to " + strconv.Itoa(MaxMetadataKeyLen) + " characters"
		}
	}
	return ""
}
