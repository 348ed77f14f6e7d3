package relstore_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// faultTracer calls hook when the n-th batch of a write starts, or (atEnd)
// when it has run: the second batch carries every row, so atEnd faults
// strike after the rows were written and before COMMIT.
type faultTracer struct {
	relstore.RoundTripCounter
	batches atomic.Int64
	at      int64
	atEnd   bool
	hook    func(ctx context.Context, conn *pgx.Conn)
}

// TraceBatchStart implements pgx.BatchTracer.
func (f *faultTracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if f.batches.Add(1) == f.at && f.hook != nil && !f.atEnd {
		f.hook(ctx, conn)
	}
	return f.RoundTripCounter.TraceBatchStart(ctx, conn, data)
}

// TraceBatchEnd implements pgx.BatchTracer.
func (f *faultTracer) TraceBatchEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchEndData) {
	if f.batches.Load() == f.at && f.hook != nil && f.atEnd {
		f.hook(ctx, conn)
	}
}

// newFault returns a tracer that strikes at a write's second batch, the
// one carrying its rows (before it is sent or, atEnd, once it has run):
// it cancels the write's context, or with kill terminates its connection.
func newFault(t *testing.T, env *relstoretest.Env, kill, atEnd bool, cancel context.CancelFunc) *faultTracer {
	tr := &faultTracer{at: 2, atEnd: atEnd}
	tr.hook = func(_ context.Context, conn *pgx.Conn) {
		if !kill {
			cancel()
			return
		}
		if _, err := env.Pool.Exec(context.Background(), `SELECT pg_terminate_backend($1)`, conn.PgConn().PID()); err != nil {
			t.Errorf("terminate: %v", err)
		}
	}
	return tr
}

// openWithTracer opens a second store on env's database whose pool uses
// tr, verifying edges (so a write's COMMIT is a round trip of its own).
func openWithTracer(t *testing.T, env *relstoretest.Env, tr pgx.QueryTracer) *relstore.Store {
	t.Helper()
	return openWithTracerOptions(t, env, tr, relstore.Options{VerifyEdges: true, MaxAttempts: 1})
}

// openWithTracerOptions is openWithTracer with the store's options.
func openWithTracerOptions(t *testing.T, env *relstoretest.Env, tr pgx.QueryTracer, opts relstore.Options) *relstore.Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(env.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tr
	pool, err := relstore.NewPool(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := relstore.Open(context.Background(), env.Manifest, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestFaultsLeaveNoTrace: a context cancelled, or a connection killed,
// just before a write's row batch or after it ran (before COMMIT) leaves
// the database as it was, for a new document and for an update.
func TestFaultsLeaveNoTrace(t *testing.T) {
	env, _ := seeded(t, "faults")
	newDoc := bigSchool(9001, 50)
	update := seed[6].body // the seeded school: an update
	for _, c := range []struct {
		name, body  string
		kill, atEnd bool
	}{
		{"cancel/create", newDoc, false, false},
		{"cancel/update", update, false, false},
		{"kill/create", newDoc, true, false},
		{"kill/update", update, true, false},
		{"cancel after rows/create", newDoc, false, true},
		{"cancel after rows/update", update, false, true},
		{"kill after rows/create", newDoc, true, true},
		{"kill after rows/update", update, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, env)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			st := openWithTracer(t, env, newFault(t, env, c.kill, c.atEnd, cancel))
			_, err := st.Upsert(ctx, "example", "schools", []byte(c.body))
			if err == nil {
				t.Fatal("the write succeeded despite the fault")
			}
			if !c.kill && !errors.Is(err, context.Canceled) {
				t.Logf("cancelled write: %v", err)
			}
			if after := snapshot(t, env); after != before {
				t.Errorf("the failed write left a trace:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestFaultsAroundTheCommittingBatch: with production options a write's
// COMMIT travels with its rows (pipeTx). A context cancelled, or the
// connection killed, before that batch leaves no trace; the connection
// killed once the batch has run leaves the write committed whole (the
// write succeeds: Commit has nothing left to send), readable and clean
// in both audits. A new school and a student update.
func TestFaultsAroundTheCommittingBatch(t *testing.T) {
	env, _ := seeded(t, "faultscommit")
	ctx := t.Context()
	student := `{"studentUniqueId":"FC1","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`
	mustUpsert(t, env.Store, "example", "students", student)
	for i, c := range []struct {
		name, ep, body string
		kill, atEnd    bool
	}{
		{"cancel/create", "schools", bigSchool(9101, 20), false, false},
		{"cancel/update", "students", strings.Replace(student, `"F"`, `"G1"`, 1), false, false},
		{"kill/create", "schools", bigSchool(9102, 20), true, false},
		{"kill/update", "students", strings.Replace(student, `"F"`, `"G2"`, 1), true, false},
		{"kill after the batch/create", "schools", bigSchool(9103, 20), true, true},
		{"kill after the batch/update", "students", strings.Replace(student, `"F"`, `"G3"`, 1), true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := snapshot(t, env)
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			st := openWithTracerOptions(t, env, newFault(t, env, c.kill, c.atEnd, cancel), relstore.Options{MaxAttempts: 1})
			res, err := st.Upsert(wctx, "example", c.ep, []byte(c.body))
			if !c.atEnd {
				if err == nil {
					t.Fatal("the write succeeded despite the fault")
				}
				if after := snapshot(t, env); after != before {
					t.Errorf("the failed write left a trace:\nbefore %s\nafter  %s", before, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("the connection killed after the committing batch: %v, want the write committed", err)
			}
			doc, err := env.Store.Get(ctx, "example", c.ep, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			assertRoundTrip(t, c.body, doc.JSON)
			if doc.ETag != res.ETag {
				t.Errorf("case %d: stored ETag %s, the write returned %s", i, doc.ETag, res.ETag)
			}
			for _, audit := range []func() (*relstore.Report, error){
				func() (*relstore.Report, error) { return env.Store.AuditEdges(ctx, relstore.AuditOptions{}) },
				func() (*relstore.Report, error) { return env.Store.AuditIdentities(ctx, relstore.AuditOptions{}) },
			} {
				if r, err := audit(); err != nil || r.Differences != 0 {
					t.Errorf("audit after the kill: %v, %+v", err, r)
				}
			}
		})
	}
}

// TestConcurrentDuplicateInsert: writers racing to create the same natural
// key produce one document; each writer either created it, updated it, or
// got a 409 — never a second document.
func TestConcurrentDuplicateInsert(t *testing.T) {
	env, _ := seeded(t, "dupinsert")
	const writers = 8
	for round := 0; round < 5; round++ {
		body := []byte(`{"studentUniqueId":"RACE` + string(rune('A'+round)) + `","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`)
		var wg sync.WaitGroup
		var created, updated, conflicts atomic.Int64
		start := make(chan struct{})
		for i := 0; i < writers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := env.Store.Upsert(context.Background(), "example", "students", body)
				var ce *relstore.ConflictError
				switch {
				case err == nil && res.Created:
					created.Add(1)
				case err == nil:
					updated.Add(1)
				case errors.As(err, &ce):
					conflicts.Add(1)
				default:
					t.Errorf("racing insert: %v", err)
				}
			}()
		}
		close(start)
		wg.Wait()
		n := count(t, env, `SELECT count(*) FROM "example"."Student" WHERE "StudentUniqueId" = $1`, "RACE"+string(rune('A'+round)))
		if n != 1 || created.Load() != 1 {
			t.Errorf("round %d: %d documents, %d created, %d updated, %d conflicts", round, n, created.Load(), updated.Load(), conflicts.Load())
		}
	}
}
