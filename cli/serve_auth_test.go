package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edfi-dmsc/dmsc/server"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// exampleClaimsFile is testdata/auth/claims.example.json.
var exampleClaimsFile = absPath("../testdata/auth/claims.example.json")

// TestServeAuthUsage: the authentication flags are checked before the
// database is opened: jwt and header need --claims, none refuses it, jwt
// needs exactly one key, keys go with jwt only, header refuses an address
// off loopback; unreadable claims or keys fail.
func TestServeAuthUsage(t *testing.T) {
	secret, private, public := writeKeys(t)
	badClaims := filepath.Join(t.TempDir(), "claims.json")
	if err := os.WriteFile(badClaims, []byte(`{"claimSets":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// The DSN names no reachable server: every case fails before using it.
	dsn := "postgres://nobody@127.0.0.1:1/none?connect_timeout=1"
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help names the modes", []string{"--help"}, ExitOK, "--auth MODE"},
		{"help names the headers", []string{"--help"}, ExitOK, "Dmsc-Namespace-Prefixes"},
		{"unknown mode", []string{"--auth", "basic"}, ExitUsage, `--auth "basic": want jwt, header or none`},
		{"jwt without claims", []string{"--auth", "jwt", "--jwt-secret-file", secret}, ExitUsage, "--auth jwt needs --claims FILE"},
		{"header without claims", []string{"--auth", "header"}, ExitUsage, "--auth header needs --claims FILE"},
		{"none with claims", []string{"--auth", "none", "--claims", exampleClaimsFile}, ExitUsage, "--auth none does not authenticate callers"},
		{"claims without a key (jwt is the default)", []string{"--claims", exampleClaimsFile}, ExitUsage, "--auth jwt needs exactly one key"},
		{"two keys", []string{"--claims", exampleClaimsFile, "--jwt-secret-file", secret, "--jwt-public-key", public}, ExitUsage, "exactly one key"},
		{"a key without jwt", []string{"--claims", exampleClaimsFile, "--auth", "header", "--jwt-secret-file", secret}, ExitUsage, "go with --auth jwt, not --auth header"},
		{"a key without claims", []string{"--jwt-secret-file", secret}, ExitUsage, "go with --auth jwt, not --auth none"},
		{"header off loopback", []string{"--claims", exampleClaimsFile, "--auth", "header", "--addr", "0.0.0.0:0"}, ExitUsage, "serves only on a loopback address"},
		{"header on all interfaces", []string{"--claims", exampleClaimsFile, "--auth", "header", "--addr", ":0"}, ExitUsage, "serves only on a loopback address"},
		{"invalid claims file", []string{"--claims", badClaims, "--jwt-secret-file", secret}, ExitFailure, "claimsHierarchy"},
		{"missing claims file", []string{"--claims", badClaims + ".none", "--jwt-secret-file", secret}, ExitFailure, "read-failed"},
		{"private key as the public key", []string{"--claims", exampleClaimsFile, "--jwt-public-key", private}, ExitFailure, "--jwt-public-key"},
		{"a short secret file", []string{"--claims", exampleClaimsFile, "--jwt-secret-file", badClaims}, ExitFailure, "HS256 needs at least 32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"serve", "--dsn", dsn}, c.args...)...)
			mustCode(t, r, c.code)
			out := r.stdout
			if c.code != ExitOK {
				out = r.stderr
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, out)
			}
			if strings.Contains(out, "127.0.0.1:1") {
				t.Errorf("the database was tried: %s", out)
			}
		})
	}
}

// startServeLog runs `dmsc serve` with args on a free loopback port, -q,
// until the test ends and returns its base URL and stderr.
func startServeLog(t *testing.T, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append(args, "--addr", "127.0.0.1:0", "-q"), strings.NewReader(""), &stdout, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			return m[1], &stderr
		}
		select {
		case code := <-done:
			done <- code
			t.Fatalf("serve exited with %d before listening\nstderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not print its address\nstderr:\n%s", stderr.String())
		}
	}
}

// authResp is one answer of a running server.
type authResp struct {
	status int
	header http.Header
	typ    string
	body   string
}

// send sends one request with header pairs.
func send(t *testing.T, method, url, body string, header ...string) authResp {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var p struct{ Type string }
	_ = json.Unmarshal(data, &p)
	return authResp{resp.StatusCode, resp.Header, p.Type, string(data)}
}

// sign10001 signs, with the secret file's key, a token whose grant
// `dmsc token` refuses to mint: ids as given.
func sign10001(t *testing.T, secretFile, ids string) string {
	t.Helper()
	key, err := server.ReadHMACSecretFile(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"scope": "EdFiSandbox", "exp": time.Now().Add(time.Hour).Unix(), "educationOrganizationIds": ids,
	}).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// mint runs `dmsc token` and returns the token.
func mint(t *testing.T, args ...string) string {
	t.Helper()
	r := runCLI(t, append([]string{"token"}, args...)...)
	mustCode(t, r, ExitOK)
	return strings.TrimSpace(r.stdout)
}

// TestServeAuthEndToEnd runs `dmsc serve --claims` on a provisioned
// example database in each mode: HS256 and RS256 tokens minted by `dmsc
// token` are served by their resource-level decisions (the sandbox writes
// and reads, the SIS vendor may not create schools, OwnershipBased is a
// 501), bad tokens are 401s, the info routes stay open; header mode reads
// the Dmsc-* headers and warns; --auth none warns even with -q.
func TestServeAuthEndToEnd(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "serve_auth")
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...), ExitOK)
	secret, private, public := writeKeys(t)
	grade := `{"namespace":"uri://example.org/GradeLevelDescriptor","codeValue":"Ninth","shortDescription":"Ninth"}`
	school := `{"schoolId":255901001,"nameOfInstitution":"Grand Bend High School","gradeLevels":[{"gradeLevelDescriptor":"uri://example.org/GradeLevelDescriptor#Ninth"}]}`

	t.Run("jwt HS256", func(t *testing.T) {
		base, stderr := startServeLog(t, "serve", "--dsn", dsn, "--claims", exampleClaimsFile, "--jwt-secret-file", secret)
		sandbox := "Bearer " + mint(t, "--claim-set", "EdFiSandbox", "--jwt-secret-file", secret)
		sis := "Bearer " + mint(t, "--claim-set", "SISVendor", "--edorgs", "255901", "--jwt-secret-file", secret)
		legacy := "Bearer " + mint(t, "--claim-set", "LegacyOdsVendor", "--jwt-secret-file", secret)
		wrongKey := "Bearer " + mint(t, "--claim-set", "EdFiSandbox", "--jwt-private-key", private)
		if strings.Contains(stderr.String(), "--auth none") {
			t.Errorf("the none warning with --claims:\n%s", stderr)
		}
		if r := send(t, "POST", base+"/data/example/gradeLevelDescriptors", grade, "Authorization", sandbox); r.status != http.StatusCreated {
			t.Fatalf("sandbox POST descriptor: %d %s", r.status, r.body)
		}
		r := send(t, "POST", base+"/data/example/schools", school, "Authorization", sandbox)
		if r.status != http.StatusCreated {
			t.Fatalf("sandbox POST: %d %s", r.status, r.body)
		}
		loc := r.header.Get("Location")
		for _, c := range []struct {
			name, method, path, body, auth string
			status                         int
			typ                            string
		}{
			{"sandbox reads", "GET", loc, "", sandbox, 200, ""},
			{"SIS vendor reads schools", "GET", "/data/example/schools", "", sis, 200, ""},
			{"SIS vendor may not create schools", "POST", "/data/example/schools", school, sis, 403, server.TypeAuthorizationAction},
			{"SIS vendor may not create descriptors", "POST", "/data/example/gradeLevelDescriptors", grade, sis, 403, server.TypeAuthorizationAction},
			{"SIS vendor reads descriptors", "GET", "/data/example/gradeLevelDescriptors", "", sis, 200, ""},
			{"SIS vendor may not delete schools", "DELETE", loc, "", sis, 403, server.TypeAuthorizationAction},
			{"OwnershipBased", "GET", loc, "", legacy, 501, server.TypeNotImplemented},
			{"unknown strategy", "GET", "/data/extra/buses", "", legacy, 500, server.TypeSecurityConfiguration},
			// The example declares no securable elements: a relationship
			// strategy has no subject to check on Student (spec: 500).
			{"a relationship strategy without securable elements", "GET", "/data/example/students", "", sis, 500, server.TypeSecurityConfiguration},
			{"no token", "GET", loc, "", "", 401, server.TypeAuthentication},
			{"RS256 token on the HS256 server", "GET", loc, "", wrongKey, 401, server.TypeAuthentication},
			{"garbage", "GET", loc, "", "Bearer x.y.z", 401, server.TypeAuthentication},
			{"no token, unknown route", "GET", "/data/example/nothing", "", "", 401, server.TypeAuthentication},
			{"health is open", "GET", "/health", "", "", 200, ""},
			{"the index is open", "GET", "/", "", "", 200, ""},
		} {
			path := c.path
			if !strings.HasPrefix(path, "http") {
				path = base + path
			}
			var hdr []string
			if c.auth != "" {
				hdr = []string{"Authorization", c.auth}
			}
			r := send(t, c.method, path, c.body, hdr...)
			if r.status != c.status || r.typ != c.typ {
				t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.typ)
			}
			if r.status == 401 && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: WWW-Authenticate %q", c.name, r.header.Get("WWW-Authenticate"))
			}
		}
		if r := send(t, "DELETE", base+loc, "", "Authorization", sandbox); r.status != http.StatusNoContent {
			t.Errorf("sandbox DELETE: %d %s", r.status, r.body)
		}
		// 500s are logged, with -q too.
		if !strings.Contains(stderr.String(), "BusWithCustomRouteRules") {
			t.Errorf("the 500 is not logged:\n%s", stderr)
		}
	})

	t.Run("10,000 EdOrg ids", func(t *testing.T) {
		ids := make([]string, 10001)
		for i := range ids {
			ids[i] = strconv.Itoa(255901000 + i)
		}
		big := "Bearer " + mint(t, "--claim-set", "EdFiSandbox", "--edorgs", strings.Join(ids[:10000], ","), "--jwt-secret-file", secret)
		tooBig := "Bearer " + sign10001(t, secret, strings.Join(ids, ","))
		base, _ := startServeLog(t, "serve", "--dsn", dsn, "--claims", exampleClaimsFile, "--jwt-secret-file", secret, "--max-header-bytes", "262144")
		if r := send(t, "GET", base+"/data/example/schools", "", "Authorization", big); r.status != 200 {
			t.Errorf("a token of 10,000 ids (%d bytes): %d %s", len(big), r.status, r.body)
		}
		if r := send(t, "GET", base+"/data/example/schools", "", "Authorization", tooBig); r.status != 401 || !strings.Contains(r.body, "10001 distinct") {
			t.Errorf("a token of 10,001 ids: %d %.300s", r.status, r.body)
		}
		// Under the default header limit the same token is a 431, still a
		// problem and no 5xx.
		base, _ = startServeLog(t, "serve", "--dsn", dsn, "--claims", exampleClaimsFile, "--jwt-secret-file", secret)
		if r := send(t, "GET", base+"/data/example/schools", "", "Authorization", big); r.status != http.StatusRequestHeaderFieldsTooLarge || r.typ != server.TypeHeadersTooLarge {
			t.Errorf("a token of 10,000 ids under the default limit: %d %.300s", r.status, r.body)
		}
	})

	t.Run("jwt RS256", func(t *testing.T) {
		base, _ := startServeLog(t, "serve", "--dsn", dsn, "--claims", exampleClaimsFile, "--auth", "jwt", "--jwt-public-key", public)
		rs := "Bearer " + mint(t, "--claim-set", "EdFiSandbox", "--jwt-private-key", private)
		hs := "Bearer " + mint(t, "--claim-set", "EdFiSandbox", "--jwt-secret-file", secret)
		if r := send(t, "GET", base+"/data/example/schools", "", "Authorization", rs); r.status != 200 {
			t.Errorf("RS256: %d %s", r.status, r.body)
		}
		if r := send(t, "GET", base+"/data/example/schools", "", "Authorization", hs); r.status != 401 || r.typ != server.TypeAuthentication {
			t.Errorf("HS256 on the RS256 server: %d %s", r.status, r.body)
		}
	})

	t.Run("header", func(t *testing.T) {
		base, stderr := startServeLog(t, "serve", "--dsn", dsn, "--claims", exampleClaimsFile, "--auth", "header")
		if !strings.Contains(stderr.String(), "dmsc: warning: --auth header: callers name their own claim set") {
			t.Errorf("no header-mode warning with -q:\n%s", stderr)
		}
		if r := send(t, "GET", base+"/data/example/schools", "", server.HeaderClaimSet, "EdFiSandbox", server.HeaderEdOrgIDs, "255901"); r.status != 200 {
			t.Errorf("header grant: %d %s", r.status, r.body)
		}
		if r := send(t, "POST", base+"/data/example/schools", school, server.HeaderClaimSet, "SISVendor"); r.status != 403 {
			t.Errorf("SIS vendor POST: %d %s", r.status, r.body)
		}
		if r := send(t, "GET", base+"/data/example/schools", "", server.HeaderClaimSet, "EdFiSandbox", server.HeaderEdOrgIDs, "1,one"); r.status != 401 {
			t.Errorf("bad ids: %d %s", r.status, r.body)
		}
		if r := send(t, "GET", base+"/data/example/schools", ""); r.status != 401 {
			t.Errorf("no headers: %d %s", r.status, r.body)
		}
	})

	t.Run("none", func(t *testing.T) {
		base, stderr := startServeLog(t, "serve", "--dsn", dsn)
		if !strings.Contains(stderr.String(), "dmsc: warning: --auth none: callers are not authenticated and nothing is authorized, so any program that can connect can read and change every document") {
			t.Errorf("no --auth none warning with -q:\n%s", stderr)
		}
		if r := send(t, "GET", base+"/data/example/schools", ""); r.status != 200 {
			t.Errorf("--auth none GET: %d %s", r.status, r.body)
		}
	})
}
