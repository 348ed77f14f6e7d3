package runtimebench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// BenchmarkRuntime compares the relational store with the JSONB baseline
// on the same corpus, server and calls. Sub-benchmarks are named
// <corpus>/<placement>/<operation>/<store> with the baseline as the
// "baseline" case, so bench/benchratio prints relational/baseline ratios
// of ns/op, of the latencies and of the CPU per op (see doc.go for what
// each operation measures and what the placements are).
func BenchmarkRuntime(b *testing.B) {
	all := loadCorpus(b)
	if smokeRun() {
		all = smokeSubset(b, all)
	}
	stores := newBenchStores(b, all)
	c := commonCorpus(b, all, stores)
	small, large := pickSizes(c)
	b.Logf("corpus %s: GetSmall reads %s (%d bytes posted), GetLarge reads %s (%d bytes posted)",
		c.name, small.path, len(small.body), large.path, len(large.body))
	reads := readPlacements(b)
	type op struct {
		name string
		run  func(*testing.B, *corpus, *benchStore)
	}
	writeOps := []op{
		{"Load", benchLoad},
		{"LoadProjected", benchLoadProjected},
		{"Reload", benchReload},
		{"Project", benchProject},
	}
	readOps := []op{
		{"Get", benchGet},
		{"GetSmall", benchGetDoc(small.path)},
		{"GetLarge", benchGetDoc(large.path)},
		{"GetCached", benchGetCached},
		{"QueryPage100", benchQueryPage},
		{"QueryPage100Cached", benchQueryPageCached},
	}
	run := func(pl placement, op op) {
		for _, st := range stores {
			b.Run(c.name+"/"+pl.name+"/"+op.name+"/"+st.name, func(b *testing.B) {
				if st.skip != "" {
					b.Skipf("%s store: %s", st.name, st.skip)
				}
				placed(b, pl, st, func() { op.run(b, c, st) })
			})
		}
	}
	for _, op := range writeOps {
		run(writePlacement(reads), op)
	}
	for _, pl := range reads {
		for _, op := range readOps {
			run(pl, op)
		}
	}
	// Last: it adds documents the reads above do not expect.
	run(writePlacement(reads), op{"Mixed", benchMixed})
}

// pickSizes returns the corpus documents with the smallest and the
// largest body (ties: the first path in sorted order).
func pickSizes(c *corpus) (small, large corpusDoc) {
	docs := slices.Clone(c.docs)
	slices.SortStableFunc(docs, func(x, y corpusDoc) int {
		if d := len(x.body) - len(y.body); d != 0 {
			return d
		}
		return strings.Compare(x.path, y.path)
	})
	return docs[0], docs[len(docs)-1]
}

// benchLoad times loading the whole ordered corpus into an empty store; one
// op is one corpus. Emptying the store is not timed.
func benchLoad(b *testing.B, c *corpus, st *benchStore) { benchLoadWith(b, c, st, false) }

// benchLoadProjected is benchLoad with the relational store's DocumentCache
// projector running during each load and the op ending once the cache
// holds every document loaded (the baseline loads as in Load): the write
// rate a server with --projector keeps, its projection included whatever
// the load's length (a load shorter than the projector's interval would
// otherwise leave all of it outside the op).
func benchLoadProjected(b *testing.B, c *corpus, st *benchStore) { benchLoadWith(b, c, st, true) }

