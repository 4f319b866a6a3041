package importer

import (
	"strings"
	"testing"
)

func TestMappingAliases(t *testing.T) {
	tests := []struct {
		header string
		want   string // "" when the column feeds nothing
	}{
		{"Email", FieldEmail}, {"E-mail Address", FieldEmail}, {"EMAIL_ADDRESS", FieldEmail}, {" e-mail ", FieldEmail},
		{"Full Name", FieldName}, {"Given Name", FieldFirstName}, {"First-Name", FieldFirstName},
		{"Surname", FieldLastName}, {"Family Name", FieldLastName},
		{"Company", FieldCompanyName}, {"Organization", FieldCompanyName}, {"Organisation", FieldCompanyName},
		{"Phone Number", FieldPhone}, {"Mobile", FieldPhone}, {"Customer ID", FieldExternalID},
		{"Country ID", FieldCountryID}, {"Metadata", FieldMetadata}, {"metadata.Tier", "metadata.Tier"},
		{"Notes", ""}, {"_error_message", ""},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			header := []string{tt.header}
			if tt.want != FieldEmail {
				header = append(header, "email")
			}
			m, err := NewMapping(header, MapOptions{})
			if err != nil {
				t.Fatal(err)
			}
			c := m.columns[0]
			got := c.field
			if c.metaKey != "" {
				got = "metadata." + c.metaKey
			}
			if got != tt.want {
				t.Errorf("%q maps to %q, want %q", tt.header, got, tt.want)
			}
			unknown := len(m.Unknown) == 1 && m.Unknown[0] == tt.header
			if wantUnknown := tt.want == "" && !strings.HasPrefix(tt.header, "_error"); unknown != wantUnknown {
				t.Errorf("listed as unknown: %v, want %v", unknown, wantUnknown)
			}
		})
	}
}

func TestExplicitMapWins(t *testing.T) {
	m, err := NewMapping([]string{"Mail", "Company", "Tier"}, MapOptions{Explicit: map[string]string{
		"mail": "email", "Company": "metadata.company", "TIER": "metadata.tier"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Fields(), "; "); got != "Company → metadata.company; Mail → email; Tier → metadata.tier" {
		t.Errorf("fields %s", got)
	}
}
