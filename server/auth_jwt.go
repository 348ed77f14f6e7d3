package server

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/boundedfile"
)

// The claims of a dmsc token, named as upstream DMS's tokens name them.
const (
	// ClaimScope holds the claim set name.
	ClaimScope = "scope"
	// ClaimEdOrgIDs holds the EducationOrganizationId claims: a
	// comma-separated string ("255901,255901001"), or a JSON array of
	// integers or strings.
	ClaimEdOrgIDs = "educationOrganizationIds"
	// ClaimNamespacePrefixes holds the namespace prefixes: a
	// comma-separated string, or a JSON array of strings.
	ClaimNamespacePrefixes = "namespacePrefixes"
)

// The signing algorithms dmsc accepts: one per server, chosen by its key.
const (
	AlgHS256 = "HS256"
	AlgRS256 = "RS256"
)

// Key requirements.
const (
	// MinHMACSecretBytes is the shortest HS256 secret accepted (RFC 7518
	// §3.2: a key of at least the hash size).
	MinHMACSecretBytes = 32
	// MinRSABits is the smallest RSA modulus accepted.
	MinRSABits = 2048
	// maxKeyFileBytes bounds a secret or PEM key file.
	maxKeyFileBytes = 64 << 10
)

// bearerRealm is the realm of the Bearer challenges.
const bearerRealm = `Bearer realm="dmsc"`

// JWTConfig configures a JWTAuthenticator: exactly one of HMACSecret
// (HS256) and RSAPublicKey (RS256).
type JWTConfig struct {
	// HMACSecret verifies HS256 tokens; at least MinHMACSecretBytes.
	HMACSecret []byte
	// RSAPublicKey verifies RS256 tokens; at least MinRSABits.
	RSAPublicKey *rsa.PublicKey
	// Now is the clock tokens are checked against (nil: time.Now).
	Now func() time.Time
}

// JWTAuthenticator authenticates `Authorization: Bearer <JWT>` requests:
// the token must be signed with the one algorithm its key implies (HS256
// or RS256; "none", the other family and every other algorithm are
// refused), unexpired (exp is required; nbf, when present, is honoured;
// no leeway), hold the claim set in ClaimScope and, optionally,
// ClaimEdOrgIDs and ClaimNamespacePrefixes, which must form a valid grant
// (authz.Grant.Normalize). Parsing and verification are
// github.com/golang-jwt/jwt/v5's.
type JWTAuthenticator struct {
	alg    string
	key    any
	parser *jwt.Parser
}

// NewJWTAuthenticator returns the authenticator of c.
func NewJWTAuthenticator(c JWTConfig) (*JWTAuthenticator, error) {
	a := &JWTAuthenticator{}
	switch {
	case c.HMACSecret != nil && c.RSAPublicKey != nil:
		return nil, errors.New("a JWT authenticator takes an HS256 secret or an RS256 public key, not both")
	case c.HMACSecret != nil:
		if len(c.HMACSecret) < MinHMACSecretBytes {
			return nil, fmt.Errorf("the HS256 secret is %d bytes; it needs at least %d", len(c.HMACSecret), MinHMACSecretBytes)
		}
		a.alg, a.key = AlgHS256, bytes.Clone(c.HMACSecret)
	case c.RSAPublicKey != nil:
		if n := c.RSAPublicKey.N.BitLen(); n < MinRSABits {
			return nil, fmt.Errorf("the RS256 public key has %d bits; it needs at least %d", n, MinRSABits)
		}
		a.alg, a.key = AlgRS256, c.RSAPublicKey
	default:
		return nil, errors.New("a JWT authenticator needs an HS256 secret or an RS256 public key")
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods([]string{a.alg}), jwt.WithExpirationRequired()}
	if c.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(c.Now))
	}
	a.parser = jwt.NewParser(opts...)
	return a, nil
}

// Algorithm returns the one algorithm a accepts (HS256 or RS256).
func (a *JWTAuthenticator) Algorithm() string { return a.alg }

// tokenClaims are the claims a token is decoded into.
type tokenClaims struct {
	jwt.RegisteredClaims
	Scope             json.RawMessage `json:"scope"`
	EdOrgIDs          json.RawMessage `json:"educationOrganizationIds"`
	NamespacePrefixes json.RawMessage `json:"namespacePrefixes"`
}

