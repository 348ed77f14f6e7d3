package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// checkingStore is a fake store with a CheckReady that counts its calls,
// waits for release (when set) and answers err (or panics with panicV).
type checkingStore struct {
	fakeStore
	calls   atomic.Int32
	release chan struct{}
	err     error
	panicV  any
}

// CheckReady implements ReadyChecker.
func (c *checkingStore) CheckReady(ctx context.Context) error {
	c.calls.Add(1)
	if c.release != nil {
		select {
		case <-c.release:
		case <-ctx.Done():
			return &relstore.UnavailableError{Err: ctx.Err()}
		}
	}
	if c.panicV != nil {
		panic(c.panicV)
	}
	return c.err
}

// infoReply is one answer of a route outside /data/.
type infoReply struct {
	status int
	header http.Header
	body   string
}

// serveInfoRequest sends one request to h.
func serveInfoRequest(h http.Handler, method, path string, header ...string) infoReply {
	req := httptest.NewRequest(method, path, nil)
	req.Host = "localhost:8080"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return infoReply{status: rec.Code, header: rec.Header(), body: rec.Body.String()}
}

// TestServeInfoRoutes covers /, /health and /ready over fake stores: the
// representations, the statuses of readiness, 405 with Allow for other
// methods, refused conditions and the Host check in front of them.
func TestServeInfoRoutes(t *testing.T) {
	mismatch := &relstore.FingerprintError{Database: "aaa", Manifest: "bbb"}
	cases := []struct {
		name         string
		store        Store
		opts         Options
		method, path string
		header       []string
		status       int
		typ          string            // problem type of an error status
		respHeader   map[string]string // "" = absent
		body         []string          // substrings of the body
		notBody      []string          // must not be in the body
	}{
		{name: "index as JSON by default", store: &fakeStore{}, method: "GET", path: "/", status: 200,
			respHeader: map[string]string{"Content-Type": "application/json; charset=utf-8", "Vary": "Accept"},
			body: []string{`{"projects":[{"projectName":"","endpoint":"ed-fi","version":"","isExtension":false,"resources":[` +
				`{"name":"GradeLevelDescriptor","endpoint":"gradeLevelDescriptors","href":"/data/ed-fi/gradeLevelDescriptors","isDescriptor":true},` +
				`{"name":"School","endpoint":"schools","href":"/data/ed-fi/schools","isDescriptor":false}]}]}`}},
		{name: "index as JSON for */*", store: &fakeStore{}, method: "GET", path: "/", header: []string{"Accept", "*/*"}, status: 200,
			respHeader: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
		{name: "index as HTML for a browser", store: &fakeStore{}, method: "GET", path: "/",
			header: []string{"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, status: 200,
			respHeader: map[string]string{"Content-Type": "text/html; charset=utf-8", "Vary": "Accept", "X-Content-Type-Options": "nosniff",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"},
			body:    []string{"<!DOCTYPE html>", `<a href="/data/ed-fi/schools">schools</a> School`, "gradeLevelDescriptors</a> GradeLevelDescriptor (descriptor)"},
			notBody: []string{"<script", "<link", "http://", "https://"}},
		{name: "index as JSON when JSON is preferred", store: &fakeStore{}, method: "GET", path: "/",
			header: []string{"Accept", "text/html;q=0.5, application/json"}, status: 200,
			respHeader: map[string]string{"Content-Type": "application/json; charset=utf-8"}},
		{name: "index ignores its query string", store: &fakeStore{}, method: "GET", path: "/?x=1", status: 200},
		{name: "health", store: &fakeStore{}, method: "GET", path: "/health", status: 200,
			respHeader: map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}, body: []string{`{"status":"ok"}`}},
		{name: "health does not ask the store", store: &checkingStore{err: errors.New("down")}, method: "GET", path: "/health", status: 200},
		{name: "ready", store: &checkingStore{}, method: "GET", path: "/ready", status: 200,
			respHeader: map[string]string{"Cache-Control": "no-store"}, body: []string{`{"status":"ready","effectiveSchemaHash":""}`}},
		{name: "ready with another hash in the database", store: &checkingStore{err: mismatch}, method: "GET", path: "/ready",
			status: 503, typ: TypeFingerprintMismatch, respHeader: map[string]string{"Retry-After": RetryAfter},
			body: []string{"aaa", "bbb", `"errors":[{"database":"aaa","manifest":"bbb"}]`}},
		{name: "ready with the database unreachable", store: &checkingStore{err: errors.New("dial tcp secret-host:5432: refused")}, method: "GET", path: "/ready",
			status: 503, typ: TypeUnavailable, body: []string{"unreachable"}, notBody: []string{"secret-host"}},
		{name: "ready past the request timeout", store: &checkingStore{release: make(chan struct{})}, opts: Options{RequestTimeout: 30 * time.Millisecond},
			method: "GET", path: "/ready", status: 503, typ: TypeUnavailable, body: []string{"did not answer within 30ms"}},
		{name: "ready when the check panics", store: &checkingStore{panicV: "boom"}, method: "GET", path: "/ready", status: 503, typ: TypeUnavailable},
		{name: "ready without a checker", store: &fakeStore{}, method: "GET", path: "/ready", status: 503, typ: TypeUnavailable, body: []string{"no CheckReady method"}},
		{name: "HEAD index", store: &fakeStore{}, method: "HEAD", path: "/", status: 405, respHeader: map[string]string{"Allow": "GET"}},
		{name: "POST index", store: &fakeStore{}, method: "POST", path: "/", status: 405, typ: TypeMethodNotAllowed, respHeader: map[string]string{"Allow": "GET"}},
		{name: "HEAD health", store: &fakeStore{}, method: "HEAD", path: "/health", status: 405, respHeader: map[string]string{"Allow": "GET"}},
		{name: "OPTIONS health", store: &fakeStore{}, method: "OPTIONS", path: "/health", status: 405, typ: TypeMethodNotAllowed, respHeader: map[string]string{"Allow": "GET", "Access-Control-Allow-Origin": ""}},
		{name: "DELETE ready", store: &checkingStore{}, method: "DELETE", path: "/ready", status: 405, typ: TypeMethodNotAllowed, respHeader: map[string]string{"Allow": "GET"}},
		{name: "If-None-Match on the index", store: &fakeStore{}, method: "GET", path: "/", header: []string{"If-None-Match", "*"}, status: 400, typ: TypeBadRequest, body: []string{"If-None-Match is not supported on /"}},
		{name: "trailing slash is another path", store: &fakeStore{}, method: "GET", path: "/health/", status: 404, typ: TypeNotFound},
		{name: "Host check before the index", store: &fakeStore{}, opts: Options{AllowedHosts: LoopbackHosts}, method: "GET", path: "/", header: []string{"Host", "evil.example"}, status: 421, typ: TypeMisdirected},
		{name: "Host check before health", store: &fakeStore{}, opts: Options{AllowedHosts: LoopbackHosts}, method: "GET", path: "/health", header: []string{"Host", "127.0.0.1.nip.io"}, status: 421, typ: TypeMisdirected},
		{name: "Host check before ready", store: &checkingStore{}, opts: Options{AllowedHosts: LoopbackHosts}, method: "GET", path: "/ready", header: []string{"Host", "evil.example:8080"}, status: 421, typ: TypeMisdirected},
		{name: "allowed Host", store: &fakeStore{}, opts: Options{AllowedHosts: LoopbackHosts}, method: "GET", path: "/health", status: 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := New(c.store, c.opts)
			req := httptest.NewRequest(c.method, c.path, nil)
			req.Host = "localhost:8080"
			for i := 0; i+1 < len(c.header); i += 2 {
				if c.header[i] == "Host" {
					req.Host = c.header[i+1]
				} else {
					req.Header.Set(c.header[i], c.header[i+1])
				}
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if cs, ok := c.store.(*checkingStore); ok && cs.release != nil {
				close(cs.release)
			}
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if c.typ != "" {
				var p Problem
				if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
					t.Fatalf("not a problem: %v %s", rec.Header(), rec.Body)
				}
				if p.Type != c.typ || p.Status != c.status || p.Title == "" || p.Detail == "" {
					t.Errorf("problem %+v, want type %s", p, c.typ)
				}
			}
			for k, v := range c.respHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			for _, s := range c.body {
				if !strings.Contains(rec.Body.String(), s) {
					t.Errorf("body lacks %q:\n%s", s, rec.Body)
				}
			}
			for _, s := range c.notBody {
				if strings.Contains(rec.Body.String(), s) {
					t.Errorf("body holds %q:\n%s", s, rec.Body)
				}
			}
		})
	}
}

// TestServeReadySharesChecks checks that concurrent GET /ready requests
// share one check, that its outcome answers for readyReuse, and that a
// check then runs again.
func TestServeReadySharesChecks(t *testing.T) {
	st := &checkingStore{release: make(chan struct{})}
	h := New(st, Options{})
	const n = 20
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = serveInfoRequest(h, "GET", "/ready").status
		}()
	}
	// Let the requests reach the check before it ends.
	for deadline := time.Now().Add(5 * time.Second); st.calls.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(st.release)
	wg.Wait()
	for i, s := range statuses {
		if s != 200 {
			t.Errorf("request %d: %d, want 200", i, s)
		}
	}
	if got := st.calls.Load(); got != 1 {
		t.Errorf("%d concurrent requests ran %d checks, want 1", n, got)
	}
	if r := serveInfoRequest(h, "GET", "/ready"); r.status != 200 || st.calls.Load() != 1 {
		t.Errorf("a request right after: %d with %d checks; want 200 from the same check", r.status, st.calls.Load())
	}
	time.Sleep(readyReuse + 50*time.Millisecond)
	st.err = &relstore.FingerprintError{Database: "x", Manifest: "y"}
	if r := serveInfoRequest(h, "GET", "/ready"); r.status != 503 || st.calls.Load() != 2 {
		t.Errorf("a request after %s: %d with %d checks; want 503 from a second check", readyReuse, r.status, st.calls.Load())
	}
}

