package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/runtime"
)

// DefaultMaxBodyBytes caps the size of a request body; larger bodies get 413.
const DefaultMaxBodyBytes = 10 << 20

// dataPrefix is the path prefix of every resource route.
const dataPrefix = "/data/"

// Response headers of the server beyond the standard ones.
const (
	HeaderTotalCount       = "Total-Count"
	HeaderNextCursor       = "Next-Cursor"
	HeaderPrunedProperties = "Pruned-Properties"
)

// route is a resource's canonical endpoint pair.
type route struct {
	project, resource string
}

// Store is what the server uses of a *runtime.Store (tests give a fake).
type Store interface {
	Manifest() *manifest.Manifest
	Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (runtime.WriteResult, error)
	Update(ctx context.Context, projectEndpoint, endpoint, id string, body []byte, ifMatch string) (runtime.WriteResult, error)
	Get(ctx context.Context, projectEndpoint, endpoint, id string) (runtime.Document, error)
	Query(ctx context.Context, projectEndpoint, endpoint string, q runtime.QueryOptions) (runtime.Page, error)
	Delete(ctx context.Context, projectEndpoint, endpoint, id, ifMatch string) error
}

var _ Store = (*runtime.Store)(nil)

// handler serves /data/{project}/{resource}[/{id}] over a store.
type handler struct {
	st      Store
	routes  map[string]route // lower-case "project/resource" → canonical
	maxBody int64
	errLog  io.Writer
}

// newHandler returns the resource handler over st. Unexpected errors
// (answered with 500) are logged to errLog (nil = discarded). Project and
// resource endpoints match case-insensitively, as in Ed-Fi.
func newHandler(st Store, errLog io.Writer) *handler {
	if errLog == nil {
		errLog = io.Discard
	}
	h := &handler{st: st, routes: map[string]route{}, maxBody: DefaultMaxBodyBytes, errLog: errLog}
	for _, r := range st.Manifest().Resources {
		h.routes[strings.ToLower(r.ProjectEndpoint+"/"+r.EndpointName)] = route{project: r.ProjectEndpoint, resource: r.EndpointName}
	}
	return h
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, id, p := h.match(r.URL.Path)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	switch {
	case id == "" && r.Method == http.MethodGet:
		h.query(w, r, rt)
	case id == "" && r.Method == http.MethodPost:
		h.upsert(w, r, rt)
	case id != "" && r.Method == http.MethodGet:
		h.get(w, r, rt, id)
	case id != "" && r.Method == http.MethodPut:
		h.update(w, r, rt, id)
	case id != "" && r.Method == http.MethodDelete:
		h.delete(w, r, rt, id)
	default:
		allow := "GET, POST"
		if id != "" {
			allow = "GET, PUT, DELETE"
		}
		w.Header().Set("Allow", allow)
		WriteProblem(w, newProblem(http.StatusMethodNotAllowed, TypeMethodNotAllowed, "Method Not Allowed",
			fmt.Sprintf("%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, allow)))
	}
}

// match splits a path into its resource route and id ("" for the
// collection), or returns a 404 problem.
func (h *handler) match(path string) (route, string, *Problem) {
	rest, ok := strings.CutPrefix(path, dataPrefix)
	if !ok {
		return route{}, "", notFound(fmt.Sprintf("no route matches %s; resources are served at %s{project}/{resource}[/{id}]", path, dataPrefix))
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return route{}, "", notFound(fmt.Sprintf("no route matches %s; resources are served at %s{project}/{resource}[/{id}]", path, dataPrefix))
	}
	rt, ok := h.routes[strings.ToLower(parts[0]+"/"+parts[1])]
	if !ok {
		return route{}, "", notFound(fmt.Sprintf("no resource is served at %s%s/%s", dataPrefix, parts[0], parts[1]))
	}
	if len(parts) == 3 {
		if !isDocumentUUID(parts[2]) {
			return route{}, "", notFound(fmt.Sprintf("%q is not a document id (a UUID)", parts[2]))
		}
		return rt, strings.ToLower(parts[2]), nil
	}
	return rt, "", nil
}

// fail answers with err's problem, logging unexpected errors.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := ProblemFor(err)
	if p.Status == http.StatusInternalServerError {
		fmt.Fprintf(h.errLog, "dmsc: %s %s: %v\n", r.Method, r.URL.RequestURI(), err)
	}
	WriteProblem(w, p)
}

// readDocument reads a JSON object request body, or returns the problem
// (413 when larger than the cap, 400 when not a JSON object).
func (h *handler) readDocument(w http.ResponseWriter, r *http.Request) ([]byte, *Problem) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, newProblem(http.StatusRequestEntityTooLarge, TypeTooLarge, "Payload Too Large",
				fmt.Sprintf("the request body exceeds %d bytes", tooLarge.Limit))
		}
		return nil, badRequest("reading the request body: " + err.Error())
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, badRequest("a JSON object request body is required")
	}
	if !json.Valid(body) {
		detail := "the request body is not valid JSON"
		if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
			detail += ": " + err.Error()
		}
		return nil, badRequest(detail)
	}
	if bytes.TrimSpace(body)[0] != '{' {
		return nil, badRequest("the request body must be a JSON object")
	}
	return body, nil
}

// isDocumentUUID reports whether s has the form of a UUID
// (8-4-4-4-12 hexadecimal digits).
func isDocumentUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
