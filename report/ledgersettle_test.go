package report

import "testing"

func TestParseSettlement(t *testing.T) {
	tests := []struct {
		arg, email, id string
		bad            bool
	}{
		{arg: "a@example.com", email: "a@example.com"},
		{arg: " a@example.com = cus_1 ", email: "a@example.com", id: "cus_1"},
		{arg: "a=b@example.com", email: "a=b@example.com"},
		{arg: "a=b@example.com=cus_1", email: "a=b@example.com", id: "cus_1"},
		{arg: "=a@example.com", email: "=a@example.com"},
		{arg: "cus_1", bad: true},
		{arg: "a=cus_1", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			got, err := ParseSettlement(tt.arg)
			if (err != nil) != tt.bad {
				t.Fatalf("error %v, want error %v", err, tt.bad)
			}
			if !tt.bad && (got.Email != tt.email || got.CustomerID != tt.id) {
				t.Errorf("got %+v, want email %q id %q", got, tt.email, tt.id)
			}
		})
	}
}