// TestPrefersHTML checks the Accept negotiation of GET /.
func TestPrefersHTML(t *testing.T) {
	for _, c := range []struct {
		accept []string
		html   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"*/*"}, false},
		{[]string{"application/json"}, false},
		{[]string{"text/html"}, true},
		{[]string{"TEXT/HTML"}, true},
		{[]string{"text/*"}, true},
		{[]string{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, true},
		{[]string{"text/html;q=0.9, application/json"}, false},
		{[]string{"application/json;q=0.1, text/html;q=0.2"}, true},
		{[]string{"text/html;q=1", "application/json;q=1"}, false},
		{[]string{"text/html;q=0"}, false},
		{[]string{"text/html;q=nan"}, false},
		{[]string{"text/html;q=2"}, false},
		{[]string{"text/html", "application/json;q=0.5"}, true},
		{[]string{"*/*;q=0.5, text/html;q=0.4"}, false},
		{[]string{"application/*;q=0.3, text/html;q=0.4"}, true},
		{[]string{"image/png"}, false},
		{[]string{"garbage"}, false},
	} {
		if got := prefersHTML(c.accept); got != c.html {
			t.Errorf("prefersHTML(%q) = %v, want %v", c.accept, got, c.html)
		}
	}
}

// TestSuggestName checks the edit distance and the suggestion rules.
func TestSuggestName(t *testing.T) {
	fields := []string{"nameOfInstitution", "schoolId", "id", "codeValue"}
	for _, c := range []struct {
		name, want string
	}{
		{"schoolid", "schoolId"},
		{"SCHOOLID", "schoolId"},
		{"schoolIds", "schoolId"},
		{"scholId", "schoolId"},
		{"shcoolId", "schoolId"}, // a transposition is two edits
		{"scoolIdx", "schoolId"},
		{"schId", ""},
		{"nameOfInstitutions", "nameOfInstitution"},
		{"Limit", "limit"},
		{"limt", "limit"},
		{"ofset", "offset"},
		{"totalcount", "totalCount"},
		{"aftr", "after"},
		{"ix", "id"},
		{"xyz", ""},
		{"x", ""},
		{"color", ""},
		{strings.Repeat("schoolId", 10000), ""},
		{"", ""},
	} {
		if got := suggestName(c.name, fields, pagingParams); got != c.want {
			t.Errorf("suggestName(%.40q) = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestCheckQueryFields checks the problem of unknown query fields.
func TestCheckQueryFields(t *testing.T) {
	rt := route{project: "ed-fi", resource: "schools", name: "School", queryFields: []string{"nameOfInstitution", "schoolId"}}
	filters := func(names ...string) []relstore.Filter {
		var out []relstore.Filter
		for _, n := range names {
			out = append(out, relstore.Filter{Name: n, Value: "1"})
		}
		return out
	}
	for _, c := range []struct {
		name    string
		rt      route
		filters []relstore.Filter
		detail  string // "" = no problem
		items   string
	}{
		{name: "known fields", rt: rt, filters: filters("nameOfInstitution", "schoolId")},
		{name: "no filters", rt: rt},
		{name: "a near name", rt: rt, filters: filters("schoolid"),
			detail: `"schoolid" (did you mean "schoolId"?) is not a query field of School; its query fields are nameOfInstitution, schoolId; the paging parameters are offset, limit, totalCount, after`,
			items:  `[{"path":"schoolid","message":"is not a query field of School; did you mean \"schoolId\"?","suggestion":"schoolId"}]`},
		{name: "two unknown, one repeated", rt: rt, filters: filters("color", "color", "schoolId", "xyz"),
			detail: `"color", "xyz" are not query fields of School; its query fields are nameOfInstitution, schoolId;`,
			items:  `[{"path":"color","message":"is not a query field of School"},{"path":"xyz","message":"is not a query field of School"}]`},
		{name: "a resource without query fields", rt: route{name: "Bus"}, filters: filters("Limit"),
			detail: `"Limit" (did you mean "limit"?) is not a query field of Bus; Bus has no query fields; the paging parameters`},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := checkQueryFields(c.rt, c.filters)
			if c.detail == "" {
				if p != nil {
					t.Fatalf("problem %+v, want none", p)
				}
				return
			}
			if p == nil || p.Status != 400 || p.Type != TypeValidation || !strings.Contains(p.Detail, c.detail) {
				t.Fatalf("problem %+v, want a 400 whose detail holds %s", p, c.detail)
			}
			if !reflect.DeepEqual(p.ValidQueryFields, append([]string{}, c.rt.queryFields...)) {
				t.Errorf("validQueryFields %q, want %q", p.ValidQueryFields, c.rt.queryFields)
			}
			body, _ := json.Marshal(p)
			if !strings.Contains(string(body), `"validQueryFields":[`) {
				t.Errorf("body %s lacks validQueryFields", body)
			}
			if c.items != "" {
				items, _ := json.Marshal(p.ValidationErrors)
				if string(items) != c.items {
					t.Errorf("validationErrors %s, want %s", items, c.items)
				}
			}
		})
	}
}
