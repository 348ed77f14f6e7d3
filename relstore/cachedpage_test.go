package relstore_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// afterStatement runs hook once, when the first statement whose SQL holds
// marker ends (a pgx tracer).
type afterStatement struct {
	marker string
	hook   func()
	done   atomic.Bool
}

type sqlKey struct{}

func (a *afterStatement) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, sqlKey{}, data.SQL)
}

func (a *afterStatement) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if sql, _ := ctx.Value(sqlKey{}).(string); strings.Contains(sql, a.marker) && a.done.CompareAndSwap(false, true) {
		a.hook()
	}
}

// tracedStore opens a store on env's database through a pool of its own
// whose connections trace with tracer (closed when the test ends).
func tracedStore(t *testing.T, env *relstoretest.Env, tracer pgx.QueryTracer, opts relstore.Options) *relstore.Store {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(env.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := relstore.NewPool(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st, err := relstore.Open(t.Context(), env.Manifest, pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestCachedPageCursorSurvivesALeavingDocument: a page through the
// DocumentCache whose missing body is assembled by a second statement
// keeps its keyset cursor when the document is deleted between the two
// statements. The page comes back without it and with the cursor the
// page's selection gave (had the cursor followed the documents returned,
// the page would have looked like the end).
func TestCachedPageCursorSurvivesALeavingDocument(t *testing.T) {
	env, _ := seeded(t, "cached_page_cursor")
	ctx := context.Background()
	// Programs in storage order: Robotics (a student references it), then
	// District Band (nothing does), which leaves.
	first, err := env.Store.Query(ctx, "example", "programs", relstore.QueryOptions{Limit: 1})
	if err != nil || len(first.Documents) != 1 || first.Next == "" {
		t.Fatalf("first page of programs: %+v %v", first, err)
	}
	second, err := env.Store.Query(ctx, "example", "programs", relstore.QueryOptions{Limit: 1, After: first.Next})
	if err != nil || len(second.Documents) != 1 || second.Next == "" {
		t.Fatalf("second page of programs: %+v %v", second, err)
	}
	leaving := second.Documents[0].ID
	hook := &afterStatement{marker: `FROM k LEFT JOIN "dms"."DocumentCache" c`, hook: func() {
		if err := env.Store.Delete(ctx, "example", "programs", leaving, ""); err != nil {
			t.Errorf("deleting program %s between the statements: %v", leaving, err)
		}
	}}
	st := tracedStore(t, env, hook, relstore.Options{DocumentCache: true})
	// Every body fresh but the leaving program's: the page needs the
	// second statement for it.
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `DELETE FROM "dms"."DocumentCache" c USING "dms"."Document" d WHERE d."DocumentId" = c."DocumentId" AND d."DocumentUuid" = $1::uuid`, leaving); err != nil {
		t.Fatal(err)
	}
	page, err := st.Query(ctx, "example", "programs", relstore.QueryOptions{Limit: 1, After: first.Next})
	if err != nil {
		t.Fatal(err)
	}
	if !hook.done.Load() {
		t.Fatal("the page statement never ran")
	}
	if len(page.Documents) != 0 || page.Next != second.Next {
		t.Fatalf("page with its document deleted in between: %d documents, cursor %q; want none and cursor %q", len(page.Documents), page.Next, second.Next)
	}
	next, err := st.Query(ctx, "example", "programs", relstore.QueryOptions{Limit: 1, After: page.Next})
	if err != nil || len(next.Documents) != 0 || next.Next != "" {
		t.Fatalf("the page after the cursor: %+v %v, want the end", next, err)
	}
}