// benchLoadWith times corpus loads, with the projector running when
// projected and the store has one.
func benchLoadWith(b *testing.B, c *corpus, st *benchStore, projected bool) {
	var trips, stmts int64
	cpu := newCPUMeter(st)
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		st.empty(b)
		stop := func() {}
		if projected && st.startProjector != nil {
			stop = st.startProjector()
			st.queued = true
		}
		t0, s0 := st.counter.Count(), st.counter.Statements()
		b.StartTimer()
		cpu.start()
		st.loadAll(b, c)
		if projected && st.startProjector != nil {
			// The background projector stops (a batch it was writing rolls
			// back) and what it has not projected is projected now.
			stop()
			stop = func() {}
			if err := st.project(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
		cpu.stop()
		b.StopTimer()
		stop()
		st.queued = false
		if projected && st.backlog != nil {
			if bl, err := st.backlog(context.Background()); err != nil || bl.Documents != 0 {
				b.Fatalf("after a projected load: backlog %d documents (%v)", bl.Documents, err)
			}
		}
		trips += st.counter.Count() - t0
		stmts += st.counter.Statements() - s0
	}
	reportWrites(b, len(c.docs), trips, stmts)
	cpu.report(b, b.N*len(c.docs), "doc")
}

// benchProject times the relational store's DocumentCache projector
// alone: one op projects every document of the loaded corpus into an
// emptied cache, on warm plans (an untimed pass first; emptying the cache
// with DELETE and VACUUM re-plans only the projector's three statements
// that name dms.DocumentCache, not its per-resource reads). The op
// LoadProjected re-plans every statement after the TRUNCATE that empties
// the store; this one is the projector's cost per document in a server
// that has run a while. The baseline has no projection to measure.
func benchProject(b *testing.B, c *corpus, st *benchStore) {
	if st.project == nil {
		b.Skipf("%s store: no DocumentCache projector", st.name)
	}
	st.ensureReady(b, c)
	ctx := context.Background()
	emptyCache := func() {
		for _, sql := range []string{`DELETE FROM "dms"."DocumentCache"`, `VACUUM "dms"."DocumentCache"`} {
			if _, err := st.pool.Exec(ctx, sql); err != nil {
				b.Fatalf("%s: %v", sql, err)
			}
		}
	}
	emptyCache()
	if err := st.project(ctx); err != nil {
		b.Fatal(err)
	}
	cpu := newCPUMeter(st)
	var trips, stmts int64
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		emptyCache()
		t0, s0 := st.counter.Count(), st.counter.Statements()
		b.StartTimer()
		cpu.start()
		if err := st.project(ctx); err != nil {
			b.Fatal(err)
		}
		cpu.stop()
		b.StopTimer()
		trips += st.counter.Count() - t0
		stmts += st.counter.Statements() - s0
	}
	if bl, err := st.backlog(ctx); err != nil || bl.Documents != 0 {
		b.Fatalf("after a projection: backlog %d documents (%v)", bl.Documents, err)
	}
	reportWrites(b, len(st.loaded), trips, stmts)
	cpu.report(b, b.N*len(st.loaded), "doc")
}

// benchReload times upserting the whole corpus again into a store that
// holds it (loaded from empty first): every POST updates an existing
// document with the same body.
func benchReload(b *testing.B, c *corpus, st *benchStore) {
	st.ensureReady(b, c)
	cpu := newCPUMeter(st)
	t0, s0 := st.counter.Count(), st.counter.Statements()
	b.ResetTimer()
	cpu.start()
	for i := 0; i < b.N; i++ {
		st.loadAll(b, c)
	}
	cpu.stop()
	b.StopTimer()
	reportWrites(b, len(c.docs), st.counter.Count()-t0, st.counter.Statements()-s0)
	cpu.report(b, b.N*len(c.docs), "doc")
	// What follows (the next Reload, the reads) loads the corpus afresh:
	// rewriting every document again and again leaves dead space that
	// VACUUM does not give back, and the relational store's reads of a
	// small database then ran on other plans (GetLarge 141 µs after one
	// load, 200 µs after two reloads, 283 µs in a full run).
	st.loaded = nil
}

// reportWrites reports documents/s and round trips and statements per
// document of b.N corpus loads.
func reportWrites(b *testing.B, docs int, trips, stmts int64) {
	n := float64(b.N * docs)
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(n/s, "docs/s")
	}
	b.ReportMetric(float64(trips)/n, "roundtrips/doc")
	b.ReportMetric(float64(stmts)/n, "stmts/doc")
}

// benchGet times GET by id over every stored document in turn; one op is
// one GET. It reports the latency percentiles p50 and p99 and the CPU per
// GET. An untimed pass over every document first lets the connections
// prepare their statements, as a long-running server's have.
func benchGet(b *testing.B, c *corpus, st *benchStore) {
	st.ensureReady(b, c)
	benchGetFrom(b, st, st.get, st.loaded, st.shapeStats)
}

// benchGetDoc returns a benchmark of GET by id of the one corpus document
// at path, again and again.
func benchGetDoc(path string) func(*testing.B, *corpus, *benchStore) {
	return func(b *testing.B, c *corpus, st *benchStore) {
		st.ensureReady(b, c)
		i, ok := st.byPath[path]
		if !ok {
			b.Fatalf("%s store: %s is not loaded", st.name, path)
		}
		benchGetFrom(b, st, st.get, st.loaded[i:i+1], st.shapeStats)
	}
}

