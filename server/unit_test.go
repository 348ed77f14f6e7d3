package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestHTTPProblemFor checks the status, type and items of each runtime
// error's problem, and that its status is relstore.StatusCode's.
func TestHTTPProblemFor(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		status int
		typ    string
		items  string // JSON of validationErrors or errors
	}{
		{"not found", fmt.Errorf("get: %w", relstore.ErrNotFound), 404, TypeNotFound, ""},
		{"etag", relstore.ErrETagMismatch, 412, TypeETagMismatch, ""},
		{"validation", &relstore.ValidationError{Problems: []relstore.Problem{{Path: "$.a", Message: "is required"}}},
			400, TypeValidation, `[{"path":"$.a","message":"is required"}]`},
		{"descriptor", &relstore.DescriptorError{Unresolved: []relstore.UnresolvedDescriptor{{Path: "$.d", URI: "u#x", Expected: "Example:ProgramTypeDescriptor", Found: "Example:GradeLevelDescriptor"}}},
			400, TypeDescriptor, `[{"path":"$.d","uri":"u#x","expected":"Example:ProgramTypeDescriptor","found":"Example:GradeLevelDescriptor"}]`},
		{"reference", &relstore.ReferenceError{Unresolved: []relstore.UnresolvedReference{{Path: "$.r", Target: "Example:School", Reason: "not found"}}},
			409, TypeUnresolvedReference, `[{"path":"$.r","target":"Example:School","reason":"not found"}]`},
		{"conflict", &relstore.ConflictError{Constraint: "natural key", Paths: []string{"$.schoolId"}, Message: "taken"},
			409, TypeIdentityConflict, `[{"constraint":"natural key","paths":["$.schoolId"],"message":"taken"}]`},
		{"referenced", &relstore.ReferencedError{Referrers: []string{"Example:Program", "Extra:Bus"}},
			409, TypeDependentItem, `[{"resource":"Example:Program"},{"resource":"Extra:Bus"}]`},
		{"transient", &relstore.TransientError{Attempts: 5, Err: errors.New("deadlock")}, 503, TypeUnavailable, ""},
		{"other", errors.New("secret connection string"), 500, TypeInternal, ""},
		{"unavailable", &relstore.UnavailableError{Err: errors.New("secret connection string")}, 503, TypeUnavailable, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := ProblemFor(c.err)
			if p.Status != c.status || p.Status != relstore.StatusCode(c.err) || p.Type != c.typ || p.Title == "" || p.Detail == "" {
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
			if c.status >= 500 && strings.Contains(p.Detail, "secret") {
				t.Errorf("%d detail exposes the error: %q", c.status, p.Detail)
			}
			rec := httptest.NewRecorder()
			WriteProblem(rec, p)
			if ra := rec.Header().Get("Retry-After"); (ra != "") != (c.status == 503) {
				t.Errorf("Retry-After %q on a %d", ra, c.status)
			}
		})
	}
}

