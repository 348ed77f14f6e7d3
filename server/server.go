// Package server is the HTTP server of `dmsc serve`: the Ed-Fi resource
// routes (POST/GET/PUT/DELETE /data/{project}/{resource}[/{id}]) over a
// runtime store, an index of them (GET /), liveness (GET /health) and
// readiness (GET /ready: the database answers and holds the manifest's
// effective schema), with RFC 9457 problem details for every error, the
// mapping of runtime errors to HTTP statuses, strict query parsing, a
// bounded request log, and the limits that make it safe to leave running
// on a developer's machine (docs/serve.md lists them all). With
// Options.Auth, every /data request is authenticated (Bearer JWTs, or
// loopback-only Dmsc-* headers) and its claim set's resource-level
// authorization checked against a claims file (package authz); the
// caller's grant travels in the request context (GrantFrom).
//
// The simplest embedding serves a store until ctx is cancelled:
//
//	ln, _ := net.Listen("tcp", "127.0.0.1:8080")
//	err := server.Run(ctx, ln, store, server.Options{Log: os.Stderr})
//
// Run checks the Host header against LoopbackHosts when ln is a loopback
// address. A program with its own http.Server mounts New's handler and
// serves through NewHTTPServer and WrapListener (or Serve) to keep the
// timeouts and the problem details of net/http's own errors.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/edfi-dmsc/dmsc/telemetry"
)

// Defaults of the zero Options.
const (
	// DefaultMaxBodyBytes caps a request body; larger bodies get 413.
	DefaultMaxBodyBytes = 10 << 20
	// DefaultMaxBodyReaders caps the request bodies read (and written to
	// the store) at once; a request waits for a slot, then gets 503.
	DefaultMaxBodyReaders = 8
	// DefaultMaxQueryParams caps the parameters of a query string.
	DefaultMaxQueryParams = 64
	// DefaultMaxFilters caps the query field filters of one query.
	DefaultMaxFilters = 32
	// DefaultMaxHeaderBytes caps the request line and headers (net/http
	// allows 4 KiB more); larger ones get 431.
	DefaultMaxHeaderBytes = 32 << 10
	// DefaultReadHeaderTimeout bounds reading the request line and headers.
	DefaultReadHeaderTimeout = 5 * time.Second
	// DefaultReadTimeout bounds reading a whole request, body included.
	DefaultReadTimeout = 30 * time.Second
	// DefaultWriteTimeout bounds a request from the end of its headers to
	// the end of its answer.
	DefaultWriteTimeout = 90 * time.Second
	// DefaultIdleTimeout bounds how long a keep-alive connection waits for
	// its next request.
	DefaultIdleTimeout = 60 * time.Second
	// DefaultRequestTimeout bounds the store work of one request.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultShutdownTimeout bounds how long Serve waits for requests in
	// flight once its context is cancelled.
	DefaultShutdownTimeout = 10 * time.Second
)

// LoopbackHosts are the Host names Run accepts on a loopback listener,
// with or without a port.
var LoopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// Options configure the handler and the HTTP server. Zero (or negative)
// numbers take the Default* values.
type Options struct {
	// Log receives one line per request (method, request URI, status,
	// duration, pruned properties); nil logs nothing.
	Log io.Writer
	// ErrorLog receives unexpected errors (500), database outages (503)
	// and net/http's own errors; nil discards them.
	ErrorLog io.Writer

	// Logger, when set, receives the request log and the error log as
	// structured records (request_id, operation, resource, …) instead of
	// the lines of Log and ErrorLog.
	Logger *slog.Logger
	// Metrics records every request (per operation and resource: latency,
	// status, what writes changed); nil records nothing.
	Metrics telemetry.Recorder
	// MetricsHandler, when set, serves GET /metrics (the Prometheus
	// exposition of telemetry.Prometheus.Handler, say); else /metrics is
	// a 404 like any unknown path.
	MetricsHandler http.Handler

	// Auth, when set, authenticates every /data request and checks its
	// claim set's resource-level authorization (see Auth); nil serves
	// everyone everything, as before.
	Auth *Auth

	// AllowedHosts lists the Host header names (without port; "::1" for
	// [::1]) the handler answers; any other gets 421. Empty answers every
	// host (Run sets LoopbackHosts for a loopback listener).
	AllowedHosts []string

	MaxBodyBytes   int64
	MaxBodyReaders int
	MaxQueryParams int
	MaxFilters     int
	// RequestTimeout is the deadline of the store call of a request; a
	// store call past it answers 503. Give the pool's connections the
	// same bound as PostgreSQL's statement_timeout (pgx:
	// ConnConfig.RuntimeParams["statement_timeout"] in milliseconds), so
	// the database stops working on a statement the request gave up on.
	RequestTimeout time.Duration

	MaxHeaderBytes    int
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	ShutdownTimeout   time.Duration
}

