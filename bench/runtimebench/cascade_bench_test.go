package runtimebench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// cascadeKs are the referrer counts of BenchmarkCascade (docs/quality.md:
// "identity change on a document with K referrers").
var cascadeKs = []int{10, 100, 1000, 10000}

// cascadeSmokeKs are the referrer counts with -benchtime=1x or -short.
var cascadeSmokeKs = []int{10, 100}

// The cascade graph: one grade level descriptor, one school, one student
// (Student allows identity updates) and K studentSchoolAssociations whose
// identity is entryDate + school + student.
const (
	cascadeDescriptor  = `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth Grade","shortDescription":"9th"}`
	cascadeSchool      = `{"schoolId":255901001,"nameOfInstitution":"S","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`
	cascadeStudent     = `{"studentUniqueId":%q,"firstName":"A","lastSurname":"B","birthDate":"2010-01-01"}`
	cascadeAssociation = `{"studentReference":{"studentUniqueId":%q},"schoolReference":{"schoolId":255901001},"entryDate":%q,"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}`
)

// cascadeStudentIDs are the two studentUniqueIds an op alternates between,
// so that every op really changes the student's identity.
var cascadeStudentIDs = [2]string{"S1", "S1-renamed"}

// cascadeLoaders is how many goroutines write the associations while a
// store grows (the runtime pool's default size on a small machine).
const cascadeLoaders = 4

// cascadeEpoch is the entryDate of association 0; association i enters i
// days later, so every association has its own identity.
var cascadeEpoch = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

// cascadeStore is one store of the cascade comparison holding the cascade
// graph with k associations.
type cascadeStore struct {
	// name is the benchratio case: "baseline" (JSONB) or "relational".
	name    string
	counter *relstore.RoundTripCounter
	// pool is the store's database.
	pool   *pgxpool.Pool
	upsert func(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error)
	// update changes the identity of the student id to body and returns
	// the number of referrers whose identity was recomputed.
	update func(ctx context.Context, id string, body []byte) (int, error)
	// truncate empties the store.
	truncate func(ctx context.Context) error

	// student is the student's document id; current indexes its
	// studentUniqueId in cascadeStudentIDs.
	student string
	current int
	// k counts the associations stored.
	k int
}

// newCascadeStores provisions the relational store (production options:
// no edge verification) and the JSONB baseline for the example schema on
// two databases of the same server, each holding the descriptor, the
// school and the student.
func newCascadeStores(tb testing.TB, label string) []*cascadeStore {
	tb.Helper()
	env := relstoretest.NewWithModel(tb, label, relstoretest.Compile(tb), relstore.Options{})
	rel := env.Store
	relational := &cascadeStore{
		name:    "relational",
		counter: env.Counter,
		pool:    env.Pool,
		upsert: func(ctx context.Context, pe, ep string, body []byte) (relstore.WriteResult, error) {
			return rel.Upsert(ctx, pe, ep, body)
		},
		update: func(ctx context.Context, id string, body []byte) (int, error) {
			res, err := rel.Update(ctx, "example", "students", id, body, "")
			if err != nil {
				return 0, err
			}
			// The associations are both the closure and the student's
			// only referrers: exactly their ETags are bumped.
			if res.Cascade.Bumped != int64(res.Cascade.Closure) {
				return res.Cascade.Closure, fmt.Errorf("cascade %+v bumped %d ETags besides the student's, want %d (the closure)",
					res.Cascade, res.Cascade.Bumped, res.Cascade.Closure)
			}
			return res.Cascade.Closure, nil
		},
		truncate: func(ctx context.Context) error {
			// Everything cascades from dms.Document; a new Store drops
			// whatever the old one may have cached.
			if _, err := env.Pool.Exec(ctx, `TRUNCATE "dms"."Document" CASCADE`); err != nil {
				return err
			}
			st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{})
			if err == nil {
				rel = st
			}
			return err
		},
	}
	jb := newJSONB(tb, env.Manifest, label+"jsonb")
	baseline := &cascadeStore{
		name:    "baseline",
		counter: jb.Counter,
		pool:    jb.Pool,
		upsert:  jb.Store.Upsert,
		update: func(ctx context.Context, id string, body []byte) (int, error) {
			return jb.Store.UpdateIdentity(ctx, "example", "students", id, body)
		},
		truncate: func(ctx context.Context) error { return TruncateJSONB(ctx, jb.Pool) },
	}
	stores := []*cascadeStore{baseline, relational}
	for _, st := range stores {
		st.seed(tb)
	}
	return stores
}