// invalidToken is the 401 of a token that is there but unusable.
func invalidToken(problem string) *AuthError {
	return &AuthError{Status: http.StatusUnauthorized, Problems: []string{problem},
		Challenge: bearerRealm + `, error="invalid_token", error_description="` + challengeText(problem) + `"`}
}

// challengeText makes s fit an error_description (RFC 6750 §3: printable
// ASCII without '"' and '\'), cut to 200 bytes.
func challengeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 200; i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			c = '\''
			if s[i] < 0x20 || s[i] > 0x7e {
				c = '?'
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Authenticate implements Authenticator.
func (a *JWTAuthenticator) Authenticate(r *http.Request) (authz.Grant, error) {
	values := r.Header.Values("Authorization")
	switch len(values) {
	case 0:
		return authz.Grant{}, &AuthError{Status: http.StatusUnauthorized, Challenge: bearerRealm,
			Problems: []string{"The request has no Authorization header; send Authorization: Bearer <token>."}}
	case 1:
	default:
		return authz.Grant{}, &AuthError{Status: http.StatusBadRequest, Challenge: bearerRealm + `, error="invalid_request"`,
			Problems: []string{fmt.Sprintf("The request has %d Authorization headers; send one.", len(values))}}
	}
	v := values[0]
	if len(v) > MaxCredentialBytes {
		return authz.Grant{}, invalidToken(fmt.Sprintf("The Authorization header is %d bytes long, more than the %d allowed.", len(v), MaxCredentialBytes))
	}
	scheme, token, _ := strings.Cut(strings.TrimSpace(v), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return authz.Grant{}, &AuthError{Status: http.StatusUnauthorized, Challenge: bearerRealm,
			Problems: []string{fmt.Sprintf("The Authorization header's scheme is %q; this server takes Bearer tokens only.", clip(scheme, 32))}}
	}
	token = strings.TrimLeft(token, " ")
	if token == "" {
		return authz.Grant{}, invalidToken("The Authorization header has no token after Bearer.")
	}
	var c tokenClaims
	tok, err := a.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.key, nil })
	if err != nil {
		return authz.Grant{}, invalidToken(a.describe(tok, err))
	}
	g, problems := grantOfClaims(&c)
	if len(problems) > 0 {
		return authz.Grant{}, invalidToken(strings.Join(problems, " "))
	}
	return g, nil
}

// describe says why a token was refused.
func (a *JWTAuthenticator) describe(tok *jwt.Token, err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "The token is malformed (not three base64url parts holding JSON, or a claim of the wrong type)."
	case tok != nil && tok.Method != nil && tok.Method.Alg() != a.alg:
		return fmt.Sprintf("The token is signed with %q; this server accepts %s only.", clip(tok.Method.Alg(), 32), a.alg)
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		return fmt.Sprintf("The token's algorithm is not one this server knows; it accepts %s only.", a.alg)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "The token's signature is invalid."
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "The token has no exp (expiration) claim."
	case errors.Is(err, jwt.ErrTokenExpired):
		return "The token is expired."
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "The token is not valid yet (nbf)."
	}
	return "The token is invalid: " + clip(err.Error(), 256)
}

// grantOfClaims reads the grant of a verified token's claims, or says
// what is wrong with them.
func grantOfClaims(c *tokenClaims) (authz.Grant, []string) {
	var problems []string
	var g authz.Grant
	if isAbsent(c.Scope) {
		problems = append(problems, "The token has no scope claim (the claim set name).")
	} else if err := json.Unmarshal(c.Scope, &g.ClaimSet); err != nil {
		problems = append(problems, "The token's scope claim (the claim set name) is not a string.")
	}
	ids, err := edOrgClaim(c.EdOrgIDs)
	if err != nil {
		problems = append(problems, "The token's "+ClaimEdOrgIDs+" claim: "+err.Error()+".")
	}
	prefixes, err := namespaceClaim(c.NamespacePrefixes)
	if err != nil {
		problems = append(problems, "The token's "+ClaimNamespacePrefixes+" claim: "+err.Error()+".")
	}
	if len(problems) > 0 {
		return authz.Grant{}, problems
	}
	g.EdOrgIDs, g.NamespacePrefixes = ids, prefixes
	n, err := g.Normalize()
	if err != nil {
		for _, p := range grantProblems(err) {
			problems = append(problems, "The token's grant: "+p+".")
		}
		return authz.Grant{}, problems
	}
	return n, nil
}

