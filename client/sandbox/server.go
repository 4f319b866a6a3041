package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prolifi/prolifi-import/client"
)

// Config sets the emulator's limits and faults. The zero value is a
// well-behaved API with no rate limit.
type Config struct {
	Rate      float64       // requests per second per key; 0 means no limit
	Burst     int           // bucket size; 0 means one second's worth
	Latency   time.Duration // added before every answer
	FailRate  float64       // probability of a 500/503 answer
	ResetRate float64       // probability the connection is dropped before anything is done
	LostRate  float64       // probability a create succeeds and its answer is lost
	Seed      uint64        // seeds the fault draws
	MaxBody   int64         // largest accepted body; 0 means 64 KiB
	Lean      bool          // keep only what conflicts and look-ups need
	Trace     bool          // record each request's arrival time (see MaxInWindow)
	// Reject adds rules only the server knows (a blocked domain, say), so
	// that tests can meet a 422 that local validation cannot foresee.
	Reject func(client.CreateCustomerRequest) []client.FieldError
	Now    func() time.Time
}

// Server is the emulator. It implements http.Handler and serves the API
// under any path prefix: /customers and /anything/customers both work.
type Server struct {
	cfg    Config
	now    func() time.Time
	store  *store
	limits *limiter
	faults *faults

	mu       sync.Mutex
	byStatus map[int]int
	arrivals []time.Time
}

// New returns an emulator configured by cfg.
func New(cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 64 << 10
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Server{
		cfg:      cfg,
		now:      now,
		store:    newStore(cfg.Lean),
		limits:   newLimiter(cfg.Rate, cfg.Burst),
		faults:   newFaults(cfg.Seed, cfg.ResetRate, cfg.FailRate, cfg.LostRate),
		byStatus: make(map[int]int),
	}
}

// Stats counts what the emulator has seen and done.
type Stats struct {
	Requests        int         // requests answered or dropped
	ByStatus        map[int]int // answers by HTTP status
	Created         int         // customers created
	DuplicateEmails int         // customers created with an email already used
	Resets          int         // connections dropped before doing anything
	Lost            int         // customers created whose answer was dropped
	Failures        int         // injected 5xx answers
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	by := make(map[int]int, len(s.byStatus))
	n := 0
	for k, v := range s.byStatus {
		by[k] = v
		n += v
	}
	s.mu.Unlock()
	s.store.mu.Lock()
	created, dup := s.store.created, s.store.dupEmails
	s.store.mu.Unlock()
	s.faults.mu.Lock()
	resets, lost, fails := s.faults.resetDone, s.faults.lostDn, s.faults.failDone
	s.faults.mu.Unlock()
	return Stats{Requests: n + resets + lost, ByStatus: by, Created: created, DuplicateEmails: dup, Resets: resets, Lost: lost, Failures: fails}
}

// MaxInWindow returns the largest number of requests that arrived within any
// window of length d. It needs Config.Trace.
func (s *Server) MaxInWindow(d time.Duration) int {
	s.mu.Lock()
	t := append([]time.Time(nil), s.arrivals...)
	s.mu.Unlock()
	sort.Slice(t, func(i, j int) bool { return t[i].Before(t[j]) })
	best, lo := 0, 0
	for hi := range t {
		for t[hi].Sub(t[lo]) >= d {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// Customer returns the customer created with externalID, if any.
func (s *Server) Customer(externalID string) (client.Customer, bool) {
	return s.store.get(externalID)
}

// Preload creates customers directly, as if an earlier import had run.
func (s *Server) Preload(reqs ...client.CreateCustomerRequest) {
	for _, r := range reqs {
		s.store.create(client.Normalize(r), s.now())
	}
}

func (s *Server) count(status int) {
	s.mu.Lock()
	s.byStatus[status]++
	s.mu.Unlock()
}

// ServeHTTP routes POST …/customers and GET …/customers/{external_id}.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Trace {
		s.mu.Lock()
		s.arrivals = append(s.arrivals, s.now())
		s.mu.Unlock()
	}
	path := r.URL.EscapedPath()
	i := strings.LastIndex(path, "/customers")
	if i < 0 {
		s.fail(w, http.StatusNotFound, client.TypeNotFound, "no such endpoint", nil)
		return
	}
	rest := path[i+len("/customers"):]
	create := rest == "" || rest == "/"
	f, failStatus := s.faults.draw(create && r.Method == http.MethodPost)
	if f == faultReset {
		drop(w)
		return
	}
	if s.cfg.Latency > 0 && !sleep(r.Context(), s.cfg.Latency) {
		return
	}
	kind, ok := s.auth(w, r)
	if !ok {
		return
	}
	if ok, wait := s.limits.allow(r.Header.Get("Authorization"), s.now()); !ok {
		secs := max(1, int(math.Ceil(wait.Seconds())))
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(secs))
		h.Set("X-RateLimit-Limit", strconv.FormatFloat(s.cfg.Rate, 'f', -1, 64))
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(s.now().Add(wait).Unix()+1, 10))
		s.fail(w, http.StatusTooManyRequests, client.TypeRateLimit, "Too many requests: slow down and retry after the time in Retry-After.", nil)
		return
	}
	if f == fault5xx {
		if failStatus == http.StatusBadGateway {
			// A proxy in front of the API answers with a page, not JSON.
			s.count(failStatus)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(failStatus)
			_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>\n")
			return
		}
		s.fail(w, failStatus, client.TypeAPI, "The server failed to handle the request; it was not processed.", nil)
		return
	}
	switch {
	case create && r.Method == http.MethodPost:
		if !kind.CanWrite() {
			s.fail(w, http.StatusForbidden, client.TypePermission, "This key can only read: creating customers needs a secret (sk_) key.", nil)
			return
		}
		s.create(w, r, f == faultLost)
	case !create && r.Method == http.MethodGet && strings.Count(rest, "/") == 1:
		id, err := url.PathUnescape(rest[1:])
		if err != nil || id == "" {
			s.fail(w, http.StatusNotFound, client.TypeNotFound, "No customer has that external_id.", nil)
			return
		}
		s.get(w, id)
	default:
		w.Header().Set("Allow", map[bool]string{true: "POST", false: "GET"}[create])
		s.fail(w, http.StatusMethodNotAllowed, client.TypeInvalidRequest, "Method not allowed on this endpoint.", nil)
	}
}

