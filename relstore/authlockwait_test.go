package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// The authorization decisions a write takes under a lock, each proven by a
// test in which a test connection (an authHolder) holds that lock, changes
// what the decision reads and commits while a writer waits: the stored
// check of PUT, DELETE and a POST finding its key (taken after the
// document's own lock), the proposed check of an EdOrg write (its closure
// is recomputed after dms.AuthLock) and AuditAuth (under dms.AuthLock).

// authHolder is a transaction of its own standing in for a concurrent
// writer: it takes the locks a writer would take, changes the rows an
// authorization decision reads, and commits while another writer waits.
type authHolder struct {
	t   *testing.T
	tx  pgx.Tx
	pid int32 // the holder's backend
}

// newAuthHolder begins the holder's transaction on env's pool; it is
// rolled back at the end of the test unless committed.
func newAuthHolder(t *testing.T, env *relstoretest.Env) *authHolder {
	t.Helper()
	ctx := context.Background()
	tx, err := env.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	h := &authHolder{t: t, tx: tx}
	if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&h.pid); err != nil {
		t.Fatal(err)
	}
	return h
}

// exec runs one statement in the holder's transaction.
func (h *authHolder) exec(sql string, args ...any) {
	h.t.Helper()
	if _, err := h.tx.Exec(context.Background(), sql, args...); err != nil {
		h.t.Fatalf("holder: %s: %v", sql, err)
	}
}

// lockDocument takes the update lock on document id's dms.IdentityLock
// row, as a writer of that document does (and as holdLock does).
func (h *authHolder) lockDocument(id int64) {
	h.t.Helper()
	h.exec(`SELECT 1 FROM "dms"."IdentityLock" WHERE "DocumentId" = $1 FOR UPDATE`, id)
}

// lockAuth takes dms.AuthLock, as an EdOrg writer and AuditAuth do.
func (h *authHolder) lockAuth() {
	h.t.Helper()
	h.exec(`SELECT 1 FROM "dms"."AuthLock" WHERE "LockId" = 1 FOR UPDATE`)
}

// repoint changes document doc's reference column fk of root table (a
// qualified name) to target (0: none), keeping dms.ReferenceEdge and the
// document's Etag as the runtime keeps them; with hierarchy, also the
// EdOrg parent rows of doc and the closure of its subtree, as an EdOrg
// write does (the document must then be an EdOrg whose only hierarchy
// reference is fk).
func (h *authHolder) repoint(table, fk string, doc, target int64, hierarchy bool) {
	h.t.Helper()
	h.exec(fmt.Sprintf(`DELETE FROM "dms"."ReferenceEdge" e USING %s r
WHERE r."DocumentId" = $1 AND e."ParentDocumentId" = r."DocumentId" AND e."ChildDocumentId" = r.%q`, table, fk), doc)
	h.exec(fmt.Sprintf(`UPDATE %s SET %q = nullif($2::bigint, 0) WHERE "DocumentId" = $1`, table, fk), doc, target)
	h.exec(`INSERT INTO "dms"."ReferenceEdge" ("ParentDocumentId", "ChildDocumentId", "IsIdentityComponent")
SELECT $1::bigint, $2::bigint, false WHERE $2::bigint <> 0 ON CONFLICT DO NOTHING`, doc, target)
	h.exec(`UPDATE "dms"."Document" SET "Etag" = "Etag" + 1 WHERE "DocumentId" = $1`, doc)
	if !hierarchy {
		return
	}
	h.exec(`DELETE FROM "dms"."EducationOrganizationParent" WHERE "DocumentId" = $1`, doc)
	h.exec(`INSERT INTO "dms"."EducationOrganizationParent" ("DocumentId", "ParentDocumentId") SELECT $1::bigint, $2::bigint WHERE $2::bigint <> 0`, doc, target)
	// The closure of doc's subtree: drop its pairs with ancestors outside
	// the subtree, then add every subtree member × its ancestors. Only the
	// subtree's rows are touched (a writer elsewhere in the hierarchy
	// never waits for them).
	const down = `WITH RECURSIVE down(id) AS (
  SELECT $1::bigint
  UNION SELECT p."DocumentId" FROM "dms"."EducationOrganizationParent" p JOIN down ON p."ParentDocumentId" = down.id)`
	h.exec(down+`
DELETE FROM "auth"."EducationOrganizationClosure"
WHERE "DescendantDocumentId" IN (SELECT id FROM down) AND "AncestorDocumentId" NOT IN (SELECT id FROM down)`, doc)
	h.exec(down+`,
up(d, a) AS (SELECT id, id FROM down UNION SELECT up.d, p."ParentDocumentId" FROM up JOIN "dms"."EducationOrganizationParent" p ON p."DocumentId" = up.a)
INSERT INTO "auth"."EducationOrganizationClosure" ("AncestorDocumentId", "DescendantDocumentId")
SELECT a, d FROM up ON CONFLICT DO NOTHING`, doc)
}

