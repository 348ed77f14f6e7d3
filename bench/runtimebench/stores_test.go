package runtimebench

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// benchStore is one store under comparison, driven through the same calls
// on the same documents.
type benchStore struct {
	// name is the benchratio case: "baseline" (JSONB) or "relational".
	name    string
	counter *relstore.RoundTripCounter
	// pool is the store's database; backends tracks (and pins) its
	// connections' server processes.
	pool     *pgxpool.Pool
	backends *backends
	upsert   func(ctx context.Context, projectEndpoint, endpoint string, body []byte) (relstore.WriteResult, error)
	get      func(ctx context.Context, projectEndpoint, endpoint, id string) (relstore.Document, error)
	// getCached is GET through the relational store's document cache (nil
	// for the baseline).
	getCached func(ctx context.Context, projectEndpoint, endpoint, id string) (relstore.Document, error)
	query     func(ctx context.Context, q pageQuery) (relstore.Page, error)
	// queryCached is query through the relational store's document
	// cache, and project fills that cache (both nil for the baseline,
	// whose pages are its documents).
	queryCached func(ctx context.Context, q pageQuery) (relstore.Page, error)
	project     func(ctx context.Context) error
	// updateIdentity is PUT by id of a body with a new identity.
	updateIdentity func(ctx context.Context, projectEndpoint, endpoint, id string, body []byte) error
	// queued makes the relational store's upsert and updateIdentity write
	// through its store with Options.DocumentCache, which queues each
	// written document for the projector, as dmsc serve --projector's
	// writes do (LoadProjected, Mixed); otherwise they write through a
	// store without it, as a server without --projector.
	queued bool
	// startProjector starts the relational store's DocumentCache
	// projector in the background and returns what stops it and waits;
	// cacheStats and backlog read the cache's counters and backlog (all
	// three nil for the baseline).
	startProjector func() (stop func())
	cacheStats     func() relstore.CacheStats
	backlog        func(ctx context.Context) (relstore.Backlog, error)
	// shapeStats reads the read-shape counters of the store get uses
	// (nil for the baseline).
	shapeStats func() relstore.ShapeStats
	// mixedRuns counts the mixed workload's runs on the store (each
	// names its students apart).
	mixedRuns int
	// reset empties the store (outside the timed loops).
	reset func(ctx context.Context) error

	// loaded lists the distinct documents of the last full corpus load
	// (nil when the store does not hold the corpus); byPath maps each
	// corpus document's path to its index in loaded.
	loaded []loadedDoc
	byPath map[string]int
	// analyzed is set once the database was vacuumed and analyzed after
	// the last write.
	analyzed bool
	// cacheFilled is set once GetCached filled the relational store's
	// document cache with the loaded documents.
	cacheFilled bool
	// pageReady is set once the query page documents are stored.
	pageReady bool
	// skip, when set, says why the store's benchmarks are skipped.
	skip string
	// fresh is set while the store is known to be empty (provisioned or
	// reset, nothing written since), so emptying it again can be skipped.
	fresh bool
}

// empty makes the store empty, resetting it unless it is fresh.
func (s *benchStore) empty(tb testing.TB) {
	if s.fresh {
		return
	}
	if err := s.reset(context.Background()); err != nil {
		tb.Fatalf("%s store: reset: %v", s.name, err)
	}
	s.loaded, s.byPath, s.pageReady, s.analyzed, s.cacheFilled = nil, nil, false, false, false
	s.fresh = true
}

// loadedDoc is where one stored document is read.
type loadedDoc struct {
	projectEndpoint, endpoint, id string
}

// pageQuery is one query page: documents of a resource whose field equals
// value, the first limit of them.
type pageQuery struct {
	projectEndpoint, endpoint string
	field                     string
	value                     any
	limit                     int
}

// projectorIdle is how long the benchmarks' projector waits after it found
// nothing to project: dmsc serve --projector's default, what an operator
// gets unless they set --projector-interval.
const projectorIdle = relstore.DefaultProjectorInterval

