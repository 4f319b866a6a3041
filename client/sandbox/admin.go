package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// LimitPath is the emulator's own control for its rate limit, outside the
// API's paths: GET reads the limit, POST ?rate=R&burst=B changes it for
// every key at once (burst optional; rate 0 lifts the limit). Its answers
// are not counted in Stats.
const LimitPath = "/_emulator/limit"

// limitView is the limit as LimitPath shows it.
type limitView struct {
	Rate   float64 `json:"rate"`
	Burst  int     `json:"burst"`
	Window string  `json:"window,omitempty"`
}

// serveLimit answers LimitPath.
func (s *Server) serveLimit(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		q := r.URL.Query()
		rate, err := strconv.ParseFloat(q.Get("rate"), 64)
		if err != nil || rate < 0 {
			http.Error(w, "rate must be a number of requests per second, 0 or more", http.StatusBadRequest)
			return
		}
		burst := 0
		if b := q.Get("burst"); b != "" {
			if burst, err = strconv.Atoi(b); err != nil || burst < 0 {
				http.Error(w, "burst must be a whole number, 0 or more", http.StatusBadRequest)
				return
			}
		}
		s.SetLimit(rate, burst)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "use GET or POST", http.StatusMethodNotAllowed)
		return
	}
	p := s.limits.current()
	v := limitView{Rate: p.rate, Burst: p.burst}
	if p.window > 0 {
		v.Window = p.window.String()
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
