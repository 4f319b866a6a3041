package importer

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/prolifi/prolifi-import/client"
)

// LoadValueMap reads a lookup table for one field (what --value-map
// FIELD=FILE names): a two-column CSV of from,to pairs, such as country
// names or ISO codes to Prolifi country_id UUIDs. Its delimiter is guessed
// like the input's. The first row is a header, and skipped, when it reads
// "from,to" (any case), when its second cell is the field's name, or when
// its second cell is not a valid value for the field (a header cell is not
// a UUID); every other row's second cell must be valid for the field.
func LoadValueMap(r io.Reader, field string) (map[string]string, error) {
	if _, ok := fieldRef(&client.CreateCustomerRequest{}, field); !ok {
		return nil, fmt.Errorf("value map for %q: not a field a value map can fill (want email, name, first_name, last_name, company_name, external_id, phone or country_id)", field)
	}
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	head, _ := br.Peek(sniffBytes)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(head)
	cr.FieldsPerRecord = -1
	out := map[string]string{}
	for first := true; ; first = false {
		pair, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read value map for %s: %w", field, err)
		}
		line, _ := cr.FieldPos(0)
		if len(pair) != 2 {
			return nil, fmt.Errorf("value map for %s, line %d: want 2 cells (from,to), got %d", field, line, len(pair))
		}
		if first && isValueMapHeader(pair, field) {
			continue
		}
		if err := addPair(out, pair, field); err != nil {
			return nil, fmt.Errorf("value map for %s, line %d: %w", field, line, err)
		}
	}
}

// isValueMapHeader says whether the first row of a value map is a header.
func isValueMapHeader(pair []string, field string) bool {
	from, to := strings.TrimSpace(pair[0]), strings.TrimSpace(pair[1])
	return strings.EqualFold(from, "from") && strings.EqualFold(to, "to") || fold(to) == field || invalidFor(field, to) != ""
}

func addPair(out map[string]string, pair []string, field string) error {
	from, to := pair[0], strings.TrimSpace(pair[1])
	switch prev, seen := out[from]; {
	case strings.TrimSpace(from) == "":
		return errors.New("the value to map from is empty")
	case seen && prev != to:
		return fmt.Errorf("%q is mapped twice, to %q and to %q", from, prev, to)
	}
	if why := invalidFor(field, to); why != "" {
		return fmt.Errorf("%q %s", to, why)
	}
	out[from] = to
	return nil
}

// invalidFor says why v is not a valid value for field, or "".
func invalidFor(field, v string) string {
	req := client.CreateCustomerRequest{Email: "someone@example.com"}
	ref, _ := fieldRef(&req, field)
	*ref = v
	for _, fe := range client.Validate(req) {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

// fieldRef points at the text field of req that a value map can fill.
func fieldRef(req *client.CreateCustomerRequest, field string) (*string, bool) {
	switch field {
	case FieldEmail:
		return &req.Email, true
	case FieldName:
		return &req.Name, true
	case FieldFirstName:
		return &req.FirstName, true
	case FieldLastName:
		return &req.LastName, true
	case FieldCompanyName:
		return &req.CompanyName, true
	case FieldExternalID:
		return &req.ExternalID, true
	case FieldPhone:
		return &req.Phone, true
	case FieldCountryID:
		return &req.CountryID, true
	}
	return nil, false
}

// valueMap replaces one field's values: a cell is looked up as written
// first, then trimmed and with case ignored.
type valueMap struct {
	field  string
	exact  map[string]string
	folded map[string]string
	clash  map[string]bool // folded keys of entries with different targets
}

// valueMaps checks the config's tables against the mapping and prepares
// them for lookups.
func valueMaps(in map[string]map[string]string, m *Mapping) ([]valueMap, error) {
	var out []valueMap
	for field, table := range in {
		if _, ok := fieldRef(&client.CreateCustomerRequest{}, field); !ok {
			return nil, fmt.Errorf("value map for %q: not a field a value map can fill", field)
		}
		if !m.feeds(field) {
			return nil, fmt.Errorf("a value map is given for %s, but no column maps to %s", field, field)
		}
		v := valueMap{field: field, exact: table, folded: map[string]string{}, clash: map[string]bool{}}
		for from, to := range table {
			k := strings.ToLower(strings.TrimSpace(from))
			if prev, seen := v.folded[k]; seen && prev != to {
				v.clash[k] = true
			}
			v.folded[k] = to
		}
		out = append(out, v)
	}
	// In field order, so that a row's errors come in the same order every run.
	sort.Slice(out, func(i, j int) bool { return out[i].field < out[j].field })
	return out, nil
}

// apply replaces the field's value in req, or returns why it cannot.
func (v valueMap) apply(req *client.CreateCustomerRequest) *client.FieldError {
	ref, _ := fieldRef(req, v.field)
	cell := *ref
	if strings.TrimSpace(cell) == "" {
		return nil
	}
	if to, ok := v.exact[cell]; ok {
		*ref = to
		return nil
	}
	k := strings.ToLower(strings.TrimSpace(cell))
	to, ok := v.folded[k]
	switch {
	case v.clash[k]:
		return &client.FieldError{Field: v.field, Message: fmt.Sprintf("%q matches more than one entry of the value map, with different values, when case is ignored", cell)}
	case !ok:
		return &client.FieldError{Field: v.field, Message: fmt.Sprintf("%q is not in the value map", cell)}
	}
	*ref = to
	return nil
}
