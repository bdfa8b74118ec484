package main

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/rulebridge/rulebridge/rules"
)

// newHandler returns the HTTP API of "rulebridge run --listen": POST
// /events, GET /metrics and GET /healthz. Other methods get 405 with an
// Allow header, other paths 404. snapshot returns the counters to expose,
// ruleSnapshot the rules' counters.
// invalid counts the inputs refused before they reach the bus, which
// counts those it refuses itself; the handler adds the entries it cannot
// decode. A non-empty token is required, as "Authorization: Bearer
// TOKEN", by POST /events and GET /metrics (not by GET /healthz, which
// load balancers probe).
func newHandler(bus *rules.Bus, snapshot func() rules.Metrics, ruleSnapshot func() []rules.RuleMetrics, invalid *atomic.Int64, token string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /events", requireToken(token, &eventsHandler{bus: bus, invalid: invalid}))
	mux.Handle("GET /metrics", requireToken(token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		writeMetrics(w, snapshot(), ruleSnapshot(), invalid.Load())
	})))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	return mux
}

// requireToken returns h behind a bearer-token check: a request without
// "Authorization: Bearer <token>" gets 401 and never reaches h. The
// comparison takes the same time whatever the token sent. An empty token
// returns h as it is.
func requireToken(token string, h http.Handler) http.Handler {
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rulebridge"`)
			writeError(w, http.StatusUnauthorized, "UnrecognizedClientException",
				"the request has no valid bearer token (Authorization: Bearer <token from --token-file>)")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// eventsHandler answers POST /events as EventBridge's PutEvents does.
type eventsHandler struct {
	bus     *rules.Bus
	invalid *atomic.Int64
}

// putEventsRequest is the body of POST /events.
type putEventsRequest struct {
	Entries []json.RawMessage
}

// putEventsResponse is PutEvents' answer, with EventBridge's member names.
type putEventsResponse struct {
	FailedEntryCount int
	Entries          []entryResult
}

type entryResult struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

// apiError is the body of an error answer, in the shape of the AWS JSON
// protocol's errors.
type apiError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

func (h *eventsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxBodySize {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
			fmt.Sprintf("the request body is %d bytes; the limit is %d", r.ContentLength, maxBodySize))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge",
				fmt.Sprintf("the request body is over the limit of %d bytes", maxBodySize))
			return
		}
		writeError(w, http.StatusBadRequest, "SerializationException", "reading the request body: "+err.Error())
		return
	}
	entries, err := decodeRequest(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	resp, err := h.put(r, entries)
	if errors.Is(err, rules.ErrClosed) {
		writeError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "the bus is shutting down")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// decodeRequest checks the shape of a PutEvents request and returns its
// entries, 1 to 10 of them. Its errors are the answer's message.
func decodeRequest(body []byte) ([]json.RawMessage, error) {
	members, err := objectMembers(body)
	if err != nil {
		return nil, fmt.Errorf("the request body must be a JSON object {\"Entries\": [...]}: %v", err)
	}
	var req putEventsRequest
	if len(members) == 0 {
		return nil, errors.New("the request has no Entries")
	}
	for _, m := range members {
		if m.name != "Entries" {
			return nil, fmt.Errorf("unknown member %q in the request; it takes only Entries", m.name)
		}
		if err := json.Unmarshal(m.value, &req.Entries); err != nil {
			return nil, errors.New("the request's Entries must be an array of PutEvents entries")
		}
	}
	if n := len(req.Entries); n < 1 || n > rules.MaxEntriesPerCall {
		return nil, fmt.Errorf("the request has %d Entries; PutEvents takes 1 to %d", n, rules.MaxEntriesPerCall)
	}
	return req.Entries, nil
}

// put decodes the entries and puts those that decode on the bus, in one
// PutEvents call; entries that do not decode get InvalidArgument. The
// results keep the request's order.
func (h *eventsHandler) put(r *http.Request, raw []json.RawMessage) (putEventsResponse, error) {
	resp := putEventsResponse{Entries: make([]entryResult, len(raw))}
	entries := make([]rules.Entry, 0, len(raw))
	index := make([]int, 0, len(raw)) // index[k]: the request position of entries[k]
	for i, e := range raw {
		in, err := decodeInput(e, false)
		if err != nil {
			resp.Entries[i] = entryResult{ErrorCode: rules.InvalidArgument, ErrorMessage: err.Error()}
			resp.FailedEntryCount++
			h.invalid.Add(1)
			continue
		}
		entries = append(entries, in.entry)
		index = append(index, i)
	}
	if len(entries) == 0 {
		return resp, nil
	}
	res, err := h.bus.PutEvents(r.Context(), entries...)
	if err != nil {
		return resp, err
	}
	for k, e := range res.Entries {
		resp.Entries[index[k]] = entryResult{EventID: e.EventID, ErrorCode: e.ErrorCode, ErrorMessage: e.ErrorMessage}
		if e.ErrorCode != "" {
			resp.FailedEntryCount++
		}
	}
	return resp, nil
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(apiError{Type: typ, Message: msg})
}
