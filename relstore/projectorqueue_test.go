package relstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// queued reports whether document id (its DocumentUuid) is in
// dms.DocumentCacheQueue.
func queued(t *testing.T, env *relstoretest.Env, id string) bool {
	t.Helper()
	return count(t, env, `SELECT count(*) FROM "dms"."DocumentCacheQueue" q JOIN "dms"."Document" d ON d."DocumentId" = q."DocumentId"
WHERE d."DocumentUuid" = $1::uuid`, id) == 1
}

// cacheStore opens a store with Options.DocumentCache on env.
func cacheStore(t *testing.T, env *relstoretest.Env) *relstore.Store {
	t.Helper()
	st, err := relstore.Open(context.Background(), env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestProjectorQueue: the projector claims from dms.DocumentCacheQueue,
// so a pass reads a window of the queue, not every document.
//   - Documents written by a store without Options.DocumentCache are not
//     queued: a queue-only pass (SkipSweep) projects nothing, a sweep
//     queues and projects them all.
//   - A store with the option queues what it writes: a create, an update,
//     and the documents its identity cascade bumps; a queue-only pass
//     projects them and empties the queue, and the cached GETs equal the
//     assembled documents.
//   - QueueBacklog counts the queue; deleting a queued document takes it
//     off the queue (the foreign key cascades).
func TestProjectorQueue(t *testing.T) {
	env, ids := seeded(t, "projqueue")
	ctx := context.Background()
	st := cacheStore(t, env)
	docs := count(t, env, `SELECT count(*) FROM "dms"."Document"`)

	if b, err := st.QueueBacklog(ctx); err != nil || b.Documents != 0 {
		t.Fatalf("queue after writes without the option: %+v, %v; want none queued", b, err)
	}
	ps, err := st.Project(ctx, relstore.ProjectOptions{SkipSweep: true})
	if err != nil || ps.Documents != 0 || ps.Sweep {
		t.Fatalf("queue-only pass over an empty queue: %+v, %v", ps, err)
	}
	if b, err := st.CacheBacklog(ctx); err != nil || b.Documents != docs {
		t.Fatalf("cache backlog after a queue-only pass: %+v, %v; want %d", b, err, docs)
	}
	ps, err = st.Project(ctx, relstore.ProjectOptions{Batch: 4})
	if err != nil || !ps.Sweep || ps.Swept != docs || ps.Documents != docs {
		t.Fatalf("sweeping pass: %+v, %v; want %d swept and projected", ps, err, docs)
	}
	if b, err := st.QueueBacklog(ctx); err != nil || b.Documents != 0 || b.OldestAge != 0 {
		t.Fatalf("queue after the sweeping pass: %+v, %v", b, err)
	}

	// The store's own writes queue their documents.
	if _, err := st.Update(ctx, "example", "students", ids[9], []byte(`{"studentUniqueId":"S1-q","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), ""); err != nil {
		t.Fatal(err)
	}
	created, err := st.Upsert(ctx, "example", "students", []byte(`{"studentUniqueId":"S2-q","firstName":"Bo","lastSurname":"Kim","birthDate":"2011-01-02"}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{ids[9], ids[10], created.ID} {
		if !queued(t, env, id) {
			t.Errorf("%s is not queued after the store's writes (update, its cascade, create)", id)
		}
	}
	b, err := st.QueueBacklog(ctx)
	if err != nil || b.Documents != 3 || b.OldestAge < 0 {
		t.Fatalf("queue after the writes: %+v, %v; want 3", b, err)
	}
	ps, err = st.Project(ctx, relstore.ProjectOptions{SkipSweep: true})
	if err != nil || ps.Documents != 3 || ps.Sweep {
		t.Fatalf("queue-only pass: %+v, %v; want the 3 queued documents", ps, err)
	}
	if b, err := st.CacheBacklog(ctx); err != nil || b.Documents != 0 {
		t.Fatalf("cache backlog after the queue-only pass: %+v, %v", b, err)
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."DocumentCacheQueue"`); n != 0 {
		t.Errorf("%d documents left queued", n)
	}
	cachedEqualsAssembled(t, env, st, "example", "studentSchoolAssociations", ids[10], "S1-q")
	cachedEqualsAssembled(t, env, st, "example", "students", created.ID, "S2-q")

	// Deleting a queued document takes it off the queue.
	if _, err := st.Update(ctx, "example", "students", created.ID, []byte(`{"studentUniqueId":"S2-q","firstName":"Bob","lastSurname":"Kim","birthDate":"2011-01-02"}`), ""); err != nil {
		t.Fatal(err)
	}
	if !queued(t, env, created.ID) {
		t.Fatal("the updated student is not queued")
	}
	if err := st.Delete(ctx, "example", "students", created.ID, ""); err != nil {
		t.Fatal(err)
	}
	if b, err := st.QueueBacklog(ctx); err != nil || b.Documents != 0 {
		t.Errorf("queue after deleting the queued document: %+v, %v", b, err)
	}
}

// holdQueuedWrite plays a writer of a store with Options.DocumentCache in
// the middle of its transaction, from a connection of its own: it bumps
// the Etag of document id, deletes its cache row and queues it (the
// statements a write runs), and keeps the transaction open. It returns
// the commit.
func holdQueuedWrite(t *testing.T, env *relstoretest.Env, id string) func() {
	t.Helper()
	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE "dms"."Document" SET "Etag" = "Etag" + 1, "LastModifiedAt" = now() WHERE "DocumentUuid" = $1::uuid`,
		`DELETE FROM "dms"."DocumentCache" c USING "dms"."Document" d WHERE d."DocumentId" = c."DocumentId" AND d."DocumentUuid" = $1::uuid`,
		`INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid ON CONFLICT DO NOTHING`,
	} {
		if _, err := tx.Exec(ctx, sql, id); err != nil {
			_ = tx.Rollback(ctx)
			t.Fatal(err)
		}
	}
	return commitOnce(t, tx)
}

// schoolBody is a body of the seed school named name.
func schoolBody(name string) []byte {
	return []byte(`{"schoolId":255901001,"nameOfInstitution":"` + name + `","localEducationAgencyReference":{"localEducationAgencyId":255901},
  "gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}]}`)
}

// TestProjectorQueueUnderLockWaits: the projector takes a document off
// the queue only while its cache row is fresh, under a share lock of the
// document row (projectDoneSQL), and a writer queues its document after
// its bump. Each case makes one side wait on (or skip) the other's lock,
// held by a test connection:
//   - a writer that bumped a queued document and queued it again (a
//     no-op: it was queued) holds the row while a projector passes: the
//     projector stores nothing and leaves the document queued. Taking it
//     off because its cache row looked fresh in the statement's snapshot
//     would lose the writer's change from the queue for good (no cache
//     row, no queue entry: every GET assembling it until a sweep);
//   - a projector that share-locked a document and took it off the queue
//     makes a writer's bump wait; the writer then queues the document
//     again, so its change is projected;
//   - a projector's claim (FOR UPDATE of the queue row) does not make a
//     writer wait: its enqueue of a queued document does nothing;
//   - a sweep passes a document a transaction is deleting, without
//     waiting: queuing it would wait for the delete and then break the
//     queue's foreign key, failing the sweep.
//
// After each case the cache holds no stale row, and once projected the
// cached GET equals the assembled one.
func TestProjectorQueueUnderLockWaits(t *testing.T) {
	env, ids := seeded(t, "projqueuelock")
	ctx := context.Background()
	st := cacheStore(t, env)
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	school := ids[6]
	queueOnly := relstore.ProjectOptions{SkipSweep: true}

	t.Run("projector passes a writer's held document", func(t *testing.T) {
		// Queued by an earlier write the projector has not reached.
		if _, err := env.Pool.Exec(ctx, `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, school); err != nil {
			t.Fatal(err)
		}
		commit := holdQueuedWrite(t, env, school)
		ps, err := st.Project(ctx, queueOnly)
		if err != nil || ps.Documents != 0 {
			t.Fatalf("projector beside the writer: %+v, %v; want nothing stored", ps, err)
		}
		if !queued(t, env, school) {
			t.Fatal("the projector took the writer's document off the queue")
		}
		commit()
		if !queued(t, env, school) {
			t.Fatal("the writer's document left the queue")
		}
		if ps, err := st.Project(ctx, queueOnly); err != nil || ps.Documents != 1 {
			t.Fatalf("projector after the writer: %+v, %v; want the school", ps, err)
		}
		if n := staleCacheRows(t, env); n != 0 {
			t.Fatalf("%d stale cache rows", n)
		}
		cachedEqualsAssembled(t, env, st, "example", "schools", school, "Grand Bend High")
	})

	t.Run("writer waits on a projector's share lock", func(t *testing.T) {
		tx, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		commit := commitOnce(t, tx)
		// What projectDoneSQL does for a fresh document (it was queued
		// by nobody: the delete finds no row, the lock is what counts).
		if _, err := tx.Exec(ctx, `SELECT 1 FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid FOR SHARE`, school); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := st.Update(ctx, "example", "schools", school, []byte(schoolBody("Grand Bend High Renamed")), "")
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("the write did not wait for the projector's lock: %v", err)
		case <-time.After(300 * time.Millisecond):
		}
		commit()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !queued(t, env, school) {
			t.Fatal("the write that waited did not queue its document")
		}
		if ps, err := st.Project(ctx, queueOnly); err != nil || ps.Documents != 1 {
			t.Fatalf("projector after the write: %+v, %v", ps, err)
		}
		cachedEqualsAssembled(t, env, st, "example", "schools", school, "Renamed")
	})

	t.Run("a claim does not hold a writer", func(t *testing.T) {
		if _, err := env.Pool.Exec(ctx, `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, school); err != nil {
			t.Fatal(err)
		}
		tx, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		commit := commitOnce(t, tx)
		if _, err := tx.Exec(ctx, `SELECT 1 FROM "dms"."DocumentCacheQueue" q JOIN "dms"."Document" d ON d."DocumentId" = q."DocumentId"
WHERE d."DocumentUuid" = $1::uuid FOR UPDATE OF q`, school); err != nil {
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if _, err := st.Update(wctx, "example", "schools", school, []byte(schoolBody("Grand Bend High Again")), ""); err != nil {
			t.Fatalf("write beside a claimed queue row: %v", err)
		}
		commit()
		if !queued(t, env, school) {
			t.Fatal("the written document is not queued")
		}
		if _, err := st.Project(ctx, queueOnly); err != nil {
			t.Fatal(err)
		}
		if n := staleCacheRows(t, env); n != 0 {
			t.Fatalf("%d stale cache rows", n)
		}
		cachedEqualsAssembled(t, env, st, "example", "schools", school, "Again")
	})

	t.Run("a sweep passes a document being deleted", func(t *testing.T) {
		// Written without the queue, so only a sweep would queue it.
		res, err := env.Store.Upsert(ctx, "example", "students", []byte(`{"studentUniqueId":"S-gone","firstName":"G","lastSurname":"One","birthDate":"2010-01-01"}`))
		if err != nil {
			t.Fatal(err)
		}
		tx, err := env.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		commit := commitOnce(t, tx)
		if _, err := tx.Exec(ctx, `DELETE FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, res.ID); err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		ps, err := st.Project(sctx, relstore.ProjectOptions{})
		if err != nil || !ps.Sweep {
			t.Fatalf("sweep beside a delete: %+v, %v", ps, err)
		}
		if queued(t, env, res.ID) {
			t.Error("the sweep queued the document being deleted")
		}
		commit()
		if b, err := st.CacheBacklog(ctx); err != nil || b.Documents != 0 {
			t.Errorf("cache backlog after the delete: %+v, %v", b, err)
		}
	})
}
