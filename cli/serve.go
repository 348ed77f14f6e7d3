package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/server"
	"github.com/edfi-dmsc/dmsc/telemetry"
)

// shutdownTimeout bounds how long `dmsc serve` waits for requests in
// flight once it is told to stop.
const shutdownTimeout = server.DefaultShutdownTimeout

// serveFlags holds the flags of `dmsc serve`.
type serveFlags struct {
	store       storeFlags
	addr        string
	verifyEdges bool
	allowHosts  []string
	metrics     bool
	logFormat   string

	projector         bool
	projectorBatch    int
	projectorInterval time.Duration
	projectorSweep    time.Duration

	maxBodyBytes      int64
	maxBodyReaders    int
	maxHeaderBytes    int
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	statementTimeout  time.Duration

	// The authentication flags.
	claims        string
	auth          string
	jwtSecretFile string
	jwtPublicKey  string
}

// The --auth modes.
const (
	authNone   = "none"
	authJWT    = "jwt"
	authHeader = "header"
)

// The --log-format values.
const (
	logFormatText = "text"
	logFormatJSON = "json"
)

// serveHelp is the long description of `dmsc serve`.
const serveHelp = `Serve the runtime store over HTTP, for trying the relational store out and
for tests. It takes the mapping from the runtime manifest that dmsc ddl
provision stored in the database, or from the -s schema set (compiled;
--provision provisions the database with it first, creating it when
missing), opens the store and listens on --addr; "listening on http://ADDR" is printed to stderr once the
port is open (--addr 127.0.0.1:0 picks a free port). It stops gracefully on
SIGINT/SIGTERM. One line per request (method, URI, status, duration) is
logged to stderr unless --quiet. docs/serve.md has the details.

Security: by default (no --claims) the server has no authentication nor
authorization, and says so on stderr (even with --quiet): anything that can
connect can read and change every document. --claims FILE (a DMS
Claims.json: claim sets and the claims hierarchy) turns both on for the
/data routes; /, /health and /ready stay open:
  --auth jwt     (the default with --claims) Authorization: Bearer <JWT>,
                 HS256 with --jwt-secret-file FILE or RS256 with
                 --jwt-public-key FILE (PEM); claims: scope (the claim set),
                 exp (required), educationOrganizationIds and
                 namespacePrefixes (comma-separated strings, or JSON arrays).
                 dmsc token mints such tokens.
  --auth header  insecure, for tests: the claim set and grant come from the
                 Dmsc-Claim-Set, Dmsc-EdOrg-Ids and Dmsc-Namespace-Prefixes
                 headers; served on a loopback address only.
  --auth none    no authentication (not with --claims).
A request that cannot be authenticated is a 401 (WWW-Authenticate: Bearer)
before anything else; one whose claim set lacks the action on the
resource (POST Create, GET Read, PUT Update, DELETE Delete) a 403, after
the request's own 400/404/405/413/415 checks; a claim the server cannot
apply a 500 (no or unknown strategy, or a strategy with no subject on the
resource) or 501 (OwnershipBased). Relationship and namespace strategies
filter documents: queries return only what the grant reaches, a GET of a
document it does not reach is a 403, and writes are checked on the stored
document and on the document as written (403, nothing changes).

The server listens on 127.0.0.1 by default; any other address prints a
warning (even with --quiet): there is no TLS. On a loopback address it
answers only requests whose Host is localhost, 127.0.0.1 or [::1] (any
port; --allow-host adds names), which stops DNS rebinding. POST and PUT
bodies must be sent as Content-Type: application/json (a charset parameter
must be utf-8), which a cross-site form or text/plain POST cannot do: 415
otherwise.

Routes ({project} and {resource} are endpoint names, e.g. ed-fi/schools;
they match case-insensitively):
  POST   /data/{project}/{resource}       upsert: 201 Created for a new natural
                                          key, 200 OK when it existed (same id);
                                          Location and ETag headers
  GET    /data/{project}/{resource}       query: 200 with a JSON array
  GET    /data/{project}/{resource}/{id}  200 with the document and ETag
                                          (304 on a matching If-None-Match)
  PUT    /data/{project}/{resource}/{id}  replace: 204 with ETag; an "id" in the
                                          body must equal {id} (400 otherwise)
  DELETE /data/{project}/{resource}/{id}  204
  GET    /                                the projects and resources, with links
                                          (JSON; an HTML page when Accept
                                          prefers text/html)
  GET    /health                          liveness: 200 {"status":"ok"}; does not
                                          touch the database
  GET    /ready                           readiness: 200 when the database answers
                                          and its dms.EffectiveSchema holds the
                                          schema set's hash; 503 saying why not
                                          (unreachable, timed out, or hash X in
                                          the database vs Y in the manifest)
  Other methods on these three: 405 with Allow: GET.

Query parameters: every query field of the resource filters by equality;
  offset=N, limit=N (1-500, default 25), totalCount=true (answers with a
  Total-Count header), after=CURSOR (keyset paging: a full page answers with
  a Next-Cursor header; pass its value as after= for the next page; not
  with offset). Parsing is strict: a ';', a bad %-escape, an empty name,
  an unknown or repeated parameter, more than 64 parameters or 32 filters
  is a 400 naming the parameter, never a filter silently dropped.
  An unknown query field's 400 lists the resource's query fields (also as
  "validQueryFields") and suggests the closest name ("did you mean ...?").

ETag headers are quoted ("<_etag>"). If-Match on GET, PUT and DELETE is
honoured whenever present: * matches any existing document, "x" (or a bare
x) matches that ETag, a list matches any of its tags, a weak W/"x" never
matches (strong comparison); 412 when it does not match, 400 when it is
not an entity tag list. If-Match or If-None-Match where it cannot be
honoured (POST, a query, If-None-Match on PUT/DELETE) is a 400.

Properties the mapping does not know are pruned before storing (as DMS
does); a write that pruned any lists their JSON paths in a
Pruned-Properties response header (and in the request log): at most 50
paths and 4 KiB, then "... (N more)".

Errors are RFC 9457 problem details (application/problem+json) with a
stable type, title, status, detail and, for typed errors,
"validationErrors" (400: [{path,message}] for invalid documents,
[{path,uri,expected,found}] for unresolved descriptors) or "errors" (409:
[{path,target,reason}] for unresolved references,
[{constraint,paths,message}] for identity conflicts, [{resource}] for
referrers blocking a delete). Statuses: 400 invalid document, descriptor,
JSON, query or header; 401 missing, malformed, expired or wrongly signed
token, or an invalid grant in it; 403 claim set not granted the action on
the resource; 404 unknown route or id; 405 wrong method; 408 body
not received within --read-timeout; 409 unresolved reference, duplicate
natural key, referenced document; 412 If-Match mismatch; 413 body over
--max-body-bytes; 415 body not application/json; 421 Host not allowed; 431
headers over --max-header-bytes; 503 (with Retry-After) database
unreachable or past --statement-timeout, write kept conflicting, all
--max-body-readers busy, or (GET /ready) the database unreachable or
provisioned for another schema set; 500 a claims file granting an action
without a strategy or with an unknown one, or a strategy with no subject on
the resource; 501 OwnershipBased.`

