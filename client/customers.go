package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// CreateCustomerRequest is the body of POST /customers. Empty strings are
// omitted from the JSON: the API treats an absent field and an empty one
// differently (an empty country_id is not a UUID).
type CreateCustomerRequest struct {
	Email       string          `json:"email"`
	Name        string          `json:"name,omitempty"`
	FirstName   string          `json:"first_name,omitempty"`
	LastName    string          `json:"last_name,omitempty"`
	CompanyName string          `json:"company_name,omitempty"`
	ExternalID  string          `json:"external_id,omitempty"`
	Phone       string          `json:"phone,omitempty"`
	CountryID   string          `json:"country_id,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"` // a JSON object, or nil
}

// Customer is a customer as the API returns it.
type Customer struct {
	ID          string          `json:"id"`
	ExternalID  *string         `json:"external_id"`
	Email       string          `json:"email"`
	Name        *string         `json:"name"`
	FirstName   *string         `json:"first_name"`
	LastName    *string         `json:"last_name"`
	CompanyName *string         `json:"company_name"`
	Phone       *string         `json:"phone"`
	Type        string          `json:"type,omitempty"`
	Status      string          `json:"status"`
	Country     *string         `json:"country"`
	CountryID   *string         `json:"country_id"`
	Metadata    json.RawMessage `json:"metadata"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

// CustomerEnvelope is the {"data": …} wrapper the API puts around a customer.
type CustomerEnvelope struct {
	Data Customer `json:"data"`
}

// CreateCustomer creates one customer. The *Response is set whenever an HTTP
// answer came back. A non-2xx answer is an *APIError; a 2xx whose body holds
// no customer is a *DecodeError; no answer at all is a *TransportError that
// says whether the request may have reached the server.
func (c *Client) CreateCustomer(ctx context.Context, req CreateCustomerRequest) (*Customer, *Response, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, nil, err
	}
	return c.do(ctx, http.MethodPost, c.base+"/customers", body)
}

// GetCustomer looks a customer up by the external_id it was created with.
func (c *Client) GetCustomer(ctx context.Context, externalID string) (*Customer, *Response, error) {
	return c.do(ctx, http.MethodGet, c.base+"/customers/"+url.PathEscape(externalID), nil)
}
