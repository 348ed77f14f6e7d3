package runtimebench

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// The mixed workload (operation Mixed): mixedWorkers goroutines each run
// a seeded sequence of 80% GET by id of a stored corpus document, 15% PUT
// of a non-identity value and 5% PUT that changes the identity, over their
// own documents of a mixedSubject, for mixedDuration (mixedSmokeDuration in a smoke run;
// DMSC_MIXED_DURATION overrides both).
const (
	mixedWorkers       = 2
	mixedDocuments     = 200 // per store, split between the workers
	mixedDuration      = 60 * time.Second
	mixedSmokeDuration = 2 * time.Second
	mixedDurationEnv   = "DMSC_MIXED_DURATION"
	// mixedGetPct and mixedPutPct are the GET and non-identity PUT shares
	// (the rest changes identities).
	mixedGetPct = 80
	mixedPutPct = 15
	// backlogSampleEvery is how often the relational run samples the
	// projector's backlog.
	backlogSampleEvery = 100 * time.Millisecond
)

// mixedSubject is the resource the mixed workload writes: one that
// allows identity updates, with a body built from an identity value and a
// non-identity variant.
type mixedSubject struct {
	projectEndpoint, endpoint string
	body                      func(identity string, variant int) []byte
}

// mixedSubjectFor picks the corpus's subject: DS 5.0 class periods of the
// corpus's first school (DS 5.0 students do not allow identity updates),
// else students (the example schema's do). ok is false when neither fits.
func mixedSubjectFor(c *corpus) (mixedSubject, bool) {
	allows := func(pe, ep string) bool {
		for _, r := range c.manifest.Resources {
			if r.ProjectEndpoint == pe && r.EndpointName == ep {
				return r.AllowIdentityUpdates
			}
		}
		return false
	}
	for _, d := range c.docs {
		if d.endpoint != "schools" || !allows(d.projectEndpoint, "classPeriods") {
			continue
		}
		var school struct {
			SchoolID json.Number `json:"schoolId"`
		}
		if json.Unmarshal(d.body, &school) != nil || school.SchoolID == "" {
			continue
		}
		return mixedSubject{d.projectEndpoint, "classPeriods", func(name string, v int) []byte {
			return fmt.Appendf(nil, `{"classPeriodName":%q,"schoolReference":{"schoolId":%s},"officialAttendancePeriod":%t}`, name, school.SchoolID, v%2 == 0)
		}}, true
	}
	for _, d := range c.docs {
		if d.endpoint == "students" && allows(d.projectEndpoint, "students") {
			return mixedSubject{d.projectEndpoint, "students", func(uid string, v int) []byte {
				return fmt.Appendf(nil, `{"studentUniqueId":%q,"firstName":"F%d","lastSurname":"Mixed","birthDate":"2010-01-01"}`, uid, v)
			}}, true
		}
	}
	return mixedSubject{}, false
}

// mixedDurationFor returns how long the mixed workload runs.
func mixedDurationFor(tb testing.TB) time.Duration {
	if v := os.Getenv(mixedDurationEnv); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			tb.Fatalf("%s=%q: want a positive duration such as 60s", mixedDurationEnv, v)
		}
		return d
	}
	if smokeRun() {
		return mixedSmokeDuration
	}
	return mixedDuration
}

// mixedSlot is one document a worker owns: its id and the identity it has.
type mixedSlot struct {
	id, uniqueID string
	// base is the first identity; renames count the identity changes.
	base    string
	renames int
}

// mixedTally is what one worker measured.
type mixedTally struct {
	gets, puts, renames int
	getLat              []time.Duration
}