// TestWriteHTTPProblem checks the headers and body of a problem response.
func TestWriteHTTPProblem(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("ETag", `"x"`)
	WriteProblem(rec, ProblemFor(&relstore.ReferencedError{Referrers: []string{"Example:Program"}}))
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

// TestParseQuery checks the paging parameters, filters and the strict
// parsing of the raw query string.
func TestParseQuery(t *testing.T) {
	cases := []struct {
		query string
		want  relstore.QueryOptions
		bad   string // in the problem's detail
	}{
		{query: "", want: relstore.QueryOptions{}},
		{query: "offset=10&limit=500&totalCount=true", want: relstore.QueryOptions{Offset: 10, Limit: 500, TotalCount: true}},
		{query: "totalCount=false&after=abc", want: relstore.QueryOptions{After: "abc"}},
		{query: "schoolId=1&nameOfInstitution=A%20B&schoolId=2", want: relstore.QueryOptions{Filters: []relstore.Filter{
			{Name: "nameOfInstitution", Value: "A B"}, {Name: "schoolId", Value: "1"}, {Name: "schoolId", Value: "2"}}}},
		{query: "nameOfInstitution=A+B%3BC&&", want: relstore.QueryOptions{Filters: []relstore.Filter{{Name: "nameOfInstitution", Value: "A B;C"}}}},
		{query: "schoolId", want: relstore.QueryOptions{Filters: []relstore.Filter{{Name: "schoolId", Value: ""}}}},
		{query: "limit=0", bad: "limit"},
		{query: "limit=501", bad: "limit"},
		{query: "limit=x", bad: "limit"},
		{query: "offset=-1", bad: "offset"},
		{query: "totalCount=yes", bad: "totalCount"},
		{query: "after=", bad: "after"},
		{query: "limit=1&limit=2", bad: "limit"},
		{query: "offset=1&after=2", bad: "offset and after"},
		{query: "schoolId=1;", bad: `"schoolId"`},
		{query: "schoolId=1;limit=2", bad: `"schoolId"`},
		{query: "schoolId=%zz", bad: `"schoolId"`},
		{query: "school%zzId=1", bad: `"school%zzId"`},
		{query: "schoolId=%2", bad: `"schoolId"`},
		{query: "=1", bad: "empty name"},
		{query: strings.Repeat("a=1&", 4) + "b=1", bad: "more than 4 parameters"},
		{query: "a=1&b=2&c=3&d=4", bad: "more than 3 filters"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			got, p := parseQuery(c.query, 4, 3)
			if c.bad != "" {
				if p == nil || p.Status != http.StatusBadRequest || p.Type != TypeBadRequest || !strings.Contains(p.Detail, c.bad) {
					t.Fatalf("got %+v, %+v; want a 400 problem naming %s", got, p, c.bad)
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

// TestETagHeaders checks If-Match and If-None-Match parsing and matching.
func TestETagHeaders(t *testing.T) {
	cases := []struct {
		lines         []string // nil = absent
		bad           bool
		strong, weak  bool // match ETag "7"
		storeIfMatch  string
		needsDocument bool
	}{
		{lines: nil, strong: true, weak: false},
		{lines: []string{"*"}, strong: true, weak: true},
		{lines: []string{`"7"`}, strong: true, weak: true, storeIfMatch: "7"},
		{lines: []string{"7"}, strong: true, weak: true, storeIfMatch: "7"},
		{lines: []string{` "8" `}, storeIfMatch: "8"},
		{lines: []string{`W/"7"`}, strong: false, weak: true, storeIfMatch: neverMatches},
		{lines: []string{`""`}, storeIfMatch: neverMatches},
		{lines: []string{`"1", "7"`}, strong: true, weak: true, needsDocument: true},
		{lines: []string{`"1"`, `W/"2", "7"`}, strong: true, weak: true, needsDocument: true},
		{lines: []string{""}, bad: true},
		{lines: []string{" , "}, bad: true},
		{lines: []string{`"7`}, bad: true},
		{lines: []string{`W/7`}, bad: true},
		{lines: []string{`"7" "8"`}, bad: true},
		{lines: []string{`*, "7"`}, bad: true},
		{lines: []string{`7"`}, bad: true},
		{lines: []string{"a\x00b"}, bad: true},
	}
	for _, c := range cases {
		h := http.Header{}
		if c.lines != nil {
			h["If-Match"] = c.lines
		}
		cond, p := parseIfMatch(h)
		name := fmt.Sprintf("%q", c.lines)
		if c.bad {
			if p == nil || p.Status != 400 {
				t.Errorf("%s: %+v %+v, want a 400", name, cond, p)
			}
			continue
		}
		if p != nil {
			t.Errorf("%s: %+v", name, p)
			continue
		}
		if cond == nil {
			if c.lines != nil {
				t.Errorf("%s: no condition", name)
			}
			continue
		}
		if cond.matchesStrong("7") != c.strong || cond.matchesWeak("7") != c.weak {
			t.Errorf("%s: strong %v weak %v, want %v %v", name, cond.matchesStrong("7"), cond.matchesWeak("7"), c.strong, c.weak)
		}
		st := &fakeStore{doc: relstore.Document{ETag: "7"}}
		hd := &handler{st: st}
		got, err := hd.resolveIfMatch(t.Context(), route{project: "ed-fi", resource: "schools"}, "id", cond)
		want := c.storeIfMatch
		if c.needsDocument {
			want = "7"
		}
		if err != nil || got != want || (st.call != "") != c.needsDocument {
			t.Errorf("%s: store ifMatch %q (%v, call %q), want %q", name, got, err, st.call, want)
		}
	}
}

// TestServeHeaderHelpers checks ETag quoting, Host names, UUID
// recognition and the Pruned-Properties rendering.
func TestServeHeaderHelpers(t *testing.T) {
	if quoteETag("abc") != `"abc"` {
		t.Error("quoteETag")
	}
	for host, want := range map[string]string{
		"localhost": "localhost", "LocalHost:8080": "localhost", "[::1]": "::1", "[::1]:80": "::1",
		"127.0.0.1:1": "127.0.0.1", "::1": "", "[::1": "", "[::1]x": "", "": "",
	} {
		if got := hostName(host); got != want {
			t.Errorf("hostName(%q) = %q, want %q", host, got, want)
		}
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
	long := []string{"$." + strings.Repeat("x", 1<<20), "$.b"}
	for i := 0; i < 100; i++ {
		long = append(long, "$."+strings.Repeat("y", 300))
	}
	got := prunedHeader(long)
	if len(got) > maxPrunedHeaderBytes || !strings.HasPrefix(got, "$.xxx") || !strings.Contains(got, ", $.b, ") || !strings.HasSuffix(got, " more)") {
		t.Errorf("prunedHeader of long paths: %d bytes %.100q…%q", len(got), got, got[max(0, len(got)-40):])
	}
}

// TestLogServeRequests checks the request log line.
func TestLogServeRequests(t *testing.T) {
	var log strings.Builder
	h := logRequests(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set(HeaderPrunedProperties, "$.x")
		w.WriteHeader(http.StatusCreated)
	}), &log, nil)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/data/example/schools?a=1", nil))
	line := log.String()
	if !strings.HasPrefix(line, "POST /data/example/schools?a=1 201 ") || !strings.HasSuffix(line, " pruned: $.x\n") {
		t.Errorf("log line %q", line)
	}
}

// TestLogBounds checks that log lines are cut and escaped.
func TestLogBounds(t *testing.T) {
	var log strings.Builder
	w := &lockedWriter{w: &log}
	fmt.Fprintf(w, "%s\n", strings.Repeat("a", 3*maxLogLine))
	if got := log.String(); len(got) > maxLogLine+64 || !strings.HasSuffix(got, fmt.Sprintf("... (%d bytes cut)\n", 2*maxLogLine+1)) {
		t.Errorf("cut line: %d bytes, ends %q", len(got), got[len(got)-40:])
	}
	r := httptest.NewRequest("GET", "/x", nil)
	r.RequestURI = "/data/\x1b[2J\xff" + strings.Repeat("q", 3*maxLogURI)
	if got := logURI(r); strings.ContainsAny(got, "\x1b\xff") || !strings.HasPrefix(got, "/data/%1B[2J%FF") || len(got) > maxLogURI+32 {
		t.Errorf("logURI = %.60q (%d bytes)", got, len(got))
	}
}

// TestRewriteHTTPError checks that net/http's own text/plain error answers
// become problem details and that nothing else is touched.
func TestRewriteHTTPError(t *testing.T) {
	const hdrs = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
	cases := []struct {
		wire   string
		status int
		typ    string
	}{
		{"HTTP/1.1 431 Request Header Fields Too Large" + hdrs + "431 Request Header Fields Too Large", 431, TypeHeadersTooLarge},
		{"HTTP/1.1 400 Bad Request" + hdrs + "400 Bad Request", 400, TypeBadRequest},
		{"HTTP/1.1 400 Bad Request: missing required Host header" + hdrs + "400 Bad Request: missing required Host header", 400, TypeBadRequest},
		{"HTTP/1.1 501 Not Implemented" + hdrs + "Unsupported transfer encoding", 400, TypeBadRequest},
		{"HTTP/1.1 505 HTTP Version Not Supported: unsupported protocol version" + hdrs + "505 HTTP Version Not Supported: unsupported protocol version", 400, TypeBadRequest},
		{"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nDate: Fri, 04 Dec 2026 15:00:00 GMT\r\nContent-Length: 0\r\n\r\n", 417, TypeExpectationFailed},
		// Left alone: a handler's answers, a body chunk, a 5xx of another form.
		{"HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\n\r\n[]", 0, ""},
		{"HTTP/1.1 431 x\r\nContent-Type: application/problem+json\r\n\r\n{}", 0, ""},
		{`{"note":"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8"}`, 0, ""},
		{"HTTP/1.1 500 Internal Server Error" + hdrs + "x", 0, ""},
	}
	for _, c := range cases {
		out, ok := rewriteHTTPError([]byte(c.wire))
		if c.status == 0 {
			if ok {
				t.Errorf("%.40q rewritten to %q", c.wire, out)
			}
			continue
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
		if !ok || err != nil {
			t.Errorf("%.40q: rewritten %v, %v", c.wire, ok, err)
			continue
		}
		var p Problem
		err = json.NewDecoder(resp.Body).Decode(&p)
		if err != nil || resp.StatusCode != c.status || p.Status != c.status || p.Type != c.typ || p.Detail == "" ||
			resp.Header.Get("Content-Type") != "application/problem+json" || !resp.Close {
			t.Errorf("%.40q: %d %v %+v %v", c.wire, resp.StatusCode, resp.Header, p, err)
		}
	}
}

// TestCheckJSONContentType checks which Content-Types a body may have.
func TestCheckJSONContentType(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json":                   true,
		"application/json; charset=utf-8":    true,
		"Application/JSON;Charset=\"UTF-8\"": true,
		"application/json; profile=x":        true,
		"":                                   false,
		"text/plain":                         false,
		"text/plain; charset=utf-8":          false,
		"application/x-www-form-urlencoded":  false,
		"multipart/form-data; boundary=x":    false,
		"application/json; charset=latin1":   false,
		"application/jsonx":                  false,
		"application/json; ;":                false,
	} {
		r := httptest.NewRequest("POST", "/", nil)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		p := checkJSONContentType(r)
		if (p == nil) != ok || p != nil && (p.Status != 415 || p.Type != TypeUnsupportedMediaType) {
			t.Errorf("Content-Type %q: %+v, want accepted %v", ct, p, ok)
		}
	}
}