// reset empties the store and writes the descriptor, the school and the
// student again.
func (st *cascadeStore) reset(tb testing.TB) {
	tb.Helper()
	if err := st.truncate(context.Background()); err != nil {
		tb.Fatalf("%s store: truncate: %v", st.name, err)
	}
	st.k, st.current = 0, 0
	st.seed(tb)
}

// seed writes the descriptor, the school and the student.
func (st *cascadeStore) seed(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	for _, d := range []struct{ endpoint, body string }{
		{"gradeLevelDescriptors", cascadeDescriptor},
		{"schools", cascadeSchool},
		{"students", fmt.Sprintf(cascadeStudent, cascadeStudentIDs[st.current])},
	} {
		res, err := st.upsert(ctx, "example", d.endpoint, []byte(d.body))
		if err != nil {
			tb.Fatalf("%s store: POST /example/%s: %v", st.name, d.endpoint, err)
		}
		if d.endpoint == "students" {
			st.student = res.ID
		}
	}
}

// grow writes associations until the store holds k of them, with
// cascadeLoaders goroutines, and logs how long it took.
func (st *cascadeStore) grow(tb testing.TB, k int) {
	tb.Helper()
	if st.k > k {
		tb.Fatalf("%s store holds %d associations, more than %d", st.name, st.k, k)
	}
	if st.k == k {
		return
	}
	ctx := context.Background()
	start, from := time.Now(), st.k
	student := cascadeStudentIDs[st.current]
	var next atomic.Int64
	next.Store(int64(from))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range cascadeLoaders {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= k {
					return
				}
				date := cascadeEpoch.AddDate(0, 0, i).Format(time.DateOnly)
				body := fmt.Sprintf(cascadeAssociation, student, date)
				res, err := st.upsert(ctx, "example", "studentSchoolAssociations", []byte(body))
				if err == nil && !res.Created {
					err = fmt.Errorf("association %d (%s) updated an existing document", i, date)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("association %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(k)) // stop the others
					return
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		tb.Fatalf("%s store: %v", st.name, first)
	}
	st.k = k
	took := time.Since(start)
	tb.Logf("%s store: wrote associations %d..%d in %v (%v each, %d goroutines)",
		st.name, from, k-1, took.Round(time.Millisecond), (took / time.Duration(k-from)).Round(time.Microsecond), cascadeLoaders)
}

// rename changes the student's studentUniqueId to the other value and
// returns the number of referrers whose identity was recomputed.
func (st *cascadeStore) rename(ctx context.Context) (int, error) {
	other := 1 - st.current
	n, err := st.update(ctx, st.student, fmt.Appendf(nil, cascadeStudent, cascadeStudentIDs[other]))
	if err != nil {
		return n, fmt.Errorf("%s store: rename the student to %s: %w", st.name, cascadeStudentIDs[other], err)
	}
	st.current = other
	return n, nil
}

// check renames the student once and fails unless exactly the k
// associations had their identity recomputed.
func (st *cascadeStore) check(tb testing.TB, k int) {
	tb.Helper()
	n, err := st.rename(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	if n != k {
		tb.Fatalf("%s store: the identity change reached %d referrers, want %d", st.name, n, k)
	}
}

// vacuum runs VACUUM ANALYZE on the store's database, so that the timed
// ops of every K start without the dead rows of the growth and the checks
// and with planner statistics for the current size, whether or not
// autovacuum happened to run.
func (st *cascadeStore) vacuum(tb testing.TB) {
	tb.Helper()
	if _, err := st.pool.Exec(context.Background(), "VACUUM ANALYZE"); err != nil {
		tb.Fatalf("%s store: VACUUM ANALYZE: %v", st.name, err)
	}
}

// BenchmarkCascade times an identity change on a document with K
// referrers (docs/quality.md, "Cascade"): one op changes the
// studentUniqueId of a student referenced by K studentSchoolAssociations,
// whose identity includes the student, alternating between two values.
// The relational store (relstore.Store.Update) recomputes the K
// ReferentialIds and bumps the K ETags with set-based statements; the
// JSONB baseline (JSONBStore.UpdateIdentity) reads, rewrites and writes
// back the K referrers' JSON bodies. K = 10, 100, 1,000 and 10,000 (10
// and 100 with -benchtime=1x or -short).
//
// Sub-benchmarks are named Cascade/K=<K>/<store>, so bench/benchratio
// prints the ratio relational/baseline per K. Each store has its own
// database on the same server and is emptied and loaded again for every
// K; writing the associations (a few goroutines of Upsert calls) is not
// timed, it is logged. Before the timed ops of each K, one untimed op
// checks that the cascade reached exactly K referrers (and, for the
// relational store, bumped exactly their ETags), then VACUUM ANALYZE
// clears the dead rows and gives the planner the statistics a running
// server's autovacuum would have, so the plans do not depend on whether
// autovacuum happened to run. Besides ns/op each reports ns/referrer,
// roundtrips/op and stmts/op.
func BenchmarkCascade(b *testing.B) {
	ks := cascadeKs
	if smokeRun() {
		ks = cascadeSmokeKs
	}
	stores := newCascadeStores(b, "cascade")
	for _, k := range ks {
		for _, st := range stores {
			b.Run(fmt.Sprintf("K=%d/%s", k, st.name), func(b *testing.B) {
				benchCascade(b, st, k)
			})
		}
	}
}

// benchCascade times b.N identity changes of the student with k
// referrers.
func benchCascade(b *testing.B, st *cascadeStore, k int) {
	if st.k != k {
		// Each K starts from an empty store, so that it does not carry
		// the dead rows and bloat of the previous K's ops.
		st.reset(b)
		st.grow(b, k)
		st.check(b, k)
		st.vacuum(b)
	}
	ctx := context.Background()
	t0, s0 := st.counter.Count(), st.counter.Statements()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := st.rename(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/(n*float64(k)), "ns/referrer")
	b.ReportMetric(float64(st.counter.Count()-t0)/n, "roundtrips/op")
	b.ReportMetric(float64(st.counter.Statements()-s0)/n, "stmts/op")
}

// TestCascadeStatementsConstant: an identity change with K referrers runs
// the same statements in the same round trips whatever K, in both stores
// (set-based statements; the baseline rewrites the JSON in the
// application, level by level).
func TestCascadeStatementsConstant(t *testing.T) {
	stores := newCascadeStores(t, "cascadestmts")
	for _, st := range stores {
		type cost struct{ trips, stmts int64 }
		measure := func(k int) cost {
			st.grow(t, k)
			st.check(t, k) // also prepares the statements
			t0, s0 := st.counter.Count(), st.counter.Statements()
			st.check(t, k)
			return cost{st.counter.Count() - t0, st.counter.Statements() - s0}
		}
		small, large := measure(10), measure(200)
		if small != large {
			t.Errorf("%s store: one cascade takes %d round trips and %d statements at K=10, %d and %d at K=200",
				st.name, small.trips, small.stmts, large.trips, large.stmts)
		}
		t.Logf("%s store: %d round trips, %d statements per cascade", st.name, small.trips, small.stmts)
	}
}
