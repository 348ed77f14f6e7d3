package relstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// staleCacheRows counts the dms.DocumentCache rows whose Etag is not
// their document's: the cache invariant (relstore/cache.go) allows none,
// since a cached GET serves the row it finds without reading the
// document.
func staleCacheRows(t *testing.T, env *relstoretest.Env) int64 {
	t.Helper()
	return count(t, env, `SELECT count(*) FROM "dms"."DocumentCache" c JOIN "dms"."Document" d ON d."DocumentId" = c."DocumentId" WHERE d."Etag" <> c."Etag"`)
}

// holdCachedRow plays a projector in the middle of its insert: from a
// connection of its own it share-locks the dms.Document row of document
// id, stores the document's assembled body at its current Etag as a
// cache row, and keeps the transaction open. It returns the commit.
func holdCachedRow(t *testing.T, env *relstoretest.Env, pe, ep, id string) func() {
	t.Helper()
	ctx := context.Background()
	d, err := env.Store.Get(ctx, pe, ep, id)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO "dms"."DocumentCache" ("DocumentId", "DocumentUuid", "ResourceKeyId", "Etag", "LastModifiedAt", "DocumentJson")
SELECT d."DocumentId", d."DocumentUuid", d."ResourceKeyId", d."Etag", d."LastModifiedAt", $2
FROM "dms"."Document" d WHERE d."DocumentUuid" = $1::uuid AND d."Etag" = $3 FOR SHARE OF d`, id, string(d.JSON), d.ETag)
	if err != nil || tag.RowsAffected() != 1 {
		_ = tx.Rollback(ctx)
		t.Fatalf("cache %s at Etag %s: %v (%d rows)", id, d.ETag, err, tag.RowsAffected())
	}
	return commitOnce(t, tx)
}

// holdBump plays a writer in the middle of its transaction: from a
// connection of its own it bumps the Etag of document id (the row stays
// locked) and returns the commit.
func holdBump(t *testing.T, env *relstoretest.Env, id string) func() {
	t.Helper()
	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE "dms"."Document" SET "Etag" = "Etag" + 1, "LastModifiedAt" = now() WHERE "DocumentUuid" = $1::uuid`, id); err != nil {
		_ = tx.Rollback(ctx)
		t.Fatal(err)
	}
	return commitOnce(t, tx)
}

// commitOnce returns the commit of tx, run at most once (and at cleanup).
func commitOnce(t *testing.T, tx pgx.Tx) func() {
	done := false
	commit := func() {
		if !done {
			done = true
			if err := tx.Commit(context.Background()); err != nil {
				t.Errorf("commit: %v", err)
			}
		}
	}
	t.Cleanup(commit)
	return commit
}

