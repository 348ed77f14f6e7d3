package cli

import (
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/server"
)

// maxTokenTTL bounds --ttl: dmsc mints tokens for tests and local tools.
const maxTokenTTL = 366 * 24 * time.Hour

// tokenFlags holds the flags of `dmsc token`.
type tokenFlags struct {
	claimSet   string
	edOrgs     string
	namespaces string
	ttl        time.Duration
	secretFile string
	privateKey string
	format     outputFormat
}

// tokenHelp is the long description of `dmsc token`.
const tokenHelp = `Mint a JSON Web Token for dmsc serve --auth jwt: the claim set (scope),
the EducationOrganizationIds and namespace prefixes it grants
(educationOrganizationIds and namespacePrefixes, comma-separated, as
upstream DMS's tokens hold them), iat, exp (now + --ttl) and a random jti,
signed with HS256 (--jwt-secret-file, the file dmsc serve verifies with)
or RS256 (--jwt-private-key, whose public key dmsc serve is given with
--jwt-public-key). The grant is checked as the server checks it: at most
10,000 distinct EdOrg ids and namespace prefixes, no empty items, no
surrounding spaces; duplicates are dropped and the lists sorted.

The token is printed on stdout (--format json: {"token","expires_at"},
expires_at in RFC 3339). It is a bearer credential: whoever holds it acts
as the client until it expires.`

// newTokenCmd builds `dmsc token`.
func newTokenCmd(e *env) *cobra.Command {
	f := tokenFlags{ttl: 30 * time.Minute}
	cmd := &cobra.Command{
		Use:   "token --claim-set NAME (--jwt-secret-file FILE | --jwt-private-key FILE) [--edorgs IDS] [--namespaces PREFIXES] [--ttl DURATION]",
		Short: "Mint a JWT for dmsc serve --auth jwt (HS256 or RS256)",
		Long:  tokenHelp,
		Example: `  openssl rand -hex 32 > jwt.secret
  dmsc token --claim-set SISVendor --edorgs 255901,255901001 --jwt-secret-file jwt.secret
  dmsc token --claim-set DescriptorNamespaceVendor --namespaces uri://ed-fi.org --ttl 8h \
    --jwt-private-key key.pem --format json`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return e.token(&f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.claimSet, "claim-set", "", "the claim set `NAME` (the scope claim; required)")
	fl.StringVar(&f.edOrgs, "edorgs", "", "comma-separated EducationOrganizationId `IDS` the token grants")
	fl.StringVar(&f.namespaces, "namespaces", "", "comma-separated namespace `PREFIXES` the token grants")
	fl.DurationVar(&f.ttl, "ttl", f.ttl, "lifetime of the token (at least 1s, at most 366 days)")
	fl.StringVar(&f.secretFile, "jwt-secret-file", "", "sign with HS256 and the secret in `FILE` (at least 32 bytes; one final newline is ignored)")
	fl.StringVar(&f.privateKey, "jwt-private-key", "", "sign with RS256 and the PEM RSA private key in `FILE`")
	markPath(fl, "jwt-secret-file", "jwt-private-key")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// tokenOutput is the --format json answer of `dmsc token`.
type tokenOutput struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// token runs `dmsc token`.
func (e *env) token(f *tokenFlags) error {
	if f.claimSet == "" {
		return usageErrorf("--claim-set is required: the claim set the token's caller acts under")
	}
	if (f.secretFile == "") == (f.privateKey == "") {
		return usageErrorf("give exactly one key: --jwt-secret-file FILE (HS256) or --jwt-private-key FILE (RS256, PEM)")
	}
	if f.ttl < time.Second || f.ttl > maxTokenTTL {
		return usageErrorf("--ttl %s: want a duration from 1s to %s", f.ttl, maxTokenTTL)
	}
	ids, err := authz.ParseEdOrgIDs(f.edOrgs)
	if err != nil {
		return usageErrorf("--edorgs: %v", err)
	}
	prefixes, err := authz.ParseNamespacePrefixes(f.namespaces)
	if err != nil {
		return usageErrorf("--namespaces: %v", err)
	}
	g, err := authz.Grant{ClaimSet: f.claimSet, EdOrgIDs: ids, NamespacePrefixes: prefixes}.Normalize()
	if err != nil {
		return usageErrorf("%v", err)
	}
	req := server.TokenRequest{Grant: g, TTL: f.ttl}
	if f.secretFile != "" {
		if req.HMACSecret, err = server.ReadHMACSecretFile(f.secretFile); err != nil {
			return fmt.Errorf("--jwt-secret-file %s: %w", f.secretFile, err)
		}
	} else {
		var k *rsa.PrivateKey
		if k, err = server.ReadRSAPrivateKeyFile(f.privateKey); err != nil {
			return fmt.Errorf("--jwt-private-key %s: %w", f.privateKey, err)
		}
		req.RSAPrivateKey = k
	}
	tok, exp, err := server.NewToken(req)
	if err != nil {
		return err
	}
	if f.format == formatJSON {
		return writeJSON(e.stdout, tokenOutput{Token: tok, ExpiresAt: exp.UTC().Format(time.RFC3339)})
	}
	_, err = fmt.Fprintln(e.stdout, tok)
	return err
}