// isAbsent reports whether a claim is missing or null.
func isAbsent(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}

// maxClaimItems bounds the items of an array claim (as authz bounds a
// comma-separated list).
const maxClaimItems = 4 * authz.MaxEdOrgIDs

// edOrgClaim reads educationOrganizationIds: a comma-separated string or an
// array of integers or integer strings; absent or null is none.
func edOrgClaim(raw json.RawMessage) ([]int64, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	items, list, err := claimItems(raw)
	if err != nil || items == nil {
		if err == nil {
			return authz.ParseEdOrgIDs(list)
		}
		return nil, err
	}
	ids := make([]int64, 0, len(items))
	for i, it := range items {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(it, &n) == nil && it[0] != '"':
			s = n.String()
		case json.Unmarshal(it, &s) == nil:
			s = strings.TrimSpace(s)
		default:
			return nil, fmt.Errorf("item %d is neither a number nor a string", i+1)
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("item %d (%s) is not an integer education organization id", i+1, strconv.Quote(clip(s, 40)))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// namespaceClaim reads namespacePrefixes: a comma-separated string or an
// array of strings; absent or null is none.
func namespaceClaim(raw json.RawMessage) ([]string, error) {
	if isAbsent(raw) {
		return nil, nil
	}
	items, list, err := claimItems(raw)
	if err != nil || items == nil {
		if err == nil {
			return authz.ParseNamespacePrefixes(list)
		}
		return nil, err
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		var s string
		if err := json.Unmarshal(it, &s); err != nil {
			return nil, fmt.Errorf("item %d is not a string", i+1)
		}
		out = append(out, s)
	}
	return out, nil
}

// claimItems splits an array claim into its items (non-nil) or returns a
// string claim's value (items nil); any other JSON value is an error.
func claimItems(raw json.RawMessage) ([]json.RawMessage, string, error) {
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, "", errors.New("is not a valid string")
		}
		return nil, s, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, "", errors.New("is not a valid array")
		}
		if len(items) > maxClaimItems {
			return nil, "", fmt.Errorf("holds %d items, more than the %d a list may hold", len(items), maxClaimItems)
		}
		if items == nil {
			items = []json.RawMessage{}
		}
		return items, "", nil
	}
	return nil, "", errors.New("must be a comma-separated string or an array")
}

// ReadHMACSecretFile reads an HS256 secret: the file's bytes, without one
// final line ending (LF or CR LF), at least MinHMACSecretBytes.
func ReadHMACSecretFile(path string) ([]byte, error) {
	data, err := boundedfile.Read(path, maxKeyFileBytes, "a JWT secret file")
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSuffix(data, []byte("\n"))
	data = bytes.TrimSuffix(data, []byte("\r"))
	if len(data) < MinHMACSecretBytes {
		return nil, fmt.Errorf("the secret is %d bytes; HS256 needs at least %d (e.g. openssl rand -hex 32 > FILE)", len(data), MinHMACSecretBytes)
	}
	return data, nil
}

// ReadRSAPublicKeyFile reads an RS256 public key from a PEM file (PUBLIC
// KEY, RSA PUBLIC KEY or a certificate) of at least MinRSABits.
func ReadRSAPublicKeyFile(path string) (*rsa.PublicKey, error) {
	data, err := boundedfile.Read(path, maxKeyFileBytes, "a PEM key file")
	if err != nil {
		return nil, err
	}
	k, err := jwt.ParseRSAPublicKeyFromPEM(data)
	if err != nil {
		return nil, fmt.Errorf("not a PEM RSA public key (PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE): %w", err)
	}
	if n := k.N.BitLen(); n < MinRSABits {
		return nil, fmt.Errorf("the RSA key has %d bits; it needs at least %d", n, MinRSABits)
	}
	return k, nil
}