// cachedEqualsAssembled GETs document id through the cache and from the
// tables and fails unless both give one ETag and one body.
func cachedEqualsAssembled(t *testing.T, env *relstoretest.Env, st *relstore.Store, pe, ep, id, wantIn string) {
	t.Helper()
	ctx := context.Background()
	got, err := st.Get(ctx, pe, ep, id)
	if err != nil {
		t.Fatal(err)
	}
	want, err := env.Store.Get(ctx, pe, ep, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != want.ETag || string(got.JSON) != string(want.JSON) {
		t.Errorf("%s %s through the cache: ETag %s %s; from the tables: ETag %s %s", ep, id, got.ETag, got.JSON, want.ETag, want.JSON)
	}
	if !strings.Contains(string(got.JSON), wantIn) {
		t.Errorf("%s %s: %s does not show %q", ep, id, got.JSON, wantIn)
	}
}

// TestCacheInvariantUnderLockWaits: a cached GET reads dms.DocumentCache
// alone, so no row may outlive its document's Etag. Each case makes one
// side wait on (or skip) the other's lock, held by a test connection:
//   - a writer's Etag bump queued behind a projector's insert (the insert
//     share-locks the document row) deletes the row the projector
//     committed while it waited: the delete runs in a statement after the
//     bump, whose snapshot holds that commit. With the delete in the
//     bump's own statement (whose snapshot predates the wait), the row
//     stays stale;
//   - so does every other bump: a cascade's (a referrer of a renamed
//     student) and a descriptor update's;
//   - a projector or a read-through GET finding the document row held by
//     a writer stores nothing (SKIP LOCKED), instead of a body at the Etag
//     the writer is replacing.
//
// After each case no row is stale and the cached GET equals the
// assembled one.
func TestCacheInvariantUnderLockWaits(t *testing.T) {
	env, ids := seeded(t, "cachelockwait")
	st, err := relstore.Open(t.Context(), env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	const (
		student = 9
		ssa     = 10
		grade   = 0
	)
	writerWaits := []struct {
		name   string
		held   int // the seed document whose cache row the projector holds
		write  func() outcome
		wantIn string // what the held document shows after the write
	}{
		{"a PUT waits for the projector", student,
			put(st, "students", ids[student], `{"studentUniqueId":"S1","firstName":"Anna","lastSurname":"Lee","birthDate":"2010-05-01"}`, ""), `"Anna"`},
		{"a cascade waits for the projector", ssa,
			put(st, "students", ids[student], `{"studentUniqueId":"S1-renamed","firstName":"Anna","lastSurname":"Lee","birthDate":"2010-05-01"}`, ""), `"S1-renamed"`},
		{"a descriptor update waits for the projector", grade,
			put(st, "gradeLevelDescriptors", ids[grade], `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Tenth Grade","shortDescription":"10th grade"}`, ""), `"10th grade"`},
	}
	for _, c := range writerWaits {
		t.Run(c.name, func(t *testing.T) {
			release := holdCachedRow(t, env, seed[c.held].pe, seed[c.held].ep, ids[c.held])
			got := queue(t, env, release, c.write)
			if got[0].err != nil {
				t.Fatalf("write: %v", got[0].err)
			}
			if n := staleCacheRows(t, env); n != 0 {
				t.Errorf("%d stale cache rows after the write", n)
			}
			cachedEqualsAssembled(t, env, st, seed[c.held].pe, seed[c.held].ep, ids[c.held], c.wantIn)
		})
	}

	t.Run("the projector skips a document a writer holds", func(t *testing.T) {
		if _, err := env.Pool.Exec(t.Context(), `DELETE FROM "dms"."DocumentCache"`); err != nil {
			t.Fatal(err)
		}
		release := holdBump(t, env, ids[student])
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		ps, err := st.Project(ctx, relstore.ProjectOptions{})
		docs := count(t, env, `SELECT count(*) FROM "dms"."Document"`)
		if err != nil || ps.Documents != docs-1 {
			t.Fatalf("Project: %+v, %v; want %d documents (all but the held one)", ps, err, docs-1)
		}
		release()
		if n := staleCacheRows(t, env); n != 0 {
			t.Errorf("%d stale cache rows after the writer committed", n)
		}
		cachedEqualsAssembled(t, env, st, seed[student].pe, seed[student].ep, ids[student], `"S1-renamed"`)
	})

	t.Run("a read-through GET stores nothing for a document a writer holds", func(t *testing.T) {
		if _, err := env.Pool.Exec(t.Context(), `DELETE FROM "dms"."DocumentCache"`); err != nil {
			t.Fatal(err)
		}
		release := holdBump(t, env, ids[ssa])
		d, err := st.Get(t.Context(), seed[ssa].pe, seed[ssa].ep, ids[ssa])
		if err != nil {
			t.Fatal(err)
		}
		release()
		if n := staleCacheRows(t, env); n != 0 {
			t.Errorf("%d stale cache rows after the writer committed (the GET read ETag %s)", n, d.ETag)
		}
		cachedEqualsAssembled(t, env, st, seed[ssa].pe, seed[ssa].ep, ids[ssa], `"S1-renamed"`)
	})
	auditsClean(t, st)
	rep, err := st.AuditCache(t.Context(), false, 10)
	if err != nil || rep.Differences != 0 {
		t.Errorf("cache audit: %+v, %v", rep, err)
	}
}

// TestStaleCacheRows: a row left at an older Etag (by a writer that kept
// no invariant, such as an older dmsc) is a cache audit finding, repair
// deletes it, and Open with the cache on removes such rows before any GET
// could serve them.
func TestStaleCacheRows(t *testing.T) {
	env, ids := seeded(t, "cachestale")
	ctx := t.Context()
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	stale := func() {
		t.Helper()
		if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
			t.Fatal(err)
		}
		// An old writer: the bump without the delete.
		if _, err := env.Pool.Exec(ctx, `UPDATE "dms"."Document" SET "Etag" = "Etag" + 1 WHERE "DocumentUuid" = $1::uuid`, ids[9]); err != nil {
			t.Fatal(err)
		}
	}
	stale()
	rep, err := st.AuditCache(ctx, true, 10)
	if err != nil || rep.Stale != 1 || rep.Differences != 1 || rep.Removed != 1 || len(rep.Findings) != 1 ||
		!strings.Contains(strings.Join(rep.Findings[0].Differences, ""), "stale row") {
		t.Fatalf("audit with repair of one stale row: %+v, %v", rep, err)
	}
	if n := staleCacheRows(t, env); n != 0 {
		t.Fatalf("%d stale rows after the repair", n)
	}
	stale()
	if _, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true}); err != nil {
		t.Fatal(err)
	}
	if n := staleCacheRows(t, env); n != 0 {
		t.Errorf("%d stale rows after Open", n)
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."DocumentCache"`); n != int64(len(ids)-1) {
		t.Errorf("Open left %d cache rows, want %d (only the stale one removed)", n, len(ids)-1)
	}
}
