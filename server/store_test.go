package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// serveTest is an HTTP server over a freshly provisioned database holding
// dmsc's built-in example schema.
type serveTest struct {
	t      *testing.T
	url    string
	client *http.Client
}

// testLog forwards the handler's error log to the test log.
type testLog struct{ t *testing.T }

// Write implements io.Writer.
func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newServeTest provisions a database (skipping without DMSC_PG_DSN) and
// starts New over its store.
func newServeTest(t *testing.T) *serveTest {
	t.Helper()
	env := relstoretest.New(t, "serve")
	srv := httptest.NewServer(New(env.Store, Options{Log: testLog{t}, ErrorLog: testLog{t}}))
	t.Cleanup(srv.Close)
	return &serveTest{t: t, url: srv.URL, client: srv.Client()}
}

// reply is one HTTP answer.
type reply struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// do sends one request; header holds name, value pairs.
func (s *serveTest) do(method, path, body string, header ...string) reply {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(s.t.Context(), method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" || method == "POST" || method == "PUT" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return reply{method: method, path: path, status: resp.StatusCode, header: resp.Header, body: data}
}

// must fails the test unless r has status want.
func (r reply) must(t *testing.T, want int) reply {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s %s: status %d, want %d\nheaders: %v\nbody: %s", r.method, r.path, r.status, want, r.header, r.body)
	}
	return r
}

// problemReply is a decoded problem details body.
type problemReply struct {
	Type             string           `json:"type"`
	Title            string           `json:"title"`
	Status           int              `json:"status"`
	Detail           string           `json:"detail"`
	ValidationErrors []map[string]any `json:"validationErrors"`
	Errors           []map[string]any `json:"errors"`
}

// problem checks that r is a problem with status want and type typ, and
// decodes it.
func (r reply) problem(t *testing.T, want int, typ string) problemReply {
	t.Helper()
	r.must(t, want)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s %s: Content-Type %q, want application/problem+json", r.method, r.path, ct)
	}
	var p problemReply
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("%s %s: problem body: %v\n%s", r.method, r.path, err, r.body)
	}
	if p.Status != want || p.Type != typ || p.Title == "" || p.Detail == "" {
		t.Fatalf("%s %s: problem %+v, want status %d type %s with title and detail", r.method, r.path, p, want, typ)
	}
	return p
}

// document decodes a JSON object body.
func (r reply) document(t *testing.T) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("%s %s: body: %v\n%s", r.method, r.path, err, r.body)
	}
	return doc
}

// location returns the Location header, checking its form.
func (r reply) location(t *testing.T, prefix string) string {
	t.Helper()
	loc := r.header.Get("Location")
	id, ok := strings.CutPrefix(loc, prefix)
	if !ok || !isDocumentUUID(id) {
		t.Fatalf("%s %s: Location %q, want %s{uuid}", r.method, r.path, loc, prefix)
	}
	return loc
}

// etag returns the ETag header, checking that it is quoted.
func (r reply) etag(t *testing.T) string {
	t.Helper()
	e := r.header.Get("ETag")
	if len(e) < 3 || e[0] != '"' || e[len(e)-1] != '"' {
		t.Fatalf("%s %s: ETag %q, want a quoted value", r.method, r.path, e)
	}
	return e
}

// Example schema URIs and bodies shared by the tests.
const (
	ninthGrade = "uri://example.org/GradeLevelDescriptor#Ninth"
	careerType = "uri://example.org/ProgramTypeDescriptor#Career"
)

// schoolBody is a minimal valid school.
func schoolBody(id int, name string) string {
	b, _ := json.Marshal(map[string]any{
		"schoolId":          id,
		"nameOfInstitution": name,
		"gradeLevels":       []any{map[string]any{"gradeLevelDescriptor": ninthGrade}},
	})
	return string(b)
}

// programBody is a program of an education organization.
func programBody(edOrgID int, name, programType string) string {
	b, _ := json.Marshal(map[string]any{
		"educationOrganizationReference": map[string]any{"educationOrganizationId": edOrgID},
		"programName":                    name,
		"programTypeDescriptor":          programType,
	})
	return string(b)
}