// newBenchStores provisions the relational store (production options:
// no edge verification) and the JSONB baseline for the corpus's schema on
// two databases of the same server.
func newBenchStores(tb testing.TB, c *corpus) []*benchStore {
	tb.Helper()
	relBackends, jsonbBackends := newBackends(), newBackends()
	env := relstoretest.NewWithModel(tb, c.name, c.model, relstore.Options{}, relBackends.configure)
	rel := env.Store
	cached, err := relstore.Open(context.Background(), env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		tb.Fatal(err)
	}
	relational := &benchStore{
		name:     "relational",
		counter:  env.Counter,
		pool:     env.Pool,
		backends: relBackends,
		get: func(ctx context.Context, pe, ep, id string) (relstore.Document, error) {
			return rel.Get(ctx, pe, ep, id)
		},
		getCached: func(ctx context.Context, pe, ep, id string) (relstore.Document, error) {
			return cached.Get(ctx, pe, ep, id)
		},
		query: func(ctx context.Context, q pageQuery) (relstore.Page, error) { return relQuery(ctx, rel, q) },
		queryCached: func(ctx context.Context, q pageQuery) (relstore.Page, error) {
			return relQuery(ctx, cached, q)
		},
		project: func(ctx context.Context) error {
			_, err := cached.Project(ctx, relstore.ProjectOptions{})
			return err
		},
		startProjector: func() func() {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = cached.RunProjector(ctx, relstore.ProjectOptions{}, projectorIdle, nil)
			}()
			return func() { cancel(); <-done }
		},
		// Closures, not method values: reset replaces the stores.
		cacheStats: func() relstore.CacheStats { return cached.CacheStats() },
		backlog:    func(ctx context.Context) (relstore.Backlog, error) { return cached.CacheBacklog(ctx) },
		shapeStats: func() relstore.ShapeStats { return rel.ShapeStats() },
		reset: func(ctx context.Context) error {
			// Every resource table, dms.ReferentialIdentity, dms.Descriptor,
			// dms.ReferenceEdge, ... cascade from dms.Document. A new Store
			// drops whatever the old one may have cached.
			if _, err := env.Pool.Exec(ctx, `TRUNCATE "dms"."Document" CASCADE`); err != nil {
				return err
			}
			st, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{})
			if err != nil {
				return err
			}
			withCache, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
			if err == nil {
				rel, cached = st, withCache
			}
			return err
		},
	}
	writer := func() *relstore.Store {
		if relational.queued {
			return cached
		}
		return rel
	}
	relational.upsert = func(ctx context.Context, pe, ep string, body []byte) (relstore.WriteResult, error) {
		return writer().Upsert(ctx, pe, ep, body)
	}
	relational.updateIdentity = func(ctx context.Context, pe, ep, id string, body []byte) error {
		_, err := writer().Update(ctx, pe, ep, id, body, "")
		return err
	}
	jb := newJSONB(tb, c.manifest, c.name+"jsonb", jsonbBackends.configure)
	baseline := &benchStore{
		name:     "baseline",
		counter:  jb.Counter,
		pool:     jb.Pool,
		backends: jsonbBackends,
		upsert:   jb.Store.Upsert,
		get:      jb.Store.Get,
		query: func(ctx context.Context, q pageQuery) (relstore.Page, error) {
			contains, err := json.Marshal(map[string]any{q.field: q.value})
			if err != nil {
				return relstore.Page{}, err
			}
			return jb.Store.Query(ctx, q.projectEndpoint, q.endpoint, JSONBQuery{Contains: contains, Limit: q.limit})
		},
		updateIdentity: func(ctx context.Context, pe, ep, id string, body []byte) error {
			_, err := jb.Store.UpdateIdentity(ctx, pe, ep, id, body)
			return err
		},
		reset: func(ctx context.Context) error { return TruncateJSONB(ctx, jb.Pool) },
	}
	for _, st := range []*benchStore{baseline, relational} {
		holdAutovacuum(tb, st.pool)
		st.fresh = true
	}
	return []*benchStore{baseline, relational}
}

// notImplemented reports whether err is the runtime's placeholder error
// (its operations return it until they are written).
func notImplemented(err error) bool {
	return err != nil && strings.Contains(err.Error(), "not implemented yet")
}

