package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/runtime"
)

// TestHTTPProblemFor checks the status, type and items of each runtime
// error's problem, and that its status is runtime.StatusCode's.
func TestHTTPProblemFor(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		typ    string
		items  string // JSON of validationErrors or errors
	}{
		{"not found", fmt.Errorf("get: %w", runtime.ErrNotFound), 404, TypeNotFound, ""},
		{"etag", runtime.ErrETagMismatch, 412, TypeETagMismatch, ""},
		{"validation", &runtime.ValidationError{Problems: []runtime.Problem{{Path: "$.a", Message: "is required"}}},
			400, TypeValidation, `[{"path":"$.a","message":"is required"}]`},
		{"descriptor", &runtime.DescriptorError{Unresolved: []runtime.UnresolvedDescriptor{{Path: "$.d", URI: "u#x", Expected: "Example:ProgramTypeDescriptor", Found: "Example:GradeLevelDescriptor"}}},
			400, TypeDescriptor, `[{"path":"$.d","uri":"u#x","expected":"Example:ProgramTypeDescriptor","found":"Example:GradeLevelDescriptor"}]`},
		{"reference", &runtime.ReferenceError{Unresolved: []runtime.UnresolvedReference{{Path: "$.r", Target: "Example:School", Reason: "not found"}}},
			409, TypeUnresolvedReference, `[{"path":"$.r","target":"Example:School","reason":"not found"}]`},
		{"conflict", &runtime.ConflictError{Constraint: "natural key", Paths: []string{"$.schoolId"}, Message: "taken"},
			409, TypeIdentityConflict, `[{"constraint":"natural key","paths":["$.schoolId"],"message":"taken"}]`},
		{"referenced", &runtime.ReferencedError{Referrers: []string{"Example:Program", "Extra:Bus"}},
			409, TypeDependentItem, `[{"resource":"Example:Program"},{"resource":"Extra:Bus"}]`},
		{"transient", &runtime.TransientError{Attempts: 5, Err: errors.New("deadlock")}, 503, TypeUnavailable, ""},
		{"other", errors.New("secret connection string"), 500, TypeInternal, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ProblemFor(c.err)
			if p.Status != c.status || p.Status != runtime.StatusCode(c.err) || p.Type != c.typ || p.Title == "" || p.Detail == "" {
				t.Fatalf("problem %+v, want status %d type %s", p, c.status, c.typ)
			}
			items := p.ValidationErrors
			if items == nil {
				items = p.Errors
			}
			got := ""
			if items != nil {
				b, err := json.Marshal(items)
				if err != nil {
					t.Fatal(err)
				}
				got = string(b)
			}
			if got != c.items {
				t.Errorf("items %s, want %s", got, c.items)
			}
			if c.status == 500 && strings.Contains(p.Detail, "secret") {
				t.Errorf("500 detail exposes the error: %q", p.Detail)
			}
		})
	}
}

// TestWriteHTTPProblem checks the headers and body of a problem response.
func TestWriteHTTPProblem(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("ETag", `"x"`)
	WriteProblem(rec, ProblemFor(&runtime.ReferencedError{Referrers: []string{"Example:Program"}}))
	if rec.Code != 409 || rec.Header().Get("Content-Type") != "application/problem+json" || rec.Header().Get("ETag") != "" {
		t.Fatalf("status %d headers %v", rec.Code, rec.Header())
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"type", "title", "status", "detail", "errors"} {
		if _, ok := body[k]; !ok {
			t.Errorf("body %s lacks %q", rec.Body, k)
		}
	}
	if _, ok := body["validationErrors"]; ok {
		t.Errorf("body %s has an empty validationErrors", rec.Body)
	}
}