// ReadRSAPrivateKeyFile reads an RS256 private key from a PEM file
// (PKCS #1 RSA PRIVATE KEY or PKCS #8 PRIVATE KEY, unencrypted) of at
// least MinRSABits.
func ReadRSAPrivateKeyFile(path string) (*rsa.PrivateKey, error) {
	data, err := boundedfile.Read(path, maxKeyFileBytes, "a PEM key file")
	if err != nil {
		return nil, err
	}
	k, err := jwt.ParseRSAPrivateKeyFromPEM(data)
	if err != nil {
		return nil, fmt.Errorf("not an unencrypted PEM RSA private key (RSA PRIVATE KEY or PRIVATE KEY): %w", err)
	}
	if n := k.N.BitLen(); n < MinRSABits {
		return nil, fmt.Errorf("the RSA key has %d bits; it needs at least %d", n, MinRSABits)
	}
	return k, nil
}

// TokenRequest describes a token to mint: a grant, its lifetime and
// exactly one signing key.
type TokenRequest struct {
	Grant authz.Grant
	// TTL is the lifetime (positive); exp is Now+TTL in whole seconds.
	TTL time.Duration
	// Now is the issue time (zero: time.Now()).
	Now time.Time
	// HMACSecret signs with HS256.
	HMACSecret []byte
	// RSAPrivateKey signs with RS256.
	RSAPrivateKey *rsa.PrivateKey
}

// NewToken mints the token a JWTAuthenticator with the matching key
// accepts: ClaimScope, ClaimEdOrgIDs and ClaimNamespacePrefixes
// (comma-separated, as upstream DMS's tokens hold them; omitted when
// empty), iat, exp and a random jti. The grant is normalized first (an
// invalid one is an error). It returns the token and its expiry.
func NewToken(req TokenRequest) (string, time.Time, error) {
	g, err := req.Grant.Normalize()
	if err != nil {
		return "", time.Time{}, err
	}
	if req.TTL < time.Second {
		return "", time.Time{}, fmt.Errorf("the token's lifetime %s is under a second", req.TTL)
	}
	var method jwt.SigningMethod
	var key any
	switch {
	case req.HMACSecret != nil && req.RSAPrivateKey != nil:
		return "", time.Time{}, errors.New("a token is signed with an HS256 secret or an RS256 private key, not both")
	case req.HMACSecret != nil:
		if len(req.HMACSecret) < MinHMACSecretBytes {
			return "", time.Time{}, fmt.Errorf("the HS256 secret is %d bytes; it needs at least %d", len(req.HMACSecret), MinHMACSecretBytes)
		}
		method, key = jwt.SigningMethodHS256, req.HMACSecret
	case req.RSAPrivateKey != nil:
		if n := req.RSAPrivateKey.N.BitLen(); n < MinRSABits {
			return "", time.Time{}, fmt.Errorf("the RSA key has %d bits; it needs at least %d", n, MinRSABits)
		}
		method, key = jwt.SigningMethodRS256, req.RSAPrivateKey
	default:
		return "", time.Time{}, errors.New("a token needs an HS256 secret or an RS256 private key")
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.Truncate(time.Second)
	exp := now.Add(req.TTL).Truncate(time.Second)
	var jti [16]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, err
	}
	claims := jwt.MapClaims{
		ClaimScope: g.ClaimSet,
		"iat":      now.Unix(),
		"exp":      exp.Unix(),
		"jti":      hex.EncodeToString(jti[:]),
	}
	if len(g.EdOrgIDs) > 0 {
		ids := make([]string, len(g.EdOrgIDs))
		for i, id := range g.EdOrgIDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		claims[ClaimEdOrgIDs] = strings.Join(ids, ",")
	}
	if len(g.NamespacePrefixes) > 0 {
		for _, p := range g.NamespacePrefixes {
			if strings.Contains(p, ",") {
				return "", time.Time{}, fmt.Errorf("namespace prefix %q holds a comma, which the comma-separated %s claim cannot carry", p, ClaimNamespacePrefixes)
			}
		}
		claims[ClaimNamespacePrefixes] = strings.Join(g.NamespacePrefixes, ",")
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		return "", time.Time{}, err
	}
	return s, exp, nil
}