// benchMixed runs the mixed workload once per store (b.N is ignored
// beyond the first op: the run is bounded by time, not by count). With
// the relational store, GETs go through the DocumentCache and the
// projector runs for the whole run; the run reports the cache hit ratio
// of those GETs, the p99 of the projector's backlog (documents whose cache
// row is missing or stale) sampled every 100 ms, and the p99 of the
// sampled age of the oldest entry of that backlog (staleness-p99-ms: how
// long a change waits at most before the cache holds it).
func benchMixed(b *testing.B, c *corpus, st *benchStore) {
	st.ensureReady(b, c)
	ctx := context.Background()
	sub, ok := mixedSubjectFor(c)
	if !ok {
		b.Skipf("corpus %s has no resource the mixed workload can write (DS 5.0 class periods, example students)", c.name)
	}
	slots := make([][]mixedSlot, mixedWorkers)
	st.mixedRuns++
	for i := range mixedDocuments {
		uid := fmt.Sprintf("mixed%d-%04d", st.mixedRuns, i)
		res, err := st.upsert(ctx, sub.projectEndpoint, sub.endpoint, sub.body(uid, 0))
		if err != nil {
			b.Fatalf("%s store: POST %s %s: %v", st.name, sub.endpoint, uid, err)
		}
		slots[i%mixedWorkers] = append(slots[i%mixedWorkers], mixedSlot{id: res.ID, uniqueID: uid, base: uid})
	}
	st.analyzed = false
	st.ensureAnalyzed(b)
	get := st.get
	var stopProjector func()
	var stats0 relstore.CacheStats
	if st.getCached != nil {
		get = st.getCached
		if err := st.project(ctx); err != nil { // start from a full cache
			b.Fatalf("%s store: project: %v", st.name, err)
		}
		stopProjector = st.startProjector()
		stats0 = st.cacheStats()
		// Its writes queue their documents, as dmsc serve --projector's.
		st.queued = true
		defer func() { st.queued = false }()
	}
	warmUp(b, st, get, st.loaded)
	duration := mixedDurationFor(b)
	runCtx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var backlogs, ages []float64
	var sampler sync.WaitGroup
	if st.backlog != nil {
		sampler.Add(1)
		go func() {
			defer sampler.Done()
			t := time.NewTicker(backlogSampleEvery)
			defer t.Stop()
			for {
				select {
				case <-runCtx.Done():
					return
				case <-t.C:
				}
				bl, err := st.backlog(ctx)
				if err != nil {
					b.Errorf("%s store: cache backlog: %v", st.name, err)
					return
				}
				backlogs = append(backlogs, float64(bl.Documents))
				ages = append(ages, float64(bl.OldestAge)/float64(time.Millisecond))
			}
		}()
	}
	// GETs read the corpus and the written documents alike.
	readable := slices.Clone(st.loaded)
	for _, ws := range slots {
		for _, sl := range ws {
			readable = append(readable, loadedDoc{sub.projectEndpoint, sub.endpoint, sl.id})
		}
	}
	tallies := make([]mixedTally, mixedWorkers)
	errs := make([]error, mixedWorkers)
	var workers sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range mixedWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			tallies[w], errs[w] = mixedWorker(runCtx, st, get, readable, sub, slots[w], rand.New(rand.NewPCG(uint64(w), 15)))
		}()
	}
	workers.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	sampler.Wait()
	if stopProjector != nil {
		stopProjector()
	}
	for w, err := range errs {
		if err != nil {
			b.Fatalf("%s store: worker %d: %v", st.name, w, err)
		}
	}
	var all mixedTally
	for _, t := range tallies {
		all.gets += t.gets
		all.puts += t.puts
		all.renames += t.renames
		all.getLat = append(all.getLat, t.getLat...)
	}
	if all.gets == 0 {
		b.Fatalf("%s store: the mixed workload ran no GET in %v", st.name, elapsed)
	}
	// The next run starts from a fresh load, as this one did: a minute of
	// PUTs leaves dead rows that the next run's VACUUM does not give
	// back, and five runs in a row on one database fell from 4,091 to
	// 2,144 ops/s (relational) while the baseline held.
	st.loaded, st.analyzed, st.cacheFilled = nil, false, false
	s, ops := elapsed.Seconds(), float64(all.gets+all.puts+all.renames)
	b.ReportMetric(float64(elapsed.Nanoseconds())/ops, "ns/op")
	b.ReportMetric(ops/s, "ops/s")
	b.ReportMetric(float64(all.puts+all.renames)/s, "write-docs/s")
	b.ReportMetric(float64(all.renames), "identity-puts")
	b.ReportMetric(quantile(durationsNs(all.getLat), 0.50), "get-p50-ns")
	b.ReportMetric(quantile(durationsNs(all.getLat), 0.99), "get-p99-ns")
	if st.cacheStats != nil {
		st1 := st.cacheStats()
		hits, misses := st1.Hits-stats0.Hits, st1.Misses-stats0.Misses
		if hits+misses > 0 {
			b.ReportMetric(float64(hits)/float64(hits+misses), "cache-hit-ratio")
		}
	}
	if len(backlogs) > 0 {
		b.ReportMetric(quantile(backlogs, 0.99), "backlog-p99-docs")
		b.ReportMetric(quantile(ages, 0.99), "staleness-p99-ms")
	}
}

// mixedWorker runs the workload until ctx ends: GETs of readable, writes
// of its own slots.
func mixedWorker(ctx context.Context, st *benchStore, get getFunc, readable []loadedDoc, sub mixedSubject, slots []mixedSlot, rng *rand.Rand) (mixedTally, error) {
	var t mixedTally
	for ctx.Err() == nil {
		r := rng.IntN(100)
		switch {
		case r < mixedGetPct:
			d := readable[rng.IntN(len(readable))]
			t0 := time.Now()
			if _, err := get(ctx, d.projectEndpoint, d.endpoint, d.id); err != nil {
				if ctx.Err() != nil {
					return t, nil
				}
				return t, fmt.Errorf("GET /%s/%s/%s: %w", d.projectEndpoint, d.endpoint, d.id, err)
			}
			t.getLat = append(t.getLat, time.Since(t0))
			t.gets++
		case r < mixedGetPct+mixedPutPct:
			sl := &slots[rng.IntN(len(slots))]
			if _, err := st.upsert(ctx, sub.projectEndpoint, sub.endpoint, sub.body(sl.uniqueID, rng.IntN(1_000_000))); err != nil {
				if ctx.Err() != nil {
					return t, nil
				}
				return t, fmt.Errorf("PUT %s %s: %w", sub.endpoint, sl.uniqueID, err)
			}
			t.puts++
		default:
			sl := &slots[rng.IntN(len(slots))]
			sl.renames++
			uid := fmt.Sprintf("%s-r%d", sl.base, sl.renames)
			if err := st.updateIdentity(ctx, sub.projectEndpoint, sub.endpoint, sl.id, sub.body(uid, 1)); err != nil {
				if ctx.Err() != nil {
					return t, nil
				}
				return t, fmt.Errorf("PUT %s %s → %s: %w", sub.endpoint, sl.uniqueID, uid, err)
			}
			sl.uniqueID = uid
			t.renames++
		}
	}
	return t, nil
}

// durationsNs converts latencies to nanoseconds.
func durationsNs(ds []time.Duration) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d.Nanoseconds())
	}
	return out
}

// quantile is the nearest-rank q-quantile of xs (0 when empty).
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}
