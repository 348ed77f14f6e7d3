package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/telemetry"
)

// dataPrefix is the path prefix of every resource route.
const dataPrefix = "/data/"

// Response headers of the server beyond the standard ones.
const (
	HeaderTotalCount       = "Total-Count"
	HeaderNextCursor       = "Next-Cursor"
	HeaderPrunedProperties = "Pruned-Properties"
)

// route is a resource's canonical endpoint pair, with what the handler
// needs to explain a query: the resource's name and its query field
// names (sorted).
type route struct {
	project, resource string
	name              string
	queryFields       []string
}

// Store is what the server uses of a *relstore.Store (tests give a fake).
// GET /ready also needs it to be a ReadyChecker (*relstore.Store is one).
type Store interface {
	Manifest() *manifest.Manifest
	Upsert(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error)
	Update(ctx context.Context, projectEndpoint, endpoint, id string, body []byte, ifMatch string) (relstore.WriteResult, error)
	Get(ctx context.Context, projectEndpoint, endpoint, id string) (relstore.Document, error)
	Query(ctx context.Context, projectEndpoint, endpoint string, q relstore.QueryOptions) (relstore.Page, error)
	Delete(ctx context.Context, projectEndpoint, endpoint, id, ifMatch string) error
}

var _ Store = (*relstore.Store)(nil)

// handler serves /data/{project}/{resource}[/{id}] over a store, and
// the index (/), /health and /ready.
type handler struct {
	st      Store
	routes  map[string]route // lower-case "project/resource" → canonical
	opts    Options
	readers chan struct{} // one token per body being read or written
	errLog  io.Writer
	// indexJSON and indexHTML are GET / in its two representations,
	// rendered once.
	indexJSON, indexHTML []byte
	// ready runs and shares the readiness checks of GET /ready.
	ready *readiness
	// docAuth is the store when it applies document-level authorization
	// itself (DocumentAuthorizer), else nil.
	docAuth DocumentAuthorizer
}

// newHandler returns the resource handler over st; opts has its defaults.
// Unexpected errors are logged to errLog. Project and resource endpoints
// match case-insensitively, as in Ed-Fi.
func newHandler(st Store, opts Options, errLog io.Writer) *handler {
	m := st.Manifest()
	h := &handler{st: st, routes: map[string]route{}, opts: opts, readers: make(chan struct{}, opts.MaxBodyReaders), errLog: errLog}
	for _, r := range m.Resources {
		h.routes[strings.ToLower(r.ProjectEndpoint+"/"+r.EndpointName)] = route{
			project: r.ProjectEndpoint, resource: r.EndpointName,
			name: r.ResourceName, queryFields: queryFieldNames(r),
		}
	}
	h.indexJSON, h.indexHTML = renderIndex(m)
	h.ready = newReadiness(st, opts.RequestTimeout)
	if da, ok := st.(DocumentAuthorizer); ok {
		h.docAuth = da
	}
	return h
}

// Paths of the routes outside /data/.
const (
	pathIndex  = "/"
	pathHealth = "/health"
	pathReady  = "/ready"
	// pathMetrics serves Options.MetricsHandler.
	pathMetrics = "/metrics"
)

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case pathIndex, pathHealth, pathReady:
		if inf := infoFrom(r.Context()); inf != nil {
			inf.op = telemetry.OpInfo
		}
		h.serveInfo(w, r)
		return
	case pathMetrics:
		if inf := infoFrom(r.Context()); inf != nil {
			inf.op = telemetry.OpInfo
		}
		h.serveMetrics(w, r)
		return
	}
	if h.opts.Auth != nil {
		// Before anything else: a caller that is not authenticated learns
		// nothing of the routes, and no body is read for it.
		ar, p := h.authenticate(w, r)
		if p != nil {
			WriteProblem(w, p)
			return
		}
		r = ar
	}
	rt, id, p := h.match(r.URL.Path)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	switch {
	case id == "" && r.Method == http.MethodGet:
		noteRoute(r, telemetry.OpQuery, rt)
		h.query(w, r, rt)
	case id == "" && r.Method == http.MethodPost:
		noteRoute(r, telemetry.OpUpsert, rt)
		h.upsert(w, r, rt)
	case id != "" && r.Method == http.MethodGet:
		noteRoute(r, telemetry.OpGet, rt)
		h.get(w, r, rt, id)
	case id != "" && r.Method == http.MethodPut:
		noteRoute(r, telemetry.OpUpdate, rt)
		h.update(w, r, rt, id)
	case id != "" && r.Method == http.MethodDelete:
		noteRoute(r, telemetry.OpDelete, rt)
		h.delete(w, r, rt, id)
	default:
		allow := "GET, POST"
		if id != "" {
			allow = "GET, PUT, DELETE"
		}
		methodNotAllowed(w, r, allow)
	}
}

