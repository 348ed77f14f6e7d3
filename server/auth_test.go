package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// grantStore is a fake store over the example schema's endpoints that
// records each call and the grant in its context.
type grantStore struct {
	mu      sync.Mutex
	calls   []string
	grants  []authz.Grant
	docAuth bool
}

// authedStore is a grantStore that applies document-level authorization
// (DocumentAuthorizer).
type authedStore struct{ *grantStore }

// AuthorizesDocuments implements DocumentAuthorizer.
func (authedStore) AuthorizesDocuments(authz.Action) bool { return true }

const testDocID = "0f8fad5b-d9cb-469f-a165-70867728950e"

func (s *grantStore) record(ctx context.Context, call string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	g, _ := GrantFrom(ctx)
	s.grants = append(s.grants, g)
}

func (s *grantStore) reset() ([]string, []authz.Grant) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, g := s.calls, s.grants
	s.calls, s.grants = nil, nil
	return c, g
}

// Manifest implements Store: the example schema's resources (their claims
// are in testdata/auth/claims.example.json) plus Widget, which has none.
func (s *grantStore) Manifest() *manifest.Manifest {
	r := func(project, endpoint, name string) manifest.Resource {
		return manifest.Resource{ProjectEndpoint: project, EndpointName: endpoint, ResourceName: name}
	}
	return &manifest.Manifest{Resources: []manifest.Resource{
		r("example", "schools", "School"),
		r("example", "students", "Student"),
		r("example", "gradeLevelDescriptors", "GradeLevelDescriptor"),
		r("extra", "buses", "Bus"),
		r("example", "widgets", "Widget"),
	}}
}

func (s *grantStore) Upsert(ctx context.Context, p, e string, _ []byte) (relstore.WriteResult, error) {
	s.record(ctx, "Upsert "+p+"/"+e)
	return relstore.WriteResult{ID: testDocID, Created: true, ETag: "1"}, nil
}

func (s *grantStore) Update(ctx context.Context, p, e, _ string, _ []byte, _ string) (relstore.WriteResult, error) {
	s.record(ctx, "Update "+p+"/"+e)
	return relstore.WriteResult{ID: testDocID, ETag: "2"}, nil
}

func (s *grantStore) Get(ctx context.Context, p, e, id string) (relstore.Document, error) {
	s.record(ctx, "Get "+p+"/"+e)
	return relstore.Document{ID: id, ETag: "1", JSON: []byte(`{}`)}, nil
}

func (s *grantStore) Query(ctx context.Context, p, e string, _ relstore.QueryOptions) (relstore.Page, error) {
	s.record(ctx, "Query "+p+"/"+e)
	return relstore.Page{}, nil
}

func (s *grantStore) Delete(ctx context.Context, p, e, _, _ string) error {
	s.record(ctx, "Delete "+p+"/"+e)
	return nil
}

// exampleClaims loads testdata/auth/claims.example.json.
func exampleClaims(t *testing.T) *authz.Claims {
	t.Helper()
	var d diag.List
	c := authz.LoadFile(filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "claims.example.json"), &d)
	if c == nil {
		t.Fatal(d.Err())
	}
	return c
}

// testSecret is an HS256 secret of the minimum length.
var testSecret = []byte("0123456789abcdef0123456789abcdef")

