package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// fakeStore records the handler's calls and answers with canned results,
// so that the HTTP mapping is tested without a database.
type fakeStore struct {
	call  string // "Op project/resource id ifMatch body"
	query relstore.QueryOptions
	write relstore.WriteResult
	doc   relstore.Document
	page  relstore.Page
	err   error
}

// Manifest implements Store.
func (f *fakeStore) Manifest() *manifest.Manifest {
	return &manifest.Manifest{Resources: []manifest.Resource{
		{ProjectEndpoint: "ed-fi", EndpointName: "schools", ResourceName: "School",
			QueryFields: []manifest.QueryField{{Name: "schoolId"}, {Name: "nameOfInstitution"}}},
		{ProjectEndpoint: "ed-fi", EndpointName: "gradeLevelDescriptors", ResourceName: "GradeLevelDescriptor", IsDescriptor: true},
	}}
}

// Upsert implements Store.
func (f *fakeStore) Upsert(_ context.Context, p, e string, body []byte) (relstore.WriteResult, error) {
	f.call = fmt.Sprintf("Upsert %s/%s %s", p, e, body)
	return f.write, f.err
}

// Update implements Store.
func (f *fakeStore) Update(_ context.Context, p, e, id string, body []byte, ifMatch string) (relstore.WriteResult, error) {
	f.call = fmt.Sprintf("Update %s/%s %s %q %s", p, e, id, ifMatch, body)
	return f.write, f.err
}

// Get implements Store.
func (f *fakeStore) Get(_ context.Context, p, e, id string) (relstore.Document, error) {
	f.call = fmt.Sprintf("Get %s/%s %s", p, e, id)
	return f.doc, f.err
}

// Query implements Store.
func (f *fakeStore) Query(_ context.Context, p, e string, q relstore.QueryOptions) (relstore.Page, error) {
	f.call = fmt.Sprintf("Query %s/%s", p, e)
	f.query = q
	return f.page, f.err
}

// Delete implements Store.
func (f *fakeStore) Delete(_ context.Context, p, e, id, ifMatch string) error {
	f.call = fmt.Sprintf("Delete %s/%s %s %q", p, e, id, ifMatch)
	return f.err
}