// benchGetCached is benchGet with the relational store's read-through
// document cache on (relstore.Options.DocumentCache); the warm-up pass
// fills the cache (the database is analyzed again after the first fill),
// so the timed GETs are cache hits. The baseline runs as in benchGet.
func benchGetCached(b *testing.B, c *corpus, st *benchStore) {
	st.ensureReady(b, c)
	get := st.get
	if st.getCached != nil {
		get = st.getCached
		if !st.cacheFilled {
			warmUp(b, st, get, st.loaded)
			st.analyzed = false
			st.ensureAnalyzed(b)
			st.cacheFilled = true
		}
	}
	benchGetFrom(b, st, get, st.loaded, nil)
}

// getFunc is one store's GET by id.
type getFunc func(ctx context.Context, pe, ep, id string) (relstore.Document, error)

// warmUp GETs every document once, untimed.
func warmUp(b *testing.B, st *benchStore, get getFunc, docs []loadedDoc) {
	ctx := context.Background()
	for _, d := range docs {
		if _, err := get(ctx, d.projectEndpoint, d.endpoint, d.id); err != nil {
			b.Fatalf("%s store: GET /%s/%s/%s: %v", st.name, d.projectEndpoint, d.endpoint, d.id, err)
		}
	}
}

// benchGetFrom times get over docs in turn, after one untimed pass over
// them that prepares the statements, and reports latency percentiles, CPU
// per GET, round trips, the median body size and, when shapes reads the
// read-shape counters of get's store, the share of GETs read with a
// remembered shape.
func benchGetFrom(b *testing.B, st *benchStore, get getFunc, docs []loadedDoc, shapes func() relstore.ShapeStats) {
	ctx := context.Background()
	warmUp(b, st, get, docs)
	lat := make([]time.Duration, 0, b.N)
	sizes := make([]int, 0, min(b.N, len(docs)))
	cpu := newCPUMeter(st)
	t0, s0 := st.counter.Count(), st.counter.Statements()
	var shapes0 relstore.ShapeStats
	if shapes != nil {
		shapes0 = shapes()
	}
	b.ResetTimer()
	cpu.start()
	for i := 0; i < b.N; i++ {
		d := docs[i%len(docs)]
		start := time.Now()
		doc, err := get(ctx, d.projectEndpoint, d.endpoint, d.id)
		lat = append(lat, time.Since(start))
		if err != nil || len(doc.JSON) == 0 {
			b.Fatalf("%s store: GET /%s/%s/%s: %v", st.name, d.projectEndpoint, d.endpoint, d.id, err)
		}
		if i < len(docs) {
			sizes = append(sizes, len(doc.JSON))
		}
	}
	cpu.stop()
	b.StopTimer()
	reportLatency(b, lat)
	cpu.report(b, b.N, "op")
	reportTrips(b, st, t0, s0)
	slices.Sort(sizes)
	b.ReportMetric(float64(sizes[(len(sizes)-1)/2]), "body-bytes")
	if shapes != nil {
		// The warm-up pass let the store remember every document's read
		// shape, as a long-running server remembers those it has read.
		b.ReportMetric(float64(shapes().Hits-shapes0.Hits)/float64(b.N), "shape-hits/op")
	}
}

// reportLatency reports the nearest-rank p50 and p99 of the latencies.
func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	rank := func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(lat)))) - 1
		return float64(lat[max(i, 0)].Nanoseconds())
	}
	b.ReportMetric(rank(0.50), "p50-ns")
	b.ReportMetric(rank(0.99), "p99-ns")
}

// pageSize is the page the query benchmark reads.
const pageSize = 100

// pageDocs is how many documents match the query benchmark's filter.
const pageDocs = 250

// pageSpec is a resource the query benchmark can page through: documents
// are copies of the corpus's first document of the endpoint with a new
// identity value and the filter field set to a shared value.
type pageSpec struct {
	endpoint, idField, field string
	id                       func(i int) any
	value                    any
}

var pageSpecs = []pageSpec{
	{"schools", "schoolId", "nameOfInstitution", func(i int) any { return json.Number(fmt.Sprint(990000000 + i)) }, "Benchmark Page School"},
	{"students", "studentUniqueId", "lastSurname", func(i int) any { return fmt.Sprintf("bench-page-%04d", i) }, "Benchpage"},
}

