package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// maxSuccessBody caps a 2xx body: a customer is a few hundred bytes.
const maxSuccessBody = 1 << 20

// do sends one request and reads its answer. Whenever an HTTP answer came
// back, the *Response is returned with it, error or not.
func (c *Client) do(ctx context.Context, method, rawURL string, body []byte) (*Customer, *Response, error) {
	path := strings.TrimPrefix(rawURL, c.base)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	// Whether the request was written in full decides, on failure, between
	// "nothing happened" and "the customer may exist".
	var sent atomic.Bool
	var wrote atomic.Int64 // when, in Unix nanoseconds of c.now
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(c.now().UnixNano())
				sent.Store(true)
			}
		},
	})
	req, err := c.newRequest(ctx, method, rawURL, body)
	if err != nil {
		return nil, nil, &TransportError{Method: method, Path: path, Err: err}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in the TransportError
		}
		return nil, nil, &TransportError{Method: method, Path: path, Sent: sent.Load(), Err: c.redactErr(err)}
	}
	defer func() {
		// Drain what is left so the connection goes back to the pool.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxSuccessBody))
		resp.Body.Close()
	}()
	r := newResponse(resp, c.now())
	if w := wrote.Load(); w != 0 {
		r.Wrote = time.Unix(0, w)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, r, c.apiError(resp, r)
	}
	var env CustomerEnvelope
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxSuccessBody)).Decode(&env); err != nil || env.Data.ID == "" {
		if err == nil {
			err = errors.New("no data.id in the answer")
		}
		return nil, r, &DecodeError{Status: resp.StatusCode, Err: c.redactErr(err)}
	}
	c.redactCustomer(&env.Data)
	return &env.Data, r, nil
}

// newRequest builds a request with the key and the JSON headers.
func (c *Client) newRequest(ctx context.Context, method, rawURL string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.ua)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// apiError reads a non-2xx answer, through a size limit, into an *APIError
// with the key redacted from anything the server echoed.
func (c *Client) apiError(resp *http.Response, r *Response) *APIError {
	// A body cut short still leaves the status: the answer stands on it.
	// The key is taken out of the whole body before any of it is kept, so
	// that no cut can leave part of it behind.
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	ae := parseAPIError(r, []byte(c.redact(string(data))))
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		ae.Location = c.redact(locationHost(resp))
	}
	ae.Type, ae.Message, ae.Body = c.redact(ae.Type), c.redact(ae.Message), c.redact(ae.Body)
	for i := range ae.FieldErrors {
		ae.FieldErrors[i].Field = c.redact(ae.FieldErrors[i].Field)
		ae.FieldErrors[i].Message = c.redact(ae.FieldErrors[i].Message)
	}
	return ae
}

// redactCustomer takes the key out of every text of a customer the server
// sent: a hostile or broken server may echo it anywhere.
func (c *Client) redactCustomer(cu *Customer) {
	cu.ID, cu.Email, cu.Type, cu.Status = c.redact(cu.ID), c.redact(cu.Email), c.redact(cu.Type), c.redact(cu.Status)
	for _, p := range []**string{&cu.ExternalID, &cu.Name, &cu.FirstName, &cu.LastName, &cu.CompanyName, &cu.Phone, &cu.Country, &cu.CountryID} {
		if *p != nil {
			v := c.redact(**p)
			*p = &v
		}
	}
	if strings.Contains(string(cu.Metadata), c.key) {
		cu.Metadata = nil
	}
}

// locationHost is the host a redirect points to: only the host, since the
// rest of a Location may carry tokens.
func locationHost(resp *http.Response) string {
	loc, err := resp.Location()
	if err != nil {
		if resp.Header.Get("Location") == "" {
			return "(no Location)"
		}
		return "(unreadable Location)"
	}
	return loc.Host
}

// redact removes the key from text the server or the network stack produced.
func (c *Client) redact(s string) string {
	if c.key == "" || !strings.Contains(s, c.key) {
		return s
	}
	return strings.ReplaceAll(s, c.key, "[redacted]")
}

func (c *Client) redactErr(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.key) {
		return err
	}
	return fmt.Errorf("%s", c.redact(err.Error()))
}