// auth checks the bearer key as the API does: absent or malformed is 401.
func (s *Server) auth(w http.ResponseWriter, r *http.Request) (client.KeyKind, bool) {
	h := r.Header.Get("Authorization")
	scheme, key, found := strings.Cut(h, " ")
	if h == "" || !found || !strings.EqualFold(scheme, "Bearer") {
		s.fail(w, http.StatusUnauthorized, client.TypeAuthentication, "Missing or malformed Authorization header: send 'Bearer <api key>'.", nil)
		return client.KeyKind{}, false
	}
	kind, err := client.ParseKey(strings.TrimSpace(key))
	if err != nil {
		s.fail(w, http.StatusUnauthorized, client.TypeAuthentication, "The API key is not valid.", nil)
		return client.KeyKind{}, false
	}
	return kind, true
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, lose bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		s.fail(w, http.StatusBadRequest, client.TypeInvalidRequest, "The body must be JSON, sent with Content-Type: application/json.", nil)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.fail(w, http.StatusRequestEntityTooLarge, client.TypeInvalidRequest, "The body is larger than "+strconv.FormatInt(s.cfg.MaxBody, 10)+" bytes.", nil)
			return
		}
		s.fail(w, http.StatusBadRequest, client.TypeInvalidRequest, "The body could not be read.", nil)
		return
	}
	req, errs, msg := decodeCreate(body)
	if len(errs) == 0 && msg == "" && s.cfg.Reject != nil {
		errs = s.cfg.Reject(req)
	}
	if msg != "" {
		s.fail(w, http.StatusBadRequest, client.TypeInvalidRequest, msg, nil)
		return
	}
	if len(errs) > 0 {
		s.fail(w, http.StatusUnprocessableEntity, client.TypeValidation, "The given data was invalid.", errs)
		return
	}
	c, ok := s.store.create(req, s.now())
	if !ok {
		s.fail(w, http.StatusConflict, client.TypeConflict, "A customer with this external_id already exists.", nil)
		return
	}
	if lose {
		drop(w)
		return
	}
	s.reply(w, http.StatusCreated, client.CustomerEnvelope{Data: *c})
}

func (s *Server) get(w http.ResponseWriter, externalID string) {
	c, ok := s.store.get(externalID)
	if !ok {
		s.fail(w, http.StatusNotFound, client.TypeNotFound, "No customer has that external_id.", nil)
		return
	}
	s.reply(w, http.StatusOK, client.CustomerEnvelope{Data: c})
}

// decodeCreate parses a create body the way the API does. A body that is not
// a JSON object gives msg (400); fields of the wrong type or failing the
// rules give errs (422), every failing field at once.
func decodeCreate(body []byte) (req client.CreateCustomerRequest, errs []client.FieldError, msg string) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return req, nil, "The body must be a JSON object."
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &raw); err != nil {
		return req, nil, "The body is not valid JSON."
	}
	bad := map[string]bool{}
	str := func(field string, dst *string, required bool) {
		v, present := raw[field]
		if !present || string(v) == "null" {
			if required {
				errs = append(errs, client.FieldError{Field: field, Message: "is required"})
				bad[field] = true
			}
			return
		}
		if !utf8.Valid(v) {
			errs = append(errs, client.FieldError{Field: field, Message: "must be valid UTF-8 text"})
			bad[field] = true
			return
		}
		if json.Unmarshal(v, dst) != nil {
			m := "must be a string or null"
			if required {
				m = "must be a string"
			}
			errs = append(errs, client.FieldError{Field: field, Message: m})
			bad[field] = true
		}
	}
	str("email", &req.Email, true)
	str("name", &req.Name, false)
	str("first_name", &req.FirstName, false)
	str("last_name", &req.LastName, false)
	str("company_name", &req.CompanyName, false)
	str("external_id", &req.ExternalID, false)
	str("phone", &req.Phone, false)
	str("country_id", &req.CountryID, false)
	if v, ok := raw["metadata"]; ok && string(v) != "null" {
		if len(v) == 0 || v[0] != '{' {
			errs = append(errs, client.FieldError{Field: "metadata", Message: "must be a JSON object or null"})
			bad["metadata"] = true
		} else {
			req.Metadata = v
		}
	}
	req = client.Normalize(req)
	for _, e := range client.Validate(req) {
		if !bad[e.Field] {
			errs = append(errs, e)
		}
	}
	return req, errs, ""
}

func (s *Server) fail(w http.ResponseWriter, status int, typ, msg string, fields []client.FieldError) {
	s.reply(w, status, client.ErrorBody{Error: client.ErrorDetail{Type: typ, Message: msg, Errors: fields}})
}

func (s *Server) reply(w http.ResponseWriter, status int, v any) {
	s.count(status)
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// drop closes the connection with no answer, as a crashed proxy or a network
// cut would. A TCP reset makes the client see it at once.
func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// sleep waits d unless ctx ends first; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