// TestParseServeQuery checks the paging parameters and filters.
func TestParseServeQuery(t *testing.T) {
	cases := []struct {
		query string
		want  runtime.QueryOptions
		bad   bool
	}{
		{query: "", want: runtime.QueryOptions{}},
		{query: "offset=10&limit=500&totalCount=true", want: runtime.QueryOptions{Offset: 10, Limit: 500, TotalCount: true}},
		{query: "totalCount=false&after=abc", want: runtime.QueryOptions{After: "abc"}},
		{query: "schoolId=1&nameOfInstitution=A%20B&schoolId=2", want: runtime.QueryOptions{Filters: []runtime.Filter{
			{Name: "nameOfInstitution", Value: "A B"}, {Name: "schoolId", Value: "1"}, {Name: "schoolId", Value: "2"}}}},
		{query: "limit=0", bad: true},
		{query: "limit=501", bad: true},
		{query: "limit=x", bad: true},
		{query: "offset=-1", bad: true},
		{query: "totalCount=yes", bad: true},
		{query: "after=", bad: true},
		{query: "limit=1&limit=2", bad: true},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			got, p := parseQuery(v)
			if c.bad {
				if p == nil || p.Status != http.StatusBadRequest {
					t.Fatalf("got %+v, %+v; want a 400 problem", got, p)
				}
				return
			}
			if p != nil {
				t.Fatalf("problem %+v", p)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestServeHeaderHelpers checks ETag quoting, If-Match parsing, UUID
// recognition and the Pruned-Properties rendering.
func TestServeHeaderHelpers(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", ""}, {"*", ""}, {`"abc"`, "abc"}, {"abc", "abc"}, {` W/"abc" `, "abc"},
	} {
		r := httptest.NewRequest("PUT", "/", nil)
		if c.header != "" {
			r.Header.Set("If-Match", c.header)
		}
		if got := ifMatch(r); got != c.want {
			t.Errorf("If-Match %q: %q, want %q", c.header, got, c.want)
		}
	}
	if quoteETag("abc") != `"abc"` || !etagListHas(`"x", "abc"`, "abc") || etagListHas(`"x"`, "abc") || !etagListHas("*", "abc") {
		t.Error("quoteETag/etagListHas")
	}
	for s, want := range map[string]bool{
		"0f8fad5b-d9cb-469f-a165-70867728950e": true,
		"0F8FAD5B-D9CB-469F-A165-70867728950E": true,
		"0f8fad5bd9cb469fa16570867728950e":     false,
		"0f8fad5b-d9cb-469f-a165-70867728950g": false,
		"42":                                   false,
	} {
		if isDocumentUUID(s) != want {
			t.Errorf("isDocumentUUID(%q) = %v", s, !want)
		}
	}
	many := make([]string, maxPrunedInHeader+2)
	for i := range many {
		many[i] = fmt.Sprintf("$.p%d", i)
	}
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{nil, ""},
		{[]string{"$.a", "$.b[0].c"}, "$.a, $.b[0].c"},
		{[]string{"$.caf\u00e9", "$.x\ny"}, `"$.caf\u00e9", "$.x\ny"`},
	} {
		if got := prunedHeader(c.paths); got != c.want {
			t.Errorf("prunedHeader(%q) = %q, want %q", c.paths, got, c.want)
		}
	}
	if got := prunedHeader(many); !strings.HasSuffix(got, "... (2 more)") || strings.Contains(got, fmt.Sprintf("$.p%d", maxPrunedInHeader)) {
		t.Errorf("prunedHeader of %d paths = %q", len(many), got)
	}
}

// TestLogServeRequests checks the request log line.
func TestLogServeRequests(t *testing.T) {
	var log strings.Builder
	h := logRequests(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(HeaderPrunedProperties, "$.x")
		w.WriteHeader(http.StatusCreated)
	}), &log)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/data/example/schools?a=1", nil))
	line := log.String()
	if !strings.HasPrefix(line, "POST /data/example/schools?a=1 201 ") || !strings.HasSuffix(line, " pruned: $.x\n") {
		t.Errorf("log line %q", line)
	}
}