// pageQueryFor picks the first page spec the corpus and schema support and
// returns its documents (bodies to POST) and the query.
func pageQueryFor(b *testing.B, c *corpus) ([]corpusDoc, pageQuery) {
	for _, spec := range pageSpecs {
		var template *corpusDoc
		for i := range c.docs {
			if c.docs[i].endpoint == spec.endpoint {
				template = &c.docs[i]
				break
			}
		}
		if template == nil || !hasQueryField(c.manifest, template.projectEndpoint, spec.endpoint, spec.field) {
			continue
		}
		doc, err := decode(template.body)
		if err != nil {
			b.Fatal(err)
		}
		docs := make([]corpusDoc, 0, pageDocs)
		for i := 0; i < pageDocs; i++ {
			doc[spec.idField], doc[spec.field] = spec.id(i), spec.value
			body, err := json.Marshal(doc)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, corpusDoc{path: fmt.Sprintf("%s page copy %d", template.path, i),
				projectEndpoint: template.projectEndpoint, endpoint: spec.endpoint, body: body})
		}
		return docs, pageQuery{template.projectEndpoint, spec.endpoint, spec.field, spec.value, pageSize}
	}
	b.Skipf("corpus %s has no document to page through (%v)", c.name, pageSpecs)
	return nil, pageQuery{}
}

// hasQueryField reports whether the resource at the route has the query
// field.
func hasQueryField(m *manifest.Manifest, projectEndpoint, endpoint, field string) bool {
	for _, r := range m.Resources {
		if r.ProjectEndpoint == projectEndpoint && r.EndpointName == endpoint {
			for _, q := range r.QueryFields {
				if q.Name == field {
					return true
				}
			}
		}
	}
	return false
}

// benchQueryPage times reading the first page of 100 of 250 documents
// matching an equality filter on a non-identity field; one op is one page.
func benchQueryPage(b *testing.B, c *corpus, st *benchStore) { benchQueryPageWith(b, c, st, false) }

// benchQueryPageCached is benchQueryPage with the relational store's
// document cache on and filled by the projector (untimed) before the
// timed pages; the baseline runs as in benchQueryPage.
func benchQueryPageCached(b *testing.B, c *corpus, st *benchStore) {
	benchQueryPageWith(b, c, st, true)
}

// benchQueryPageWith times the first page of the page query, through the
// document cache when cached and the store has one.
func benchQueryPageWith(b *testing.B, c *corpus, st *benchStore, cached bool) {
	st.ensureLoaded(b, c)
	docs, q := pageQueryFor(b, c)
	ctx := context.Background()
	if !st.pageReady {
		st.fresh = false
		for _, d := range docs {
			if _, err := st.upsert(ctx, d.projectEndpoint, d.endpoint, d.body); err != nil {
				b.Fatalf("%s store: POST %s: %v", st.name, d.path, err)
			}
		}
		st.pageReady = true
		st.analyzed = false
	}
	query := st.query
	if cached && st.queryCached != nil {
		query = st.queryCached
		if err := st.project(ctx); err != nil {
			b.Fatalf("%s store: project: %v", st.name, err)
		}
		st.analyzed = false
	}
	st.ensureAnalyzed(b)
	if _, err := query(ctx, q); err != nil { // prepare, untimed
		b.Fatalf("%s store: query %s=%v: %v", st.name, q.field, q.value, err)
	}
	lat := make([]time.Duration, 0, b.N)
	cpu := newCPUMeter(st)
	t0, s0 := st.counter.Count(), st.counter.Statements()
	b.ResetTimer()
	cpu.start()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		page, err := query(ctx, q)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatalf("%s store: query %s=%v: %v", st.name, q.field, q.value, err)
		}
		if len(page.Documents) != pageSize {
			b.Fatalf("%s store: query %s=%v returned %d documents, want %d", st.name, q.field, q.value, len(page.Documents), pageSize)
		}
	}
	cpu.stop()
	b.StopTimer()
	reportLatency(b, lat)
	cpu.report(b, b.N, "op")
	reportTrips(b, st, t0, s0)
}

// reportTrips reports round trips and statements per op since the counts
// t0 and s0.
func reportTrips(b *testing.B, st *benchStore, t0, s0 int64) {
	b.ReportMetric(float64(st.counter.Count()-t0)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(st.counter.Statements()-s0)/float64(b.N), "stmts/op")
}
