package cli

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/server"
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

	maxBodyBytes      int64
	maxBodyReaders    int
	maxHeaderBytes    int
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	statementTimeout  time.Duration
}

// serveHelp is the long description of `dmsc serve`.
const serveHelp = `Serve the runtime store over HTTP, for trying the relational store out and
for tests. It takes the mapping from the runtime manifest that dmsc ddl
provision stored in the database, or from the -s schema set (compiled;
--provision provisions the database with it first, creating it when
missing), opens the store and listens on --addr; "listening on http://ADDR" is printed to stderr once the
port is open (--addr 127.0.0.1:0 picks a free port). It stops gracefully on
SIGINT/SIGTERM. One line per request (method, URI, status, duration) is
logged to stderr unless --quiet. docs/serve.md has the details.

Security: the server has no authentication. It listens on 127.0.0.1 by
default; any other address prints a warning (even with --quiet). On a
loopback address it answers only requests whose Host is localhost,
127.0.0.1 or [::1] (any port; --allow-host adds names), which stops DNS
rebinding. POST and PUT bodies must be sent as Content-Type:
application/json (a charset parameter must be utf-8), which a cross-site
form or text/plain POST cannot do: 415 otherwise.

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
JSON, query or header; 404 unknown route or id; 405 wrong method; 408 body
not received within --read-timeout; 409 unresolved reference, duplicate
natural key, referenced document; 412 If-Match mismatch; 413 body over
--max-body-bytes; 415 body not application/json; 421 Host not allowed; 431
headers over --max-header-bytes; 503 (with Retry-After) database
unreachable or past --statement-timeout, write kept conflicting, all
--max-body-readers busy, or (GET /ready) the database unreachable or
provisioned for another schema set.`

// newServeCmd builds `dmsc serve`.
func newServeCmd(e *env) *cobra.Command {
	f := serveFlags{addr: "127.0.0.1:8080"}
	cmd := &cobra.Command{
		Use:   "serve --dsn DSN [-s FILE... [--provision]] [--addr HOST:PORT]",
		Short: "Serve the runtime store over HTTP (POST/GET/PUT/DELETE /data/{project}/{resource})",
		Long:  serveHelp,
		Example: `  dmsc serve --dsn postgres://localhost/dms
  dmsc serve -s ApiSchema.json --dsn "$DMSC_DSN" --provision --addr 127.0.0.1:0
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
	fl.BoolVar(&f.verifyEdges, "verify-edges", true, "have the runtime check each write's reference edges against its foreign keys (--verify-edges=false measures plain writes)")
	fl.Int64Var(&f.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body in `BYTES` (413 beyond)")
	fl.IntVar(&f.maxBodyReaders, "max-body-readers", server.DefaultMaxBodyReaders, "request bodies read and written at once (`N`); others wait up to --read-timeout, then 503")
	fl.IntVar(&f.maxHeaderBytes, "max-header-bytes", server.DefaultMaxHeaderBytes, "largest request line plus headers in `BYTES` (431 beyond)")
	fl.DurationVar(&f.readHeaderTimeout, "read-header-timeout", server.DefaultReadHeaderTimeout, "time to receive the request line and headers")
	fl.DurationVar(&f.readTimeout, "read-timeout", server.DefaultReadTimeout, "time to receive a whole request, body included (408 beyond)")
	fl.DurationVar(&f.writeTimeout, "write-timeout", server.DefaultWriteTimeout, "time from the end of the headers to the end of the answer")
	fl.DurationVar(&f.idleTimeout, "idle-timeout", server.DefaultIdleTimeout, "time a keep-alive connection may wait for its next request")
	fl.DurationVar(&f.statementTimeout, "statement-timeout", server.DefaultRequestTimeout, "PostgreSQL statement_timeout of the server's connections and deadline of each request's database work (503 beyond)")
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

// serve runs `dmsc serve` until e.ctx is cancelled.
func (e *env) serve(f *serveFlags) error {
	opts, err := f.serveOptions()
	if err != nil {
		return err
	}
	store := f.store
	store.statementTimeout = f.statementTimeout
	st, pool, err := e.openStore("dmsc serve", &store, relstore.Options{VerifyEdges: f.verifyEdges})
	if err != nil {
		return err
	}
	defer pool.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	if !server.IsLoopback(ln.Addr()) {
		// Printed even with --quiet: this exposes the database.
		fmt.Fprintf(e.stderr, "dmsc: warning: listening on %s, which other machines can reach; the server has no authentication, so anyone who can connect can read and change the database (use --addr 127.0.0.1:PORT to stay local)\n", ln.Addr())
	}
	opts.ErrorLog = e.stderr
	if !f.store.schema.quiet {
		opts.Log = e.stderr
	}
	fmt.Fprintf(e.stderr, "listening on http://%s\n", ln.Addr())
	if err := server.Run(e.ctx, ln, st, opts); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "stopped")
	return nil
}
