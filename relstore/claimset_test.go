package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestGrantClaimSets compares a store reading grants' claims from stored
// claim sets (Options.ClaimSetMinimum 2) with one binding them as arrays,
// on the same database: the same pages, totals, GET statuses and write
// decisions; the set written once (one more round trip on first use, none
// after); a claim slice changed in place not taken for the set it held
// before; and a database without the claim set table served as before.
func TestGrantClaimSets(t *testing.T) {
	repo := testenv.RepoRoot(t)
	m := relstoretest.CompileWithOverlay(t, filepath.Join(repo, "authsql", "testdata", "example.overlay.json"))
	env := relstoretest.NewWithModel(t, "grant_claim_sets", m, relstore.Options{ClaimSetMinimum: -1, VerifyAuthRows: true})
	arrays := env.Store
	ctx := context.Background()
	sets, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{ClaimSetMinimum: 2, VerifyAuthRows: true})
	if err != nil {
		t.Fatal(err)
	}
	claims := loadClaims(t, "claims.example.json")
	seedProgramHierarchy(t, arrays)
	program := programBody
	var ids []string
	for _, p := range []struct {
		edorg int64
		name  string
	}{{100, "at school 100"}, {2, "at LEA 2"}, {3, "at LEA 3"}} {
		ids = append(ids, mustUpsert(t, arrays, "example", "programs", program(p.edorg, p.name)).ID)
	}
	res := findByName(arrays.Manifest(), "Example", "Program")
	grant := func(action authz.Action, edorgs []int64) context.Context {
		return relstore.WithGrant(ctx, relstore.Grant{Predicate: claims.ResolveResource("SISVendor", res, action).Predicate, EdOrgIDs: edorgs})
	}
	// decide is what a store answers under edorgs: the page's ids, its
	// total and each program's GET status.
	decide := func(st *relstore.Store, edorgs []int64) (string, error) {
		page, err := st.Query(grant(authz.ActionRead, edorgs), "example", "programs", relstore.QueryOptions{TotalCount: true})
		if err != nil {
			return "", fmt.Errorf("claims %v: %w", edorgs, err)
		}
		var got []string
		for _, doc := range page.Documents {
			got = append(got, doc.ID)
		}
		slices.Sort(got)
		out := fmt.Sprint(got, page.Total)
		for _, id := range ids {
			_, err := st.Get(grant(authz.ActionRead, edorgs), "example", "programs", id)
			var fe *relstore.ForbiddenError
			switch {
			case err == nil:
				out += " 200"
			case errors.As(err, &fe):
				out += fmt.Sprint(" ", fe.Status)
			default:
				return "", fmt.Errorf("GET %s under %v: %w", id, edorgs, err)
			}
		}
		return out, nil
	}
	decisions := func(st *relstore.Store, edorgs []int64) string {
		t.Helper()
		out, err := decide(st, edorgs)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	storedRows := func(n *int64) {
		t.Helper()
		if err := env.Pool.QueryRow(ctx, `SELECT count(*) FROM auth."EducationOrganizationIdClaimSet"`).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	for _, edorgs := range [][]int64{{100, 3}, {1, 999}, {2, 3, 100}, {999, 998}, {3}} {
		want, got := decisions(arrays, edorgs), decisions(sets, edorgs)
		if got != want {
			t.Errorf("claims %v: from a claim set %s, as an array %s", edorgs, got, want)
		}
	}
	var rows int64
	storedRows(&rows)
	if rows != 2+2+3+2 { // every set of 2 ids or more; {3} is bound as an array
		t.Errorf("%d claim set rows stored, want 9", rows)
	}

	// Round trips: a new set costs one more on its first call only.
	measure := func(f func() error) int64 {
		t.Helper()
		env.Counter.Reset()
		if err := f(); err != nil {
			t.Fatal(err)
		}
		return env.Counter.Count()
	}
	fresh := []int64{1, 3, 100, 2}
	query := func(st *relstore.Store) func() error {
		return func() error {
			_, err := st.Query(grant(authz.ActionRead, fresh), "example", "programs", relstore.QueryOptions{TotalCount: true})
			return err
		}
	}
	plain := measure(query(arrays))
	first, again := measure(query(sets)), measure(query(sets))
	if first != plain+1 || again != plain {
		t.Errorf("query round trips: array %d, first from a new claim set %d, again %d; want %d, %d", plain, first, again, plain+1, plain)
	}

	// Stores of several processes writing the same new set at once: each
	// waits on the other's uncommitted rows and finds them (ON CONFLICT
	// DO NOTHING); all decide alike and the set is stored once.
	storedRows(&rows)
	shared := []int64{3, 100, 4242, 4343}
	want := decisions(arrays, shared)
	errs := make(chan error, 6)
	for range 6 {
		go func() {
			st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{ClaimSetMinimum: 2})
			if err == nil {
				var got string
				if got, err = decide(st, slices.Clone(shared)); err == nil && got != want {
					err = fmt.Errorf("concurrent claim set: %s, want %s", got, want)
				}
			}
			errs <- err
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	var after int64
	storedRows(&after)
	if after != rows+int64(len(shared)) {
		t.Errorf("%d claim set rows after 6 stores wrote the same set, want %d", after, rows+int64(len(shared)))
	}

	// A slice changed in place is another set.
	mutable := []int64{100, 3}
	before := decisions(sets, mutable)
	mutable[1] = 999
	if got, want := decisions(sets, mutable), decisions(arrays, []int64{100, 999}); got != want || got == before {
		t.Errorf("after the claims changed in place: %s, want %s (before: %s)", got, want, before)
	}

	// Writes decide alike: a program at LEA 3 is allowed under {3, 100}
	// and refused under {100, 999}.
	for _, c := range []struct {
		edorgs  []int64
		allowed bool
	}{{[]int64{3, 100}, true}, {[]int64{100, 999}, false}} {
		body := program(3, fmt.Sprint("written under ", c.edorgs))
		_, err := sets.Upsert(grant(authz.ActionCreate, c.edorgs), "example", "programs", []byte(body))
		var fe *relstore.ForbiddenError
		if c.allowed && err != nil || !c.allowed && (!errors.As(err, &fe) || fe.Status != 403) {
			t.Errorf("POST under %v from a claim set: %v, want allowed %v", c.edorgs, err, c.allowed)
		}
	}

	// A database provisioned before the table existed: arrays again.
	if _, err := env.Pool.Exec(ctx, `DROP TABLE auth."EducationOrganizationIdClaimSet"`); err != nil {
		t.Fatal(err)
	}
	old, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{ClaimSetMinimum: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := decisions(old, []int64{2, 3, 100}), decisions(arrays, []int64{2, 3, 100}); got != want {
		t.Errorf("without the claim set table: %s, want %s", got, want)
	}
}