// serveInfo serves GET on /, /health and /ready: no body, no conditions.
func (h *handler) serveInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w, r, "GET")
		return
	}
	if p := refuseConditions(r, "If-Match", "If-None-Match"); p != nil {
		WriteProblem(w, p)
		return
	}
	switch r.URL.Path {
	case pathIndex:
		h.index(w, r)
	case pathHealth:
		w.Header().Set("Cache-Control", "no-store")
		respondJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	default:
		h.readyCheck(w, r)
	}
}

// methodNotAllowed answers 405 with the Allow header.
func methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	WriteProblem(w, newProblem(http.StatusMethodNotAllowed, TypeMethodNotAllowed, "Method Not Allowed",
		fmt.Sprintf("%s is not allowed on %s; allowed: %s", clip(r.Method, 32), clip(r.URL.Path, 256), allow)))
}

// match splits a path into its resource route and id ("" for the
// collection), or returns a 404 problem.
func (h *handler) match(path string) (route, string, *Problem) {
	noRoute := func() (route, string, *Problem) {
		return route{}, "", notFound(fmt.Sprintf("no route matches %s; resources are served at %s{project}/{resource}[/{id}] (GET / lists them)", clip(path, 256), dataPrefix))
	}
	rest, ok := strings.CutPrefix(path, dataPrefix)
	if !ok {
		return noRoute()
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 {
		return noRoute()
	}
	rt, ok := h.routes[strings.ToLower(parts[0]+"/"+parts[1])]
	if !ok {
		return route{}, "", notFound(fmt.Sprintf("no resource is served at %s%s/%s", dataPrefix, clip(parts[0], 128), clip(parts[1], 128)))
	}
	if len(parts) == 3 {
		if !isDocumentUUID(parts[2]) {
			return route{}, "", notFound(fmt.Sprintf("%q is not a document id (a UUID)", clip(parts[2], 64)))
		}
		return rt, strings.ToLower(parts[2]), nil
	}
	return rt, "", nil
}

// storeContext returns the context of a store call: the request's, with
// the request timeout.
func (h *handler) storeContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.opts.RequestTimeout)
}

// fail answers with err's problem. Unexpected errors (500) and database
// outages (503) are logged; a request whose client went away answers 400
// (nobody reads it) instead of blaming the server.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && relstore.StatusCode(err) >= 500 {
		WriteProblem(w, badRequest("the client closed the connection before the answer was ready"))
		return
	}
	p := ProblemFor(err)
	if p.Status >= 500 {
		fmt.Fprintf(h.errLog, "dmsc: %s %s: %d: %s%s\n", clip(r.Method, 32), logURI(r), p.Status, clip(err.Error(), maxLogDetail), reqSuffix(r))
	}
	WriteProblem(w, p)
}

// checkJSONContentType returns a 415 problem unless the request declares
// an application/json body (parameters allowed; a charset must be UTF-8).
// It is what keeps a cross-site form or text/plain POST from writing: a
// browser sends application/json cross-site only after a CORS preflight,
// which this server never grants.
func checkJSONContentType(r *http.Request) *Problem {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	detail := "a request body must be sent as Content-Type: application/json"
	if ct == "" {
		detail += "; the request has no Content-Type"
	} else {
		detail += fmt.Sprintf("; the request's is %q", clip(ct, 128))
	}
	return newProblem(http.StatusUnsupportedMediaType, TypeUnsupportedMediaType, "Unsupported Media Type", detail)
}

