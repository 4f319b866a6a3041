package sandbox

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prolifi/prolifi-import/client"
)

// customers serves the two operations, POST …/customers and GET
// …/customers/{external_id}, once the middleware has let a request through.
type customers struct {
	store   *store
	ans     *answers
	now     func() time.Time
	maxBody int64
	reject  func(client.CreateCustomerRequest) []client.FieldError
}

func (c *customers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	collection, rest, _ := endpointOf(r)
	switch {
	case collection && r.Method == http.MethodPost:
		if !keyKind(r.Context()).CanWrite() {
			c.ans.problem(w, http.StatusForbidden, client.TypePermission, "This key can only read: creating customers needs a secret (sk_) key.", nil)
			return
		}
		c.create(w, r, drawnFor(r.Context()).kind == faultLost)
	case !collection && r.Method == http.MethodGet && strings.Count(rest, "/") == 1:
		id, err := url.PathUnescape(rest[1:])
		if err != nil || id == "" {
			c.ans.problem(w, http.StatusNotFound, client.TypeNotFound, "No customer has that external_id.", nil)
			return
		}
		c.get(w, id)
	default:
		w.Header().Set("Allow", map[bool]string{true: "POST", false: "GET"}[collection])
		c.ans.problem(w, http.StatusMethodNotAllowed, client.TypeInvalidRequest, "Method not allowed on this endpoint.", nil)
	}
}

// create stores the customer in r's body; with lose set it then drops the
// connection instead of answering.
func (c *customers) create(w http.ResponseWriter, r *http.Request, lose bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		c.ans.problem(w, http.StatusBadRequest, client.TypeInvalidRequest, "The body must be JSON, sent with Content-Type: application/json.", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, c.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.ans.problem(w, http.StatusRequestEntityTooLarge, client.TypeInvalidRequest, "The body is larger than "+strconv.FormatInt(c.maxBody, 10)+" bytes.", nil)
			return
		}
		c.ans.problem(w, http.StatusBadRequest, client.TypeInvalidRequest, "The body could not be read.", nil)
		return
	}
	req, errs, msg := decodeCreate(body)
	if len(errs) == 0 && msg == "" && c.reject != nil {
		errs = c.reject(req)
	}
	if msg != "" {
		c.ans.problem(w, http.StatusBadRequest, client.TypeInvalidRequest, msg, nil)
		return
	}
	if len(errs) > 0 {
		c.ans.problem(w, http.StatusUnprocessableEntity, client.TypeValidation, "The given data was invalid.", errs)
		return
	}
	made, ok := c.store.create(req, c.now())
	if !ok {
		c.ans.problem(w, http.StatusConflict, client.TypeConflict, "A customer with this external_id already exists.", nil)
		return
	}
	if lose {
		drop(w)
		return
	}
	c.ans.json(w, http.StatusCreated, client.CustomerEnvelope{Data: *made})
}

func (c *customers) get(w http.ResponseWriter, externalID string) {
	found, ok := c.store.get(externalID)
	if !ok {
		c.ans.problem(w, http.StatusNotFound, client.TypeNotFound, "No customer has that external_id.", nil)
		return
	}
	c.ans.json(w, http.StatusOK, client.CustomerEnvelope{Data: found})
}