// withDefaults returns o with every unset limit at its default.
func (o Options) withDefaults() Options {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	defInt(&o.MaxBodyReaders, DefaultMaxBodyReaders)
	defInt(&o.MaxQueryParams, DefaultMaxQueryParams)
	defInt(&o.MaxFilters, DefaultMaxFilters)
	defInt(&o.MaxHeaderBytes, DefaultMaxHeaderBytes)
	def(&o.RequestTimeout, DefaultRequestTimeout)
	def(&o.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	def(&o.ReadTimeout, DefaultReadTimeout)
	def(&o.WriteTimeout, DefaultWriteTimeout)
	def(&o.IdleTimeout, DefaultIdleTimeout)
	def(&o.ShutdownTimeout, DefaultShutdownTimeout)
	return o
}

// New returns the HTTP handler serving st's resources under /data/, the
// index, /health and /ready (which needs st to be a ReadyChecker, as a
// *relstore.Store is): the Host check, the request log and
// panic recovery around every route.
func New(st Store, opts Options) http.Handler {
	opts = opts.withDefaults()
	errLog := io.Discard
	if opts.ErrorLog != nil {
		errLog = &lockedWriter{w: opts.ErrorLog}
	}
	if opts.Logger != nil {
		errLog = slogWriter{opts.Logger}
	}
	var h http.Handler = newHandler(st, opts, errLog)
	if len(opts.AllowedHosts) > 0 {
		h = checkHost(h, opts.AllowedHosts)
	}
	h = recoverPanics(h, errLog)
	if opts.Logger != nil || opts.Log != nil {
		var w io.Writer
		if opts.Log != nil {
			w = &lockedWriter{w: opts.Log}
		}
		h = logRequests(h, w, opts.Logger)
	}
	rec := opts.Metrics
	if rec == nil {
		rec = telemetry.Nop{}
	}
	return observe(h, rec)
}

// NewHTTPServer returns an http.Server for h with opts' timeouts, header
// limit and error log (lines bounded). Serve it on WrapListener(ln).
func NewHTTPServer(h http.Handler, opts Options) *http.Server {
	opts = opts.withDefaults()
	errLog := io.Discard
	if opts.ErrorLog != nil {
		errLog = &lockedWriter{w: opts.ErrorLog}
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: opts.ReadHeaderTimeout,
		ReadTimeout:       opts.ReadTimeout,
		WriteTimeout:      opts.WriteTimeout,
		IdleTimeout:       opts.IdleTimeout,
		MaxHeaderBytes:    opts.MaxHeaderBytes,
		ErrorLog:          log.New(errLog, "dmsc: http: ", 0),
	}
}

// Serve serves h on ln (wrapped by WrapListener) with NewHTTPServer until
// ctx is cancelled, then shuts down gracefully: requests in flight get
// opts.ShutdownTimeout to finish. It returns nil after a graceful
// shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts Options) error {
	opts = opts.withDefaults()
	srv := NewHTTPServer(h, opts)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(WrapListener(ln)) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), opts.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		_ = srv.Close()
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	return nil
}

// Run serves st on ln until ctx is cancelled: New and Serve, with the Host
// check on LoopbackHosts (plus opts.AllowedHosts) when ln listens on a
// loopback address. On another address only opts.AllowedHosts, when set,
// are checked, and an Authenticator meant for loopback only (a
// HeaderAuthenticator) is refused.
func Run(ctx context.Context, ln net.Listener, st Store, opts Options) error {
	if err := CheckListener(ln.Addr(), opts); err != nil {
		return err
	}
	if IsLoopback(ln.Addr()) {
		opts.AllowedHosts = append(append([]string(nil), LoopbackHosts...), opts.AllowedHosts...)
	}
	return Serve(ctx, ln, New(st, opts), opts)
}

// CheckListener returns an error when opts' Authenticator may not serve
// on addr: a HeaderAuthenticator (callers name their own grant) serves
// loopback addresses only.
func CheckListener(addr net.Addr, opts Options) error {
	if opts.Auth == nil {
		return nil
	}
	if lo, ok := opts.Auth.Authenticator.(loopbackOnly); ok && lo.LoopbackOnly() && !IsLoopback(addr) {
		return fmt.Errorf("header authentication lets every caller choose its own claim set and EdOrg ids, so it serves only on a loopback address, not on %s", addr)
	}
	return nil
}

// IsLoopback reports whether addr is a loopback TCP address (127.0.0.0/8
// or ::1); the unspecified address (0.0.0.0, ::) is not.
func IsLoopback(addr net.Addr) bool {
	if ta, ok := addr.(*net.TCPAddr); ok {
		return ta.IP.IsLoopback()
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