// newServeCmd builds `dmsc serve`.
func newServeCmd(e *env) *cobra.Command {
	f := serveFlags{addr: "127.0.0.1:8080", metrics: true, logFormat: logFormatText,
		projectorBatch: relstore.DefaultProjectBatch, projectorInterval: relstore.DefaultProjectorInterval,
		projectorSweep: relstore.DefaultSweepInterval}
	cmd := &cobra.Command{
		Use:   "serve --dsn DSN [-s FILE... [--provision]] [--addr HOST:PORT] [--claims FILE [--auth jwt|header] [--jwt-secret-file FILE | --jwt-public-key FILE]]",
		Short: "Serve the runtime store over HTTP (POST/GET/PUT/DELETE /data/{project}/{resource})",
		Long:  serveHelp,
		Example: `  dmsc serve --dsn postgres://localhost/dms
  dmsc serve -s ApiSchema.json --dsn "$DMSC_DSN" --provision --addr 127.0.0.1:0
  openssl rand -hex 32 > jwt.secret
  dmsc serve --dsn "$DMSC_DSN" --claims Claims.json --jwt-secret-file jwt.secret
  curl -H "Authorization: Bearer $(dmsc token --claim-set EdFiSandbox --jwt-secret-file jwt.secret)" \
    localhost:8080/data/example/schools
  curl -i -X POST localhost:8080/data/example/schools \
    -H 'Content-Type: application/json' \
    -d '{"schoolId":1,"nameOfInstitution":"A"}'`,
		RunE: func(*cobra.Command, []string) error { return e.serve(&f) },
	}
	addStoreFlags(cmd, &f.store, true)
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", f.addr, "listen `ADDRESS` (host:port; port 0 picks a free one); other than loopback prints a warning")
	fl.StringArrayVar(&f.allowHosts, "allow-host", nil, "also answer requests with Host `NAME` (repeat; on a non-loopback address only these names are answered)")
	// --quiet (from the schema flags) also silences the request log.
	if q := fl.Lookup("quiet"); q != nil {
		q.Usage = "do not print warnings nor log one line per request"
	}
	fl.BoolVar(&f.metrics, "metrics", f.metrics, "serve GET /metrics (Prometheus: request latency and counts per operation and resource, edge rows changed, identity closure sizes, Go runtime); --metrics=false turns it off")
	fl.StringVar(&f.logFormat, "log-format", f.logFormat, "request and error log `FORMAT`: text (one line per request, with its X-Request-Id) or json (one slog JSON record each)")
	fl.BoolVar(&f.projector, "projector", false, "serve GETs from dms.DocumentCache when a row is fresh, and keep it filled in the background (oldest change first; several servers may run one); see dmsc cache")
	fl.IntVar(&f.projectorBatch, "projector-batch", f.projectorBatch, "--projector: documents per projector transaction (`N`)")
	fl.DurationVar(&f.projectorInterval, "projector-interval", f.projectorInterval, "--projector: pause after the backlog empties or a run fails")
	fl.DurationVar(&f.projectorSweep, "projector-sweep-interval", f.projectorSweep, "--projector: time between sweeps, which queue the documents other writers changed (a process without --projector, dmsc migrate, an older dmsc); each compares every document with its cache row. This server's own writes queue their documents")
	fl.BoolVar(&f.verifyEdges, "verify-edges", true, "have the runtime check each write's reference edges against its foreign keys (--verify-edges=false measures plain writes)")
	fl.Int64Var(&f.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body in `BYTES` (413 beyond)")
	fl.IntVar(&f.maxBodyReaders, "max-body-readers", server.DefaultMaxBodyReaders, "request bodies read and written at once (`N`); others wait up to --read-timeout, then 503")
	fl.IntVar(&f.maxHeaderBytes, "max-header-bytes", server.DefaultMaxHeaderBytes, "largest request line plus headers in `BYTES` (431 beyond)")
	fl.DurationVar(&f.readHeaderTimeout, "read-header-timeout", server.DefaultReadHeaderTimeout, "time to receive the request line and headers")
	fl.DurationVar(&f.readTimeout, "read-timeout", server.DefaultReadTimeout, "time to receive a whole request, body included (408 beyond)")
	fl.DurationVar(&f.writeTimeout, "write-timeout", server.DefaultWriteTimeout, "time from the end of the headers to the end of the answer")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", server.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fl.DurationVar(&f.statementTimeout, "statement-timeout", server.DefaultRequestTimeout, "PostgreSQL statement_timeout of the server's connections and deadline of each request's database work (503 beyond)")
	fl.StringVar(&f.claims, "claims", "", "claims `FILE` (DMS Claims.json: claim sets and claims hierarchy); turns on authentication (--auth) and resource-level authorization of /data")
	fl.StringVar(&f.auth, "auth", "", "authentication `MODE`: jwt (Bearer tokens; the default with --claims), header (Dmsc-* headers; insecure, loopback only) or none (the default without --claims; warns)")
	fl.StringVar(&f.jwtSecretFile, "jwt-secret-file", "", "--auth jwt: verify HS256 tokens with the secret in `FILE` (at least 32 bytes; one final newline is ignored)")
	fl.StringVar(&f.jwtPublicKey, "jwt-public-key", "", "--auth jwt: verify RS256 tokens with the PEM RSA public key in `FILE`")
	markPath(fl, "claims", "jwt-secret-file", "jwt-public-key")
	markChoices(fl, "auth", authNone, authJWT, authHeader)
	markChoices(fl, "log-format", logFormatText, logFormatJSON)
	return cmd
}

// serveOptions checks the limits and returns the server options.
func (f *serveFlags) serveOptions() (server.Options, error) {
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"read-header-timeout", f.readHeaderTimeout}, {"read-timeout", f.readTimeout}, {"write-timeout", f.writeTimeout},
		{"idle-timeout", f.idleTimeout}, {"statement-timeout", f.statementTimeout},
	} {
		if d.v < time.Millisecond {
			return server.Options{}, usageErrorf("--%s %s: want a duration of at least 1ms", d.name, d.v)
		}
	}
	for _, n := range []struct {
		name string
		v    int64
	}{
		{"max-body-bytes", f.maxBodyBytes}, {"max-body-readers", int64(f.maxBodyReaders)}, {"max-header-bytes", int64(f.maxHeaderBytes)},
	} {
		if n.v < 1 {
			return server.Options{}, usageErrorf("--%s %d: want a positive number", n.name, n.v)
		}
	}
	if f.logFormat != logFormatText && f.logFormat != logFormatJSON {
		return server.Options{}, usageErrorf("--log-format %q: want text or json", f.logFormat)
	}
	return server.Options{
		AllowedHosts:      f.allowHosts,
		MaxBodyBytes:      f.maxBodyBytes,
		MaxBodyReaders:    f.maxBodyReaders,
		MaxHeaderBytes:    f.maxHeaderBytes,
		ReadHeaderTimeout: f.readHeaderTimeout,
		ReadTimeout:       f.readTimeout,
		WriteTimeout:      f.writeTimeout,
		IdleTimeout:       f.idleTimeout,
		RequestTimeout:    f.statementTimeout,
		ShutdownTimeout:   shutdownTimeout,
	}, nil
}

