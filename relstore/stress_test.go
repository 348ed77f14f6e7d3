package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// etagLedger records, per document and ETag, the body a reader saw: the
// same ETag with two different bodies is a missing ETag bump.
type etagLedger struct {
	mu     sync.Mutex
	bodies map[string]string // id|etag → body without metadata
	errs   []string
}

func (l *etagLedger) see(d relstore.Document) {
	v, err := jsonvalue.Decode(d.JSON)
	if err != nil {
		return
	}
	obj := v.(map[string]any)
	delete(obj, "_etag")
	delete(obj, "_lastModifiedDate")
	b := fmt.Sprint(jsonvalue.Normalize(obj))
	key := d.ID + "|" + d.ETag
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.bodies[key]; ok && prev != b {
		l.errs = append(l.errs, fmt.Sprintf("document %s ETag %s has two representations:\n%s\n%s", d.ID, d.ETag, prev, b))
	}
	l.bodies[key] = b
}

// TestConcurrencyStress runs writers that mix POSTs, PUTs (identity
// changes that cascade, descriptor URI changes that cascade, and plain
// updates) and DELETEs on a shared graph for a fixed number of operations,
// while readers record every (document, ETag) → representation they see,
// half of them through the document cache, and the cache projector runs.
// Afterwards the edge and identity audits find nothing, no ETag ever stood
// for two representations (a missing bump would show exactly that), no
// cache row is stale (the cache invariant) and the cache audit is clean;
// a projector cancelled in the middle of its batches loses nothing (the
// next run leaves no backlog).
func TestConcurrencyStress(t *testing.T) {
	if testing.Short() {
		t.Skip("stress test skipped in -short mode")
	}
	env, seedIDs := seeded(t, "stress")
	st := env.Store
	ctx := context.Background()
	const (
		writers   = 4
		opsEach   = 60
		readers   = 2
		students  = 4
		schools   = 3
		leaBase   = 500
		schoolID0 = 700001
	)
	// The shared graph: LEAs, schools under them, students, associations.
	var (
		mu      sync.Mutex
		ids     = map[string][]string{} // endpoint → ids
		nextNum atomic.Int64
	)
	addID := func(ep, id string) { mu.Lock(); ids[ep] = append(ids[ep], id); mu.Unlock() }
	pick := func(r *rand.Rand, ep string) string {
		mu.Lock()
		defer mu.Unlock()
		l := ids[ep]
		if len(l) == 0 {
			return ""
		}
		return l[r.IntN(len(l))]
	}
	for i := 0; i < schools; i++ {
		lea := mustUpsert(t, st, "example", "localEducationAgencies", fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA %d"}`, leaBase+i, i))
		addID("localEducationAgencies", lea.ID)
		s := mustUpsert(t, st, "example", "schools", fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"School %d","localEducationAgencyReference":{"localEducationAgencyId":%d},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`, schoolID0+i, i, leaBase+i))
		addID("schools", s.ID)
		p := mustUpsert(t, st, "example", "programs", fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":"P%d","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`, leaBase+i, i))
		addID("programs", p.ID)
	}
	for i := 0; i < students; i++ {
		s := mustUpsert(t, st, "example", "students", fmt.Sprintf(`{"studentUniqueId":"ST%d","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`, i))
		addID("students", s.ID)
	}
	// current reads a document's body (identity values follow cascades).
	current := func(ep, id string) map[string]any {
		d, err := st.Get(ctx, "example", ep, id)
		if err != nil {
			return nil
		}
		v, _ := jsonvalue.Decode(d.JSON)
		return v.(map[string]any)
	}
	ledger := &etagLedger{bodies: map[string]string{}}
	// Half the reads go through the document cache: a stale cached body
	// would show up in the ledger too.
	cached, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	// The projector fills the cache while the writers change documents.
	projCtx, stopProjector := context.WithCancel(ctx)
	projDone := make(chan error, 1)
	go func() {
		// Sweeps run often too: they queue what the writers without
		// Options.DocumentCache wrote, racing the writers that queue.
		projDone <- cached.RunProjector(projCtx, relstore.ProjectOptions{Batch: 5, SweepInterval: 20 * time.Millisecond}, 2*time.Millisecond, nil)
	}()
	// A descriptor whose URI changes: the programs' identities show it.
	uris, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{VerifyEdges: true, DescriptorURIUpdates: true})
	if err != nil {
		t.Fatal(err)
	}
	programType := seedIDs[4]
	var done atomic.Bool
	var stats sync.Map
	count := func(k string) {
		v, _ := stats.LoadOrStore(k, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	var rwg sync.WaitGroup
	for r := 0; r < readers; r++ {
		rwg.Add(1)
		go func(seed uint64) {
			defer rwg.Done()
			rng := rand.New(rand.NewPCG(seed, 7))
			for !done.Load() {
				ep := []string{"students", "schools", "programs", "localEducationAgencies", "studentSchoolAssociations", "programTypeDescriptors"}[rng.IntN(6)]
				reader := st
				if rng.IntN(2) == 0 {
					reader = cached
				}
				if rng.IntN(4) == 0 {
					// A page: through the cache, its bodies come from
					// dms.DocumentCache rows alone (cachedPageSQL).
					if p, err := reader.Query(ctx, "example", ep, relstore.QueryOptions{Limit: 50}); err == nil {
						for _, d := range p.Documents {
							ledger.see(d)
						}
					}
					continue
				}
				if id := pick(rng, ep); id != "" {
					if d, err := reader.Get(ctx, "example", ep, id); err == nil {
						ledger.see(d)
					}
				}
			}
		}(uint64(r))
	}
	// Half the writers run with the options of dmsc serve --projector,
	// where a write's COMMIT travels with its rows (pipeTx) and the write
	// queues its documents for the projector; the others verify edges,
	// which keeps COMMIT a round trip of its own, and queue nothing.
	prod, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			st := st
			if seed%2 == 1 {
				st = prod
			}
			rng := rand.New(rand.NewPCG(seed, 11))
			for op := 0; op < opsEach; op++ {
				var err error
				kind := rng.IntN(7)
				n := nextNum.Add(1)
				switch kind {
				case 0: // identity change of a student (cascades to associations)
					id := pick(rng, "students")
					_, err = st.Update(ctx, "example", "students", id, []byte(fmt.Sprintf(`{"studentUniqueId":"ST-%d","firstName":"F","lastSurname":"L","birthDate":"2010-01-01"}`, n)), "")
				case 1: // identity change of an LEA (alias cascade to programs)
					id := pick(rng, "localEducationAgencies")
					_, err = st.Update(ctx, "example", "localEducationAgencies", id, []byte(fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA"}`, 10000+n)), "")
				case 2, 3: // new association between current identities
					stu, sch := current("students", pick(rng, "students")), current("schools", pick(rng, "schools"))
					if stu == nil || sch == nil {
						continue
					}
					var res relstore.WriteResult
					res, err = st.Upsert(ctx, "example", "studentSchoolAssociations", []byte(fmt.Sprintf(
						`{"studentReference":{"studentUniqueId":%q},"schoolReference":{"schoolId":%v},"entryDate":"2024-01-%02d","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}`,
						stu["studentUniqueId"], sch["schoolId"], 1+rng.IntN(28))))
					if err == nil {
						addID("studentSchoolAssociations", res.ID)
					}
				case 4: // delete an association
					if id := pick(rng, "studentSchoolAssociations"); id != "" {
						err = st.Delete(ctx, "example", "studentSchoolAssociations", id, "")
					}
				case 5: // plain update of a school (re-point it to a current LEA), with or without tags
					// (which tables hold its rows changes: a reader's remembered shape goes stale)
					id := pick(rng, "schools")
					sch, lea := current("schools", id), current("localEducationAgencies", pick(rng, "localEducationAgencies"))
					if sch == nil || lea == nil {
						continue
					}
					tags := ""
					if rng.IntN(2) == 0 {
						tags = fmt.Sprintf(`,"tags":["t%d"]`, n)
					}
					_, err = st.Update(ctx, "example", "schools", id, []byte(fmt.Sprintf(`{"schoolId":%v,"nameOfInstitution":"School %d","localEducationAgencyReference":{"localEducationAgencyId":%v},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]%s}`,
						sch["schoolId"], n, lea["localEducationAgencyId"], tags)), "")
				case 6: // a descriptor URI change (cascades to the programs)
					_, err = uris.Update(ctx, "example", "programTypeDescriptors", programType, []byte(fmt.Sprintf(
						`{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Career %d","shortDescription":"Career"}`, n)), "")
				}
				var re *relstore.ReferenceError
				var ce *relstore.ConflictError
				var te *relstore.TransientError
				switch {
				case err == nil:
					count(fmt.Sprintf("ok/%d", kind))
				case errors.As(err, &re), errors.As(err, &ce), errors.Is(err, relstore.ErrNotFound):
					count("expected-race")
				case errors.As(err, &te):
					count("transient")
				default:
					t.Errorf("writer op %d: %v", kind, err)
				}
			}
		}(uint64(w))
	}
	wg.Wait()
	done.Store(true)
	rwg.Wait()
	stopProjector()
	if err := <-projDone; err != nil {
		t.Errorf("projector: %v", err)
	}
	var summary []string
	stats.Range(func(k, v any) bool {
		summary = append(summary, fmt.Sprintf("%s=%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	t.Logf("operations: %v", summary)
	// Every document once more through the ledger.
	for _, ep := range []string{"students", "schools", "programs", "localEducationAgencies", "studentSchoolAssociations", "programTypeDescriptors"} {
		p, err := st.Query(ctx, "example", ep, relstore.QueryOptions{Limit: relstore.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range p.Documents {
			ledger.see(d)
		}
	}
	for _, e := range ledger.errs {
		t.Error(e)
	}
	t.Logf("ledger holds %d (document, ETag) representations", len(ledger.bodies))
	for name, audit := range map[string]func(context.Context, relstore.AuditOptions) (*relstore.Report, error){"edges": st.AuditEdges, "identity": st.AuditIdentities} {
		r, err := audit(ctx, relstore.AuditOptions{})
		if err != nil || r.Differences != 0 {
			t.Errorf("%s audit after the stress run: %v %+v", name, err, r)
		}
	}
	if n := staleCacheRows(t, env); n != 0 {
		t.Errorf("%d stale cache rows after the stress run", n)
	}
	rep, err := cached.AuditCache(ctx, false, 10)
	if err != nil || rep.Differences != 0 || rep.Fresh == 0 {
		t.Errorf("cache audit after the stress run: %+v, %v", rep, err)
	}
	// A projector cancelled between (or inside) its batches loses
	// nothing: its open transaction rolls back and later runs project
	// what is left (a run skips the documents whose claim the cancelled
	// one's backend still holds until the server has rolled it back, so
	// the backlog may need a second run; a generous deadline, never a
	// timing, bounds the wait).
	// Every document is queued and the later runs claim from the queue
	// alone (no sweep): a claim the cancelled run lost would never drain.
	if _, err := env.Pool.Exec(ctx, `DELETE FROM "dms"."DocumentCache"`); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `INSERT INTO "dms"."DocumentCacheQueue" ("DocumentId") SELECT "DocumentId" FROM "dms"."Document" ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithCancel(ctx)
	go func() { time.Sleep(3 * time.Millisecond); cancel() }()
	_, _ = cached.Project(short, relstore.ProjectOptions{Batch: 1, SkipSweep: true})
	for deadline := time.Now().Add(30 * time.Second); ; {
		if _, err := cached.Project(ctx, relstore.ProjectOptions{SkipSweep: true}); err != nil {
			t.Fatal(err)
		}
		b, err := cached.CacheBacklog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if b.Documents == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backlog after a cancelled projector and later runs: %+v", b)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if q, err := cached.QueueBacklog(ctx); err != nil || q.Documents != 0 {
		t.Errorf("projector queue once the cache holds every document: %+v, %v", q, err)
	}
	if rep, err := cached.AuditCache(ctx, false, 10); err != nil || rep.Differences != 0 {
		t.Errorf("cache audit after a cancelled projector: %+v, %v", rep, err)
	}
	t.Logf("cache: %d fresh rows audited during the run; reader stats %+v; read shapes %+v", rep.Fresh, cached.CacheStats(), st.ShapeStats())
}