// seedDescriptors creates the descriptors of ninthGrade and careerType.
func (s *serveTest) seedDescriptors() {
	s.t.Helper()
	for _, d := range []struct{ endpoint, namespace, code string }{
		{"gradeLevelDescriptors", "uri://example.org/GradeLevelDescriptor", "Ninth"},
		{"programTypeDescriptors", "uri://example.org/ProgramTypeDescriptor", "Career"},
	} {
		body, _ := json.Marshal(map[string]string{"namespace": d.namespace, "codeValue": d.code, "shortDescription": d.code})
		s.do("POST", "/data/example/"+d.endpoint, string(body)).must(s.t, http.StatusCreated)
	}
}

// TestServeWriteRead covers POST (create, then upsert of the same
// identity), GET and PUT with If-Match.
func TestServeWriteRead(t *testing.T) {
	s := newServeTest(t)
	s.seedDescriptors()

	created := s.do("POST", "/data/example/schools", schoolBody(100, "First")).must(t, http.StatusCreated)
	loc := created.location(t, "/data/example/schools/")
	etag1 := created.etag(t)

	upserted := s.do("POST", "/data/example/schools", schoolBody(100, "Renamed")).must(t, http.StatusOK)
	if got := upserted.location(t, "/data/example/schools/"); got != loc {
		t.Fatalf("upsert of the same identity: Location %s, want %s", got, loc)
	}
	etag2 := upserted.etag(t)
	if etag2 == etag1 {
		t.Errorf("upsert kept ETag %s", etag1)
	}

	got := s.do("GET", loc, "").must(t, http.StatusOK)
	if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET Content-Type %q", ct)
	}
	if got.etag(t) != etag2 {
		t.Errorf("GET ETag %s, want %s", got.etag(t), etag2)
	}
	doc := got.document(t)
	if doc["id"] != strings.TrimPrefix(loc, "/data/example/schools/") {
		t.Errorf("GET id %v, want the Location's id %s", doc["id"], loc)
	}
	if doc["_etag"] != strings.Trim(etag2, `"`) {
		t.Errorf("GET _etag %v, want %s unquoted", doc["_etag"], etag2)
	}
	if s, _ := doc["_lastModifiedDate"].(string); s == "" {
		t.Errorf("GET has no _lastModifiedDate: %s", got.body)
	}
	if doc["nameOfInstitution"] != "Renamed" {
		t.Errorf("GET nameOfInstitution %v, want Renamed", doc["nameOfInstitution"])
	}
	s.do("GET", loc, "", "If-None-Match", etag2).must(t, http.StatusNotModified)

	stale := s.do("PUT", loc, schoolBody(100, "Stale"), "If-Match", etag1)
	stale.problem(t, http.StatusPreconditionFailed, TypeETagMismatch)

	// If-Match is accepted bare as well as quoted.
	put := s.do("PUT", loc, schoolBody(100, "Put"), "If-Match", strings.Trim(etag2, `"`)).must(t, http.StatusNoContent)
	etag3 := put.etag(t)
	if etag3 == etag2 {
		t.Errorf("PUT kept ETag %s", etag2)
	}
	if doc := s.do("GET", loc, "").must(t, http.StatusOK).document(t); doc["nameOfInstitution"] != "Put" {
		t.Errorf("after PUT: nameOfInstitution %v, want Put", doc["nameOfInstitution"])
	}
	s.do("PUT", loc, schoolBody(100, "Again"), "If-Match", etag2).problem(t, http.StatusPreconditionFailed, TypeETagMismatch)
	s.do("PUT", loc, schoolBody(100, "Again"), "If-Match", etag3).must(t, http.StatusNoContent)

	// A document read back can be PUT unchanged (id, _etag and
	// _lastModifiedDate included).
	back := s.do("GET", loc, "").must(t, http.StatusOK)
	s.do("PUT", loc, string(back.body), "If-Match", back.etag(t)).must(t, http.StatusNoContent)
	if doc := s.do("GET", loc, "").must(t, http.StatusOK).document(t); doc["nameOfInstitution"] != "Again" {
		t.Errorf("after PUT of the read document: nameOfInstitution %v, want Again", doc["nameOfInstitution"])
	}
}