// testNow is the clock of the JWT tests.
var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// sign signs claims with method and key (a test builds what no minting
// function would).
func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validClaims are the claims of a valid token at testNow, with extra
// members added or (nil values) removed.
func validClaims(extra map[string]any) jwt.MapClaims {
	c := jwt.MapClaims{"scope": "EdFiSandbox", "exp": testNow.Add(time.Hour).Unix(), "iat": testNow.Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// authReply is an answer of the handler.
type authReply struct {
	status int
	header http.Header
	body   []byte
}

func (r authReply) problem(t *testing.T) Problem {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("status %d, body %q is not a problem: %v", r.status, r.body, err)
	}
	if p.Status != r.status {
		t.Errorf("problem status %d, answer %d", p.Status, r.status)
	}
	return p
}

// errorsOf returns a problem's errors as strings.
func errorsOf(p Problem) []string {
	var out []string
	if list, ok := p.Errors.([]any); ok {
		for _, e := range list {
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

// serveAuth sends one request from 127.0.0.1 to h; header is pairs of
// name, value (a name may repeat).
func serveAuth(h http.Handler, method, path, body string, header ...string) authReply {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.RemoteAddr = "127.0.0.1:40000"
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return authReply{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// rsaKey generates a 2048-bit key once per test binary.
var rsaKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// TestJWTAuthentication: valid HS256 and RS256 tokens are accepted and
// their grant reaches the store; every kind of bad token is a 401 with a
// Bearer challenge and the authentication problem type, and the store is
// never called; hostile grants are 401s naming the problem, never 5xx.
func TestJWTAuthentication(t *testing.T) {
	claims := exampleClaims(t)
	now := func() time.Time { return testNow }
	hs, err := NewJWTAuthenticator(JWTConfig{HMACSecret: testSecret, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := NewJWTAuthenticator(JWTConfig{RSAPublicKey: &rsaKey().PublicKey, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := x509.MarshalPKIXPublicKey(&rsaKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubPEM})
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	noneToken := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, validClaims(nil))
	valid := sign(t, jwt.SigningMethodHS256, testSecret, validClaims(nil))
	manyIDs := func(n int) string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = strconv.Itoa(255901000 + i)
		}
		return strings.Join(ids, ",")
	}
	hsToken := func(extra map[string]any) string {
		return sign(t, jwt.SigningMethodHS256, testSecret, validClaims(extra))
	}

	cases := []struct {
		name   string
		auth   *JWTAuthenticator
		header []string // Authorization values
		status int
		want   string // in the problem's errors (failures) or the grant (successes)
	}{
		{name: "HS256", auth: hs, header: []string{"Bearer " + valid}, status: 200, want: "EdFiSandbox [] []"},
		{name: "scheme case-insensitive", auth: hs, header: []string{"bearer  " + valid}, status: 200, want: "EdFiSandbox"},
		{name: "RS256", auth: rs, header: []string{"Bearer " + sign(t, jwt.SigningMethodRS256, rsaKey(), validClaims(map[string]any{"educationOrganizationIds": "3,1,2"}))},
			status: 200, want: "EdFiSandbox [1 2 3] []"},
		{name: "grant as arrays, duplicates dropped", auth: hs,
			header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": []any{2, "1", 2}, "namespacePrefixes": []any{"uri://b", "uri://a", "uri://b"}})},
			status: 200, want: "EdFiSandbox [1 2] [uri://a uri://b]"},
		{name: "duplicated prefixes in a list are dropped", auth: hs,
			header: []string{"Bearer " + hsToken(map[string]any{"namespacePrefixes": "uri://x, uri://x,uri://x"})},
			status: 200, want: "EdFiSandbox [] [uri://x]"},
		{name: "10,000 ids", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": manyIDs(authz.MaxEdOrgIDs)})},
			status: 200, want: "EdFiSandbox [255901000 "},
		{name: "empty lists are no grant", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": "", "namespacePrefixes": []any{}})},
			status: 200, want: "EdFiSandbox [] []"},

		{name: "no header", auth: hs, status: 401, want: "no Authorization header"},
		{name: "basic scheme", auth: hs, header: []string{"Basic dXNlcjpwYXNz"}, status: 401, want: `scheme is "Basic"`},
		{name: "bearer without token", auth: hs, header: []string{"Bearer"}, status: 401, want: "no token"},
		{name: "two headers", auth: hs, header: []string{"Bearer " + valid, "Bearer " + valid}, status: 400, want: "2 Authorization headers"},
		{name: "not a JWT", auth: hs, header: []string{"Bearer abc"}, status: 401, want: "malformed"},
		{name: "bad base64", auth: hs, header: []string{"Bearer !!!.###.$$$"}, status: 401, want: "malformed"},
		{name: "payload not JSON", auth: hs, header: []string{"Bearer " + strings.Split(valid, ".")[0] + ".bm90IGpzb24." + strings.Split(valid, ".")[2]}, status: 401, want: "malformed"},
		{name: "truncated signature", auth: hs, header: []string{"Bearer " + valid[:len(valid)-4]}, status: 401, want: "signature is invalid"},
		{name: "wrong secret", auth: hs, header: []string{"Bearer " + sign(t, jwt.SigningMethodHS256, []byte("another secret of thirty-two bytes!"), validClaims(nil))}, status: 401, want: "signature is invalid"},
		{name: "wrong RSA key", auth: rs, header: []string{"Bearer " + sign(t, jwt.SigningMethodRS256, otherKey, validClaims(nil))}, status: 401, want: "signature is invalid"},
		{name: "tampered payload", auth: hs, header: []string{"Bearer " + tamper(t, valid, "scope", "SISVendor")}, status: 401, want: "signature is invalid"},
		{name: "alg none", auth: hs, header: []string{"Bearer " + noneToken}, status: 401, want: `signed with "none"`},
		{name: "alg none on RS256", auth: rs, header: []string{"Bearer " + noneToken}, status: 401, want: `signed with "none"`},
		{name: "HS256 signed with the RSA public key (confusion)", auth: rs, header: []string{"Bearer " + sign(t, jwt.SigningMethodHS256, pubPEM, validClaims(nil))}, status: 401, want: `signed with "HS256"; this server accepts RS256 only`},
		{name: "RS256 on an HS256 server", auth: hs, header: []string{"Bearer " + sign(t, jwt.SigningMethodRS256, rsaKey(), validClaims(nil))}, status: 401, want: `signed with "RS256"; this server accepts HS256 only`},
		{name: "HS512", auth: hs, header: []string{"Bearer " + sign(t, jwt.SigningMethodHS512, testSecret, validClaims(nil))}, status: 401, want: `signed with "HS512"`},
		{name: "unknown alg", auth: hs, header: []string{"Bearer " + withHeader(t, valid, `{"alg":"XX256","typ":"JWT"}`)}, status: 401, want: "not one this server knows"},
		{name: "expired", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"exp": testNow.Add(-time.Second).Unix()})}, status: 401, want: "expired"},
		{name: "no exp", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"exp": nil})}, status: 401, want: "no exp"},
		{name: "exp not a number", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"exp": "tomorrow"})}, status: 401, want: "malformed"},
		{name: "not valid yet", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"nbf": testNow.Add(time.Minute).Unix()})}, status: 401, want: "not valid yet"},
		{name: "no scope", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": nil})}, status: 401, want: "no scope claim"},
		{name: "scope not a string", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": []any{"EdFiSandbox"}})}, status: 401, want: "not a string"},
		{name: "empty scope", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": ""})}, status: 401, want: "claim set name is empty"},
		{name: "scope with a control character", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": "Ed\x1bFi"})}, status: 401, want: "control character"},
		{name: "long scope", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": strings.Repeat("s", 300)})}, status: 401, want: "300 bytes long"},
		{name: "10,001 ids", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": manyIDs(authz.MaxEdOrgIDs + 1)})}, status: 401, want: "10001 distinct education organization ids, more than the 10000 allowed"},
		{name: "40,001 list items", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": strings.Repeat("1,", 40000) + "1"})}, status: 401, want: "more than the 40000"},
		{name: "50,000 array items", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": make([]int, 50000)})}, status: 401, want: "50000 items"},
		{name: "non-numeric id", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": "255901,abc"})}, status: 401, want: `education organization id 2 ("abc") is not an integer`},
		{name: "out-of-range id", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": "99999999999999999999"})}, status: 401, want: "out of range"},
		{name: "fractional id in an array", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": []any{1.5}})}, status: 401, want: `item 1 ("1.5") is not an integer`},
		{name: "boolean id", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": []any{true}})}, status: 401, want: "neither a number nor a string"},
		{name: "empty id item", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": "1,,2"})}, status: 401, want: "item 2 is empty"},
		{name: "ids as an object", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"educationOrganizationIds": map[string]any{"a": 1}})}, status: 401, want: "comma-separated string or an array"},
		{name: "empty prefix", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"namespacePrefixes": []any{"uri://x", ""}})}, status: 401, want: "namespace prefix 2 (\"\") is empty"},
		{name: "prefix not a string", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"namespacePrefixes": []any{7}})}, status: 401, want: "item 1 is not a string"},
		{name: "prefix with spaces", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"namespacePrefixes": []any{" uri://x"}})}, status: 401, want: "leading or trailing spaces"},
		{name: "several problems at once", auth: hs, header: []string{"Bearer " + hsToken(map[string]any{"scope": 1, "educationOrganizationIds": "x"})}, status: 401, want: "not a string"},
		{name: "oversized header", auth: hs, header: []string{"Bearer " + strings.Repeat("a", MaxCredentialBytes)}, status: 401, want: "more than the 1048576 allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &grantStore{}
			h := New(st, Options{Auth: &Auth{Claims: claims, Authenticator: c.auth}})
			var hdr []string
			for _, v := range c.header {
				hdr = append(hdr, "Authorization", v)
			}
			r := serveAuth(h, "GET", "/data/example/schools", "", hdr...)
			calls, grants := st.reset()
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.status == 200 {
				if len(grants) != 1 {
					t.Fatalf("store calls %v", calls)
				}
				g := grants[0]
				if got := fmt.Sprintf("%s %v %v", g.ClaimSet, g.EdOrgIDs, g.NamespacePrefixes); !strings.HasPrefix(got, c.want) {
					t.Errorf("grant %s, want %s…", clip(got, 80), c.want)
				}
				return
			}
			if len(calls) != 0 {
				t.Errorf("the store was called: %v", calls)
			}
			p := r.problem(t)
			if p.Type != TypeAuthentication || p.Detail != "The caller could not be authenticated." {
				t.Errorf("problem %+v", p)
			}
			if errs := strings.Join(errorsOf(p), " | "); !strings.Contains(errs, c.want) {
				t.Errorf("errors %q lack %q", clip(errs, 512), c.want)
			}
			challenge := r.header.Get("WWW-Authenticate")
			presented := len(c.header) == 1 && strings.HasPrefix(strings.ToLower(c.header[0]), "bearer")
			switch {
			case !strings.HasPrefix(challenge, `Bearer realm="dmsc"`):
				t.Errorf("WWW-Authenticate %q", challenge)
			case c.status == 401 && presented && !strings.Contains(challenge, `, error="invalid_token", error_description="`):
				t.Errorf("WWW-Authenticate %q lacks invalid_token", challenge)
			case c.status == 401 && !presented && challenge != `Bearer realm="dmsc"`:
				t.Errorf("WWW-Authenticate %q: no token was presented", challenge)
			case strings.ContainsAny(challenge, "\\\x00\n") || strings.Count(challenge, `"`)%2 != 0:
				t.Errorf("WWW-Authenticate %q is not a valid header value", challenge)
			}
		})
	}
}

