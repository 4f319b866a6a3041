package importer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/prolifi/prolifi-import/client"
)

const (
	uuidDE = "0b6d2c1e-3f4a-4b5c-8d6e-7f8091a2b3c4"
	uuidFR = "1c7e3d2f-4a5b-4c6d-9e7f-8091a2b3c4d5"
)

func TestLoadValueMap(t *testing.T) {
	tests := []struct {
		name, field, in string
		want            map[string]string
		wantErr         string
	}{
		{"no header", FieldCountryID, "Germany," + uuidDE + "\nFR," + uuidFR + "\n",
			map[string]string{"Germany": uuidDE, "FR": uuidFR}, ""},
		{"header that is no uuid", FieldCountryID, "\ufeffcountry;prolifi id\r\nGermany;" + uuidDE + "\r\n",
			map[string]string{"Germany": uuidDE}, ""},
		{"from,to header", FieldCompanyName, "From,To\nACME,Acme Ltd\n", map[string]string{"ACME": "Acme Ltd"}, ""},
		{"header naming the field", FieldCompanyName, "old,Company Name\nACME,Acme Ltd\n", map[string]string{"ACME": "Acme Ltd"}, ""},
		{"first row is data", FieldCompanyName, "ACME,Acme Ltd\nIBM,IBM Corp\n", map[string]string{"ACME": "Acme Ltd", "IBM": "IBM Corp"}, ""},
		{"empty target", FieldCountryID, "Unknown,\n", map[string]string{"Unknown": ""}, ""},
		{"same pair twice", FieldCountryID, "DE," + uuidDE + "\nDE," + uuidDE + "\n", map[string]string{"DE": uuidDE}, ""},
		{"bad target", FieldCountryID, "from,to\nDE," + uuidDE + "\nFR,France\n", nil,
			`value map for country_id, line 3: "France" must be a UUID`},
		{"three cells", FieldCountryID, "DE," + uuidDE + ",x\n", nil, "line 1: want 2 cells (from,to), got 3"},
		{"mapped twice", FieldCountryID, "DE," + uuidDE + "\nDE," + uuidFR + "\n", nil, `line 2: "DE" is mapped twice`},
		{"empty source", FieldCountryID, "from,to\n," + uuidDE + "\n", nil, "line 2: the value to map from is empty"},
		{"not a field", "metadata", "a,b\n", nil, `value map for "metadata": not a field`},
		{"bad csv", FieldCountryID, "\"DE,x\n", nil, "read value map for country_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadValueMap(strings.NewReader(tt.in), tt.field)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReaderValueMaps(t *testing.T) {
	countries := map[string]string{"Germany": uuidDE, "germany ": uuidDE, "FR": uuidFR, "Fr": uuidDE, "fr": uuidFR, "Nowhere": ""}
	in := "email,Country,Company\n" +
		"a@b.co,Germany,x\n" + // exact
		"b@b.co,  GERMANY ,x\n" + // trimmed, case ignored
		"c@b.co,Fr,x\n" + // exact wins over the clash below
		"d@b.co,fR,x\n" + // two entries with different targets fold to "fr"
		"e@b.co,Spain,x\n" + // missing
		"f@b.co,,x\n" + // empty: nothing to look up
		"g@b.co,Nowhere,x\n" // mapped to empty: no country
	_, rows := mustRead(t, strings.NewReader(in), ReaderConfig{
		Map:       MapOptions{Explicit: map[string]string{"Country": FieldCountryID}},
		ValueMaps: map[string]map[string]string{FieldCountryID: countries, FieldCompanyName: {"x": "X Ltd"}},
	})
	var got []string
	for _, row := range rows {
		s := row.Request.CountryID + "|" + row.Request.CompanyName
		if row.Problem != nil {
			s = client.JoinFieldErrors(row.Problem.FieldErrors)
		}
		got = append(got, s)
	}
	want := []string{
		uuidDE + "|X Ltd", uuidDE + "|X Ltd", uuidDE + "|X Ltd",
		`country_id: "fR" matches more than one entry of the value map, with different values, when case is ignored`,
		`country_id: "Spain" is not in the value map`,
		"|X Ltd", "|X Ltd",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rows[1].Fields[1] != "  GERMANY " {
		t.Errorf("fields %q: a value map changes the request, not the cells as read", rows[1].Fields)
	}

	for _, tt := range []struct {
		maps    map[string]map[string]string
		wantErr string
	}{
		{map[string]map[string]string{FieldPhone: {}}, "a value map is given for phone, but no column maps to phone"},
		{map[string]map[string]string{"metadata": {}}, `value map for "metadata": not a field`},
	} {
		if _, err := NewReader(strings.NewReader(in), ReaderConfig{ValueMaps: tt.maps}); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("err %v, want %q", err, tt.wantErr)
		}
	}
}