// commit commits the holder's transaction.
func (h *authHolder) commit() {
	h.t.Helper()
	if err := h.tx.Commit(context.Background()); err != nil {
		h.t.Fatalf("holder commit: %v", err)
	}
}

// waiter is a backend of the test database waiting for a lock.
type waiter struct {
	pid       int32
	blockers  []int32  // pg_blocking_pids
	ungranted int      // its ungranted pg_locks entries
	tuples    []string // relations of its tuple locks (a row lock's waiter holds one)
	query     string   // its current statement, for messages (within a pipelined batch it may name a later statement)
}

// waitersOf waits until n backends of the test database wait for a lock
// held by backend holder (pg_blocking_pids, which reads pg_locks) and
// returns them; it fails at once when the operation reports on done
// first (it did not wait), and after a deadline only a hang reaches; no
// timing is asserted.
func waitersOf(t *testing.T, env *relstoretest.Env, holder int32, n int, done <-chan error) []waiter {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("the operation returned (%v) without waiting for the holder", err)
		default:
		}
		rows, err := env.Pool.Query(context.Background(), `SELECT a.pid, pg_blocking_pids(a.pid),
  (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted),
  ARRAY(SELECT l.relation::regclass::text FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'tuple' ORDER BY 1),
  a.query
FROM pg_stat_activity a WHERE a.datname = current_database() AND $1 = ANY(pg_blocking_pids(a.pid))`, holder)
		if err != nil {
			t.Fatal(err)
		}
		var out []waiter
		for rows.Next() {
			var w waiter
			if err := rows.Scan(&w.pid, &w.blockers, &w.ungranted, &w.tuples, &w.query); err != nil {
				t.Fatal(err)
			}
			out = append(out, w)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(out) >= n {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends wait for the holder (pid %d), want %d", len(out), holder, n)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// mustWaitOn checks, before the operation returned, that exactly one
// backend waits for the holder, for a row of table (pg_locks: it holds a
// tuple lock on table and waits for an ungranted lock, the holder's
// transaction).
func mustWaitOn(t *testing.T, env *relstoretest.Env, h *authHolder, done <-chan error, table string) {
	t.Helper()
	w := waitersOf(t, env, h.pid, 1, done)
	if len(w) != 1 || w[0].ungranted == 0 || !slices.Contains(w[0].tuples, table) {
		t.Fatalf("waiting for the holder: %+v, want one backend waiting for a row of %s", w, table)
	}
}

// awaitDone returns what the operation returned after the holder committed.
func awaitDone(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(60 * time.Second):
		t.Fatal("the waiting operation never finished")
		return nil
	}
}

// exampleAuthEnv provisions the example schema compiled with the example
// authorization overlay (a pool large enough for a holder, a writer queued
// behind it and the wait detection) and loads the example claims.
func exampleAuthEnv(t *testing.T, label string) (*relstoretest.Env, *authz.Claims) {
	t.Helper()
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	env := relstoretest.NewWithModel(t, label, m, relstore.Options{VerifyEdges: true},
		func(c *pgxpool.Config) { c.MaxConns = 8 })
	claims := loadClaims(t, "claims.example.json")
	seedDescriptors(t, env.Store)
	return env, claims
}

// edOrgDoc returns the DocumentId of the EdOrg with EducationOrganizationId id.
func edOrgDoc(t *testing.T, env *relstoretest.Env, id int64) int64 {
	t.Helper()
	var d int64
	if err := env.Pool.QueryRow(context.Background(), `SELECT "DocumentId" FROM "dms"."EducationOrganization" WHERE "EducationOrganizationId" = $1`, id).Scan(&d); err != nil {
		t.Fatalf("EdOrg %d: %v", id, err)
	}
	return d
}

// docOf returns the DocumentId of the document with DocumentUuid id.
func docOf(t *testing.T, env *relstoretest.Env, id string) int64 {
	t.Helper()
	var d int64
	if err := env.Pool.QueryRow(context.Background(), `SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid`, id).Scan(&d); err != nil {
		t.Fatalf("document %s: %v", id, err)
	}
	return d
}

// TestGrantStoredCheckDecidedAfterTheLockWait: a PUT, a POST that finds
// its natural key and a DELETE under a grant check the stored document
// after locking it. A test connection holds the document's lock and,
// while the writer waits for it, moves the stored bus to another school
// (the FK column the check reads, with its edge and Etag) and commits: the
// writer decides on the committed school — 403 when the commit took the
// bus out of the grant (though the writer's own body stays inside it), and
// success when the commit brought it in. A check reading the stored
// document before the lock would decide the other way in every case.
func TestGrantStoredCheckDecidedAfterTheLockWait(t *testing.T) {
	env, claims := exampleAuthEnv(t, "auth_stored_lockwait")
	st := env.Store
	ctx := context.Background()
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	for _, s := range []struct{ id, lea int64 }{{100, 1}, {101, 1}, {300, 3}} {
		mustUpsert(t, st, "example", "schools", school(s.id, s.lea))
	}
	busRes := findByName(st.Manifest(), "Extra", "Bus")
	// The grant reaches LEA 1 and its schools 100 and 101, not school 300;
	// every bus's capacity (a synthetic EdOrg value element) is 1.
	grant := func(action authz.Action) context.Context {
		g := relstore.Grant{Predicate: claims.ResolveResource("SISVendor", busRes, action).Predicate, EdOrgIDs: []int64{1}}
		if action == authz.ActionCreate {
			u := claims.ResolveResource("SISVendor", busRes, authz.ActionUpdate).Predicate
			g.UpdatePredicate = &u
		}
		return relstore.WithGrant(ctx, g)
	}
	bus := func(name string, school int64) string {
		return fmt.Sprintf(`{"busId":%q,"schoolReference":{"schoolId":%d},"capacity":1}`, name, school)
	}
	busSchool := func(id string) (int64, bool) {
		var s int64
		err := env.Pool.QueryRow(ctx, `SELECT s."SchoolId" FROM extra."Bus" b JOIN example."School" s ON s."DocumentId" = b."School_DocumentId"
JOIN dms."Document" d ON d."DocumentId" = b."DocumentId" WHERE d."DocumentUuid" = $1::uuid`, id).Scan(&s)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, false
		}
		if err != nil {
			t.Fatal(err)
		}
		return s, true
	}
	type op func(name, id string) error
	putTo101 := func(name, id string) error {
		_, err := st.Update(grant(authz.ActionUpdate), "extra", "buses", id, []byte(bus(name, 101)), "")
		return err
	}
	postTo101 := func(name, _ string) error {
		_, err := st.Upsert(grant(authz.ActionCreate), "extra", "buses", []byte(bus(name, 101)))
		return err
	}
	deleteIt := func(_, id string) error { return st.Delete(grant(authz.ActionDelete), "extra", "buses", id, "") }
	for i, tc := range []struct {
		name     string
		from, to int64 // the bus's school before and after the holder's commit
		op       op
		allowed  bool
		// after is the bus's school once the writer finished (0: deleted).
		after int64
	}{
		{"PUT: the holder moves the bus out of the grant", 100, 300, putTo101, false, 300},
		{"PUT: the holder moves the bus into the grant", 300, 100, putTo101, true, 101},
		{"POST finding its key: the holder moves the bus out of the grant", 100, 300, postTo101, false, 300},
		{"POST finding its key: the holder moves the bus into the grant", 300, 100, postTo101, true, 101},
		{"DELETE: the holder moves the bus out of the grant", 100, 300, deleteIt, false, 300},
		{"DELETE: the holder moves the bus into the grant", 300, 100, deleteIt, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("B%d", i)
			id := mustUpsert(t, st, "extra", "buses", bus(name, tc.from)).ID
			h := newAuthHolder(t, env)
			h.lockDocument(docOf(t, env, id))
			h.repoint(`extra."Bus"`, "School_DocumentId", docOf(t, env, id), edOrgDoc(t, env, tc.to), false)
			done := make(chan error, 1)
			go func() { done <- tc.op(name, id) }()
			mustWaitOn(t, env, h, done, `dms."IdentityLock"`)
			h.commit()
			err := awaitDone(t, done)
			var fe *relstore.ForbiddenError
			switch {
			case tc.allowed && err != nil:
				t.Errorf("%v, want success (the committed school %d is inside the grant)", err, tc.to)
			case !tc.allowed && (!errors.As(err, &fe) || fe.Status != 403 || !strings.Contains(fe.Detail, "stored document")):
				t.Errorf("%v, want a 403 on the stored document (the committed school %d is outside the grant)", err, tc.to)
			}
			got, ok := busSchool(id)
			switch {
			case tc.after == 0 && ok:
				t.Errorf("the bus is still stored (at school %d), want it deleted", got)
			case tc.after != 0 && got != tc.after:
				t.Errorf("the bus is at school %d (stored %v), want %d", got, ok, tc.after)
			}
		})
	}
	// The same through the store alone: a school move (a real writer)
	// holds the school's lock while it waits for dms.AuthLock, which the
	// holder holds; a PUT of a bus at that school queues behind the move
	// (its share lock on the school) and, once both proceed, decides on
	// the moved school: outside the grant.
	t.Run("PUT queued behind a store write moving the bus's school out of the grant", func(t *testing.T) {
		id := mustUpsert(t, st, "extra", "buses", bus("B-late", 101)).ID
		h := newAuthHolder(t, env)
		h.lockAuth()
		moved, done := make(chan error, 1), make(chan error, 1)
		s101 := schoolUUID(t, st, 101)
		go func() {
			_, err := st.Update(ctx, "example", "schools", s101, []byte(school(101, 3)), "")
			moved <- err
		}()
		mustWaitOn(t, env, h, moved, `dms."AuthLock"`)
		go func() { done <- putTo101("B-late", id) }()
		waitForWaiters(t, env, 2)
		h.commit()
		if err := awaitDone(t, moved); err != nil {
			t.Fatalf("the school move: %v", err)
		}
		err := awaitDone(t, done)
		var fe *relstore.ForbiddenError
		if !errors.As(err, &fe) || fe.Status != 403 || !strings.Contains(fe.Detail, "stored document") {
			t.Errorf("%v, want a 403 on the stored document (school 101 moved to LEA 3 before the PUT's locks were granted)", err)
		}
	})
	auditsClean(t, st)
}