// TestServeErrors covers the problem details of rejected requests.
func TestServeErrors(t *testing.T) {
	s := newServeTest(t)
	s.seedDescriptors()
	s.do("POST", "/data/example/schools", schoolBody(200, "Existing")).must(t, http.StatusCreated)
	schoolLoc := s.do("POST", "/data/example/schools", schoolBody(200, "Existing")).must(t, http.StatusOK).location(t, "/data/example/schools/")
	missingID := "/data/example/schools/00000000-0000-4000-8000-000000000000"

	cases := []struct {
		name, method, path, body string
		status                   int
		typ                      string
		check                    func(t *testing.T, p problemReply)
	}{
		{
			name: "unresolved reference", method: "POST", path: "/data/example/programs",
			body:   programBody(999999, "Orphan", careerType),
			status: http.StatusConflict, typ: TypeUnresolvedReference,
			check: func(t *testing.T, p problemReply) {
				if len(p.Errors) != 1 || p.Errors[0]["path"] != "$.educationOrganizationReference" || !strings.Contains(p.Errors[0]["target"].(string), "EducationOrganization") {
					t.Errorf("errors %v, want one at $.educationOrganizationReference targeting EducationOrganization", p.Errors)
				}
			},
		},
		{
			name: "unresolved descriptor", method: "POST", path: "/data/example/programs",
			body:   programBody(200, "Unknown type", "uri://example.org/ProgramTypeDescriptor#Nope"),
			status: http.StatusBadRequest, typ: TypeDescriptor,
			check: func(t *testing.T, p problemReply) {
				if len(p.ValidationErrors) != 1 || p.ValidationErrors[0]["path"] != "$.programTypeDescriptor" || p.ValidationErrors[0]["found"] != nil {
					t.Errorf("validationErrors %v, want one at $.programTypeDescriptor without found", p.ValidationErrors)
				}
			},
		},
		{
			name: "wrong descriptor type", method: "POST", path: "/data/example/programs",
			body:   programBody(200, "Wrong type", ninthGrade),
			status: http.StatusBadRequest, typ: TypeDescriptor,
			check: func(t *testing.T, p problemReply) {
				if !strings.Contains(p.Detail, "GradeLevelDescriptor") || !strings.Contains(p.Detail, "ProgramTypeDescriptor") {
					t.Errorf("detail %q should name GradeLevelDescriptor and ProgramTypeDescriptor", p.Detail)
				}
				if len(p.ValidationErrors) != 1 {
					t.Fatalf("validationErrors %v, want one", p.ValidationErrors)
				}
				v := p.ValidationErrors[0]
				found, _ := v["found"].(string)
				expected, _ := v["expected"].(string)
				if !strings.Contains(found, "GradeLevelDescriptor") || !strings.Contains(expected, "ProgramTypeDescriptor") || v["uri"] != ninthGrade {
					t.Errorf("validationErrors[0] %v, want uri %s found GradeLevelDescriptor expected ProgramTypeDescriptor", v, ninthGrade)
				}
			},
		},
		{
			// A School and a LocalEducationAgency with the same id share
			// their EducationOrganization alias identity.
			name: "duplicate natural key", method: "POST", path: "/data/example/localEducationAgencies",
			body:   `{"localEducationAgencyId": 200, "nameOfInstitution": "Same id as the school"}`,
			status: http.StatusConflict, typ: TypeIdentityConflict,
			check: func(t *testing.T, p problemReply) {
				if len(p.Errors) != 1 || p.Errors[0]["message"] == "" {
					t.Errorf("errors %v, want one conflict with a message", p.Errors)
				}
			},
		},
		{
			name: "invalid document", method: "POST", path: "/data/example/schools",
			body:   `{"schoolId": 201, "gradeLevels": [{"gradeLevelDescriptor": "` + ninthGrade + `"}]}`,
			status: http.StatusBadRequest, typ: TypeValidation,
			check: func(t *testing.T, p problemReply) {
				if len(p.ValidationErrors) == 0 || !strings.Contains(p.ValidationErrors[0]["path"].(string), "nameOfInstitution") {
					t.Errorf("validationErrors %v, want $.nameOfInstitution", p.ValidationErrors)
				}
			},
		},
		{
			name: "_ext of a project that does not extend the scope", method: "POST", path: "/data/example/schools",
			body:   `{"schoolId": 202, "nameOfInstitution": "X", "gradeLevels": [{"gradeLevelDescriptor": "` + ninthGrade + `"}], "_ext": {"extra": {"busRoute": "R9"}, "elsewhere": {"a": 1}}}`,
			status: http.StatusBadRequest, typ: TypeValidation,
			check: func(t *testing.T, p problemReply) {
				if len(p.ValidationErrors) != 1 || p.ValidationErrors[0]["path"] != "$._ext.elsewhere" {
					t.Errorf("validationErrors %v, want one at $._ext.elsewhere", p.ValidationErrors)
				}
			},
		},
		{name: "invalid JSON", method: "POST", path: "/data/example/schools", body: `{"schoolId": `, status: http.StatusBadRequest, typ: TypeBadRequest},
		{name: "not an object", method: "PUT", path: schoolLoc, body: `[1, 2]`, status: http.StatusBadRequest, typ: TypeBadRequest},
		{name: "empty body", method: "POST", path: "/data/example/schools", status: http.StatusBadRequest, typ: TypeBadRequest},
		{name: "unknown resource", method: "GET", path: "/data/example/nothings", status: http.StatusNotFound, typ: TypeNotFound},
		{name: "unknown project", method: "POST", path: "/data/ed-fi/schools", body: "{}", status: http.StatusNotFound, typ: TypeNotFound},
		{name: "outside /data", method: "GET", path: "/schools", status: http.StatusNotFound, typ: TypeNotFound},
		{name: "too deep", method: "GET", path: schoolLoc + "/more", status: http.StatusNotFound, typ: TypeNotFound},
		{name: "id not a uuid", method: "GET", path: "/data/example/schools/42", status: http.StatusNotFound, typ: TypeNotFound},
		{name: "unknown id", method: "GET", path: missingID, status: http.StatusNotFound, typ: TypeNotFound},
		{name: "put unknown id", method: "PUT", path: missingID, body: schoolBody(200, "x"), status: http.StatusNotFound, typ: TypeNotFound},
		{name: "delete unknown id", method: "DELETE", path: missingID, status: http.StatusNotFound, typ: TypeNotFound},
		{name: "PATCH collection", method: "PATCH", path: "/data/example/schools", body: "{}", status: http.StatusMethodNotAllowed, typ: TypeMethodNotAllowed},
		{name: "POST to an id", method: "POST", path: schoolLoc, body: schoolBody(200, "x"), status: http.StatusMethodNotAllowed, typ: TypeMethodNotAllowed},
		{name: "PUT collection", method: "PUT", path: "/data/example/schools", body: schoolBody(200, "x"), status: http.StatusMethodNotAllowed, typ: TypeMethodNotAllowed},
		{name: "bad limit", method: "GET", path: "/data/example/schools?limit=501", status: http.StatusBadRequest, typ: TypeBadRequest},
		{name: "unknown query field", method: "GET", path: "/data/example/schools?color=red", status: http.StatusBadRequest, typ: TypeValidation},
		{name: "too large", method: "POST", path: "/data/example/schools", body: `{"x":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`, status: http.StatusRequestEntityTooLarge, typ: TypeTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do(c.method, c.path, c.body)
			p := r.problem(t, c.status, c.typ)
			if c.status == http.StatusMethodNotAllowed && !strings.HasPrefix(r.header.Get("Allow"), "GET, ") {
				t.Errorf("405 Allow header %q, want the allowed methods", r.header.Get("Allow"))
			}
			if c.check != nil {
				c.check(t, p)
			}
		})
	}
}