// tamper replaces a claim of a token's payload, keeping its signature.
func tamper(t *testing.T, token, claim string, value any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	m[claim] = value
	b, _ := json.Marshal(m)
	parts[1] = new(jwt.Token).EncodeSegment(b)
	return strings.Join(parts, ".")
}

// withHeader replaces a token's header.
func withHeader(t *testing.T, token, header string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[0] = new(jwt.Token).EncodeSegment([]byte(header))
	return strings.Join(parts, ".")
}

// TestResourceAuthorization: each kind of resource-level decision of
// testdata/auth/claims.example.json (allowed, 403 without the action, 403
// for an undeclared claim set or a resource without a claim, 500 for an
// unknown strategy or none, 501 for OwnershipBased and, with a store that
// does not authorize documents, for strategies that decide per document)
// answers as upstream DMS words it, before the store is called; the error
// order keeps the request's own 400/404/405/415 first; /, /health and
// /ready need no credentials.
func TestResourceAuthorization(t *testing.T) {
	claims := exampleClaims(t)
	noStrategies := authz.Parse("inline", []byte(`{"claimSets":[{"claimSetName":"Bare","isSystemReserved":false}],
		"claimsHierarchy":[{"name":"http://ed-fi.org/identity/claims/domains/d","claimSets":[{"name":"Bare","actions":[{"name":"Read"}]}],
		"claims":[{"name":"http://ed-fi.org/identity/claims/example/school"}]}]}`), &diag.List{})
	if noStrategies == nil {
		t.Fatal("inline claims do not parse")
	}
	const school = `{"schoolId":1}`
	cases := []struct {
		name         string
		claims       *authz.Claims
		docAuth      bool
		set          string
		method, path string
		body         string
		header       []string
		status       int
		typ          string
		errs         string // in the problem's errors
		call         string // the store call of an allowed request
	}{
		{name: "allowed: sandbox reads", set: "EdFiSandbox", method: "GET", path: "/data/example/schools", status: 200, call: "Query example/schools"},
		{name: "allowed: sandbox gets", set: "EdFiSandbox", method: "GET", path: "/data/example/schools/" + testDocID, status: 200, call: "Get example/schools"},
		{name: "allowed: sandbox creates", set: "EdFiSandbox", method: "POST", path: "/data/example/schools", body: school, status: 201, call: "Upsert example/schools"},
		{name: "allowed: sandbox updates", set: "EdFiSandbox", method: "PUT", path: "/data/example/schools/" + testDocID, body: school, status: 204, call: "Update example/schools"},
		{name: "allowed: sandbox deletes", set: "EdFiSandbox", method: "DELETE", path: "/data/example/schools/" + testDocID, status: 204, call: "Delete example/schools"},
		{name: "allowed: claim sets match case-insensitively", set: "edfisandbox", method: "GET", path: "/data/example/schools", status: 200, call: "Query example/schools"},
		{name: "allowed: SIS vendor reads schools", set: "SISVendor", method: "GET", path: "/data/example/schools", status: 200, call: "Query example/schools"},

		{name: "403: SIS vendor may not create schools", set: "SISVendor", method: "POST", path: "/data/example/schools", body: school, status: 403,
			typ: TypeAuthorizationAction, errs: "The API client's assigned claim set (currently 'SISVendor') must grant permission of the 'Create' action on one of the following resource claims: School"},
		{name: "403: SIS vendor may not update schools", set: "SISVendor", method: "PUT", path: "/data/example/schools/" + testDocID, body: school, status: 403, typ: TypeAuthorizationAction, errs: "'Update' action"},
		{name: "403: SIS vendor may not delete schools", set: "SISVendor", method: "DELETE", path: "/data/example/schools/" + testDocID, status: 403, typ: TypeAuthorizationAction, errs: "'Delete' action"},
		{name: "allowed: SIS vendor gets a descriptor", set: "SISVendor", method: "GET", path: "/data/example/gradeLevelDescriptors/" + testDocID, status: 200, call: "Get example/gradeLevelDescriptors"},
		{name: "403: undeclared claim set", set: "Nobody", method: "GET", path: "/data/example/schools", status: 403, typ: TypeAuthorization, errs: "The API client's assigned claim set ('Nobody') is not defined."},
		{name: "403: resource without a claim", set: "EdFiSandbox", method: "GET", path: "/data/example/widgets", status: 403, typ: TypeAuthorization},

		{name: "500: unknown strategy", set: "LegacyOdsVendor", method: "GET", path: "/data/extra/buses", status: 500, typ: TypeSecurityConfiguration,
			errs: "The authorization strategy 'BusWithCustomRouteRules' of the 'Read' action on the resource claim 'http://ed-fi.org/identity/claims/extra/bus' is not supported."},
		{name: "500: no strategy", claims: noStrategies, set: "Bare", method: "GET", path: "/data/example/schools", status: 500, typ: TypeSecurityConfiguration,
			errs: "No authorization strategies are defined for the 'Read' action"},
		{name: "501: OwnershipBased", set: "LegacyOdsVendor", method: "GET", path: "/data/example/schools", status: 501, typ: TypeNotImplemented,
			errs: "The authorization strategy 'OwnershipBased' of the 'Read' action"},
		{name: "501: OwnershipBased even with document authorization", docAuth: true, set: "LegacyOdsVendor", method: "PUT", path: "/data/example/schools/" + testDocID, body: school, status: 501, typ: TypeNotImplemented, errs: "OwnershipBased"},

		{name: "501: relationship strategy without document authorization", set: "SISVendor", method: "GET", path: "/data/example/students", status: 501, typ: TypeNotImplemented,
			errs: "Document-level authorization (RelationshipsWithEdOrgsAndPeople) of the 'Read' action on the resource claim 'http://ed-fi.org/identity/claims/example/student'"},
		{name: "allowed: relationship strategy with document authorization", docAuth: true, set: "SISVendor", method: "GET", path: "/data/example/students", status: 200, call: "Query example/students"},
		{name: "501: namespace strategy without document authorization", set: "DescriptorNamespaceVendor", method: "GET", path: "/data/example/gradeLevelDescriptors", status: 501, typ: TypeNotImplemented, errs: "NamespaceBased"},
		{name: "501: a POST could update under a relationship strategy", set: "SISVendor", method: "POST", path: "/data/example/students", body: `{}`, status: 501, typ: TypeNotImplemented},
		{name: "allowed: that POST with document authorization", docAuth: true, set: "SISVendor", method: "POST", path: "/data/example/students", body: `{}`, status: 201, call: "Upsert example/students"},

		{name: "order: 404 unknown resource before 403", set: "SISVendor", method: "POST", path: "/data/example/nothing", body: school, status: 404, typ: TypeNotFound},
		{name: "order: 404 bad id before 403", set: "SISVendor", method: "DELETE", path: "/data/example/schools/42", status: 404, typ: TypeNotFound},
		{name: "order: 405 before 403", set: "SISVendor", method: "PATCH", path: "/data/example/schools/" + testDocID, status: 405, typ: TypeMethodNotAllowed},
		{name: "order: 400 malformed JSON before 403", set: "SISVendor", method: "POST", path: "/data/example/schools", body: `{"schoolId":`, status: 400, typ: TypeBadRequest},
		{name: "order: 400 id mismatch before 403", set: "SISVendor", method: "PUT", path: "/data/example/schools/" + testDocID, body: `{"id":"00000000-0000-4000-8000-000000000000"}`, status: 400, typ: TypeValidation},
		{name: "order: 400 bad query before 403", set: "Nobody", method: "GET", path: "/data/example/schools?limit=0", status: 400, typ: TypeBadRequest},
		{name: "order: 400 condition on POST before 403", set: "SISVendor", method: "POST", path: "/data/example/schools", body: school, header: []string{"If-Match", "*"}, status: 400, typ: TypeBadRequest},
		{name: "order: 415 before 403", set: "SISVendor", method: "POST", path: "/data/example/schools", body: school, header: []string{"Content-Type", "text/plain"}, status: 415, typ: TypeUnsupportedMediaType},
		{name: "order: 401 before 404", method: "GET", path: "/data/example/nothing", status: 401, typ: TypeAuthentication},
		{name: "order: 401 before 400", method: "GET", path: "/data/example/schools?limit=0", status: 401, typ: TypeAuthentication},

		{name: "open: index", method: "GET", path: "/", status: 200},
		{name: "open: health", method: "GET", path: "/health", status: 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gs := &grantStore{}
			var st Store = gs
			if c.docAuth {
				st = authedStore{gs}
			}
			cl := claims
			if c.claims != nil {
				cl = c.claims
			}
			var errLog bytes.Buffer
			h := New(st, Options{Auth: &Auth{Claims: cl, Authenticator: HeaderAuthenticator{}}, ErrorLog: &errLog})
			hdr := append([]string(nil), c.header...)
			if c.set != "" {
				hdr = append(hdr, HeaderClaimSet, c.set)
			}
			var r authReply
			if ct := headerValue(hdr, "Content-Type"); ct != "" {
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				req.RemoteAddr = "[::1]:40000"
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				r = authReply{rec.Code, rec.Header(), rec.Body.Bytes()}
			} else {
				r = serveAuth(h, c.method, c.path, c.body, hdr...)
			}
			calls, grants := gs.reset()
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.status < 300 {
				if c.call == "" {
					return // an open route
				}
				if len(calls) != 1 || calls[0] != c.call {
					t.Fatalf("store calls %v, want %s", calls, c.call)
				}
				if grants[0].ClaimSet != c.set {
					t.Errorf("grant %+v in the store's context", grants[0])
				}
				return
			}
			if len(calls) != 0 {
				t.Errorf("the store was called: %v", calls)
			}
			p := r.problem(t)
			if p.Type != c.typ {
				t.Errorf("type %q, want %q (%s)", p.Type, c.typ, r.body)
			}
			if c.status == 403 && (p.Title != "Authorization Denied" || p.Detail != "Access to the resource could not be authorized." || p.Errors == nil) {
				t.Errorf("403 problem %s", r.body)
			}
			if errs := strings.Join(errorsOf(p), " | "); !strings.Contains(errs, c.errs) {
				t.Errorf("errors %q lack %q", errs, c.errs)
			}
			if logged := errLog.String(); (c.status >= 500 && c.status < 501) != (logged != "") {
				t.Errorf("error log %q for a %d", logged, c.status)
			}
		})
	}
}