// schoolUUID returns the DocumentUuid of the example school with id.
func schoolUUID(t *testing.T, st *relstore.Store, id int64) string {
	t.Helper()
	page, err := st.Query(context.Background(), "example", "schools", relstore.QueryOptions{Filters: []relstore.Filter{{Name: "schoolId", Value: fmt.Sprint(id)}}})
	if err != nil || len(page.Documents) != 1 {
		t.Fatalf("find school %d: %v (%d documents)", id, err, len(page.Documents))
	}
	return page.Documents[0].ID
}

// TestGrantProposedCheckDecidedAfterTheAuthLock: the check of an EdOrg
// written under a grant reads the closure the write recomputes after
// taking dms.AuthLock. A test connection holds dms.AuthLock (and the lock
// of LEA 1, as the LEA's writer would) and attaches LEA 1 under LEA 3 or
// detaches it, with parent rows and closure, while a PUT moves school 100
// into LEA 2 (a child of LEA 1) under a grant on LEA 3: the PUT, which
// locks neither LEA 1 nor anything the holder holds but dms.AuthLock,
// succeeds when the commit put LEA 1 under LEA 3 and is a 403 on the
// document as written when the commit took it away. A closure computed
// before the lock would decide the other way.
func TestGrantProposedCheckDecidedAfterTheAuthLock(t *testing.T) {
	env, _ := exampleAuthEnv(t, "auth_proposed_lockwait")
	st := env.Store
	ctx := context.Background()
	for _, l := range []struct{ id, parent int64 }{{3, 0}, {4, 3}, {1, 0}, {2, 1}} {
		mustUpsert(t, st, "example", "localEducationAgencies", lea(l.id, l.parent))
	}
	schoolID := mustUpsert(t, st, "example", "schools", school(100, 4)).ID
	// RelationshipsWithEdOrgsOnly, as an EdOrg update under a relational
	// claim set (the example claims grant none for schools).
	g := relstore.Grant{Predicate: authz.Predicate{Op: authz.OpStrategy, Strategy: authz.LookupStrategy(authz.StrategyRelationshipsWithEdOrgsOnly)}, EdOrgIDs: []int64{3}}
	gctx := relstore.WithGrant(ctx, g)
	for _, tc := range []struct {
		name            string
		before, after   int64 // LEA 1's parent before and after the holder's commit
		allowed         bool
		wantSchoolInLEA int64
	}{
		{"the holder attaches LEA 1 under LEA 3", 0, 3, true, 2},
		{"the holder detaches LEA 1 from LEA 3", 3, 0, false, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustUpsert(t, st, "example", "localEducationAgencies", lea(1, tc.before))
			mustUpsert(t, st, "example", "schools", school(100, 4))
			parents := map[int64][]int64{3: nil, 4: {3}, 1: nil, 2: {1}, 100: {tc.wantSchoolInLEA}}
			if tc.after != 0 {
				parents[1] = []int64{tc.after}
			}
			h := newAuthHolder(t, env)
			lea1 := edOrgDoc(t, env, 1)
			h.lockDocument(lea1)
			h.lockAuth()
			target := int64(0)
			if tc.after != 0 {
				target = edOrgDoc(t, env, tc.after)
			}
			h.repoint(`example."LocalEducationAgency"`, "ParentLocalEducationAgency_DocumentId", lea1, target, true)
			done := make(chan error, 1)
			go func() {
				_, err := st.Update(gctx, "example", "schools", schoolID, []byte(school(100, 2)), "")
				done <- err
			}()
			mustWaitOn(t, env, h, done, `dms."AuthLock"`)
			h.commit()
			err := awaitDone(t, done)
			var fe *relstore.ForbiddenError
			switch {
			case tc.allowed && err != nil:
				t.Errorf("%v, want success (LEA 2 is under LEA 3 once the holder committed)", err)
			case !tc.allowed && (!errors.As(err, &fe) || fe.Status != 403 || !strings.Contains(fe.Detail, "as written")):
				t.Errorf("%v, want a 403 on the document as written (LEA 2 is not under LEA 3 once the holder committed)", err)
			}
			if got, want := closurePairs(t, env), wantClosure(parents); !slices.Equal(got, want) {
				t.Errorf("closure\n got %v\nwant %v", got, want)
			}
			if got := authFindings(t, st, false); len(got) != 0 {
				t.Errorf("auth audit: %v", got)
			}
		})
	}
	auditsClean(t, st)
}

