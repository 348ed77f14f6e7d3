package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/runtime"
)

// fakeStore records the handler's calls and answers with canned results,
// so that the HTTP mapping is tested without a database.
type fakeStore struct {
	call  string // "Op project/resource id ifMatch body"
	query runtime.QueryOptions
	write runtime.WriteResult
	doc   runtime.Document
	page  runtime.Page
	err   error
}

// Manifest implements Store.
func (f *fakeStore) Manifest() *manifest.Manifest {
	return &manifest.Manifest{Resources: []manifest.Resource{
		{ProjectEndpoint: "ed-fi", EndpointName: "schools"},
		{ProjectEndpoint: "ed-fi", EndpointName: "gradeLevelDescriptors"},
	}}
}

// Upsert implements Store.
func (f *fakeStore) Upsert(_ context.Context, p, e string, body []byte) (runtime.WriteResult, error) {
	f.call = fmt.Sprintf("Upsert %s/%s %s", p, e, body)
	return f.write, f.err
}

// Update implements Store.
func (f *fakeStore) Update(_ context.Context, p, e, id string, body []byte, ifMatch string) (runtime.WriteResult, error) {
	f.call = fmt.Sprintf("Update %s/%s %s %q %s", p, e, id, ifMatch, body)
	return f.write, f.err
}

// Get implements Store.
func (f *fakeStore) Get(_ context.Context, p, e, id string) (runtime.Document, error) {
	f.call = fmt.Sprintf("Get %s/%s %s", p, e, id)
	return f.doc, f.err
}

// Query implements Store.
func (f *fakeStore) Query(_ context.Context, p, e string, q runtime.QueryOptions) (runtime.Page, error) {
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
	written := runtime.WriteResult{ID: id, Created: true, ETag: "e1", LastModified: time.Now()}
	doc := runtime.Document{ID: id, ETag: "e2", JSON: []byte(`{"id":"` + id + `"}`)}
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
		query        *runtime.QueryOptions
	}{
		{
			name: "create", store: fakeStore{write: written},
			method: "POST", path: "/data/ed-fi/schools", body: `{"schoolId":1}`,
			call:   `Upsert ed-fi/schools {"schoolId":1}`,
			status: 201, respHeader: map[string]string{"Location": "/data/ed-fi/schools/" + id, "ETag": `"e1"`, HeaderPrunedProperties: ""},
		},
		{
			name: "upsert existing, pruned, case-insensitive route", store: fakeStore{write: runtime.WriteResult{ID: id, ETag: "e1", Pruned: []string{"$.a", "$.b"}}},
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
			name: "query", store: fakeStore{page: runtime.Page{Documents: []runtime.Document{{JSON: []byte(`{"a":1}`)}, {JSON: []byte(`{"b":2}`)}}, Total: 7, Next: "c2"}},
			method: "GET", path: "/data/ed-fi/schools?schoolId=1&limit=2&totalCount=true&after=c1",
			call:   "Query ed-fi/schools",
			status: 200, respHeader: map[string]string{HeaderTotalCount: "7", HeaderNextCursor: "c2"}, respBody: `[{"a":1},{"b":2}]`,
			query: &runtime.QueryOptions{Filters: []runtime.Filter{{Name: "schoolId", Value: "1"}}, Limit: 2, TotalCount: true, After: "c1"},
		},
		{
			name: "empty query page", store: fakeStore{page: runtime.Page{Total: -1}},
			method: "GET", path: "/data/ed-fi/schools",
			call:   "Query ed-fi/schools",
			status: 200, respHeader: map[string]string{HeaderTotalCount: "", HeaderNextCursor: ""}, respBody: `[]`,
			query: &runtime.QueryOptions{},
		},
		{
			name:   "delete with bare If-Match",
			method: "DELETE", path: "/data/ed-fi/schools/" + id, header: map[string]string{"If-Match": "e2"},
			call:   fmt.Sprintf(`Delete ed-fi/schools %s "e2"`, id),
			status: 204,
		},
		{
			name: "store error", store: fakeStore{err: &runtime.ReferenceError{Unresolved: []runtime.UnresolvedReference{{Path: "$.r", Target: "Ed-Fi:School", Reason: "not found"}}}},
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

// TestServeBodyLimit checks the 413 answer without sending 10 MiB.
func TestServeBodyLimit(t *testing.T) {
	st := &fakeStore{}
	h := newHandler(st, nil)
	h.maxBody = 8
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/data/ed-fi/schools", strings.NewReader(`{"schoolId":1}`)))
	if rec.Code != http.StatusRequestEntityTooLarge || st.call != "" {
		t.Fatalf("status %d, store call %q; want 413 and no call", rec.Code, st.call)
	}
}
