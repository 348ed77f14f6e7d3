package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// ReadyChecker is the method of a Store that GET /ready calls. CheckReady
// returns nil when the database answers and its dms.EffectiveSchema holds
// the manifest's effective schema hash, a *relstore.FingerprintError when
// it holds another hash (or none), and any other error when the database
// cannot be reached or read. *relstore.Store has it; a Store without it
// answers /ready with 503.
type ReadyChecker interface {
	CheckReady(ctx context.Context) error
}

// readyReuse is how long the outcome of a readiness check answers GET
// /ready before the database is asked again: a flood of probes costs at
// most one check per period, and concurrent probes share the check in
// flight.
const readyReuse = time.Second

// errNoReadyCheck is the readiness of a store without CheckReady.
var errNoReadyCheck = errors.New("the store has no CheckReady method")

// readiness runs a store's readiness checks, one at a time, and keeps the
// latest outcome for readyReuse.
type readiness struct {
	check   func(context.Context) error // nil: the store cannot be checked
	timeout time.Duration               // bound of one check

	mu      sync.Mutex
	running chan struct{} // closed when the check in flight ends; nil when none runs
	err     error         // outcome of the latest check
	at      time.Time     // when it ended; zero before the first
}

// newReadiness returns the readiness of st, each check bounded by
// timeout.
func newReadiness(st Store, timeout time.Duration) *readiness {
	rd := &readiness{timeout: timeout}
	if rc, ok := st.(ReadyChecker); ok {
		rd.check = rc.CheckReady
	}
	return rd
}

// result returns the outcome of a check that ended less than readyReuse
// ago, or waits for a new one (started unless one is in flight). It
// returns ctx's error, wrapped, when ctx is done first; the check goes
// on, bounded by its own timeout, for the requests after it.
func (rd *readiness) result(ctx context.Context) error {
	if rd.check == nil {
		return errNoReadyCheck
	}
	rd.mu.Lock()
	if !rd.at.IsZero() && time.Since(rd.at) < readyReuse {
		err := rd.err
		rd.mu.Unlock()
		return err
	}
	if rd.running == nil {
		rd.running = make(chan struct{})
		go rd.run(rd.running)
	}
	done := rd.running
	rd.mu.Unlock()
	select {
	case <-done:
		rd.mu.Lock()
		defer rd.mu.Unlock()
		return rd.err
	case <-ctx.Done():
		return fmt.Errorf("waiting for the readiness check: %w", ctx.Err())
	}
}

// run runs one check and records its outcome (a panic of the check is
// an error, not a crash), then closes done.
func (rd *readiness) run(done chan struct{}) {
	var err error
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("readiness check panicked: %v", v)
		}
		rd.mu.Lock()
		rd.err, rd.at, rd.running = err, time.Now(), nil
		rd.mu.Unlock()
		close(done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), rd.timeout)
	defer cancel()
	err = rd.check(ctx)
}

// readyCheck serves GET /ready: 200 when the store's database answers
// and holds the manifest's effective schema hash, 503 saying why not.
// The request timeout bounds the wait.
func (h *handler) readyCheck(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := h.storeContext(r)
	defer cancel()
	err := h.ready.result(ctx)
	w.Header().Set("Cache-Control", "no-store")
	hash := h.st.Manifest().EffectiveSchemaHash
	if err == nil {
		body, _ := json.Marshal(struct {
			Status              string `json:"status"`
			EffectiveSchemaHash string `json:"effectiveSchemaHash"`
		}{"ready", hash})
		respondJSON(w, http.StatusOK, body)
		return
	}
	if r.Context().Err() != nil {
		WriteProblem(w, badRequest("the client closed the connection before the answer was ready"))
		return
	}
	unavailable := func(detail string) *Problem {
		return newProblem(http.StatusServiceUnavailable, TypeUnavailable, "Service Unavailable", "not ready: "+detail)
	}
	var fe *relstore.FingerprintError
	var p *Problem
	switch {
	case errors.As(err, &fe):
		p = newProblem(http.StatusServiceUnavailable, TypeFingerprintMismatch, "Fingerprint Mismatch", "not ready: "+fe.Error())
		p.Errors = []FingerprintItem{{Database: fe.Database, Manifest: fe.Manifest}}
	case errors.Is(err, errNoReadyCheck):
		p = unavailable("this server cannot check its database: its store has no CheckReady method (serve a *relstore.Store)")
	case errors.Is(err, context.DeadlineExceeded):
		p = unavailable(fmt.Sprintf("the database did not answer within %s", h.opts.RequestTimeout))
	default:
		// The cause names hosts and users; the log has it.
		p = unavailable("the database is unreachable, or its dms.EffectiveSchema cannot be read; the server log has the error")
	}
	fmt.Fprintf(h.errLog, "dmsc: %s %s: %d: %s\n", clip(r.Method, 32), logURI(r), p.Status, clip(err.Error(), maxLogDetail))
	WriteProblem(w, p)
}