// readDocument reads a JSON object request body, or returns the problem:
// 415 when not declared JSON, 413 when larger than the cap, 408 when it
// did not arrive within the read timeout, 503 when no body slot freed up,
// 400 when not a JSON object. On success the caller holds a body slot
// until it calls release.
func (h *handler) readDocument(w http.ResponseWriter, r *http.Request) (body []byte, release func(), p *Problem) {
	if p := checkJSONContentType(r); p != nil {
		return nil, nil, p
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		w.Header().Set("Connection", "close")
		return nil, nil, tooLarge(h.opts.MaxBodyBytes)
	}
	wait := time.NewTimer(h.opts.ReadTimeout)
	defer wait.Stop()
	select {
	case h.readers <- struct{}{}:
	case <-r.Context().Done():
		return nil, nil, badRequest("the client closed the connection")
	case <-wait.C:
		return nil, nil, newProblem(http.StatusServiceUnavailable, TypeUnavailable, "Service Unavailable",
			fmt.Sprintf("the server is reading %d other request bodies; retry later", cap(h.readers)))
	}
	release = func() { <-h.readers }
	body, p = h.readBody(w, r)
	if p != nil {
		release()
		return nil, nil, p
	}
	return body, release, nil
}

// readBody reads and checks the body. A declared length is read into one
// buffer of exactly that size; an undeclared (chunked) one grows by
// doubling, never past the cap, so a body costs at most about twice its
// size while it is read.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Problem) {
	body, err := readAllCapped(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes), r.ContentLength, h.opts.MaxBodyBytes)
	if err != nil {
		var tl *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &tl):
			return nil, tooLarge(tl.Limit)
		case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
			w.Header().Set("Connection", "close")
			return nil, newProblem(http.StatusRequestTimeout, TypeRequestTimeout, "Request Timeout",
				fmt.Sprintf("the request body did not arrive within %s", h.opts.ReadTimeout))
		}
		return nil, badRequest("reading the request body: " + clip(err.Error(), 256))
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, badRequest("a JSON object request body is required")
	}
	if !json.Valid(body) {
		detail := "the request body is not valid JSON"
		if err := json.Unmarshal(body, new(json.RawMessage)); err != nil {
			detail += ": " + clip(err.Error(), 256)
		}
		return nil, badRequest(detail)
	}
	if trimmed[0] != '{' {
		return nil, badRequest("the request body must be a JSON object")
	}
	return body, nil
}

// readAllCapped reads r to its end: exactly length bytes when length >= 0
// (net/http's body reader stops there), else growing a buffer up to
// limit+1 bytes (r reports the excess).
func readAllCapped(r io.Reader, length, limit int64) ([]byte, error) {
	if length >= 0 {
		buf := make([]byte, length)
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	buf := make([]byte, 0, 64<<10)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
			if int64(cap(buf)) > limit+1 {
				buf = buf[: len(buf) : limit+1]
			}
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// tooLarge returns the 413 problem of a body over limit bytes.
func tooLarge(limit int64) *Problem {
	return newProblem(http.StatusRequestEntityTooLarge, TypeTooLarge, "Payload Too Large",
		fmt.Sprintf("the request body exceeds %d bytes", limit))
}

// checkHost wraps h so that a request whose Host header (without port) is
// not one of hosts gets 421: a page whose DNS name is rebound to 127.0.0.1
// still sends its own name as Host.
func checkHost(h http.Handler, hosts []string) http.Handler {
	allowed := map[string]bool{}
	for _, name := range hosts {
		allowed[strings.ToLower(strings.Trim(name, "[]"))] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allowed[hostName(r.Host)] {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Connection", "close")
		WriteProblem(w, newProblem(http.StatusMisdirectedRequest, TypeMisdirected, "Misdirected Request",
			fmt.Sprintf("this server does not answer for host %q; use one of %s", clip(r.Host, 128), strings.Join(hosts, ", "))))
	})
}

// hostName returns the lower-case host of a Host header value without its
// port and IPv6 brackets ("" when malformed).
func hostName(host string) string {
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 || (end+1 < len(host) && host[end+1] != ':') {
			return ""
		}
		return strings.ToLower(host[1:end])
	}
	if i := strings.IndexByte(host, ':'); i >= 0 {
		if strings.IndexByte(host[i+1:], ':') >= 0 {
			return "" // an IPv6 address must be bracketed
		}
		host = host[:i]
	}
	return strings.ToLower(host)
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