// withStatementTimeout adds PostgreSQL's statement_timeout (in
// milliseconds) to a DSN's run-time parameters, unless the DSN sets one.
func withStatementTimeout(dsn string, d time.Duration) string {
	if strings.Contains(dsn, "statement_timeout") {
		return dsn
	}
	param := "statement_timeout=" + strconv.FormatInt(d.Milliseconds(), 10)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		base, frag, hasFrag := strings.Cut(dsn, "#")
		if strings.Contains(base, "?") {
			base += "&" + param
		} else {
			base += "?" + param
		}
		if hasFrag {
			base += "#" + frag
		}
		return base
	}
	if strings.TrimSpace(dsn) == "" {
		return dsn
	}
	return dsn + " " + param
}

// authMode checks the authentication flags and returns the --auth mode.
func (f *serveFlags) authMode() (string, error) {
	mode := f.auth
	switch mode {
	case "":
		mode = authNone
		if f.claims != "" {
			mode = authJWT
		}
	case authNone, authJWT, authHeader:
	default:
		return "", usageErrorf("--auth %q: want jwt, header or none", f.auth)
	}
	switch {
	case mode != authNone && f.claims == "":
		return "", usageErrorf("--auth %s needs --claims FILE: the claim sets its callers name and what each may do", mode)
	case mode == authNone && f.claims != "":
		return "", usageErrorf("--auth none does not authenticate callers, so --claims %s would not be used; drop --auth none (the default with --claims is jwt) or --claims", f.claims)
	case mode != authJWT && (f.jwtSecretFile != "" || f.jwtPublicKey != ""):
		return "", usageErrorf("--jwt-secret-file and --jwt-public-key go with --auth jwt, not --auth %s", mode)
	case mode == authJWT && (f.jwtSecretFile == "") == (f.jwtPublicKey == ""):
		return "", usageErrorf("--auth jwt needs exactly one key: --jwt-secret-file FILE (HS256) or --jwt-public-key FILE (RS256, PEM)")
	case mode == authHeader:
		// Run checks the listener itself; refuse what is known now before
		// the database is opened.
		if a, err := net.ResolveTCPAddr("tcp", f.addr); err == nil && !a.IP.IsLoopback() {
			return "", usageErrorf("--auth header lets every caller choose its own claim set and EdOrg ids, so it serves only on a loopback address, not --addr %s", f.addr)
		}
	}
	return mode, nil
}