// TestAuditAuthWaitsForTheAuthLock: AuditAuth compares under dms.AuthLock.
// A test connection holds dms.AuthLock and changes the hierarchy tables;
// the audit started meanwhile waits for it (pg_locks: an ungranted lock,
// pg_blocking_pids naming the holder, on the AuthLock statement) and then
// reports on what the holder committed: a consistent re-parent (clean, and
// the recomputed row counts of the new hierarchy), the repair of a
// corruption committed before (clean) and a corruption (exactly its
// findings). An audit reading before the lock would report the state
// before the commit: other row counts, the old corruption, or none.
func TestAuditAuthWaitsForTheAuthLock(t *testing.T) {
	env, _ := exampleAuthEnv(t, "auth_audit_lockwait")
	st := env.Store
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(3, 0))
	mustUpsert(t, st, "example", "schools", school(100, 2))
	l1, l2, l3, s100 := edOrgDoc(t, env, 1), edOrgDoc(t, env, 2), edOrgDoc(t, env, 3), edOrgDoc(t, env, 100)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// before is committed before the holder starts; hold runs in the
		// holder's transaction under dms.AuthLock.
		before []string
		hold   func(h *authHolder)
		// wantRows are the recomputed closure and parent row counts.
		wantClosure, wantParents int64
		want                     []string
	}{
		{
			name: "a consistent re-parent: school 100 moves from LEA 2 to LEA 3",
			hold: func(h *authHolder) {
				h.repoint(`example."School"`, "LocalEducationAgency_DocumentId", s100, l3, true)
			},
			wantClosure: 6, wantParents: 2, // before: 7 closure rows (1>1 2>2 3>3 100>100 1>2 2>100 1>100), 2 parents
		},
		{
			name:   "the repair of a committed corruption",
			before: []string{fmt.Sprintf(`DELETE FROM auth."EducationOrganizationClosure" WHERE "AncestorDocumentId" = %d AND "DescendantDocumentId" = %d`, l3, s100)},
			hold: func(h *authHolder) {
				h.exec(`INSERT INTO auth."EducationOrganizationClosure" VALUES ($1, $2)`, l3, s100)
			},
			wantClosure: 6, wantParents: 2,
		},
		{
			name: "a corruption: school 100 moves back to LEA 2 without its parent rows and closure",
			hold: func(h *authHolder) {
				h.repoint(`example."School"`, "LocalEducationAgency_DocumentId", s100, l2, false)
			},
			wantClosure: 7, wantParents: 2,
			want: []string{
				fmt.Sprintf("auth.EducationOrganizationClosure extra %d → %d", l3, s100),
				fmt.Sprintf("auth.EducationOrganizationClosure missing %d → %d", l1, s100),
				fmt.Sprintf("auth.EducationOrganizationClosure missing %d → %d", l2, s100),
				fmt.Sprintf("dms.EducationOrganizationParent extra %d → %d", s100, l3),
				fmt.Sprintf("dms.EducationOrganizationParent missing %d → %d", s100, l2),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, sql := range tc.before {
				if _, err := env.Pool.Exec(ctx, sql); err != nil {
					t.Fatal(err)
				}
			}
			h := newAuthHolder(t, env)
			h.lockAuth()
			tc.hold(h)
			type result struct {
				rep *relstore.AuthReport
				err error
			}
			res := make(chan result, 1)
			done := make(chan error, 1)
			go func() {
				rep, err := st.AuditAuth(ctx, false, 100)
				res <- result{rep, err}
				done <- err
			}()
			mustWaitOn(t, env, h, done, `dms."AuthLock"`)
			h.commit()
			var r result
			select {
			case r = <-res:
			case <-time.After(60 * time.Second):
				t.Fatal("the audit never finished")
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			var got []string
			for _, f := range r.rep.Findings {
				got = append(got, f.Table+" "+f.Kind+" "+f.Row)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || r.rep.Differences != int64(len(tc.want)) {
				t.Errorf("findings (%d differences)\n got %q\nwant %q", r.rep.Differences, got, tc.want)
			}
			if c, p := r.rep.Rows[relstore.AuthTableClosure], r.rep.Rows[relstore.AuthTableParent]; c != tc.wantClosure || p != tc.wantParents {
				t.Errorf("recomputed %d closure and %d parent rows, want %d and %d (the hierarchy the holder committed)", c, p, tc.wantClosure, tc.wantParents)
			}
		})
	}
	// Repair the last corruption; the tables then agree with the documents.
	if got := authFindings(t, st, true); len(got) == 0 {
		t.Error("the rebuild found nothing to repair")
	}
	if got := authFindings(t, st, false); len(got) != 0 {
		t.Errorf("after the rebuild: %v", got)
	}
	auditsClean(t, st)
}
