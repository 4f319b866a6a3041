package importer

import (
	"strings"
	"testing"
)

// mapped is what column i of m feeds: a field, "metadata.KEY", or "".
func mapped(m *Mapping, i int) string {
	if c := m.columns[i]; c.metaKey != "" {
		return metadataPrefix + c.metaKey
	}
	return m.columns[i].field
}

func TestMappingAliases(t *testing.T) {
	tests := []struct {
		header string
		want   string // "" when the column feeds nothing
	}{
		{"Email", FieldEmail}, {"E-mail Address", FieldEmail}, {"EMAIL_ADDRESS", FieldEmail}, {" e-mail ", FieldEmail},
		{"E-mail 1 - Value", FieldEmail}, {"user_email", FieldEmail}, {"Email Address", FieldEmail},
		{"E-Mail", FieldEmail}, {"Courriel", FieldEmail}, {"Correo electrónico", FieldEmail}, {"Correo electronico", FieldEmail},
		{"E-mailadres", FieldEmail}, {"Endereço de e-mail", FieldEmail}, {"E-Mail-Adresse", FieldEmail},
		{"Full Name", FieldName}, {"display_name", FieldName}, {"Naam", FieldName}, {"Nome completo", FieldName},
		{"Given Name", FieldFirstName}, {"First-Name", FieldFirstName}, {"FIRSTNAME", FieldFirstName},
		{"Vorname", FieldFirstName}, {"Prénom", FieldFirstName}, {"Nombre", FieldFirstName}, {"Voornaam", FieldFirstName}, {"Nome", FieldFirstName},
		{"Surname", FieldLastName}, {"Family Name", FieldLastName}, {"Nachname", FieldLastName}, {"Nom", FieldLastName},
		{"Apellidos", FieldLastName}, {"Achternaam", FieldLastName}, {"Sobrenome", FieldLastName},
		{"Company", FieldCompanyName}, {"Organization", FieldCompanyName}, {"Organisation", FieldCompanyName},
		{"Default Address Company", FieldCompanyName}, {"Organization Name", FieldCompanyName}, {"Organization 1 - Name", FieldCompanyName},
		{"Company Name", FieldCompanyName}, {"Firma", FieldCompanyName}, {"Société", FieldCompanyName}, {"Empresa", FieldCompanyName},
		{"Bedrijf", FieldCompanyName}, {"billing_company", FieldCompanyName},
		{"Phone Number", FieldPhone}, {"Mobile", FieldPhone}, {"Phone 1", FieldPhone}, {"Phone 1 - Value", FieldPhone},
		{"Mobile Phone", FieldPhone}, {"Telefon", FieldPhone}, {"Téléphone", FieldPhone}, {"Teléfono", FieldPhone},
		{"Telefoon", FieldPhone}, {"Telefone", FieldPhone}, {"billing_phone", FieldPhone},
		{"Phone 2 - Value", FieldPhone}, {"Business Phone", FieldPhone}, {"Primary Phone", FieldPhone},
		{"user_id (metadata)", "metadata.user_id"}, {"Plan (Metadata)", "metadata.Plan"},
		{"Customer ID", FieldExternalID}, {"Customer Id", FieldExternalID}, {"customer_id", FieldExternalID},
		{"Record ID", FieldExternalID}, {"ID", FieldExternalID}, {"Kundennummer", FieldExternalID},
		{"Country ID", FieldCountryID}, {"Metadata", FieldMetadata}, {"metadata.Tier", "metadata.Tier"}, {"Metadata. Tier ", "metadata.Tier"},
		{"Notes", ""}, {"_error_message", ""}, {"E-mail 2 Address", ""},
		{"Card ID", ""}, {"Country", ""},
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
			if got := mapped(m, 0); got != tt.want {
				t.Errorf("%q maps to %q, want %q", tt.header, got, tt.want)
			}
			unknown := len(m.Unknown) == 1 && m.Unknown[0] == tt.header
			if wantUnknown := tt.want == "" && !strings.HasPrefix(tt.header, "_error"); unknown != wantUnknown {
				t.Errorf("listed as unknown: %v, want %v", unknown, wantUnknown)
			}
		})
	}
}

// TestAliasTable checks the table itself: every line names a field, no
// header is listed twice, and none is a field's own name (which would rank
// it too low).
func TestAliasTable(t *testing.T) {
	seen := map[string]string{}
	n := 0
	for _, line := range strings.Split(aliasTable, "\n") {
		if head, rest, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "\t") {
			field := strings.TrimSuffix(strings.TrimSpace(head), " (weak)")
			if !isField(field) {
				t.Errorf("line %q: %q is not a field", line, field)
			}
			line = rest
		}
		for _, h := range strings.Split(line, ",") {
			f := fold(h)
			if f == "" {
				continue
			}
			n++
			if prev, dup := seen[f]; dup {
				t.Errorf("%q and %q are the same header", prev, h)
			}
			seen[f] = h
			if isField(f) {
				t.Errorf("%q is a field's own name", h)
			}
		}
	}
	if got := len(aliases()); got != n || n < 100 {
		t.Errorf("aliases() has %d headers, the table %d", got, n)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"E-mail 1 - Value": "e_mail_1_value", " Prénom ": "prenom", "Correo electrónico": "correo_electronico",
		"TTY/TDD Phone": "tty_tdd_phone", "Manager's Name": "manager_s_name", "__x__": "x", "Straße": "straße", "": "", "--": "",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMappingCandidates: when several columns could feed one field, the
// best match feeds it and the others feed nothing.
func TestMappingCandidates(t *testing.T) {
	tests := []struct {
		name   string
		header string
		opts   MapOptions
		want   string // what each column feeds, "-" for nothing
	}{
		{"exact over alias", "E-mail,email", MapOptions{}, "-,email"},
		{"alias over weak", "ID,customer_id,user_email", MapOptions{}, "-,external_id,email"},
		{"weak alone", "ID,Email", MapOptions{}, "external_id,email"},
		{"exact over weak", "id,external_id,email", MapOptions{}, "-,external_id,email"},
		{"explicit over exact", "email,Work", MapOptions{Explicit: map[string]string{"work": "email"}}, "-,email"},
		{"explicit elsewhere", "email,Phone,Mobile", MapOptions{Explicit: map[string]string{"Mobile": "metadata.mobile"}}, "email,phone,metadata.mobile"},
		{"loser not sent as metadata", "E-mail,email", MapOptions{Unknown: UnknownMetadata}, "-,email"},
		{"phone fields of Shopify", "Email,Default Address Phone,Phone", MapOptions{}, "email,-,phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMapping(strings.Split(tt.header, ","), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range m.Header {
				f := mapped(m, i)
				if f == "" {
					f = "-"
				}
				got = append(got, f)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("got %s, want %s", strings.Join(got, ","), tt.want)
			}
			for _, u := range m.Unknown {
				if fold(u) == "e_mail" || fold(u) == "id" {
					t.Errorf("%q, a column that lost, is listed as unknown", u)
				}
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

func TestLooksLikeID(t *testing.T) {
	for h, want := range map[string]bool{
		"LEID": true, "EUID": true, "AccountId": true, "Contact ID": true, "user_uuid": true, "API Key": true, "id": true,
		"Paid": false, "Valid": false, "Notes": false, "Identity": false, "": false,
	} {
		if got := looksLikeID(h); got != want {
			t.Errorf("looksLikeID(%q) = %v, want %v", h, got, want)
		}
	}
}