func headerValue(pairs []string, name string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i] == name {
			return pairs[i+1]
		}
	}
	return ""
}

// TestHeaderAuthentication: header mode reads the grant from the Dmsc-*
// headers, refuses clients off loopback and bad grants with 401, and Run
// refuses it on a listener off loopback.
func TestHeaderAuthentication(t *testing.T) {
	claims := exampleClaims(t)
	cases := []struct {
		name   string
		remote string
		header []string
		status int
		want   string // grant (200) or in the errors
	}{
		{"claim set only", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox"}, 200, "EdFiSandbox [] []"},
		{"full grant, lines joined", "[::1]:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderEdOrgIDs, "3, 1", HeaderEdOrgIDs, "2,3", HeaderNamespacePrefixes, "uri://x"}, 200, "EdFiSandbox [1 2 3] [uri://x]"},
		{"remote off loopback", "192.0.2.7:1", []string{HeaderClaimSet, "EdFiSandbox"}, 401, "loopback clients only"},
		{"no claim set", "127.0.0.1:1", nil, 401, "no Dmsc-Claim-Set header"},
		{"two claim sets", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderClaimSet, "SISVendor"}, 401, "2 Dmsc-Claim-Set headers"},
		{"empty claim set", "127.0.0.1:1", []string{HeaderClaimSet, ""}, 401, "claim set name is empty"},
		{"non-numeric id", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderEdOrgIDs, "1,x"}, 401, `("x") is not an integer`},
		{"10,001 ids", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderEdOrgIDs, seq(authz.MaxEdOrgIDs + 1)}, 401, "more than the 10000 allowed"},
		{"empty prefix item", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderNamespacePrefixes, "uri://x,"}, 401, "item 2 is empty"},
		{"oversized", "127.0.0.1:1", []string{HeaderClaimSet, "EdFiSandbox", HeaderNamespacePrefixes, strings.Repeat("p", MaxCredentialBytes)}, 401, "more than the 1048576 allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &grantStore{}
			h := New(st, Options{Auth: &Auth{Claims: claims, Authenticator: HeaderAuthenticator{}}})
			req := httptest.NewRequest("GET", "/data/example/schools", nil)
			req.RemoteAddr = c.remote
			for i := 0; i+1 < len(c.header); i += 2 {
				req.Header.Add(c.header[i], c.header[i+1])
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			calls, grants := st.reset()
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			if c.status == 200 {
				g := grants[0]
				if got := fmt.Sprintf("%s %v %v", g.ClaimSet, g.EdOrgIDs, g.NamespacePrefixes); got != c.want {
					t.Errorf("grant %s, want %s", got, c.want)
				}
				return
			}
			if len(calls) != 0 {
				t.Errorf("the store was called: %v", calls)
			}
			p := authReply{rec.Code, rec.Header(), rec.Body.Bytes()}.problem(t)
			if errs := strings.Join(errorsOf(p), " | "); p.Type != TypeAuthentication || !strings.Contains(errs, c.want) {
				t.Errorf("problem %s lacks %q", rec.Body, c.want)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != headerChallenge {
				t.Errorf("WWW-Authenticate %q", got)
			}
		})
	}

	opts := Options{Auth: &Auth{Claims: claims, Authenticator: HeaderAuthenticator{}}}
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "0.0.0.0:8080": false, "192.0.2.1:8080": false, "[::]:8080": false} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckListener(a, opts); (err == nil) != ok {
			t.Errorf("CheckListener(%s) = %v", addr, err)
		}
		jwtOpts := Options{Auth: &Auth{Claims: claims, Authenticator: &JWTAuthenticator{}}}
		if err := CheckListener(a, jwtOpts); err != nil {
			t.Errorf("CheckListener(%s) refuses JWT: %v", addr, err)
		}
	}
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skip("cannot listen on 0.0.0.0:", err)
	}
	defer ln.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := Run(ctx, ln, &grantStore{}, opts); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run on %s with header authentication = %v", ln.Addr(), err)
	}
}

