// Package server is the HTTP server of `dmsc serve`: the Ed-Fi resource
// routes (POST/GET/PUT/DELETE /data/{project}/{resource}[/{id}]) over a
// runtime store, with RFC 9457 problem details, the mapping of runtime
// errors to HTTP statuses, query parsing and a request log.
//
// A Go program embeds it with
//
//	h := server.New(store, server.Options{Log: os.Stderr})
//	err := server.Serve(ctx, ln, h, server.Options{})
//
// or mounts the handler New returns in its own http.Server.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"
)

// Options configure the handler and the HTTP server. The zero value is
// usable.
type Options struct {
	// Log receives one line per request (method, request URI, status,
	// duration, pruned properties); nil logs nothing.
	Log io.Writer
	// ErrorLog receives unexpected errors (answered with 500) and the
	// HTTP server's own errors; nil discards them.
	ErrorLog io.Writer
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once its context is cancelled (default 10s).
	ShutdownTimeout time.Duration
}

// DefaultShutdownTimeout is Options.ShutdownTimeout's default.
const DefaultShutdownTimeout = 10 * time.Second

// New returns the HTTP handler serving st's resources under /data/.
func New(st Store, opts Options) http.Handler {
	errLog := opts.ErrorLog
	if errLog != nil {
		errLog = &lockedWriter{w: errLog}
	}
	var h http.Handler = newHandler(st, errLog)
	if opts.Log != nil {
		h = logRequests(h, &lockedWriter{w: opts.Log})
	}
	return h
}

// Serve serves h on ln until ctx is cancelled, then shuts down gracefully:
// requests in flight get opts.ShutdownTimeout to finish. It returns nil
// after a graceful shutdown.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, opts Options) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	if opts.ErrorLog != nil {
		srv.ErrorLog = log.New(&lockedWriter{w: opts.ErrorLog}, "dmsc: http: ", 0)
	} else {
		srv.ErrorLog = log.New(io.Discard, "", 0)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	timeout := opts.ShutdownTimeout
	if timeout <= 0 {
		timeout = DefaultShutdownTimeout
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
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