// TestServeHandlerMapping checks how requests map to store calls and how
// results map to responses, over a fake store.
func TestServeHandlerMapping(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	written := relstore.WriteResult{ID: id, Created: true, ETag: "e1", LastModified: time.Now()}
	doc := relstore.Document{ID: id, ETag: "e2", JSON: []byte(`{"id":"` + id + `"}`)}
	cases := []struct {
		name         string
		store        fakeStore
		method, path string
		body         string
		header       map[string]string
		call         string
		status       int
		respHeader   map[string]string
		respBody     string
		query        *relstore.QueryOptions
	}{
		{
			name: "create", store: fakeStore{write: written},
			method: "POST", path: "/data/ed-fi/schools", body: `{"schoolId":1}`,
			call:   `Upsert ed-fi/schools {"schoolId":1}`,
			status: 201, respHeader: map[string]string{"Location": "/data/ed-fi/schools/" + id, "ETag": `"e1"`, HeaderPrunedProperties: ""},
		},
		{
			name: "upsert existing, pruned, case-insensitive route", store: fakeStore{write: relstore.WriteResult{ID: id, ETag: "e1", Pruned: []string{"$.a", "$.b"}}},
			method: "POST", path: "/data/Ed-Fi/SCHOOLS", body: ` {"schoolId":1,"a":1,"b":2} `,
			call:   `Upsert ed-fi/schools  {"schoolId":1,"a":1,"b":2} `,
			status: 200, respHeader: map[string]string{"Location": "/data/ed-fi/schools/" + id, HeaderPrunedProperties: "$.a, $.b"},
		},
		{
			name: "put with quoted If-Match, upper-case id", store: fakeStore{write: written},
			method: "PUT", path: "/data/ed-fi/schools/" + strings.ToUpper(id), body: `{}`, header: map[string]string{"If-Match": `"e0"`},
			call:   fmt.Sprintf(`Update ed-fi/schools %s "e0" {}`, id),
			status: 204, respHeader: map[string]string{"ETag": `"e1"`, "Location": "/data/ed-fi/schools/" + id},
		},
		{
			name: "put without If-Match", store: fakeStore{write: written},
			method: "PUT", path: "/data/ed-fi/schools/" + id + "/", body: `{}`,
			call:   fmt.Sprintf(`Update ed-fi/schools %s "" {}`, id),
			status: 204,
		},
		{
			name:   "put with another id in the body",
			method: "PUT", path: "/data/ed-fi/schools/" + id, body: `{"id":"00000000-0000-4000-8000-000000000000"}`,
			status: 400, respHeader: map[string]string{"Content-Type": "application/problem+json"},
		},
		{
			name: "put with the same id in the body", store: fakeStore{write: written},
			method: "PUT", path: "/data/ed-fi/schools/" + id, body: `{"id":"` + strings.ToUpper(id) + `"}`,
			call:   fmt.Sprintf(`Update ed-fi/schools %s "" {"id":"%s"}`, id, strings.ToUpper(id)),
			status: 204,
		},
		{
			name: "get", store: fakeStore{doc: doc},
			method: "GET", path: "/data/ed-fi/schools/" + id,
			call:   "Get ed-fi/schools " + id,
			status: 200, respHeader: map[string]string{"ETag": `"e2"`, "Content-Type": "application/json; charset=utf-8"}, respBody: string(doc.JSON),
		},
		{
			name: "get not modified", store: fakeStore{doc: doc},
			method: "GET", path: "/data/ed-fi/schools/" + id, header: map[string]string{"If-None-Match": `"e2"`},
			call:   "Get ed-fi/schools " + id,
			status: 304, respHeader: map[string]string{"ETag": `"e2"`},
		},
		{
			name: "query", store: fakeStore{page: relstore.Page{Documents: []relstore.Document{{JSON: []byte(`{"a":1}`)}, {JSON: []byte(`{"b":2}`)}}, Total: 7, Next: "c2"}},
			method: "GET", path: "/data/ed-fi/schools?schoolId=1&limit=2&totalCount=true&after=c1",
			call:   "Query ed-fi/schools",
			status: 200, respHeader: map[string]string{HeaderTotalCount: "7", HeaderNextCursor: "c2"}, respBody: `[{"a":1},{"b":2}]`,
			query: &relstore.QueryOptions{Filters: []relstore.Filter{{Name: "schoolId", Value: "1"}}, Limit: 2, TotalCount: true, After: "c1"},
		},
		{
			name: "empty query page", store: fakeStore{page: relstore.Page{Total: -1}},
			method: "GET", path: "/data/ed-fi/schools",
			call:   "Query ed-fi/schools",
			status: 200, respHeader: map[string]string{HeaderTotalCount: "", HeaderNextCursor: ""}, respBody: `[]`,
			query: &relstore.QueryOptions{},
		},
		{
			name:   "delete with bare If-Match",
			method: "DELETE", path: "/data/ed-fi/schools/" + id, header: map[string]string{"If-Match": "e2"},
			call:   fmt.Sprintf(`Delete ed-fi/schools %s "e2"`, id),
			status: 204,
		},
		{
			name: "store error", store: fakeStore{err: &relstore.ReferenceError{Unresolved: []relstore.UnresolvedReference{{Path: "$.r", Target: "Ed-Fi:School", Reason: "not found"}}}},
			method: "POST", path: "/data/ed-fi/schools", body: `{}`,
			call:   "Upsert ed-fi/schools {}",
			status: 409, respHeader: map[string]string{"Content-Type": "application/problem+json", "Location": "", "ETag": ""},
		},
		{
			name:   "invalid JSON never reaches the store",
			method: "POST", path: "/data/ed-fi/schools", body: `{"a":}`,
			status: 400,
		},
		{
			name:   "bad query never reaches the store",
			method: "GET", path: "/data/ed-fi/schools?offset=-3",
			status: 400,
		},
		{
			name:   "HEAD is not allowed",
			method: "HEAD", path: "/data/ed-fi/schools/" + id,
			status: 405, respHeader: map[string]string{"Allow": "GET, PUT, DELETE"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := c.store
			h := New(&st, Options{})
			req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, c.status, rec.Body)
			}
			if st.call != c.call {
				t.Errorf("store call %q, want %q", st.call, c.call)
			}
			for k, v := range c.respHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if c.respBody != "" && rec.Body.String() != c.respBody {
				t.Errorf("body %s, want %s", rec.Body, c.respBody)
			}
			if (c.status == 201 || c.status == 200 && c.method == "POST" || c.status == 204 || c.status == 304) && rec.Body.Len() != 0 {
				t.Errorf("body %q, want none", rec.Body)
			}
			if c.query != nil && !reflect.DeepEqual(st.query, *c.query) {
				t.Errorf("query options %+v, want %+v", st.query, *c.query)
			}
		})
	}
}