func seq(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(ids, ",")
}

// TestAuthMisconfigured: an Auth without claims or authenticator fails
// closed (500 on /data, logged), and the info routes still answer.
func TestAuthMisconfigured(t *testing.T) {
	for name, a := range map[string]*Auth{
		"no claims":        {Authenticator: HeaderAuthenticator{}},
		"no authenticator": {Claims: exampleClaims(t)},
	} {
		var errLog bytes.Buffer
		st := &grantStore{}
		h := New(st, Options{Auth: a, ErrorLog: &errLog})
		r := serveAuth(h, "GET", "/data/example/schools", "", HeaderClaimSet, "EdFiSandbox")
		if calls, _ := st.reset(); r.status != 500 || len(calls) != 0 || !strings.Contains(errLog.String(), "needs both") {
			t.Errorf("%s: %d %s, calls %v, log %q", name, r.status, r.body, calls, errLog.String())
		}
		if r := serveAuth(h, "GET", "/health", ""); r.status != 200 {
			t.Errorf("%s: /health %d", name, r.status)
		}
	}
	if _, ok := GrantFrom(t.Context()); ok {
		t.Error("GrantFrom of a bare context")
	}
	g := authz.Grant{ClaimSet: "X", EdOrgIDs: []int64{1}}
	if got, ok := GrantFrom(WithGrant(t.Context(), g)); !ok || !reflect.DeepEqual(got, g) {
		t.Errorf("GrantFrom(WithGrant) = %+v, %v", got, ok)
	}
}

