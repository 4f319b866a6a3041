package importer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// aliasTable lists the headers that real exports use for each field, as
// data. One field a line, "field: header, header, …". A "field (weak):"
// line lists headers that name the field only when no better column does:
// a bare "ID" is the customer's id in a Stripe or Salesforce export, but it
// loses to a "customer_id" beside it. Headers are compared folded (see
// fold), so case, accents, spaces and punctuation do not matter.
const aliasTable = `
email: e-mail, mail, email address, e-mail address, emailaddress, primary email, user email,
	email 1 - value, e-mail 1 - value, e-mail-adresse, email-adresse, courriel, adresse e-mail, adresse email,
	adresse électronique, correo, correo electrónico, e-mailadres, emailadres, endereço de e-mail, endereço de email
name: full name, fullname, customer name, contact name, display name, vollständiger name, nom complet,
	nombre completo, naam, volledige naam, nome completo
first_name: firstname, first, given name, forename, vorname, prénom, nombre, voornaam, nome, primeiro nome
last_name: lastname, last, surname, family name, nachname, familienname, nom, nom de famille, apellidos, apellido,
	achternaam, sobrenome, apelido
company_name: company, companyname, organization, organisation, organization name,
	organization 1 - name, business name, account name, default address company, firma, firmenname,
	unternehmen, société, entreprise, empresa, compañía, nombre de la empresa, bedrijf, bedrijfsnaam, nome da empresa
company_name (weak): billing company
external_id: externalid, customer id, customerid, customer number, customer no, client id, kundennummer,
	kunden-id, kundennr, numéro client, numéro de client, identifiant client, id cliente, número de cliente,
	klantnummer, klant-id, código do cliente, id do cliente
external_id (weak): id, record id, contact id
phone: phone number, phonenumber, telephone, tel, mobile, mobile phone, cell, cell phone, phone 1, phone 1 - value,
	telefon, telefonnummer, handy, mobiltelefon, portable, teléfono, móvil, celular, telefoon,
	telefoonnummer, mobiel, telefone, telemóvel
phone (weak): billing phone, business phone, primary phone, home phone, work phone, other phone,
	mobile phone number, default address phone, phone 2 - value, company main telephone
country_id: countryid
`

// tier ranks the ways a column can come to feed a field: when two columns
// could feed one, the lower tier wins.
type tier int

const (
	tierExplicit tier = iota // named by --map
	tierExact                // the header is the field's own name
	tierAlias                // the header is in the alias table
	tierWeak                 // the header is a weak alias
	tierUnknown              // sent as metadata by the unknown-columns policy
)

// alias is what a folded header names in the table.
type alias struct {
	field string
	tier  tier
}

// aliases parses aliasTable into folded header → field. It is built when a
// mapping is, which costs microseconds once per run.
func aliases() map[string]alias {
	out := map[string]alias{}
	var cur alias
	for _, line := range strings.Split(aliasTable, "\n") {
		if head, rest, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "\t") {
			field, weak := strings.CutSuffix(strings.TrimSpace(head), " (weak)")
			cur = alias{field: field, tier: tierAlias}
			if weak {
				cur.tier = tierWeak
			}
			line = rest
		}
		for _, h := range strings.Split(line, ",") {
			if f := fold(h); f != "" {
				out[f] = cur
			}
		}
	}
	return out
}

// fold reduces a header to what matters for matching: lower case, accents
// dropped, and every run of other characters than letters and digits made
// one underscore ("E-mail 1 - Value" → "e_mail_1_value", "Prénom" →
// "prenom").
func fold(h string) string {
	var b strings.Builder
	gap := false
	for _, r := range norm.NFD.String(strings.ToLower(h)) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// an accent, split off its letter by NFD
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		default:
			gap = true
		}
	}
	return b.String()
}
