package sandbox

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strconv"
	"sync"

	"github.com/prolifi/prolifi-import/client"
)

// answers writes the emulator's replies and counts them by status, so that
// every handler and middleware answers the same way and Stats sees them all.
type answers struct {
	mu       sync.Mutex
	byStatus map[int]int
}

func newAnswers() *answers {
	return &answers{byStatus: make(map[int]int)}
}

// problem answers with the API's error body.
func (a *answers) problem(w http.ResponseWriter, status int, typ, msg string, fields []client.FieldError) {
	a.json(w, status, client.ErrorBody{Error: client.ErrorDetail{Type: typ, Message: msg, Errors: fields}})
}

// json answers with v encoded as JSON.
func (a *answers) json(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"type":"api_error","message":"encoding failed"}}`)
	}
	a.count(status)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// page answers with an HTML page, as a proxy in front of the API does.
func (a *answers) page(w http.ResponseWriter, status int, html string) {
	a.count(status)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, html)
}

func (a *answers) count(status int) {
	a.mu.Lock()
	a.byStatus[status]++
	a.mu.Unlock()
}

// counts returns a copy of the answers counted by status and their total.
func (a *answers) counts() (map[int]int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	total := 0
	for _, n := range a.byStatus {
		total += n
	}
	return maps.Clone(a.byStatus), total
}