// TestServeBodyLimit checks the 413 answer without sending 10 MiB, for a
// declared and for an undeclared (chunked) length.
func TestServeBodyLimit(t *testing.T) {
	for _, declared := range []bool{true, false} {
		st := &fakeStore{}
		h := New(st, Options{MaxBodyBytes: 8})
		var body io.Reader = strings.NewReader(`{"schoolId":1}`)
		if !declared {
			body = io.MultiReader(body)
		}
		req := httptest.NewRequest("POST", "/data/ed-fi/schools", body)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || st.call != "" {
			t.Fatalf("declared length %v: status %d, store call %q; want 413 and no call", declared, rec.Code, st.call)
		}
	}
}

// blockingStore is a fake store whose Upsert waits for release and whose
// Get panics.
type blockingStore struct {
	fakeStore
	entered chan struct{}
	release chan struct{}
}

// Upsert implements Store.
func (b *blockingStore) Upsert(ctx context.Context, p, e string, body []byte) (relstore.WriteResult, error) {
	b.entered <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return relstore.WriteResult{}, &relstore.UnavailableError{Err: ctx.Err()}
	}
	return relstore.WriteResult{ID: "x", ETag: "1", Created: true}, nil
}

// Get implements Store.
func (b *blockingStore) Get(context.Context, string, string, string) (relstore.Document, error) {
	panic("boom")
}