// TestServeDelete covers DELETE of a referenced document (409 naming the
// referrers), DELETE with If-Match, and DELETE then GET.
func TestServeDelete(t *testing.T) {
	s := newServeTest(t)
	s.seedDescriptors()
	school := s.do("POST", "/data/example/schools", schoolBody(300, "Referenced")).must(t, http.StatusCreated)
	schoolLoc := school.location(t, "/data/example/schools/")
	program := s.do("POST", "/data/example/programs", programBody(300, "Referrer", careerType)).must(t, http.StatusCreated)
	programLoc := program.location(t, "/data/example/programs/")

	p := s.do("DELETE", schoolLoc, "").problem(t, http.StatusConflict, TypeDependentItem)
	if len(p.Errors) != 1 || p.Errors[0]["resource"] != "Example:Program" || !strings.Contains(p.Detail, "Program") {
		t.Errorf("problem %+v, want the referrer Example:Program", p)
	}
	s.do("GET", schoolLoc, "").must(t, http.StatusOK)

	s.do("DELETE", programLoc, "", "If-Match", `"stale"`).problem(t, http.StatusPreconditionFailed, TypeETagMismatch)
	s.do("DELETE", programLoc, "", "If-Match", program.etag(t)).must(t, http.StatusNoContent)
	s.do("GET", programLoc, "").problem(t, http.StatusNotFound, TypeNotFound)
	s.do("DELETE", schoolLoc, "").must(t, http.StatusNoContent)
	s.do("GET", schoolLoc, "").problem(t, http.StatusNotFound, TypeNotFound)
}