// loadAuth reads the claims file and the key of mode (none: nil).
func (e *env) loadAuth(f *serveFlags, mode string) (*server.Auth, error) {
	if mode == authNone {
		return nil, nil
	}
	var d diag.List
	claims := authz.LoadFile(f.claims, &d)
	e.warn(&f.store.schema, &d)
	if d.HasErrors() {
		return nil, d.Err()
	}
	a := &server.Auth{Claims: claims}
	switch mode {
	case authHeader:
		a.Authenticator = server.HeaderAuthenticator{}
	case authJWT:
		var cfg server.JWTConfig
		var err error
		if f.jwtSecretFile != "" {
			if cfg.HMACSecret, err = server.ReadHMACSecretFile(f.jwtSecretFile); err != nil {
				return nil, fmt.Errorf("--jwt-secret-file %s: %w", f.jwtSecretFile, err)
			}
		} else if cfg.RSAPublicKey, err = server.ReadRSAPublicKeyFile(f.jwtPublicKey); err != nil {
			return nil, fmt.Errorf("--jwt-public-key %s: %w", f.jwtPublicKey, err)
		}
		if a.Authenticator, err = server.NewJWTAuthenticator(cfg); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// unclaimedResources lists the resources of m without a resource claim
// in c ("project/Resource"): every request to them is a 403.
func unclaimedResources(c *authz.Claims, m *manifest.Manifest) []string {
	claimed := map[string]bool{}
	for _, n := range c.ResourceClaims() {
		claimed[strings.ToLower(n)] = true
	}
	var out []string
	for _, r := range m.Resources {
		if !claimed[strings.ToLower(authz.ResourceClaimName(r.ProjectEndpoint, r.ResourceName))] {
			out = append(out, r.ProjectEndpoint+"/"+r.ResourceName)
		}
	}
	return out
}

// serve runs `dmsc serve` until e.ctx is cancelled.
func (e *env) serve(f *serveFlags) error {
	opts, err := f.serveOptions()
	if err != nil {
		return err
	}
	mode, err := f.authMode()
	if err != nil {
		return err
	}
	if opts.Auth, err = e.loadAuth(f, mode); err != nil {
		return err
	}
	store := f.store
	store.statementTimeout = f.statementTimeout
	// With authentication every store call must carry the caller's grant.
	if f.projector && (f.projectorBatch < 1 || f.projectorInterval < time.Millisecond || f.projectorSweep < time.Second) {
		return usageErrorf("--projector-batch must be at least 1, --projector-interval at least 1ms and --projector-sweep-interval at least 1s")
	}
	var prom *telemetry.Prometheus
	sopts := relstore.Options{VerifyEdges: f.verifyEdges, RequireGrant: mode != authNone, DocumentCache: f.projector}
	if f.metrics {
		prom = telemetry.NewPrometheus()
		sopts.Observer = prom
	}
	st, pool, err := e.openStore("dmsc serve", &store, sopts)
	if err != nil {
		return err
	}
	defer pool.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if err := server.CheckListener(ln.Addr(), opts); err != nil {
		ln.Close()
		return usageErrorf("--auth header: %v", err)
	}
	// The warnings are printed even with --quiet: they name who can read
	// and change the database.
	switch mode {
	case authNone:
		fmt.Fprintf(e.stderr, "dmsc: warning: --auth none: callers are not authenticated and nothing is authorized, so any program that can connect can read and change every document (give --claims FILE for Bearer tokens)\n")
	case authHeader:
		fmt.Fprintf(e.stderr, "dmsc: warning: --auth header: callers name their own claim set and EdOrg ids in Dmsc-* headers, so any program on this machine can act as any client (for tests only; use --auth jwt otherwise)\n")
	}
	if opts.Auth != nil {
		if missing := unclaimedResources(opts.Auth.Claims, st.Manifest()); len(missing) > 0 && !f.store.schema.quiet {
			shown := missing[:min(len(missing), 10)]
			more := ""
			if len(missing) > len(shown) {
				more = fmt.Sprintf(" and %d more", len(missing)-len(shown))
			}
			fmt.Fprintf(e.stderr, "dmsc: warning: --claims %s has no resource claim for %d resources, so every request to them is a 403: %s%s\n",
				f.claims, len(missing), strings.Join(shown, ", "), more)
		}
	}
	if !server.IsLoopback(ln.Addr()) {
		if mode == authNone {
			fmt.Fprintf(e.stderr, "dmsc: warning: listening on %s, which other machines can reach; the server has no authentication, so anyone who can connect can read and change the database (use --addr 127.0.0.1:PORT to stay local)\n", ln.Addr())
		} else {
			fmt.Fprintf(e.stderr, "dmsc: warning: listening on %s, which other machines can reach; the server has no TLS, so tokens and documents cross the network in clear text (put a TLS proxy in front, or use --addr 127.0.0.1:PORT to stay local)\n", ln.Addr())
		}
	}
	opts.ErrorLog = e.stderr
	if f.logFormat == logFormatJSON {
		opts.Logger = slog.New(slog.NewJSONHandler(e.stderr, nil))
		if f.store.schema.quiet {
			opts.Logger = slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		}
	} else if !f.store.schema.quiet {
		opts.Log = e.stderr
	}
	var projected *telemetry.Projector
	if prom != nil {
		opts.Metrics, opts.MetricsHandler = prom, prom.Handler()
		prom.RegisterReadShapes(shapeSource{st})
		if f.projector {
			projected = prom.RegisterCache(cacheSource{e.ctx, st})
		}
	}
	if f.projector {
		go func() {
			_ = st.RunProjector(e.ctx, relstore.ProjectOptions{Batch: f.projectorBatch, SweepInterval: f.projectorSweep}, f.projectorInterval, func(ps relstore.ProjectStats, err error) {
				if projected != nil {
					projected.Observe(ps.Documents, err)
				}
				if err != nil {
					fmt.Fprintf(e.stderr, "dmsc: projector: %v (retrying in %s)\n", err, f.projectorInterval)
				}
			})
		}()
	}
	fmt.Fprintf(e.stderr, "listening on http://%s\n", ln.Addr())
	if err := server.Run(e.ctx, ln, st, opts); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "stopped")
	return nil
}

// shapeSource gives the read-shape metric a store's counters.
type shapeSource struct{ st *relstore.Store }

// ReadShapeCounts implements telemetry.ReadShapeSource.
func (s shapeSource) ReadShapeCounts() (int64, int64, int64) {
	c := s.st.ShapeStats()
	return c.Hits, c.Stale, c.Misses
}

// cacheSource gives the DocumentCache metrics a store's counters and
// backlog (each scrape reads the backlog with a 5 s deadline).
type cacheSource struct {
	ctx context.Context
	st  *relstore.Store
}

// CacheCounts implements telemetry.CacheSource.
func (c cacheSource) CacheCounts() (int64, int64) {
	s := c.st.CacheStats()
	return s.Hits, s.Misses
}

// CacheBacklog implements telemetry.CacheSource: the projector's queue
// (relstore.Store.QueueBacklog), which a scrape reads without scanning
// every document.
func (c cacheSource) CacheBacklog() (int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	b, err := c.st.QueueBacklog(ctx)
	return b.Documents, b.OldestAge, err
}