// TestServeLimits checks the Host allow-list, the cap on bodies in
// flight, the request timeout and panic recovery, over a fake store.
func TestServeLimits(t *testing.T) {
	var log strings.Builder
	st := &blockingStore{entered: make(chan struct{}, 4), release: make(chan struct{})}
	h := New(st, Options{
		AllowedHosts: []string{"localhost", "[::1]"}, MaxBodyReaders: 1,
		ReadTimeout: 50 * time.Millisecond, RequestTimeout: 200 * time.Millisecond, ErrorLog: &log,
	})
	serve := func(method, path, host, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Host = host
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	problemOf := func(rec *httptest.ResponseRecorder) (p Problem) {
		t.Helper()
		if rec.Header().Get("Content-Type") != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
			t.Errorf("not a problem: %v %s", rec.Header(), rec.Body)
		}
		return p
	}

	for host, want := range map[string]int{"localhost:9": 404, "[::1]:80": 404, "LOCALHOST": 404, "evil.example": 421, "localhost.evil.example": 421, "": 421} {
		rec := serve("GET", "/nowhere", host, "")
		if rec.Code != want {
			t.Errorf("Host %q: %d, want %d", host, rec.Code, want)
		}
		if want == 421 && problemOf(rec).Type != TypeMisdirected {
			t.Errorf("Host %q: problem type %s", host, problemOf(rec).Type)
		}
	}

	// One body in flight: a second waits ReadTimeout for the slot, then 503.
	first := make(chan *httptest.ResponseRecorder)
	go func() { first <- serve("POST", "/data/ed-fi/schools", "localhost", `{}`) }()
	<-st.entered
	rec := serve("POST", "/data/ed-fi/schools", "localhost", `{}`)
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" || problemOf(rec).Type != TypeUnavailable {
		t.Errorf("second body while one is in flight: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	close(st.release)
	if rec := <-first; rec.Code != 201 {
		t.Errorf("first body: %d %s", rec.Code, rec.Body)
	}
	// The slot is free again.
	go func() { <-st.entered }()
	if rec := serve("POST", "/data/ed-fi/schools", "localhost", `{}`); rec.Code != 201 {
		t.Errorf("after the first body: %d %s", rec.Code, rec.Body)
	}

	// The request timeout: a store call past it answers 503.
	st2 := &blockingStore{entered: make(chan struct{}, 1), release: make(chan struct{})}
	h2 := New(st2, Options{RequestTimeout: 20 * time.Millisecond})
	req := httptest.NewRequest("POST", "/data/ed-fi/schools", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	h2.ServeHTTP(rec, req)
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" {
		t.Errorf("store call past the request timeout: %d %s", rec.Code, rec.Body)
	}

	// A panic answers 500 and is logged on one bounded line.
	rec = serve("GET", "/data/ed-fi/schools/0f8fad5b-d9cb-469f-a165-70867728950e", "localhost", "")
	if rec.Code != 500 || problemOf(rec).Type != TypeInternal {
		t.Errorf("panic: %d %s", rec.Code, rec.Body)
	}
	if l := log.String(); !strings.Contains(l, "panic serving GET") || !strings.Contains(l, "boom") || strings.Count(l, "\n") != 1 || len(l) > 9000 {
		t.Errorf("panic log %d bytes, %d lines: %.200s", len(l), strings.Count(l, "\n"), l)
	}
}

// TestServeConditions checks which conditional headers each method
// refuses, over a fake store.
func TestServeConditions(t *testing.T) {
	const id = "0f8fad5b-d9cb-469f-a165-70867728950e"
	for _, c := range []struct {
		method, path, header, value string
		status                      int
	}{
		{"POST", "/data/ed-fi/schools", "If-Match", `"1"`, 400},
		{"POST", "/data/ed-fi/schools", "If-None-Match", "*", 400},
		{"GET", "/data/ed-fi/schools", "If-Match", "*", 400},
		{"GET", "/data/ed-fi/schools", "If-None-Match", `"1"`, 400},
		{"PUT", "/data/ed-fi/schools/" + id, "If-None-Match", "*", 400},
		{"DELETE", "/data/ed-fi/schools/" + id, "If-None-Match", "*", 400},
		{"DELETE", "/data/ed-fi/schools/" + id, "If-Match", `W/"1"`, 204}, // the store answers 412 for "!none"
		{"GET", "/data/ed-fi/schools/" + id, "If-Match", `"2"`, 412},
		{"GET", "/data/ed-fi/schools/" + id, "If-Match", `"e2"`, 200},
	} {
		st := &fakeStore{doc: relstore.Document{ID: id, ETag: "e2", JSON: []byte(`{}`)}}
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(c.header, c.value)
		rec := httptest.NewRecorder()
		New(st, Options{}).ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%s %s with %s: %s: %d, want %d (%s)", c.method, c.path, c.header, c.value, rec.Code, c.status, rec.Body)
		}
		if c.status == 400 && (st.call != "" || !strings.Contains(rec.Body.String(), c.header)) {
			t.Errorf("%s with %s: store call %q, body %s", c.method, c.header, st.call, rec.Body)
		}
		if c.header == "If-Match" && c.method == "DELETE" && !strings.Contains(st.call, `"`+neverMatches+`"`) {
			t.Errorf("weak If-Match reached the store as %q", st.call)
		}
	}
}
