package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// startServer serves h for the test and returns a serveTest over it.
func startServer(t *testing.T, h http.Handler) *serveTest {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &serveTest{t: t, url: srv.URL, client: srv.Client()}
}

// syncBuffer is a log the test reads while the server writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

// Write implements io.Writer.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeIndexStore checks GET / over a provisioned example database:
// every resource of the manifest under its project, sorted, and every
// link answering 200, in JSON and in HTML.
func TestServeIndexStore(t *testing.T) {
	env := relstoretest.New(t, "index")
	s := startServer(t, New(env.Store, Options{ErrorLog: testLog{t}}))

	// The expectation, from the manifest.
	type res struct{ project, endpoint, name string }
	var want []res
	for _, r := range env.Manifest.Resources {
		want = append(want, res{r.ProjectEndpoint, r.EndpointName, r.ResourceName})
	}
	sort.Slice(want, func(i, j int) bool {
		if want[i].project != want[j].project {
			return want[i].project < want[j].project
		}
		return want[i].endpoint < want[j].endpoint
	})
	if len(want) < 5 {
		t.Fatalf("the example manifest has %d resources", len(want))
	}

	r := s.do("GET", "/", "").must(t, http.StatusOK)
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	var idx Index
	if err := json.Unmarshal(r.body, &idx); err != nil {
		t.Fatalf("index: %v\n%s", err, r.body)
	}
	var got []res
	for _, p := range idx.Projects {
		var mp *manifest.Project
		for i := range env.Manifest.Projects {
			if env.Manifest.Projects[i].EndpointName == p.Endpoint {
				mp = &env.Manifest.Projects[i]
			}
		}
		if mp == nil || mp.ProjectName != p.ProjectName || mp.ProjectVersion != p.Version || mp.IsExtension != p.IsExtension {
			t.Errorf("project %+v does not match the manifest's %+v", p, mp)
		}
		for _, rr := range p.Resources {
			got = append(got, res{p.Endpoint, rr.Endpoint, rr.Name})
			if rr.Href != "/data/"+p.Endpoint+"/"+rr.Endpoint {
				t.Errorf("%s/%s: href %q", p.Endpoint, rr.Endpoint, rr.Href)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("index lists\n%v\nwant (sorted by project, then endpoint)\n%v", got, want)
	}
	again := s.do("GET", "/", "").must(t, http.StatusOK)
	if string(again.body) != string(r.body) {
		t.Errorf("two GET / differ:\n%s\n%s", r.body, again.body)
	}

	page := s.do("GET", "/", "", "Accept", "text/html").must(t, http.StatusOK)
	if ct := page.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("Accept text/html: Content-Type %q", ct)
	}
	for _, p := range idx.Projects {
		for _, rr := range p.Resources {
			if !strings.Contains(string(page.body), `href="`+rr.Href+`"`) {
				t.Errorf("the HTML page has no link to %s", rr.Href)
			}
			s.do("GET", rr.Href, "").must(t, http.StatusOK)
		}
	}
}

// TestServeReadyStore checks GET /ready over a provisioned database in
// each state it reports: ready, another hash, no hash, no
// dms.EffectiveSchema, an unreadable one, the table locked past the
// request timeout, the database unreachable, and a store without a check. /health answers 200
// in every state.
func TestServeReadyStore(t *testing.T) {
	env := relstoretest.New(t, "ready")
	ctx := context.Background()
	exec := func(t *testing.T, sql string) {
		t.Helper()
		if _, err := env.Pool.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	otherHash := strings.Repeat("f", 64)
	hash := env.Manifest.EffectiveSchemaHash

	// A store whose pool is gone: opened on a pool of its own, then closed.
	deadCfg, err := pgxpool.ParseConfig(env.DSN)
	if err != nil {
		t.Fatal(err)
	}
	deadPool, err := relstore.NewPool(ctx, deadCfg)
	if err != nil {
		t.Fatal(err)
	}
	deadStore, err := relstore.Open(ctx, env.Manifest, deadPool, relstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deadPool.Close()

	cases := []struct {
		name   string
		store  Store
		setup  func(t *testing.T) (teardown func())
		status int
		typ    string
		detail []string
		errors string // the problem's errors, as JSON
	}{
		{name: "ready", store: env.Store, status: 200},
		{
			name: "another hash", store: env.Store,
			setup: func(t *testing.T) func() {
				exec(t, `UPDATE "dms"."EffectiveSchema" SET "EffectiveSchemaHash" = '`+otherHash+`'`)
				return func() { exec(t, `UPDATE "dms"."EffectiveSchema" SET "EffectiveSchemaHash" = '`+hash+`'`) }
			},
			status: 503, typ: TypeFingerprintMismatch,
			detail: []string{"the database holds effective schema " + otherHash, "the manifest expects " + hash},
			errors: `[{"database":"` + otherHash + `","manifest":"` + hash + `"}]`,
		},
		{
			name: "no hash", store: env.Store,
			setup: func(t *testing.T) func() {
				exec(t, `ALTER TABLE "dms"."EffectiveSchema" RENAME TO "EffectiveSchemaSaved"`)
				exec(t, `CREATE TABLE "dms"."EffectiveSchema" (LIKE "dms"."EffectiveSchemaSaved")`)
				return func() {
					exec(t, `DROP TABLE "dms"."EffectiveSchema"`)
					exec(t, `ALTER TABLE "dms"."EffectiveSchemaSaved" RENAME TO "EffectiveSchema"`)
				}
			},
			status: 503, typ: TypeFingerprintMismatch,
			detail: []string{"no dms.EffectiveSchema row", hash},
			errors: `[{"database":"","manifest":"` + hash + `"}]`,
		},
		{
			name: "no dms.EffectiveSchema", store: env.Store,
			setup: func(t *testing.T) func() {
				exec(t, `ALTER TABLE "dms"."EffectiveSchema" RENAME TO "EffectiveSchemaSaved"`)
				return func() { exec(t, `ALTER TABLE "dms"."EffectiveSchemaSaved" RENAME TO "EffectiveSchema"`) }
			},
			status: 503, typ: TypeFingerprintMismatch,
			detail: []string{"no dms.EffectiveSchema row", hash},
			errors: `[{"database":"","manifest":"` + hash + `"}]`,
		},
		{
			name: "dms.EffectiveSchema unreadable", store: env.Store,
			setup: func(t *testing.T) func() {
				exec(t, `ALTER TABLE "dms"."EffectiveSchema" RENAME COLUMN "EffectiveSchemaHash" TO "Renamed"`)
				return func() {
					exec(t, `ALTER TABLE "dms"."EffectiveSchema" RENAME COLUMN "Renamed" TO "EffectiveSchemaHash"`)
				}
			},
			status: 503, typ: TypeUnavailable, detail: []string{"dms.EffectiveSchema cannot be read"},
		},
		{
			name: "locked past the request timeout", store: env.Store,
			setup: func(t *testing.T) func() {
				conn, err := pgx.Connect(ctx, env.DSN)
				if err != nil {
					t.Fatal(err)
				}
				tx, err := conn.Begin(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.Exec(ctx, `LOCK TABLE "dms"."EffectiveSchema" IN ACCESS EXCLUSIVE MODE`); err != nil {
					t.Fatal(err)
				}
				return func() {
					_ = tx.Rollback(ctx)
					_ = conn.Close(ctx)
				}
			},
			status: 503, typ: TypeUnavailable, detail: []string{"did not answer within 300ms"},
		},
		{name: "unreachable", store: deadStore, status: 503, typ: TypeUnavailable, detail: []string{"unreachable"}},
		{name: "a store without a check", store: noReadyCheck{env.Store}, status: 503, typ: TypeUnavailable, detail: []string{"no CheckReady method"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				t.Cleanup(c.setup(t))
			}
			errLog := &syncBuffer{}
			s := startServer(t, New(c.store, Options{RequestTimeout: 300 * time.Millisecond, ErrorLog: errLog}))
			r := s.do("GET", "/ready", "")
			s.do("GET", "/health", "").must(t, http.StatusOK)
			if c.status == 200 {
				r.must(t, http.StatusOK)
				if doc := r.document(t); doc["status"] != "ready" || doc["effectiveSchemaHash"] != hash {
					t.Errorf("body %s, want status ready and hash %s", r.body, hash)
				}
				return
			}
			p := r.problem(t, c.status, c.typ)
			if r.header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			for _, d := range c.detail {
				if !strings.Contains(p.Detail, d) {
					t.Errorf("detail %q lacks %q", p.Detail, d)
				}
			}
			if c.errors != "" {
				got, _ := json.Marshal(p.Errors)
				if string(got) != c.errors {
					t.Errorf("errors %s, want %s", got, c.errors)
				}
			}
			if strings.Contains(p.Detail, deadCfg.ConnConfig.Host) || strings.Contains(p.Detail, "postgres@") {
				t.Errorf("detail exposes the connection: %q", p.Detail)
			}
			if !strings.Contains(errLog.String(), "GET /ready: 503") {
				t.Errorf("the 503 is not in the error log: %q", errLog.String())
			}
		})
	}
}

// TestServeQueryFieldProblems checks the 400 of unknown query fields and
// of offset with after over a provisioned example database.
func TestServeQueryFieldProblems(t *testing.T) {
	env := relstoretest.New(t, "qfnames")
	s := startServer(t, New(env.Store, Options{ErrorLog: testLog{t}}))
	s.seedDescriptors()
	s.do("POST", "/data/example/schools", schoolBody(600, "Known")).must(t, http.StatusCreated)
	fieldsOf := func(endpoint string) []string {
		for _, r := range env.Manifest.Resources {
			if r.EndpointName == endpoint {
				var names []string
				for _, q := range r.QueryFields {
					names = append(names, q.Name)
				}
				sort.Strings(names)
				return names
			}
		}
		t.Fatalf("no resource %s", endpoint)
		return nil
	}
	schoolFields := fieldsOf("schools")
	if len(schoolFields) < 2 {
		t.Fatalf("schools has query fields %q", schoolFields)
	}
	descriptorFields := []string{"codeValue", "description", "effectiveBeginDate", "effectiveEndDate", "namespace", "shortDescription"}

	cases := []struct {
		name, path  string
		status      int
		typ         string
		detail      []string
		suggestions []string // of validationErrors, in order ("" = none)
		valid       []string // validQueryFields
	}{
		{name: "a known field", path: "/data/example/schools?schoolId=600", status: 200},
		{
			name: "wrong case", path: "/data/example/schools?schoolid=600", status: 400, typ: TypeValidation,
			detail:      []string{`"schoolid" (did you mean "schoolId"?) is not a query field of School`, "its query fields are " + strings.Join(schoolFields, ", ")},
			suggestions: []string{"schoolId"}, valid: schoolFields,
		},
		{
			name: "nothing near", path: "/data/example/schools?color=red", status: 400, typ: TypeValidation,
			detail: []string{`"color" is not a query field of School`}, suggestions: []string{""}, valid: schoolFields,
		},
		{
			name: "a misspelt paging parameter", path: "/data/example/schools?limt=2", status: 400, typ: TypeValidation,
			detail: []string{`did you mean "limit"?`, "paging parameters are offset, limit, totalCount, after"}, suggestions: []string{"limit"}, valid: schoolFields,
		},
		{
			name: "two unknown and a known", path: "/data/example/schools?schoolId=600&nameOfInstitutio=Known&zzz=1", status: 400, typ: TypeValidation,
			detail: []string{`"nameOfInstitutio" (did you mean "nameOfInstitution"?), "zzz" are not query fields of School`}, suggestions: []string{"nameOfInstitution", ""}, valid: schoolFields,
		},
		{
			name: "a descriptor", path: "/data/example/gradeLevelDescriptors?codevalue=Ninth", status: 400, typ: TypeValidation,
			detail: []string{"its query fields are " + strings.Join(descriptorFields, ", ")}, suggestions: []string{"codeValue"}, valid: descriptorFields,
		},
		{name: "a descriptor field", path: "/data/example/gradeLevelDescriptors?codeValue=Ninth", status: 200},
		{
			name: "offset with after", path: "/data/example/schools?offset=1&after=5", status: 400, typ: TypeBadRequest,
			detail: []string{"offset and after cannot be combined"},
		},
		{
			name: "after with offset 0", path: "/data/example/schools?after=5&offset=0", status: 400, typ: TypeBadRequest,
			detail: []string{"offset and after cannot be combined"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.do("GET", c.path, "")
			if c.status == 200 {
				r.must(t, http.StatusOK)
				return
			}
			p := r.problem(t, c.status, c.typ)
			for _, d := range c.detail {
				if !strings.Contains(p.Detail, d) {
					t.Errorf("detail %q lacks %q", p.Detail, d)
				}
			}
			var body struct {
				ValidationErrors []QueryFieldItem `json:"validationErrors"`
				ValidQueryFields []string         `json:"validQueryFields"`
			}
			if err := json.Unmarshal(r.body, &body); err != nil {
				t.Fatal(err)
			}
			var sugg []string
			for _, it := range body.ValidationErrors {
				sugg = append(sugg, it.Suggestion)
			}
			if !reflect.DeepEqual(sugg, c.suggestions) {
				t.Errorf("suggestions %q, want %q (%s)", sugg, c.suggestions, r.body)
			}
			if !reflect.DeepEqual(body.ValidQueryFields, c.valid) {
				t.Errorf("validQueryFields %q, want %q", body.ValidQueryFields, c.valid)
			}
		})
	}
}

// TestServeQueryFieldsMatchStore checks, for every resource of the example
// and of Ed-Fi DS 5.0, that the server refuses a query field exactly when
// the store does: the server's list (manifest query fields, or
// descriptorQueryFields) must not drift from what relstore serves.
func TestServeQueryFieldsMatchStore(t *testing.T) {
	for _, set := range []struct {
		label string
		files func(t *testing.T) []string
	}{
		{"example", func(*testing.T) []string { return nil }},
		{"ds50", func(t *testing.T) []string { return []string{testenv.DS50(t)} }},
	} {
		t.Run(set.label, func(t *testing.T) {
			env := relstoretest.New(t, "qf"+set.label, set.files(t)...)
			h := newHandler(env.Store, Options{}.withDefaults(), testLog{t})
			ctx := context.Background()
			checked := 0
			for _, r := range env.Manifest.Resources {
				rt := h.routes[strings.ToLower(r.ProjectEndpoint+"/"+r.EndpointName)]
				// The descriptor fields are spelled out: the server's own
				// list would not catch a field it lacks.
				names := append([]string{"id", "notAQueryField", "codeValue", "description", "effectiveBeginDate", "effectiveEndDate", "namespace", "shortDescription"}, rt.queryFields...)
				for _, q := range r.QueryFields {
					names = append(names, q.Name)
				}
				for _, name := range names {
					filters := []relstore.Filter{{Name: name, Value: "1"}}
					serverRefuses := checkQueryFields(rt, filters) != nil
					_, err := env.Store.Query(ctx, r.ProjectEndpoint, r.EndpointName, relstore.QueryOptions{Filters: filters, Limit: 1})
					storeRefuses := false
					var ve *relstore.ValidationError
					if errors.As(err, &ve) {
						for _, p := range ve.Problems {
							storeRefuses = storeRefuses || p.Path == name && strings.HasPrefix(p.Message, "is not a query field")
						}
					} else if err != nil {
						t.Errorf("%s/%s?%s=1: %v", r.ProjectEndpoint, r.EndpointName, name, err)
					}
					if serverRefuses != storeRefuses {
						t.Errorf("%s/%s?%s: the server refuses it: %v, the store: %v (%v)", r.ProjectEndpoint, r.EndpointName, name, serverRefuses, storeRefuses, err)
					}
					checked++
				}
			}
			t.Logf("%d resources, %d query field names checked", len(env.Manifest.Resources), checked)
		})
	}
}

// noReadyCheck hides a store's CheckReady method.
type noReadyCheck struct{ Store }