// TestServeQuery covers filters, limit, offset, totalCount and keyset
// paging.
func TestServeQuery(t *testing.T) {
	s := newServeTest(t)
	s.seedDescriptors()
	for i, name := range []string{"Query High", "Other", "Query High", "Query High", "Other"} {
		s.do("POST", "/data/example/schools", schoolBody(400+i, name)).must(t, http.StatusCreated)
	}
	ids := func(r reply) []float64 {
		t.Helper()
		var docs []map[string]any
		if err := json.Unmarshal(r.body, &docs); err != nil {
			t.Fatalf("%s: %v\n%s", r.path, err, r.body)
		}
		out := []float64{}
		for _, d := range docs {
			id, _ := d["schoolId"].(float64)
			out = append(out, id)
		}
		return out
	}
	same := func(got []float64, want ...float64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range got {
			if got[i] != want[i] {
				return false
			}
		}
		return true
	}

	first := s.do("GET", "/data/example/schools?nameOfInstitution=Query%20High&limit=2&totalCount=true", "").must(t, http.StatusOK)
	if got := ids(first); !same(got, 400, 402) {
		t.Errorf("first page %v, want [400 402]", got)
	}
	if tc := first.header.Get(HeaderTotalCount); tc != "3" {
		t.Errorf("Total-Count %q, want 3", tc)
	}
	cursor := first.header.Get(HeaderNextCursor)
	if cursor == "" {
		t.Fatalf("a full page has no %s header: %v", HeaderNextCursor, first.header)
	}
	second := s.do("GET", "/data/example/schools?nameOfInstitution=Query%20High&limit=2&after="+cursor, "").must(t, http.StatusOK)
	if got := ids(second); !same(got, 403) {
		t.Errorf("page after the cursor %v, want [403]", got)
	}
	if second.header.Get(HeaderNextCursor) != "" || second.header.Get(HeaderTotalCount) != "" {
		t.Errorf("last page without totalCount: headers %v, want neither Next-Cursor nor Total-Count", second.header)
	}
	offset := s.do("GET", "/data/example/schools?nameOfInstitution=Query%20High&offset=1&limit=5", "").must(t, http.StatusOK)
	if got := ids(offset); !same(got, 402, 403) {
		t.Errorf("offset 1 %v, want [402 403]", got)
	}
	none := s.do("GET", "/data/example/schools?schoolId=999&totalCount=true", "").must(t, http.StatusOK)
	if strings.TrimSpace(string(none.body)) != "[]" || none.header.Get(HeaderTotalCount) != "0" {
		t.Errorf("no match: body %s Total-Count %q, want [] and 0", none.body, none.header.Get(HeaderTotalCount))
	}
	// Endpoints match case-insensitively.
	if got := ids(s.do("GET", "/data/Example/Schools?schoolId=401", "").must(t, http.StatusOK)); !same(got, 401) {
		t.Errorf("case-insensitive route: %v, want [401]", got)
	}
}

// TestServePruned checks that overposted properties are reported in the
// Pruned-Properties header and not stored.
func TestServePruned(t *testing.T) {
	s := newServeTest(t)
	s.seedDescriptors()
	var body bytes.Buffer
	body.WriteString(strings.TrimSuffix(schoolBody(500, "Overposted"), "}"))
	body.WriteString(`,"favouriteColor":"red"}`)
	r := s.do("POST", "/data/example/schools", body.String()).must(t, http.StatusCreated)
	if got := r.header.Get(HeaderPrunedProperties); !strings.Contains(got, "favouriteColor") {
		t.Errorf("%s %q, want favouriteColor", HeaderPrunedProperties, got)
	}
	doc := s.do("GET", r.location(t, "/data/example/schools/"), "").must(t, http.StatusOK).document(t)
	if _, ok := doc["favouriteColor"]; ok {
		t.Errorf("pruned property stored: %v", doc)
	}
}
