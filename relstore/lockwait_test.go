package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// outcome is what one queued writer got.
type outcome struct {
	res relstore.WriteResult
	err error
}

// holdLock takes the update lock on the dms.IdentityLock row of document
// id from a connection of its own, as a concurrent writer would, and
// returns the function that releases it (commit).
func holdLock(t *testing.T, env *relstoretest.Env, id string) func() {
	t.Helper()
	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got int64
	err = tx.QueryRow(ctx, `SELECT l."DocumentId" FROM "dms"."IdentityLock" l JOIN "dms"."Document" d ON d."DocumentId" = l."DocumentId"
WHERE d."DocumentUuid" = $1::uuid FOR UPDATE OF l`, id).Scan(&got)
	if err != nil {
		_ = tx.Rollback(ctx)
		t.Fatalf("hold the lock of %s: %v", id, err)
	}
	return commitOnce(t, tx)
}

// waitForWaiters waits until n backends of the test database wait on a
// lock (a writer queued behind the held lock). It fails after a generous
// deadline, which only a hang reaches; no timing is asserted.
func waitForWaiters(t *testing.T, env *relstoretest.Env, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting int
		if err := env.Pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writers wait on a lock, want %d", waiting, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// queue starts the writers one after another, each once the previous one
// waits on the held lock, then releases the lock and returns what each
// got, in queue order.
func queue(t *testing.T, env *relstoretest.Env, release func(), writers ...func() outcome) []outcome {
	t.Helper()
	chans := make([]chan outcome, len(writers))
	for i, w := range writers {
		chans[i] = make(chan outcome, 1)
		go func(w func() outcome, c chan outcome) { c <- w() }(w, chans[i])
		waitForWaiters(t, env, i+1)
	}
	release()
	out := make([]outcome, len(writers))
	for i, c := range chans {
		select {
		case out[i] = <-c:
		case <-time.After(60 * time.Second):
			t.Fatalf("writer %d never finished", i+1)
		}
	}
	return out
}

func put(st *relstore.Store, ep, id, body, ifMatch string) func() outcome {
	return func() outcome {
		res, err := st.Update(context.Background(), "example", ep, id, []byte(body), ifMatch)
		return outcome{res, err}
	}
}

func post(st *relstore.Store, ep, body string) func() outcome {
	return func() outcome {
		res, err := st.Upsert(context.Background(), "example", ep, []byte(body))
		return outcome{res, err}
	}
}

func del(st *relstore.Store, ep, id, ifMatch string) func() outcome {
	return func() outcome {
		return outcome{err: st.Delete(context.Background(), "example", ep, id, ifMatch)}
	}
}

// auditsClean runs both audits over the whole database.
func auditsClean(t *testing.T, st *relstore.Store) {
	t.Helper()
	for name, audit := range map[string]func(context.Context, relstore.AuditOptions) (*relstore.Report, error){"edges": st.AuditEdges, "identity": st.AuditIdentities} {
		r, err := audit(context.Background(), relstore.AuditOptions{})
		if err != nil || r.Differences != 0 {
			t.Errorf("%s audit: %v %+v", name, err, r)
		}
	}
}

func wantErr(t *testing.T, what string, got error, want error) {
	t.Helper()
	switch {
	case want == nil && got != nil:
		t.Errorf("%s: %v, want success", what, got)
	case want != nil && !errors.Is(got, want):
		t.Errorf("%s: %v (status %d), want %v (status %d)", what, got, relstore.StatusCode(got), want, relstore.StatusCode(want))
	}
}

func getETag(t *testing.T, st *relstore.Store, ep, id string) string {
	t.Helper()
	d, err := st.Get(context.Background(), "example", ep, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return d.ETag
}

const (
	studentA   = `{"studentUniqueId":"SW","firstName":"First","lastSurname":"L","birthDate":"2010-01-01"}`
	studentPut = `{"studentUniqueId":"SW","firstName":"%s","lastSurname":"L","birthDate":"2010-01-01"}`
	leaA       = `{"localEducationAgencyId":7001,"nameOfInstitution":"Lock Test ISD"}`
	leaB       = `{"localEducationAgencyId":7002,"nameOfInstitution":"Lock Test ISD"}`
	leaC       = `{"localEducationAgencyId":7003,"nameOfInstitution":"Lock Test ISD"}`
)

// TestLockWaitDecisions: a test connection holds a document's lock while
// two writers queue behind it; each writer decides (If-Match, upsert
// target, identity change, delete) on the state it sees once its locks are
// held, so exactly the first queued writer's decision stands and the second
// gets what the HTTP contract says for the state the first left.
//
// It runs twice: with the tests' verification options, where a write's
// COMMIT is a round trip of its own, and with production options, where
// COMMIT travels with the write's rows (pipeTx).
func TestLockWaitDecisions(t *testing.T) {
	t.Run("verifying", func(t *testing.T) { lockWaitDecisions(t, false) })
	t.Run("production options", func(t *testing.T) { lockWaitDecisions(t, true) })
}

// lockWaitDecisions is TestLockWaitDecisions on a new database, through a
// store with production options when production is set.
func lockWaitDecisions(t *testing.T, production bool) {
	env, _ := seeded(t, "lockwait")
	st := env.Store
	if production {
		var err error
		if st, err = relstore.Open(t.Context(), env.Manifest, env.Pool, relstore.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	body := func(name string) string { return fmt.Sprintf(studentPut, name) }

	t.Run("PUT+PUT with one If-Match", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		out := queue(t, env, holdLock(t, env, id),
			put(st, "students", id, body("One"), `"1"`),
			put(st, "students", id, body("Two"), `"1"`))
		wantErr(t, "first PUT", out[0].err, nil)
		wantErr(t, "second PUT", out[1].err, relstore.ErrETagMismatch)
		if e := getETag(t, st, "students", id); e != "2" {
			t.Errorf("ETag %s after one update, want 2", e)
		}
		d, _ := st.Get(t.Context(), "example", "students", id)
		assertRoundTrip(t, body("One"), d.JSON)
		_ = del(st, "students", id, "")()
	})

	t.Run("PUT then DELETE with one If-Match", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		out := queue(t, env, holdLock(t, env, id),
			put(st, "students", id, body("One"), `"1"`),
			del(st, "students", id, `"1"`))
		wantErr(t, "PUT", out[0].err, nil)
		wantErr(t, "DELETE", out[1].err, relstore.ErrETagMismatch)
		if e := getETag(t, st, "students", id); e != "2" {
			t.Errorf("ETag %s, want 2", e)
		}
		_ = del(st, "students", id, "")()
	})

	t.Run("DELETE then PUT with one If-Match", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		out := queue(t, env, holdLock(t, env, id),
			del(st, "students", id, `"1"`),
			put(st, "students", id, body("One"), `"1"`))
		wantErr(t, "DELETE", out[0].err, nil)
		wantErr(t, "PUT", out[1].err, relstore.ErrNotFound)
		if _, err := st.Get(t.Context(), "example", "students", id); !errors.Is(err, relstore.ErrNotFound) {
			t.Errorf("the deleted document reads back: %v", err)
		}
	})

	t.Run("DELETE then POST of the same key", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		out := queue(t, env, holdLock(t, env, id),
			del(st, "students", id, ""),
			post(st, "students", body("Again")))
		wantErr(t, "DELETE", out[0].err, nil)
		wantErr(t, "POST", out[1].err, nil)
		if !out[1].res.Created || out[1].res.ID == id {
			t.Errorf("POST after the delete: %+v, want a new document", out[1].res)
		}
		_ = del(st, "students", out[1].res.ID, "")()
	})

	t.Run("POST+POST updating one document", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		out := queue(t, env, holdLock(t, env, id),
			post(st, "students", body("One")),
			post(st, "students", body("Two")))
		wantErr(t, "first POST", out[0].err, nil)
		wantErr(t, "second POST", out[1].err, nil)
		if out[0].res.ID != id || out[1].res.ID != id || out[0].res.ETag != "2" || out[1].res.ETag != "3" {
			t.Errorf("POSTs: %+v, %+v; want updates of %s to ETags 2 then 3", out[0].res, out[1].res, id)
		}
		_ = del(st, "students", id, "")()
	})

	t.Run("rename then POST of the old key", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "localEducationAgencies", leaA).ID
		out := queue(t, env, holdLock(t, env, id),
			put(st, "localEducationAgencies", id, leaB, ""),
			post(st, "localEducationAgencies", leaA))
		wantErr(t, "rename", out[0].err, nil)
		wantErr(t, "POST of the old key", out[1].err, nil)
		if !out[1].res.Created || out[1].res.ID == id {
			t.Errorf("POST of the old key after the rename: %+v, want a new document (the renamed one has the new key)", out[1].res)
		}
		d, err := st.Get(t.Context(), "example", "localEducationAgencies", id)
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, leaB, d.JSON)
		auditsClean(t, st)
		// The old key resolves to the new document: a POST updates it.
		again, err := st.Upsert(t.Context(), "example", "localEducationAgencies", []byte(leaA))
		if err != nil || again.Created || again.ID != out[1].res.ID {
			t.Errorf("POST of the old key again: %+v %v, want an update of %s", again, err, out[1].res.ID)
		}
		_ = del(st, "localEducationAgencies", id, "")()
		_ = del(st, "localEducationAgencies", out[1].res.ID, "")()
	})

	t.Run("rename+rename with one If-Match", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "localEducationAgencies", leaA).ID
		out := queue(t, env, holdLock(t, env, id),
			put(st, "localEducationAgencies", id, leaB, `"1"`),
			put(st, "localEducationAgencies", id, leaC, `"1"`))
		wantErr(t, "first rename", out[0].err, nil)
		wantErr(t, "second rename", out[1].err, relstore.ErrETagMismatch)
		d, err := st.Get(t.Context(), "example", "localEducationAgencies", id)
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, leaB, d.JSON)
		auditsClean(t, st)
		_ = del(st, "localEducationAgencies", id, "")()
	})

	t.Run("rename+rename without If-Match", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "localEducationAgencies", leaA).ID
		out := queue(t, env, holdLock(t, env, id),
			put(st, "localEducationAgencies", id, leaB, ""),
			put(st, "localEducationAgencies", id, leaC, ""))
		wantErr(t, "first rename", out[0].err, nil)
		wantErr(t, "second rename", out[1].err, nil)
		d, err := st.Get(t.Context(), "example", "localEducationAgencies", id)
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, leaC, d.JSON)
		if d.ETag != "3" {
			t.Errorf("ETag %s after two renames, want 3", d.ETag)
		}
		auditsClean(t, st)
		_ = del(st, "localEducationAgencies", id, "")()
	})

	t.Run("rename to a key a queued POST creates", func(t *testing.T) {
		// The POST of C waits for nothing; hold A's lock, queue the rename
		// A→C, create C meanwhile, then release: the rename must see C and
		// answer 409, not overwrite C's identity row.
		id := mustUpsert(t, st, "example", "localEducationAgencies", leaA).ID
		release := holdLock(t, env, id)
		c := make(chan outcome, 1)
		go func() { c <- put(st, "localEducationAgencies", id, leaC, "")() }()
		waitForWaiters(t, env, 1)
		created := mustUpsert(t, st, "example", "localEducationAgencies", leaC)
		release()
		o := <-c
		var ce *relstore.ConflictError
		if !errors.As(o.err, &ce) {
			t.Errorf("rename to a key created meanwhile: %v, want a 409 conflict", o.err)
		}
		auditsClean(t, st)
		_ = del(st, "localEducationAgencies", id, "")()
		_ = del(st, "localEducationAgencies", created.ID, "")()
	})
	t.Run("DELETE then a POST that references the document", func(t *testing.T) {
		lea := mustUpsert(t, st, "example", "localEducationAgencies", `{"localEducationAgencyId":7010,"nameOfInstitution":"Doomed ISD"}`).ID
		out := queue(t, env, holdLock(t, env, lea),
			del(st, "localEducationAgencies", lea, ""),
			post(st, "schools", `{"schoolId":7010001,"nameOfInstitution":"Late","localEducationAgencyReference":{"localEducationAgencyId":7010},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`))
		wantErr(t, "DELETE", out[0].err, nil)
		var re *relstore.ReferenceError
		if !errors.As(out[1].err, &re) {
			t.Errorf("POST referencing the deleted LEA: %v, want an unresolved reference (409)", out[1].err)
		}
	})

	t.Run("a POST that references the document then DELETE", func(t *testing.T) {
		lea := mustUpsert(t, st, "example", "localEducationAgencies", `{"localEducationAgencyId":7011,"nameOfInstitution":"Kept ISD"}`).ID
		out := queue(t, env, holdLock(t, env, lea),
			post(st, "schools", `{"schoolId":7011001,"nameOfInstitution":"Early","localEducationAgencyReference":{"localEducationAgencyId":7011},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`),
			del(st, "localEducationAgencies", lea, ""))
		wantErr(t, "POST", out[0].err, nil)
		var rf *relstore.ReferencedError
		if !errors.As(out[1].err, &rf) || len(rf.Referrers) != 1 || rf.Referrers[0] != "Example:School" {
			t.Errorf("DELETE of the now referenced LEA: %v, want 409 naming Example:School", out[1].err)
		}
		_ = del(st, "schools", out[0].res.ID, "")()
		_ = del(st, "localEducationAgencies", lea, "")()
	})

	t.Run("a cascade that waits for a member of the closure", func(t *testing.T) {
		// Program P's identity holds LEA X's id. With P's lock held, the
		// rename X→7021 waits in its closure expansion; a PUT of P written
		// against the old id queues behind the rename. After the release
		// the rename recomputes P's identity, and the PUT, deciding on the
		// state after its wait, sees that its body would now change P's
		// identity (Program does not allow that: 400) — never writes P
		// back with the old id.
		lea := mustUpsert(t, st, "example", "localEducationAgencies", `{"localEducationAgencyId":7020,"nameOfInstitution":"Renamed ISD"}`).ID
		prog := mustUpsert(t, st, "example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":7020},"programName":"Chess","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`)
		out := queue(t, env, holdLock(t, env, prog.ID),
			put(st, "localEducationAgencies", lea, `{"localEducationAgencyId":7021,"nameOfInstitution":"Renamed ISD"}`, ""),
			put(st, "programs", prog.ID, `{"educationOrganizationReference":{"educationOrganizationId":7020},"programName":"Chess","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career","programId":"P-1"}`, ""))
		wantErr(t, "rename", out[0].err, nil)
		if out[0].res.Cascade.Closure != 1 {
			t.Errorf("cascade %+v, want the program in the closure", out[0].res.Cascade)
		}
		var ve *relstore.ValidationError
		if !errors.As(out[1].err, &ve) || !strings.Contains(ve.Error(), "cannot be changed") {
			t.Errorf("PUT of the program against the old id: %v, want 400: its identity would change", out[1].err)
		}
		d, err := st.Get(t.Context(), "example", "programs", prog.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertRoundTrip(t, `{"educationOrganizationReference":{"educationOrganizationId":7021},"programName":"Chess","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`, d.JSON)
		if d.ETag != "2" {
			t.Errorf("program ETag %s after the cascade, want 2", d.ETag)
		}
		auditsClean(t, st)
		// The program is found by its new identity.
		again := mustUpsert(t, st, "example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":7021},"programName":"Chess","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`)
		if again.Created || again.ID != prog.ID {
			t.Errorf("POST by the new identity: %+v, want an update of %s", again, prog.ID)
		}
	})
	t.Run("the waiting writer's connection is killed", func(t *testing.T) {
		id := mustUpsert(t, st, "example", "students", studentA).ID
		release := holdLock(t, env, id)
		c := make(chan outcome, 1)
		go func() { c <- put(st, "students", id, body("Killed"), `"1"`)() }()
		waitForWaiters(t, env, 1)
		if _, err := env.Pool.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		o := <-c
		var ue *relstore.UnavailableError
		if !errors.As(o.err, &ue) || relstore.StatusCode(o.err) != 503 {
			t.Errorf("a writer whose connection was killed: %v (status %d), want 503 unavailable", o.err, relstore.StatusCode(o.err))
		}
		release()
		if e := getETag(t, st, "students", id); e != "1" {
			t.Errorf("ETag %s after a killed write, want 1", e)
		}
		_ = del(st, "students", id, "")()
	})
	auditsClean(t, st)
}
