package relstore_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// observed records what an Observer receives.
type observed struct {
	mu      sync.Mutex
	retries []string
	waits   []time.Duration
}

// Retry implements relstore.Observer.
func (o *observed) Retry(reason string) {
	o.mu.Lock()
	o.retries = append(o.retries, reason)
	o.mu.Unlock()
}

// LockWait implements relstore.Observer.
func (o *observed) LockWait(d time.Duration) {
	o.mu.Lock()
	o.waits = append(o.waits, d)
	o.mu.Unlock()
}

// TestObserverAndRoundTrips: every write reports its locking round trip
// to the Observer, and one that waits behind a held lock reports at least
// the time it waited; WithRoundTrips counts exactly the round trips of
// the calls made through its context (GET 1, a write 4), on a pool that
// also carries the test's own tracer.
func TestObserverAndRoundTrips(t *testing.T) {
	env := relstoretest.New(t, "observer")
	ctx := context.Background()
	obs := &observed{}
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	seedDescriptors(t, st)
	id := mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0)).ID
	if len(obs.waits) != 2 {
		t.Fatalf("%d lock round trips reported for 2 writes", len(obs.waits))
	}
	// A write waiting behind a held document lock.
	release := holdLock(t, env, id)
	done := make(chan error, 1)
	go func() {
		_, err := st.Update(ctx, "example", "localEducationAgencies", id, []byte(lea(1, 0)), "")
		done <- err
	}()
	waitForWaiters(t, env, 1)
	time.Sleep(50 * time.Millisecond)
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if w := obs.waits[len(obs.waits)-1]; w < 50*time.Millisecond {
		t.Errorf("the waiting write reported %v, want at least the 50 ms it waited", w)
	}
	if len(obs.retries) != 0 {
		t.Errorf("retries %v without a conflict", obs.retries)
	}

	rctx, trips := relstore.WithRoundTrips(ctx)
	if _, err := st.Get(rctx, "example", "localEducationAgencies", id); err != nil {
		t.Fatal(err)
	}
	if trips.Count() != 1 {
		t.Errorf("GET: %d round trips counted, want 1", trips.Count())
	}
	wctx, wtrips := relstore.WithRoundTrips(ctx)
	if _, err := st.Update(wctx, "example", "localEducationAgencies", id, []byte(lea(1, 0)), ""); err != nil {
		t.Fatal(err)
	}
	// BEGIN goes with the first batch; an EdOrg update's COMMIT does not
	// go with the writes (it reads whether they made a cycle first).
	if wtrips.Count() != 3 || trips.Count() != 1 {
		t.Errorf("PUT: %d round trips counted (want 3); the GET's counter moved to %d", wtrips.Count(), trips.Count())
	}
}
