package sandbox

import (
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/prolifi/prolifi-import/client"
)

// store keeps created customers in memory. In lean mode it keeps only what
// conflict detection and look-ups need, so that million-row benchmarks do not
// measure the emulator's memory.
type store struct {
	mu        sync.Mutex
	lean      bool
	byExt     map[string]*client.Customer
	emails    map[string]int // lower-cased email → customers created with it
	created   int
	dupEmails int
}

func newStore(lean bool) *store {
	return &store{lean: lean, byExt: make(map[string]*client.Customer), emails: make(map[string]int)}
}

// countries maps the few country ids the emulator knows to their names; any
// other well-formed id is accepted and returns no country name.
func countryName(id string) *string {
	var name string
	switch strings.ToLower(id) {
	case "d290f1ee-6c54-4b01-90e6-d701748f0851":
		name = "United States"
	case "5b6f2d0e-1c3a-4e8b-9f7d-2a4c6e8b0d1f":
		name = "Nigeria"
	case "8c1e4a7b-3d5f-4b9e-a2c6-7f0e1d3b5a9c":
		name = "Germany"
	default:
		return nil
	}
	return &name
}

// create stores a new customer built from a normalized, valid request. It
// returns nil and false when the external_id is taken.
func (s *store) create(r client.CreateCustomerRequest, now time.Time) (*client.Customer, bool) {
	c := &client.Customer{
		ID:        uuid.NewString(),
		Email:     r.Email,
		Type:      "individual",
		Status:    "active",
		CreatedAt: now.UTC(),
		UpdatedAt: now.UTC(),
		Metadata:  r.Metadata,
	}
	first, last := r.FirstName, r.LastName
	if r.Name != "" && first == "" && last == "" {
		// The docs split a full name at its first space: "Ana María López"
		// becomes first "Ana", last "María López".
		first, last, _ = strings.Cut(r.Name, " ")
		last = strings.TrimSpace(last)
	}
	c.FirstName, c.LastName = opt(first), opt(last)
	c.Name = opt(strings.TrimSpace(first + " " + last))
	if r.CompanyName != "" {
		c.CompanyName = opt(r.CompanyName)
		c.Type = "business"
	}
	c.ExternalID, c.Phone, c.CountryID = opt(r.ExternalID), opt(r.Phone), opt(r.CountryID)
	if r.CountryID != "" {
		c.Country = countryName(r.CountryID)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if r.ExternalID != "" {
		if _, taken := s.byExt[r.ExternalID]; taken {
			return nil, false
		}
		stored := c
		if s.lean {
			stored = &client.Customer{ID: c.ID, Email: c.Email, ExternalID: c.ExternalID, Status: c.Status, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
		}
		s.byExt[r.ExternalID] = stored
	}
	email := strings.ToLower(r.Email)
	if s.emails[email] > 0 {
		s.dupEmails++
	}
	if !s.lean {
		s.emails[email]++
	}
	s.created++
	return c, true
}

func (s *store) get(externalID string) (client.Customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byExt[externalID]
	if !ok {
		return client.Customer{}, false
	}
	return *c, true
}

// counts returns how many customers were created, and how many of them with
// an email already used.
func (s *store) counts() (created, duplicateEmails int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created, s.dupEmails
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// withEmail counts the customers created with email (any case). Lean mode
// does not keep emails: it answers 0.
func (s *store) withEmail(email string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emails[strings.ToLower(email)]
}
