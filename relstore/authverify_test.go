package relstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// TestVerifyAuthRows: with Options.VerifyAuthRows a write whose derived
// authorization rows differ from their recomputation fails with an
// *AuthVerifyError (500) and changes nothing, for corruption the write's
// own maintenance does not touch (a closure row below the written LEA, a
// stale ResourceKeyId); the same write without the option succeeds (the
// check is what finds it), and clean writes pass it (every test of
// relstoretest.New runs with it on).
func TestVerifyAuthRows(t *testing.T) {
	env := relstoretest.New(t, "auth_verify")
	ctx := context.Background()
	st := env.Store
	plain, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seedDescriptors(t, st)
	mustUpsert(t, st, "example", "localEducationAgencies", lea(1, 0))
	mustUpsert(t, st, "example", "localEducationAgencies", lea(2, 1))
	mustUpsert(t, st, "example", "schools", school(100, 2))
	docOf := func(edorg int64) int64 {
		t.Helper()
		var id int64
		if err := env.Pool.QueryRow(ctx, `SELECT "DocumentId" FROM dms."EducationOrganization" WHERE "EducationOrganizationId" = $1`, edorg).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	etag := func(edorg int64) int64 {
		t.Helper()
		var e int64
		if err := env.Pool.QueryRow(ctx, `SELECT "Etag" FROM dms."Document" WHERE "DocumentId" = $1`, docOf(edorg)).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	for _, c := range []struct {
		name, corrupt, ep, body string
		edorg                   int64
	}{
		{"a closure row below the written LEA is missing",
			`DELETE FROM auth."EducationOrganizationClosure" WHERE "AncestorDocumentId" = $1 AND "DescendantDocumentId" = $2`,
			"localEducationAgencies", lea(2, 1), 2},
		{"the school's EdOrg row has a stale resource key",
			`UPDATE dms."EducationOrganization" SET "ResourceKeyId" = (SELECT "ResourceKeyId" FROM dms."EducationOrganization" WHERE "DocumentId" = $1) WHERE "DocumentId" = $2 AND $1 <> $2`,
			"schools", school(100, 2), 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := env.Pool.Exec(ctx, c.corrupt, docOf(1), docOf(100)); err != nil {
				t.Fatal(err)
			}
			before := etag(c.edorg)
			_, err := st.Upsert(ctx, "example", c.ep, []byte(c.body))
			var ve *relstore.AuthVerifyError
			if !errors.As(err, &ve) || relstore.StatusCode(err) != 500 || ve.Differences == 0 {
				t.Fatalf("write with VerifyAuthRows: %v (status %d), want an *AuthVerifyError (500)", err, relstore.StatusCode(err))
			}
			if after := etag(c.edorg); after != before {
				t.Errorf("the refused write changed the document: etag %d → %d", before, after)
			}
			if _, err := plain.Upsert(ctx, "example", c.ep, []byte(c.body)); err != nil {
				t.Fatalf("the same write without VerifyAuthRows: %v", err)
			}
			rep, err := st.AuditAuth(ctx, true, 10)
			if err != nil || rep.Differences == 0 {
				t.Fatalf("auth rebuild: %+v, %v; want the corruption found", rep, err)
			}
			if _, err := st.Upsert(ctx, "example", c.ep, []byte(c.body)); err != nil {
				t.Fatalf("after auth rebuild: %v", err)
			}
		})
	}
}

// TestRequireGrant: a store with Options.RequireGrant refuses every
// document call without a grant with ErrNoGrant (500) and serves it with
// one.
func TestRequireGrant(t *testing.T) {
	env := relstoretest.New(t, "require_grant")
	ctx := context.Background()
	seedDescriptors(t, env.Store)
	id := mustUpsert(t, env.Store, "example", "localEducationAgencies", lea(1, 0)).ID
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{RequireGrant: true})
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]func(context.Context) error{
		"get": func(ctx context.Context) error {
			_, err := st.Get(ctx, "example", "localEducationAgencies", id)
			return err
		},
		"query": func(ctx context.Context) error {
			_, err := st.Query(ctx, "example", "localEducationAgencies", relstore.QueryOptions{})
			return err
		},
		"upsert": func(ctx context.Context) error {
			_, err := st.Upsert(ctx, "example", "localEducationAgencies", []byte(lea(1, 0)))
			return err
		},
		"update": func(ctx context.Context) error {
			_, err := st.Update(ctx, "example", "localEducationAgencies", id, []byte(lea(1, 0)), "")
			return err
		},
		"delete": func(ctx context.Context) error { return st.Delete(ctx, "example", "localEducationAgencies", id, "") },
	}
	for _, name := range []string{"get", "query", "upsert", "update", "delete"} {
		err := calls[name](ctx)
		if !errors.Is(err, relstore.ErrNoGrant) || relstore.StatusCode(err) != 500 {
			t.Errorf("%s without a grant: %v (status %d), want ErrNoGrant (500)", name, err, relstore.StatusCode(err))
		}
	}
	all := relstore.WithGrant(ctx, relstore.Grant{Predicate: authz.Predicate{Op: authz.OpStrategy, Strategy: authz.Strategy{Kind: authz.KindNoFurtherAuthorizationRequired}}})
	for _, name := range []string{"get", "query", "upsert", "update", "delete"} {
		if err := calls[name](all); err != nil {
			t.Errorf("%s with a grant: %v", name, err)
		}
	}
}
