package cli

import (
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/runtime"
	"github.com/edfi-dmsc/dmsc/server"
)

// shutdownTimeout bounds how long `dmsc serve` waits for requests in
// flight once it is told to stop.
const shutdownTimeout = 10 * time.Second

// serveFlags holds the flags of `dmsc serve`.
type serveFlags struct {
	store       storeFlags
	addr        string
	verifyEdges bool
}

// serveHelp is the long description of `dmsc serve`.
const serveHelp = `Serve the runtime store over HTTP, for trying the relational store out and
for tests. It compiles the schema set (without -s: the built-in example),
optionally provisions the database (--provision), opens the store and
listens on --addr; "listening on http://ADDR" is printed to stderr once the
port is open (--addr 127.0.0.1:0 picks a free port). It stops gracefully on
SIGINT/SIGTERM. One line per request (method, URI, status, duration) is
logged to stderr unless --quiet.

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

Query parameters: every query field of the resource filters by equality;
  offset=N, limit=N (1-500, default 25), totalCount=true (answers with a
  Total-Count header), after=CURSOR (keyset paging: a full page answers with
  a Next-Cursor header; pass its value as after= for the next page).

ETag headers are quoted ("<_etag>"); If-Match on PUT and DELETE accepts
the value quoted or bare and answers 412 when the document changed.

Properties the mapping does not know are pruned before storing (as DMS
does); a write that pruned any lists their JSON paths in a
Pruned-Properties response header (and in the request log).

Errors are RFC 9457 problem details (application/problem+json) with type,
title, status, detail and, for typed errors, "validationErrors" (400:
[{path,message}] for invalid documents, [{path,uri,expected,found}] for
unresolved descriptors) or "errors" (409: [{path,target,reason}] for
unresolved references, [{constraint,paths,message}] for identity conflicts,
[{resource}] for referrers blocking a delete). Statuses: 400 invalid
document, descriptor or JSON; 404 unknown route or id; 405 wrong method;
409 unresolved reference, duplicate natural key, referenced document;
412 If-Match mismatch; 413 body over 10 MiB; 503 write kept conflicting.`

// newServeCmd builds `dmsc serve`.
func newServeCmd(e *env) *cobra.Command {
	f := serveFlags{addr: "127.0.0.1:8080"}
	cmd := &cobra.Command{
		Use:   "serve -s FILE... --dsn DSN [--addr HOST:PORT]",
		Short: "Serve the runtime store over HTTP (POST/GET/PUT/DELETE /data/{project}/{resource})",
		Long:  serveHelp,
		Example: `  dmsc serve --dsn postgres://localhost/dms --provision
  curl -i -X POST localhost:8080/data/example/schools \
    -d '{"schoolId":1,"nameOfInstitution":"A"}'`,
		RunE: func(*cobra.Command, []string) error { return e.serve(&f) },
	}
	addStoreFlags(cmd, &f.store, true)
	cmd.Flags().StringVar(&f.addr, "addr", f.addr, "listen `ADDRESS` (host:port; port 0 picks a free one)")
	// --quiet (from the schema flags) also silences the request log.
	if q := cmd.Flags().Lookup("quiet"); q != nil {
		q.Usage = "do not print warnings nor log one line per request"
	}
	cmd.Flags().BoolVar(&f.verifyEdges, "verify-edges", false, "recompute each write's reference edges and fail on a difference (audits)")
	return cmd
}

// serve runs `dmsc serve` until e.ctx is cancelled.
func (e *env) serve(f *serveFlags) error {
	st, pool, err := e.openStore(&f.store, runtime.Options{VerifyEdges: f.verifyEdges})
	if err != nil {
		return err
	}
	defer pool.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	opts := server.Options{ErrorLog: e.stderr, ShutdownTimeout: shutdownTimeout}
	if !f.store.schema.quiet {
		opts.Log = e.stderr
	}
	h := server.New(st, opts)
	fmt.Fprintf(e.stderr, "listening on http://%s\n", ln.Addr())
	if err := server.Serve(e.ctx, ln, h, opts); err != nil {
		return err
	}
	fmt.Fprintln(e.stderr, "stopped")
	return nil
}
