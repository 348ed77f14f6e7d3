package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// TestIfMatchRaces runs rounds of writers released together on one
// document, all holding the same If-Match: in every round exactly one wins
// and every other gets the answer the HTTP contract gives for the state
// the winner left (412 after a PUT, 404 after a DELETE). Rounds of 8 PUTs,
// and of 4 PUTs against 4 DELETEs; both audits are clean afterwards.
func TestIfMatchRaces(t *testing.T) {
	if testing.Short() {
		t.Skip("race rounds skipped in -short mode")
	}
	const (
		writers = 8
		rounds  = 100
	)
	env := relstoretest.NewWithModel(t, "races", relstoretest.Compile(t), relstore.Options{VerifyEdges: true},
		func(c *pgxpool.Config) { c.MaxConns = writers + 2 })
	st := env.Store
	ctx := context.Background()
	body := func(round, w int) []byte {
		return []byte(fmt.Sprintf(`{"studentUniqueId":"RACE","firstName":"R%dW%d","lastSurname":"L","birthDate":"2010-01-01"}`, round, w))
	}
	run := func(ops []func() error) []error {
		errs := make([]error, len(ops))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, op := range ops {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = op()
			}()
		}
		close(start)
		wg.Wait()
		return errs
	}
	multi := 0
	for round := 0; round < rounds; round++ {
		res, err := st.Upsert(ctx, "example", "students", body(round, -1))
		if err != nil {
			t.Fatal(err)
		}
		id := res.ID
		ifMatch := `"` + res.ETag + `"`
		deletes := round%2 == 1
		ops := make([]func() error, writers)
		for w := range writers {
			if deletes && w%2 == 1 {
				ops[w] = func() error { return st.Delete(ctx, "example", "students", id, ifMatch) }
			} else {
				ops[w] = func() error {
					_, err := st.Update(ctx, "example", "students", id, body(round, w), ifMatch)
					return err
				}
			}
		}
		errs := run(ops)
		wins, deleted := 0, false
		for w, err := range errs {
			switch {
			case err == nil:
				wins++
				deleted = deleted || (deletes && w%2 == 1)
			case errors.Is(err, relstore.ErrETagMismatch), errors.Is(err, relstore.ErrNotFound):
			default:
				t.Errorf("round %d writer %d: %v", round, w, err)
			}
		}
		if wins != 1 {
			multi++
			t.Errorf("round %d: %d winners (errors %v)", round, wins, errs)
		}
		for w, err := range errs {
			if err == nil {
				continue
			}
			// After a winning DELETE every loser finds no document; after a
			// winning PUT every loser's If-Match is stale.
			if deleted && !errors.Is(err, relstore.ErrNotFound) && !(errors.Is(err, relstore.ErrETagMismatch) && deletes && w%2 == 1) {
				t.Errorf("round %d writer %d after the delete: %v, want 404", round, w, err)
			}
			if !deleted && !errors.Is(err, relstore.ErrETagMismatch) {
				t.Errorf("round %d writer %d after the update: %v, want 412", round, w, err)
			}
		}
		if !deleted {
			d, err := st.Get(ctx, "example", "students", id)
			if err != nil || d.ETag != fmt.Sprint(mustAtoi(t, res.ETag)+1) {
				t.Errorf("round %d: ETag %s %v after one update from %s", round, d.ETag, err, res.ETag)
			}
			if err := st.Delete(ctx, "example", "students", id, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d rounds of %d writers, %d with more than one winner", rounds, writers, multi)
	auditsClean(t, st)
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