// loadAll upserts the corpus in order, failing the benchmark on the first
// rejected document, and records the documents stored.
func (s *benchStore) loadAll(tb testing.TB, c *corpus) {
	ctx := context.Background()
	s.loaded, s.byPath, s.pageReady, s.fresh, s.analyzed, s.cacheFilled = nil, nil, false, false, false, false
	seen := make(map[string]int, len(c.docs))
	byPath := make(map[string]int, len(c.docs))
	loaded := make([]loadedDoc, 0, len(c.docs))
	for _, d := range c.docs {
		res, err := s.upsert(ctx, d.projectEndpoint, d.endpoint, d.body)
		if err != nil {
			tb.Fatalf("%s store: POST /%s/%s (%s): %v", s.name, d.projectEndpoint, d.endpoint, d.path, err)
		}
		i, ok := seen[res.ID]
		if !ok {
			i = len(loaded)
			seen[res.ID] = i
			loaded = append(loaded, loadedDoc{d.projectEndpoint, d.endpoint, res.ID})
		}
		byPath[d.path] = i
	}
	s.loaded, s.byPath = loaded, byPath
}

// commonCorpus loads the corpus into every store from empty, keeping on
// past rejected documents, and returns the corpus without the documents
// any store rejected, so that every store is measured on the same
// documents. Rejections are expected: the DS 5.0 fixtures hold upstream
// test requests that DMS answers with 409 (a school reusing an LEA's
// educationOrganizationId) and values the relational types refuse (an
// integer id beyond 32 bits); each is logged.
func commonCorpus(tb testing.TB, c *corpus, stores []*benchStore) *corpus {
	ctx := context.Background()
	rejected := map[string]bool{}
	for _, s := range stores {
		if s.skip != "" {
			continue
		}
		s.empty(tb)
		s.fresh = false
		for _, d := range c.docs {
			if _, err := s.upsert(ctx, d.projectEndpoint, d.endpoint, d.body); err != nil {
				if notImplemented(err) {
					s.skip = err.Error()
					break
				}
				tb.Logf("%s store rejects %s: %v", s.name, d.path, err)
				rejected[d.path] = true
			}
		}
	}
	out := *c
	out.docs = nil
	for _, d := range c.docs {
		if !rejected[d.path] {
			out.docs = append(out.docs, d)
		}
	}
	if len(out.docs) == 0 {
		tb.Fatalf("corpus %s: every document was rejected", c.name)
	}
	tb.Logf("corpus %s: %d documents, %d left out because a store rejects them", c.name, len(out.docs), len(rejected))
	return &out
}

// ensureLoaded loads the corpus into an empty store unless it holds it.
func (s *benchStore) ensureLoaded(tb testing.TB, c *corpus) {
	if s.loaded != nil {
		return
	}
	s.empty(tb)
	s.loadAll(tb, c)
}

// ensureReady loads the corpus unless the store holds it, then vacuums and
// analyzes the database unless nothing was written since the last time,
// so that reads run on planner statistics and visibility maps of the data
// they read (the steady state autovacuum reaches in production) and no
// autovacuum starts in the middle of a measurement.
func (s *benchStore) ensureReady(tb testing.TB, c *corpus) {
	s.ensureLoaded(tb, c)
	s.ensureAnalyzed(tb)
}

// ensureAnalyzed runs VACUUM (ANALYZE) on the store's database unless
// nothing was written since the last time.
func (s *benchStore) ensureAnalyzed(tb testing.TB) {
	if s.analyzed {
		return
	}
	if _, err := s.pool.Exec(context.Background(), `VACUUM (ANALYZE)`); err != nil {
		tb.Fatalf("%s store: VACUUM (ANALYZE): %v", s.name, err)
	}
	s.analyzed = true
}

// relQuery runs the page query q on a relational store.
func relQuery(ctx context.Context, st *relstore.Store, q pageQuery) (relstore.Page, error) {
	value, _ := json.Marshal(q.value)
	if s, ok := q.value.(string); ok {
		value = []byte(s)
	}
	return st.Query(ctx, q.projectEndpoint, q.endpoint, relstore.QueryOptions{
		Filters: []relstore.Filter{{Name: q.field, Value: string(value)}}, Limit: q.limit})
}
