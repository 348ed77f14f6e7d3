package server

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/edfi-dmsc/dmsc/authz"
)

// The request headers of HeaderAuthenticator.
const (
	// HeaderClaimSet names the caller's claim set (required, one line).
	HeaderClaimSet = "Dmsc-Claim-Set"
	// HeaderEdOrgIDs lists the caller's EducationOrganizationIds,
	// comma-separated (several lines form one list).
	HeaderEdOrgIDs = "Dmsc-EdOrg-Ids"
	// HeaderNamespacePrefixes lists the caller's namespace prefixes,
	// comma-separated (several lines form one list).
	HeaderNamespacePrefixes = "Dmsc-Namespace-Prefixes"
)

// headerChallenge is the WWW-Authenticate value of header mode's 401 (a
// scheme of dmsc's own: there is no standard one for it).
const headerChallenge = `Dmsc-Headers realm="dmsc"`

// HeaderAuthenticator takes the caller's grant from request headers
// (HeaderClaimSet, HeaderEdOrgIDs, HeaderNamespacePrefixes) without any
// credential: every caller is whoever it says it is. It is for tests and
// local tools only: Run refuses it on a listener other than loopback, and
// it refuses requests whose remote address is not loopback (a reverse
// proxy on the same machine defeats that check: do not put one in front).
type HeaderAuthenticator struct{}

// LoopbackOnly reports that Run serves a HeaderAuthenticator only on a
// loopback address.
func (HeaderAuthenticator) LoopbackOnly() bool { return true }

// Authenticate implements Authenticator.
func (HeaderAuthenticator) Authenticate(r *http.Request) (authz.Grant, error) {
	fail := func(format string, args ...any) (authz.Grant, error) {
		return authz.Grant{}, &AuthError{Status: http.StatusUnauthorized, Challenge: headerChallenge,
			Problems: []string{fmt.Sprintf(format, args...)}}
	}
	if !remoteIsLoopback(r.RemoteAddr) {
		return fail("Header authentication answers loopback clients only.")
	}
	sets := r.Header.Values(HeaderClaimSet)
	switch len(sets) {
	case 0:
		return fail("The request has no %s header (header authentication: %s, %s and %s).", HeaderClaimSet, HeaderClaimSet, HeaderEdOrgIDs, HeaderNamespacePrefixes)
	case 1:
	default:
		return fail("The request has %d %s headers; send one.", len(sets), HeaderClaimSet)
	}
	var problems []string
	g := authz.Grant{ClaimSet: sets[0]}
	for _, h := range []string{HeaderClaimSet, HeaderEdOrgIDs, HeaderNamespacePrefixes} {
		if n := headerBytes(r.Header.Values(h)); n > MaxCredentialBytes {
			return fail("The %s header is %d bytes long, more than the %d allowed.", h, n, MaxCredentialBytes)
		}
	}
	ids, err := authz.ParseEdOrgIDs(strings.Join(r.Header.Values(HeaderEdOrgIDs), ","))
	if err != nil {
		problems = append(problems, "The "+HeaderEdOrgIDs+" header: "+err.Error()+".")
	}
	prefixes, err := authz.ParseNamespacePrefixes(strings.Join(r.Header.Values(HeaderNamespacePrefixes), ","))
	if err != nil {
		problems = append(problems, "The "+HeaderNamespacePrefixes+" header: "+err.Error()+".")
	}
	if problems == nil {
		g.EdOrgIDs, g.NamespacePrefixes = ids, prefixes
		n, err := g.Normalize()
		if err == nil {
			return n, nil
		}
		for _, p := range grantProblems(err) {
			problems = append(problems, "The grant in the headers: "+p+".")
		}
	}
	return authz.Grant{}, &AuthError{Status: http.StatusUnauthorized, Challenge: headerChallenge, Problems: problems}
}

// headerBytes is the size of a header's lines joined with commas.
func headerBytes(values []string) int {
	n := 0
	for _, v := range values {
		n += len(v) + 1
	}
	return n
}

// remoteIsLoopback reports whether a request's RemoteAddr is a loopback
// address.
func remoteIsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
