package relstore_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestProjector: Project fills dms.DocumentCache for every document (the
// backlog drops to 0, the audit finds every fresh row equal to the
// assembled document), GETs then hit the cache with the assembled body; an
// identity cascade makes its closure stale (GET reassembles, never a
// stale body) until the next Project; AuditCache finds exactly a
// corrupted fresh row and repair deletes it; two projectors running at
// once project every document exactly once.
func TestProjector(t *testing.T) {
	env, ids := seeded(t, "projector")
	ctx := context.Background()
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	docs := count(t, env, `SELECT count(*) FROM "dms"."Document"`)
	b, err := st.CacheBacklog(ctx)
	if err != nil || b.Documents != docs || b.OldestAge <= 0 {
		t.Fatalf("backlog before projecting: %+v, %v; want %d documents", b, err, docs)
	}
	ps, err := st.Project(ctx, relstore.ProjectOptions{Batch: 3})
	if err != nil || ps.Documents != docs || ps.Batches < 2 {
		t.Fatalf("Project: %+v, %v; want %d documents in several batches", ps, err, docs)
	}
	if b, err := st.CacheBacklog(ctx); err != nil || b.Documents != 0 || b.OldestAge != 0 {
		t.Fatalf("backlog after projecting: %+v, %v", b, err)
	}
	rep, err := st.AuditCache(ctx, false, 10)
	if err != nil || rep.Fresh != docs || rep.Differences != 0 {
		t.Fatalf("AuditCache after Project: %+v, %v", rep, err)
	}
	// GETs hit the cache and answer the assembled document.
	before := st.CacheStats()
	for i, id := range ids {
		got, err := st.Get(ctx, seed[i].pe, seed[i].ep, id)
		if err != nil {
			t.Fatal(err)
		}
		want, err := env.Store.Get(ctx, seed[i].pe, seed[i].ep, id)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := jsonvalue.Decode(got.JSON)
		w, _ := jsonvalue.Decode(want.JSON)
		if !jsonvalue.Equal(a, w) || got.ETag != want.ETag {
			t.Errorf("%s %s: cached %s, assembled %s", seed[i].ep, id, got.JSON, want.JSON)
		}
	}
	if s := st.CacheStats(); s.Hits-before.Hits != int64(len(ids)) || s.Misses != before.Misses {
		t.Errorf("cache stats %+v then %+v: want %d hits, no miss", before, s, len(ids))
	}
	// A cascade from the student makes the association stale: GET
	// reassembles (a miss) until Project refreshes it.
	if _, err := st.Update(ctx, "example", "students", ids[9], []byte(`{"studentUniqueId":"S1-new","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), ""); err != nil {
		t.Fatal(err)
	}
	if b, err := st.CacheBacklog(ctx); err != nil || b.Documents < 2 {
		t.Errorf("backlog after a cascade: %+v, %v; want the student and its association", b, err)
	}
	before = st.CacheStats()
	d, err := st.Get(ctx, "example", "studentSchoolAssociations", ids[10])
	if err != nil || !strings.Contains(string(d.JSON), "S1-new") || st.CacheStats().Misses != before.Misses+1 {
		t.Errorf("GET after the cascade: %v %s (stats %+v)", err, d.JSON, st.CacheStats())
	}
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := st.CacheBacklog(ctx); b.Documents != 0 {
		t.Errorf("backlog after the second Project: %+v", b)
	}
	// A fresh row whose body lies: the audit finds exactly it.
	if _, err := env.Pool.Exec(ctx, `UPDATE "dms"."DocumentCache" c SET "DocumentJson" = jsonb_set(c."DocumentJson"::jsonb, '{firstName}', '"Eve"')::text
FROM "dms"."Document" d WHERE d."DocumentId" = c."DocumentId" AND d."DocumentUuid" = $1::uuid`, ids[9]); err != nil {
		t.Fatal(err)
	}
	rep, err = st.AuditCache(ctx, true, 10)
	if err != nil || rep.Differences != 1 || len(rep.Findings) != 1 || rep.Removed != 1 || !strings.Contains(strings.Join(rep.Findings[0].Differences, " "), "firstName") {
		t.Fatalf("AuditCache of a corrupted row: %+v, %v", rep, err)
	}
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	// A fresh row holding the same JSON value in other bytes (jsonb's key
	// order and spacing) is a difference too: a GET would serve other
	// bytes under the same ETag.
	if _, err := env.Pool.Exec(ctx, `UPDATE "dms"."DocumentCache" c SET "DocumentJson" = c."DocumentJson"::jsonb::text
FROM "dms"."Document" d WHERE d."DocumentId" = c."DocumentId" AND d."DocumentUuid" = $1::uuid`, ids[9]); err != nil {
		t.Fatal(err)
	}
	rep, err = st.AuditCache(ctx, true, 10)
	if err != nil || rep.Differences != 1 || len(rep.Findings) != 1 || rep.Removed != 1 || !strings.Contains(strings.Join(rep.Findings[0].Differences, " "), "other bytes") {
		t.Fatalf("AuditCache of a reformatted row: %+v, %v", rep, err)
	}
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := st.AuditCache(ctx, false, 10); err != nil || rep.Differences != 0 || rep.Backlog.Documents != 0 {
		t.Fatalf("AuditCache after repair and Project: %+v, %v", rep, err)
	}
	// Two projectors at once share the work: every document once.
	if _, err := env.Pool.Exec(ctx, `DELETE FROM "dms"."DocumentCache"`); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]relstore.ProjectStats, 2)
	errs := make([]error, 2)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = st.Project(ctx, relstore.ProjectOptions{Batch: 2})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil || got[0].Documents+got[1].Documents != docs {
		t.Errorf("two projectors: %+v %+v (%v, %v); want %d documents in all", got[0], got[1], errs[0], errs[1], docs)
	}
	if n := count(t, env, `SELECT count(*) FROM "dms"."DocumentCache"`); n != docs {
		t.Errorf("%d cache rows after two projectors, want %d", n, docs)
	}
}

// TestCachedPages: with Options.DocumentCache a query page takes each
// document whose cache row is fresh from dms.DocumentCache (a planted
// marker in one fresh row shows up), assembles the others (a stale row
// never shows), in document order, with the total count: one round trip
// when every row is fresh, two when some must be assembled; equal to the
// pages of a store without the cache.
func TestCachedPages(t *testing.T) {
	env, ids := seeded(t, "cached_pages")
	ctx := context.Background()
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	page := func(s *relstore.Store, ep string) relstore.Page {
		t.Helper()
		p, err := s.Query(ctx, "example", ep, relstore.QueryOptions{TotalCount: true})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	same := func(what string, got, want relstore.Page) {
		t.Helper()
		if got.Total != want.Total || len(got.Documents) != len(want.Documents) {
			t.Fatalf("%s: %d documents (total %d), want %d (total %d)", what, len(got.Documents), got.Total, len(want.Documents), want.Total)
		}
		for i := range want.Documents {
			a, _ := jsonvalue.Decode(got.Documents[i].JSON)
			w, _ := jsonvalue.Decode(want.Documents[i].JSON)
			if got.Documents[i].ID != want.Documents[i].ID || got.Documents[i].ETag != want.Documents[i].ETag || !jsonvalue.Equal(a, w) {
				t.Errorf("%s: document %d:\n got %s %s %s\nwant %s %s %s", what, i, got.Documents[i].ID, got.Documents[i].ETag, got.Documents[i].JSON,
					want.Documents[i].ID, want.Documents[i].ETag, want.Documents[i].JSON)
			}
		}
	}
	// Nothing cached: assembled.
	same("no cache rows", page(st, "studentSchoolAssociations"), page(env.Store, "studentSchoolAssociations"))
	if _, err := st.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	// All fresh: served from the cache, equal.
	env.Counter.Reset()
	cachedPage := page(st, "studentSchoolAssociations")
	if env.Counter.Count() != 1 {
		t.Errorf("a cached page took %d round trips, want 1", env.Counter.Count())
	}
	same("every row fresh", cachedPage, page(env.Store, "studentSchoolAssociations"))
	// A marker planted in one fresh row proves the page reads the cache;
	// a write makes another row stale, and the page assembles it.
	if _, err := env.Pool.Exec(ctx, `UPDATE "dms"."DocumentCache" c SET "DocumentJson" = (c."DocumentJson"::jsonb || '{"marker":true}')::text
FROM "dms"."Document" d WHERE d."DocumentId" = c."DocumentId" AND d."DocumentUuid" = $1::uuid`, ids[10]); err != nil {
		t.Fatal(err)
	}
	p := page(st, "studentSchoolAssociations")
	marked := 0
	for _, d := range p.Documents {
		if strings.Contains(string(d.JSON), `"marker"`) {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("%d documents of the page carry the planted marker, want 1 (served from the cache)", marked)
	}
	// A GET under a grant takes the fresh row too (in its one statement).
	open := relstore.WithGrant(ctx, relstore.Grant{Predicate: authz.Predicate{Op: authz.OpStrategy, Strategy: authz.Strategy{Kind: authz.KindNoFurtherAuthorizationRequired}}})
	before := st.CacheStats()
	env.Counter.Reset()
	d, err := st.Get(open, "example", "studentSchoolAssociations", ids[10])
	if err != nil || !strings.Contains(string(d.JSON), `"marker"`) || st.CacheStats().Hits != before.Hits+1 || env.Counter.Count() != 1 {
		t.Errorf("GET under a grant: %v %s, stats %+v then %+v, %d round trips; want the cached body in 1", err, d.JSON, before, st.CacheStats(), env.Counter.Count())
	}
	if _, err := st.Update(ctx, "example", "students", ids[9], []byte(`{"studentUniqueId":"S1-new","firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`), ""); err != nil {
		t.Fatal(err)
	}
	env.Counter.Reset()
	p = page(st, "studentSchoolAssociations")
	if env.Counter.Count() != 2 {
		t.Errorf("a page with stale rows took %d round trips, want 2", env.Counter.Count())
	}
	for _, d := range p.Documents {
		if strings.Contains(string(d.JSON), `"marker"`) {
			t.Errorf("a stale cache row was served: %s", d.JSON)
		}
	}
	same("after a cascade", p, page(env.Store, "studentSchoolAssociations"))
}

// TestProjectorStopAfterPartial: with StopAfterPartial, Project returns
// after a batch that claimed fewer documents than its size, where a
// draining call claims once more (a transaction that finds nothing): the
// projector of RunProjector leaves what writers add meanwhile to its next
// call instead of chasing them with batches of a few documents. Both
// project every document.
func TestProjectorStopAfterPartial(t *testing.T) {
	env, _ := seeded(t, "projectorpartial")
	ctx := context.Background()
	st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	docs := count(t, env, `SELECT count(*) FROM "dms"."Document"`)
	trips := map[bool]int64{}
	for _, stop := range []bool{false, true} {
		if _, err := env.Pool.Exec(ctx, `DELETE FROM "dms"."DocumentCache"`); err != nil {
			t.Fatal(err)
		}
		env.Counter.Reset()
		ps, err := st.Project(ctx, relstore.ProjectOptions{Batch: int(docs) + 1, StopAfterPartial: stop})
		trips[stop] = env.Counter.Count()
		if err != nil || ps.Documents != docs || ps.Batches != 1 {
			t.Fatalf("StopAfterPartial %v: %+v, %v; want %d documents in one batch", stop, ps, err, docs)
		}
	}
	if trips[true] >= trips[false] {
		t.Errorf("round trips: %d stopping after the partial batch, %d draining; want fewer", trips[true], trips[false])
	}
}
