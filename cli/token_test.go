package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/server"
)

// writeKeys writes an HS256 secret, and an RSA key pair as PEM, into a
// temporary directory: secret, private.pem, public.pem.
func writeKeys(t *testing.T) (secret, private, public string) {
	t.Helper()
	dir := t.TempDir()
	secret = filepath.Join(dir, "jwt.secret")
	if err := os.WriteFile(secret, []byte("7f3c0a5e9b1d2f4a6c8e0b2d4f6a8c0e\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	private = filepath.Join(dir, "private.pem")
	public = filepath.Join(dir, "public.pem")
	if err := os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		t.Fatal(err)
	}
	return secret, private, public
}

// authenticate runs a's Authenticate on a request bearing token and
// returns the grant as "claimSet ids prefixes" (comma-separated lists).
func authenticate(t *testing.T, a *server.JWTAuthenticator, token string) (string, error) {
	t.Helper()
	req := httptest.NewRequest("GET", "/data/x/y", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	g, err := a.Authenticate(req)
	if err != nil {
		return "", err
	}
	ids := make([]string, len(g.EdOrgIDs))
	for i, id := range g.EdOrgIDs {
		ids[i] = strconv.FormatInt(id, 10)
	}
	return g.ClaimSet + " " + strings.Join(ids, ",") + " " + strings.Join(g.NamespacePrefixes, ","), nil
}

// TestTokenCommand: `dmsc token` mints HS256 and RS256 tokens that the
// server's authenticator of the matching key accepts, with the grant
// normalized, in text and JSON; bad input is a usage error or, for bad key
// files, a failure.
func TestTokenCommand(t *testing.T) {
	secret, private, public := writeKeys(t)
	hsSecret, err := server.ReadHMACSecretFile(secret)
	if err != nil {
		t.Fatal(err)
	}
	hs, err := server.NewJWTAuthenticator(server.JWTConfig{HMACSecret: hsSecret})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := server.ReadRSAPublicKeyFile(public)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := server.NewJWTAuthenticator(server.JWTConfig{RSAPublicKey: pub})
	if err != nil {
		t.Fatal(err)
	}

	r := runCLI(t, "token", "--claim-set", "SISVendor", "--edorgs", "3, 1,3", "--namespaces", "uri://b,uri://a", "--jwt-secret-file", secret)
	mustCode(t, r, ExitOK)
	tok := strings.TrimSuffix(r.stdout, "\n")
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \n") {
		t.Fatalf("stdout %q is not one token", r.stdout)
	}
	if got, err := authenticate(t, hs, tok); err != nil || got != "SISVendor 1,3 uri://a,uri://b" {
		t.Errorf("HS256 token authenticates as %q, %v", got, err)
	}
	if _, err := authenticate(t, rs, tok); err == nil {
		t.Error("the RS256 server accepts an HS256 token")
	}

	r = runCLI(t, "token", "--claim-set", "EdFiSandbox", "--ttl", "2h", "--jwt-private-key", private, "--format", "json")
	mustCode(t, r, ExitOK)
	var out struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("--format json: %v\n%s", err, r.stdout)
	}
	exp, err := time.Parse(time.RFC3339, out.ExpiresAt)
	if err != nil || exp.Before(time.Now().Add(119*time.Minute)) || exp.After(time.Now().Add(121*time.Minute)) {
		t.Errorf("expires_at %q (%v), want in 2h", out.ExpiresAt, err)
	}
	if got, err := authenticate(t, rs, out.Token); err != nil || got != "EdFiSandbox  " {
		t.Errorf("RS256 token authenticates as %q, %v", got, err)
	}
	if _, err := authenticate(t, hs, out.Token); err == nil {
		t.Error("the HS256 server accepts an RS256 token")
	}

	short := filepath.Join(t.TempDir(), "short")
	if err := os.WriteFile(short, []byte("too short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no claim set", []string{"--jwt-secret-file", secret}, ExitUsage, "--claim-set is required"},
		{"no key", []string{"--claim-set", "X"}, ExitUsage, "exactly one key"},
		{"two keys", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--jwt-private-key", private}, ExitUsage, "exactly one key"},
		{"zero ttl", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--ttl", "0s"}, ExitUsage, "--ttl 0s"},
		{"huge ttl", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--ttl", "10000h"}, ExitUsage, "--ttl 10000h0m0s"},
		{"bad edorg", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--edorgs", "1,x"}, ExitUsage, `--edorgs: education organization id 2 ("x") is not an integer`},
		{"empty prefix", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--namespaces", "uri://x,"}, ExitUsage, "--namespaces"},
		{"too many ids", []string{"--claim-set", "X", "--jwt-secret-file", secret, "--edorgs", seqList(10001)}, ExitUsage, "10001 distinct"},
		{"spaces around the claim set", []string{"--claim-set", " X", "--jwt-secret-file", secret}, ExitUsage, "leading or trailing spaces"},
		{"short secret", []string{"--claim-set", "X", "--jwt-secret-file", short}, ExitFailure, "HS256 needs at least 32"},
		{"missing secret file", []string{"--claim-set", "X", "--jwt-secret-file", short + ".none"}, ExitFailure, "--jwt-secret-file"},
		{"public key to sign", []string{"--claim-set", "X", "--jwt-private-key", public}, ExitFailure, "not an unencrypted PEM RSA private key"},
		{"argument", []string{"--claim-set", "X", "--jwt-secret-file", secret, "extra"}, ExitUsage, "extra"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, append([]string{"token"}, c.args...)...)
			mustCode(t, r, c.code)
			if r.stdout != "" || !strings.Contains(r.stderr, c.want) {
				t.Errorf("stdout %q, stderr %q; want %q in stderr", r.stdout, r.stderr, c.want)
			}
		})
	}
}

// seqList is "1,2,…,n".
func seqList(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}