// TestNewToken: minted tokens carry the normalized grant as upstream DMS's
// do (comma-separated strings) and pass the authenticator of the matching
// key only; bad requests are refused.
func TestNewToken(t *testing.T) {
	grant := authz.Grant{ClaimSet: "SISVendor", EdOrgIDs: []int64{3, 1, 3}, NamespacePrefixes: []string{"uri://b", "uri://a"}}
	hs, _ := NewJWTAuthenticator(JWTConfig{HMACSecret: testSecret, Now: func() time.Time { return testNow }})
	rs, _ := NewJWTAuthenticator(JWTConfig{RSAPublicKey: &rsaKey().PublicKey, Now: func() time.Time { return testNow }})
	for _, c := range []struct {
		name     string
		req      TokenRequest
		accepts  *JWTAuthenticator
		refuses  *JWTAuthenticator
		wantAlg  string
		lifetime time.Duration
	}{
		{"HS256", TokenRequest{Grant: grant, TTL: 30 * time.Minute, Now: testNow, HMACSecret: testSecret}, hs, rs, "HS256", 30 * time.Minute},
		{"RS256", TokenRequest{Grant: grant, TTL: time.Hour, Now: testNow, RSAPrivateKey: rsaKey()}, rs, hs, "RS256", time.Hour},
	} {
		tok, exp, err := NewToken(c.req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !exp.Equal(testNow.Add(c.lifetime)) {
			t.Errorf("%s: expires %s", c.name, exp)
		}
		var m map[string]any
		payload, _ := jwt.NewParser().DecodeSegment(strings.Split(tok, ".")[1])
		if err := json.Unmarshal(payload, &m); err != nil {
			t.Fatal(err)
		}
		if m["scope"] != "SISVendor" || m["educationOrganizationIds"] != "1,3" || m["namespacePrefixes"] != "uri://a,uri://b" ||
			m["exp"] != float64(exp.Unix()) || m["jti"] == nil {
			t.Errorf("%s: claims %v", c.name, m)
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		g, err := c.accepts.Authenticate(req)
		if err != nil || fmt.Sprint(g) != "{SISVendor [1 3] [uri://a uri://b]}" {
			t.Errorf("%s: accepted as %v, %v", c.name, g, err)
		}
		if _, err := c.refuses.Authenticate(req); err == nil {
			t.Errorf("%s: the other key accepts it", c.name)
		}
		late := func() time.Time { return testNow.Add(c.lifetime + time.Second) }
		cfg := JWTConfig{HMACSecret: testSecret, Now: late}
		if c.wantAlg == "RS256" {
			cfg = JWTConfig{RSAPublicKey: &rsaKey().PublicKey, Now: late}
		}
		expired, _ := NewJWTAuthenticator(cfg)
		if _, err := expired.Authenticate(req); err == nil || !strings.Contains(err.Error(), "expired") {
			t.Errorf("%s: after its lifetime: %v", c.name, err)
		}
	}
	for name, req := range map[string]TokenRequest{
		"no key":        {Grant: grant, TTL: time.Minute},
		"both keys":     {Grant: grant, TTL: time.Minute, HMACSecret: testSecret, RSAPrivateKey: rsaKey()},
		"short secret":  {Grant: grant, TTL: time.Minute, HMACSecret: []byte("short")},
		"no lifetime":   {Grant: grant, HMACSecret: testSecret},
		"invalid grant": {Grant: authz.Grant{ClaimSet: " x"}, TTL: time.Minute, HMACSecret: testSecret},
		"comma prefix":  {Grant: authz.Grant{ClaimSet: "x", NamespacePrefixes: []string{"a,b"}}, TTL: time.Minute, HMACSecret: testSecret},
	} {
		if _, _, err := NewToken(req); err == nil {
			t.Errorf("%s: minted", name)
		}
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]JWTConfig{
		"none":         {},
		"both":         {HMACSecret: testSecret, RSAPublicKey: &rsaKey().PublicKey},
		"short secret": {HMACSecret: []byte("0123456789abcdef0123456789abcde")},
		"small key":    {RSAPublicKey: &small.PublicKey},
	} {
		if _, err := NewJWTAuthenticator(cfg); err == nil {
			t.Errorf("NewJWTAuthenticator(%s) accepted", name)
		}
	}
}

// TestKeyFiles: secrets lose one final newline and must be 32 bytes;
// PEM keys must be RSA keys of the right kind and size.
func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if s, err := ReadHMACSecretFile(write("crlf", append(bytes.Clone(testSecret), "\r\n"...))); err != nil || !bytes.Equal(s, testSecret) {
		t.Errorf("secret with CR LF: %q, %v", s, err)
	}
	if s, err := ReadHMACSecretFile(write("two-lines", append(bytes.Clone(testSecret), "\n\n"...))); err != nil || len(s) != len(testSecret)+1 {
		t.Errorf("secret with two newlines: %q, %v", s, err)
	}
	if _, err := ReadHMACSecretFile(write("short", []byte("0123456789abcdef0123456789abcde\n"))); err == nil || !strings.Contains(err.Error(), "31 bytes") {
		t.Errorf("short secret: %v", err)
	}
	if _, err := ReadHMACSecretFile(dir); err == nil {
		t.Error("a directory as secret")
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey())})
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(rsaKey())
	pub, _ := x509.MarshalPKIXPublicKey(&rsaKey().PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	if k, err := ReadRSAPublicKeyFile(write("pub.pem", pubPEM)); err != nil || !k.Equal(&rsaKey().PublicKey) {
		t.Errorf("public key: %v", err)
	}
	if _, err := ReadRSAPublicKeyFile(write("priv-as-pub.pem", priv)); err == nil {
		t.Error("a private key read as the public key")
	}
	for name, data := range map[string][]byte{"pkcs1": priv, "pkcs8": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})} {
		if k, err := ReadRSAPrivateKeyFile(write(name, data)); err != nil || !k.Equal(rsaKey()) {
			t.Errorf("%s private key: %v", name, err)
		}
	}
	if _, err := ReadRSAPrivateKeyFile(write("pub-as-priv.pem", pubPEM)); err == nil {
		t.Error("a public key read as the private key")
	}
	if _, err := ReadRSAPublicKeyFile(write("garbage", []byte("not pem"))); err == nil {
		t.Error("garbage read as a key")
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
	if _, err := ReadRSAPrivateKeyFile(write("small", smallPEM)); err == nil || !strings.Contains(err.Error(), "1024 bits") {
		t.Errorf("1024-bit key: %v", err)
	}
}
