package relstore_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/internal/authoracle"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// The run of TestAuthConcurrentReparents, bounded by iteration counts.
const (
	concSeed        = 20261213
	concSEA         = int64(1)
	concSchools     = 20
	concStudents    = 30
	concSeedSSAs    = 40
	concLEAMoves    = 60  // by the one LEA re-parenter
	concSchoolMoves = 80  // by each of the two school re-parenters
	concInserts     = 130 // by each of the two association writers
	concReaders     = 3
	concMaxReads    = 3000 // per reader, a bound only a hang would reach
)

// concLEAs are the run's LEAs (all under the SEA; some under another LEA).
var concLEAs = []int64{10, 11, 12, 13}

// span is the run's logical clock read before an operation started and
// after it returned: an operation whose end is before another's start
// happened before it (its commit is visible to the other's statements).
type span struct{ start, end int64 }

// reparent is one committed hierarchy write: EdOrg edorg's parent LEA
// became parent (0: none; an LEA stays under the SEA).
type reparent struct {
	span
	edorg, parent int64
}

// enrollment is one inserted StudentSchoolAssociation.
type enrollment struct {
	span
	id   string
	body any // as written, decoded with jsonvalue
}

// readKind is what a reader did.
type readKind int

const (
	readEnrollments readKind = iota // query StudentSchoolAssociations
	readStudents                    // query Students
	getEnrollment                   // GET a StudentSchoolAssociation
	getStudent                      // GET a Student
)

func (k readKind) String() string {
	return [...]string{"query enrollments", "query students", "GET enrollment", "GET student"}[k]
}

// observation is what one reader statement returned under a grant on LEA
// lea: the documents of a query (and its total), or the status of a GET
// of target.
type observation struct {
	span
	kind   readKind
	lea    int64
	ids    []string
	total  int64
	target string
	status int
}

// concRun is the state of TestAuthConcurrentReparents.
type concRun struct {
	t     *testing.T
	st    *relstore.Store
	m     *manifest.Manifest
	h     authoracle.Hierarchy
	clock atomic.Int64

	ssaRes, studentRes *manifest.Resource
	ssaPred, stuPred   authz.Predicate

	ids map[int64]string // EdOrg id → DocumentUuid
	// initial is the hierarchy before the run: EdOrg → parent LEA (0: none).
	initial map[int64]int64
	// students are the students' bodies by DocumentUuid.
	students map[string]any
	// seedSSAs are the associations written before the run.
	seedSSAs []enrollment

	// Written by one goroutine each, read after the run.
	moves   [][]reparent   // per re-parenter: [0] LEAs, [1] and [2] schools
	inserts [][]enrollment // per association writer
	reads   [][]observation

	mu        sync.Mutex
	published []string // inserted association ids, for the readers' GETs

	// Used by the test's goroutine only (seeding, checks).
	bodies  map[string]any // decoded JSON by text
	oracles map[string]*authoracle.Oracle
}

// tick reads the logical clock.
func (r *concRun) tick() int64 { return r.clock.Add(1) }

// body decodes a JSON body (cached by text).
func (r *concRun) body(text string) any {
	if b, ok := r.bodies[text]; ok {
		return b
	}
	b, err := jsonvalue.Decode([]byte(text))
	if err != nil {
		r.t.Fatalf("%s: %v", text, err)
	}
	r.bodies[text] = b
	return b
}

// concSEABody, concLEABody, concSchoolBody, concStudentBody and
// concSSABody are the run's DS 5.0 documents.
func concSEABody() string {
	return fmt.Sprintf(`{"stateEducationAgencyId":%d,"nameOfInstitution":"SEA","categories":[{"educationOrganizationCategoryDescriptor":"uri://ed-fi.org/EducationOrganizationCategoryDescriptor#State"}]}`, concSEA)
}

func concLEABody(id, parent int64) string {
	p := ""
	if parent != 0 {
		p = fmt.Sprintf(`,"parentLocalEducationAgencyReference":{"localEducationAgencyId":%d}`, parent)
	}
	return fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA %d","categories":[{"educationOrganizationCategoryDescriptor":"uri://ed-fi.org/EducationOrganizationCategoryDescriptor#District"}],"localEducationAgencyCategoryDescriptor":"uri://ed-fi.org/LocalEducationAgencyCategoryDescriptor#Independent","stateEducationAgencyReference":{"stateEducationAgencyId":%d}%s}`, id, id, concSEA, p)
}

func concSchoolBody(id, lea int64) string {
	return fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"School %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],"educationOrganizationCategories":[{"educationOrganizationCategoryDescriptor":"uri://ed-fi.org/EducationOrganizationCategoryDescriptor#School"}],"localEducationAgencyReference":{"localEducationAgencyId":%d}}`, id, id, lea)
}

func concStudentBody(n int) string {
	return fmt.Sprintf(`{"studentUniqueId":"C%02d","firstName":"Con","lastSurname":"Current","birthDate":"2010-01-01"}`, n)
}

func concSSABody(student int, school int64, day int) string {
	date := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day).Format(time.DateOnly)
	return fmt.Sprintf(`{"studentReference":{"studentUniqueId":"C%02d"},"schoolReference":{"schoolId":%d},"entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade","entryDate":%q}`, student, school, date)
}

// concSchool is the id of school i.
func concSchool(i int) int64 { return 1000 + int64(i) }

// TestAuthConcurrentReparents: on DS 5.0 (1 SEA, 4 LEAs, 20 schools, 30
// students), one goroutine re-parents LEAs (under another LEA or none) and
// two move schools between LEAs, all through the store, while two insert
// StudentSchoolAssociations and three readers, each read under a grant on
// one LEA (SISVendor: RelationshipsWithEdOrgsAndPeople), query the
// associations and the students (one statement each, total included) and
// GET single ones.
//
// Every operation is bracketed by a logical clock (read before it starts
// and after it returns), so for each read the writes that surely committed
// before it (ended before it started) and those it cannot see (started
// after it ended) are known; the others may or may not be visible. A
// statement sees one snapshot, so the read must equal the oracle's answer
// for one admissible state: a hierarchy made of every re-parent that
// surely committed before plus some of the uncertain ones, closed under
// happened-before, with the associations that surely exist (those
// written before the read started) and at most those that may (started
// before it ended). Precisely, for some admissible hierarchy, every
// document read is allowed by the oracle (built from document JSON alone)
// with the possible associations, and every document that surely existed
// and that the oracle allows with the sure associations was read; a GET's
// 200 or 403 must be the oracle's answer in some admissible hierarchy.
// Afterwards the authorization audit (and the edges and identity audits)
// are clean, the closure is the one of the hierarchy written last, and
// every LEA's grant reads exactly what the oracle built from the stored
// documents allows.
func TestAuthConcurrentReparents(t *testing.T) {
	start := time.Now()
	repo := testenv.RepoRoot(t)
	overlay := filepath.Join(repo, "testdata", "auth", "ds-5.0.overlay.json")
	m := relstoretest.CompileWithOverlay(t, overlay, testenv.DS50(t))
	env := relstoretest.NewWithModel(t, "auth_concurrency", m, relstore.Options{VerifyEdges: true},
		func(c *pgxpool.Config) { c.MaxConns = 12 })
	st := env.Store
	t.Logf("provisioned in %v", time.Since(start).Round(time.Millisecond))
	h, err := authoracle.LoadHierarchy(overlay)
	if err != nil {
		t.Fatal(err)
	}
	claims := loadClaims(t, "claims.ds-5.0-sample.json")
	r := &concRun{t: t, st: st, m: st.Manifest(), h: h,
		ids: map[int64]string{}, initial: map[int64]int64{}, students: map[string]any{},
		moves: make([][]reparent, 3), inserts: make([][]enrollment, 2), reads: make([][]observation, concReaders),
		bodies: map[string]any{}, oracles: map[string]*authoracle.Oracle{}}
	r.ssaRes, r.studentRes = findByName(r.m, "Ed-Fi", "StudentSchoolAssociation"), findByName(r.m, "Ed-Fi", "Student")
	for _, x := range []struct {
		res  *manifest.Resource
		pred *authz.Predicate
	}{{r.ssaRes, &r.ssaPred}, {r.studentRes, &r.stuPred}} {
		dec := claims.ResolveResource("SISVendor", x.res, authz.ActionRead)
		if dec.Status() != 0 {
			t.Fatalf("SISVendor may not read %s: %v", x.res.ResourceName, dec)
		}
		*x.pred = dec.Predicate
	}
	seeding := time.Now()
	r.seed()
	t.Logf("seeded in %v", time.Since(seeding).Round(time.Millisecond))

	run := time.Now()
	var writers, readers sync.WaitGroup
	var stop atomic.Bool
	for g := range 3 {
		writers.Go(func() { r.reparenter(g) })
	}
	for w := range 2 {
		writers.Go(func() { r.inserter(w) })
	}
	for k := range concReaders {
		readers.Go(func() { r.reader(k, &stop) })
	}
	writers.Wait()
	stop.Store(true)
	readers.Wait()
	nreads := 0
	for _, rs := range r.reads {
		nreads += len(rs)
	}
	t.Logf("run: %d re-parents, %d inserts, %d reads in %v", len(r.moves[0])+len(r.moves[1])+len(r.moves[2]), len(r.inserts[0])+len(r.inserts[1]), nreads, time.Since(run).Round(time.Millisecond))
	// A failed write stopped its goroutine; the logs hold only the writes
	// that succeeded (committed), so the reads are checked all the same.
	check := time.Now()
	r.checkReads()
	t.Logf("reads checked against the oracle in %v (%d oracles built)", time.Since(check).Round(time.Millisecond), len(r.oracles))
	r.checkFinal(env)
	t.Logf("%v in all", time.Since(start).Round(time.Millisecond))
}

// seed writes the descriptors, the hierarchy, the students and the first
// associations.
func (r *concRun) seed() {
	t, st := r.t, r.st
	for _, x := range []struct{ ep, ns, code string }{
		{"educationOrganizationCategoryDescriptors", "uri://ed-fi.org/EducationOrganizationCategoryDescriptor", "State"},
		{"educationOrganizationCategoryDescriptors", "uri://ed-fi.org/EducationOrganizationCategoryDescriptor", "District"},
		{"educationOrganizationCategoryDescriptors", "uri://ed-fi.org/EducationOrganizationCategoryDescriptor", "School"},
		{"localEducationAgencyCategoryDescriptors", "uri://ed-fi.org/LocalEducationAgencyCategoryDescriptor", "Independent"},
		{"gradeLevelDescriptors", "uri://ed-fi.org/GradeLevelDescriptor", "Tenth Grade"},
	} {
		mustUpsert(t, st, "ed-fi", x.ep, fmt.Sprintf(`{"namespace":%q,"codeValue":%q,"shortDescription":%q}`, x.ns, x.code, x.code))
	}
	r.ids[concSEA] = mustUpsert(t, st, "ed-fi", "stateEducationAgencies", concSEABody()).ID
	for _, l := range concLEAs {
		r.initial[l] = 0
	}
	r.initial[concLEAs[1]] = concLEAs[0] // LEA 11 under LEA 10, the others under the SEA only
	for _, l := range concLEAs {
		r.ids[l] = mustUpsert(t, st, "ed-fi", "localEducationAgencies", concLEABody(l, r.initial[l])).ID
	}
	for i := range concSchools {
		s := concSchool(i)
		r.initial[s] = concLEAs[i%len(concLEAs)]
		r.ids[s] = mustUpsert(t, st, "ed-fi", "schools", concSchoolBody(s, r.initial[s])).ID
	}
	for n := range concStudents {
		text := concStudentBody(n)
		r.students[mustUpsert(t, st, "ed-fi", "students", text).ID] = r.body(text)
	}
	for i := range concSeedSSAs {
		text := concSSABody(i%concStudents, concSchool(i%concSchools), i)
		res := mustUpsert(t, st, "ed-fi", "studentSchoolAssociations", text)
		r.seedSSAs = append(r.seedSSAs, enrollment{id: res.ID, body: r.body(text)})
		r.published = append(r.published, res.ID)
	}
}

// reparenter g re-parents through the store: g = 0 moves LEAs under
// another LEA or none (never under one of its descendants: it is the only
// LEA writer, so its model of the LEA hierarchy is exact), g = 1 and 2
// move their schools (even, odd) to another LEA.
func (r *concRun) reparenter(g int) {
	rnd := rand.New(rand.NewPCG(concSeed, uint64(g)))
	cur := maps.Clone(r.initial)
	ctx := context.Background()
	n := concSchoolMoves
	if g == 0 {
		n = concLEAMoves
	}
	for range n {
		var edorg, parent int64
		var ep, body string
		if g == 0 {
			edorg = concLEAs[rnd.IntN(len(concLEAs))]
			options := []int64{0}
			for _, l := range concLEAs {
				if l != edorg && !concUnder(cur, l, edorg) {
					options = append(options, l)
				}
			}
			options = slices.DeleteFunc(options, func(l int64) bool { return l == cur[edorg] })
			if len(options) == 0 {
				continue // every other LEA is below this one, which has no parent LEA
			}
			parent = options[rnd.IntN(len(options))]
			ep, body = "localEducationAgencies", concLEABody(edorg, parent)
		} else {
			edorg = concSchool(2*rnd.IntN(concSchools/2) + g - 1)
			parent = concLEAs[rnd.IntN(len(concLEAs))]
			if parent == cur[edorg] {
				continue
			}
			ep, body = "schools", concSchoolBody(edorg, parent)
		}
		s := r.tick()
		_, err := r.st.Update(ctx, "ed-fi", ep, r.ids[edorg], []byte(body), "")
		e := r.tick()
		if err != nil {
			r.t.Errorf("re-parent %d under %d: %v", edorg, parent, err)
			return
		}
		cur[edorg] = parent
		r.moves[g] = append(r.moves[g], reparent{span{s, e}, edorg, parent})
	}
}

// concUnder reports whether EdOrg x is edorg or one of its descendants in
// the LEA hierarchy parents.
func concUnder(parents map[int64]int64, x, edorg int64) bool {
	for ; x != 0; x = parents[x] {
		if x == edorg {
			return true
		}
	}
	return false
}

// inserter w POSTs new associations of random students at random schools.
func (r *concRun) inserter(w int) {
	rnd := rand.New(rand.NewPCG(concSeed, uint64(10+w)))
	ctx := context.Background()
	for i := range concInserts {
		text := concSSABody(rnd.IntN(concStudents), concSchool(rnd.IntN(concSchools)), 1000*(w+1)+i)
		s := r.tick()
		res, err := r.st.Upsert(ctx, "ed-fi", "studentSchoolAssociations", []byte(text))
		e := r.tick()
		if err != nil || !res.Created {
			r.t.Errorf("insert an association: %+v %v", res, err)
			return
		}
		r.inserts[w] = append(r.inserts[w], enrollment{span{s, e}, res.ID, jsonvalueMust(r.t, text)})
		r.mu.Lock()
		r.published = append(r.published, res.ID)
		r.mu.Unlock()
	}
}

// jsonvalueMust decodes a JSON body (safe for concurrent use, unlike
// concRun.body).
func jsonvalueMust(t *testing.T, text string) any {
	b, err := jsonvalue.Decode([]byte(text))
	if err != nil {
		t.Errorf("%s: %v", text, err)
	}
	return b
}

// reader k reads under a grant on a random LEA, cycling through the read
// kinds, until the writers are done.
func (r *concRun) reader(k int, stop *atomic.Bool) {
	rnd := rand.New(rand.NewPCG(concSeed, uint64(20+k)))
	studentIDs := slices.Sorted(maps.Keys(r.students))
	for i := 0; i < concMaxReads && !stop.Load(); i++ {
		o := observation{kind: readKind(i % 4), lea: concLEAs[rnd.IntN(len(concLEAs))]}
		res, pred := r.ssaRes, r.ssaPred
		if o.kind == readStudents || o.kind == getStudent {
			res, pred = r.studentRes, r.stuPred
		}
		switch o.kind {
		case getEnrollment:
			r.mu.Lock()
			o.target = r.published[rnd.IntN(len(r.published))]
			r.mu.Unlock()
		case getStudent:
			o.target = studentIDs[rnd.IntN(len(studentIDs))]
		}
		ctx := relstore.WithGrant(context.Background(), relstore.Grant{Predicate: pred, EdOrgIDs: []int64{o.lea}})
		var err error
		o.start = r.tick()
		if o.target == "" {
			var page relstore.Page
			page, err = r.st.Query(ctx, res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{Limit: relstore.MaxLimit, TotalCount: true})
			for _, d := range page.Documents {
				o.ids = append(o.ids, d.ID)
			}
			o.total = page.Total
		} else {
			var doc relstore.Document
			doc, err = r.st.Get(ctx, res.ProjectEndpoint, res.EndpointName, o.target)
			var fe *relstore.ForbiddenError
			switch {
			case err == nil && doc.ID == o.target:
				o.status = 200
			case errors.As(err, &fe) && fe.Status == 403:
				o.status, err = 403, nil
			case err == nil:
				err = fmt.Errorf("GET %s returned document %s", o.target, doc.ID)
			}
		}
		o.end = r.tick()
		if err != nil {
			r.t.Errorf("reader %d: %s under LEA %d: %v", k, o.kind, o.lea, err)
			return
		}
		r.reads[k] = append(r.reads[k], o)
	}
}

// concState is one admissible state for a read: how many of each
// re-parenter's moves are visible.
type concState []int

func (s concState) String() string { return fmt.Sprint([]int(s)) }

// admissible returns the hierarchy states a read spanning sp may have
// seen: per re-parenter a prefix of its moves, holding at least those that
// ended before sp started and at most those that started before sp ended,
// such that a visible move's predecessors in happened-before (moves of
// other re-parenters that ended before it started) are visible too.
func (r *concRun) admissible(sp span) []concState {
	lo, hi := make([]int, len(r.moves)), make([]int, len(r.moves))
	for g, ms := range r.moves {
		for _, mv := range ms {
			if mv.end < sp.start {
				lo[g]++
			}
			if mv.start < sp.end {
				hi[g]++
			}
		}
	}
	var out []concState
	cur := make(concState, len(r.moves))
	var walk func(g int)
	walk = func(g int) {
		if g == len(cur) {
			for x, p := range cur {
				if p == 0 {
					continue
				}
				last := r.moves[x][p-1]
				for y, ms := range r.moves {
					for _, mv := range ms[cur[y]:] {
						if mv.end < last.start {
							return // an invisible move happened before a visible one
						}
					}
				}
			}
			out = append(out, slices.Clone(cur))
			return
		}
		for p := lo[g]; p <= hi[g]; p++ {
			cur[g] = p
			walk(g + 1)
		}
	}
	walk(0)
	return out
}

// hierarchy is the parent map of state s.
func (r *concRun) hierarchy(s concState) map[int64]int64 {
	out := maps.Clone(r.initial)
	for g, p := range s {
		for _, mv := range r.moves[g][:p] {
			out[mv.edorg] = mv.parent
		}
	}
	return out
}

// enrollments returns the associations of the run: the seeded ones and
// per writer those passing keep.
func (r *concRun) enrollments(keep func(span) bool) (map[string]any, string) {
	out := map[string]any{}
	for _, e := range r.seedSSAs {
		out[e.id] = e.body
	}
	var key []string
	for _, ins := range r.inserts {
		n := 0
		for _, e := range ins {
			if keep(e.span) {
				out[e.id] = e.body
				n++
			}
		}
		key = append(key, fmt.Sprint(n))
	}
	return out, strings.Join(key, ",")
}

// oracle returns (and caches) the oracle built from the documents of
// hierarchy state s and the associations ssas (keyed by ssaKey): the
// SEA, LEA and school bodies that state's writes wrote, and the
// association bodies.
func (r *concRun) oracle(s concState, ssas map[string]any, ssaKey string) *authoracle.Oracle {
	key := s.String() + "|" + ssaKey
	if o, ok := r.oracles[key]; ok {
		return o
	}
	parents := r.hierarchy(s)
	o, err := authoracle.Build(r.m, r.h, func(res *manifest.Resource) (map[string]any, error) {
		out := map[string]any{}
		switch res.ResourceName {
		case "StateEducationAgency":
			out[r.ids[concSEA]] = r.body(concSEABody())
		case "LocalEducationAgency":
			for _, l := range concLEAs {
				out[r.ids[l]] = r.body(concLEABody(l, parents[l]))
			}
		case "School":
			for i := range concSchools {
				s := concSchool(i)
				out[r.ids[s]] = r.body(concSchoolBody(s, parents[s]))
			}
		case "StudentSchoolAssociation":
			return ssas, nil
		}
		return out, nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	r.oracles[key] = o
	return o
}

// checkReads checks every observation against the oracle in the states
// admissible for it (see TestAuthConcurrentReparents).
func (r *concRun) checkReads() {
	t := r.t
	failures, concurrent, multi, nstates, nreads := 0, 0, 0, 0, 0
	counts := map[string]int{}
	for k, rs := range r.reads {
		for _, o := range rs {
			states := r.admissible(o.span)
			if len(states) == 0 {
				t.Fatalf("reader %d %s [%d,%d]: no admissible hierarchy state (the clock or the logs are wrong)", k, o.kind, o.start, o.end)
			}
			if len(states) > 1 {
				multi++
			}
			nstates += len(states)
			nreads++
			maybe, maybeKey := r.enrollments(func(sp span) bool { return sp.start < o.end })
			sure, sureKey := r.enrollments(func(sp span) bool { return sp.end < o.start })
			if maybeKey != sureKey {
				concurrent++
			}
			res, pred, docs := r.ssaRes, r.ssaPred, maybe
			if o.kind == readStudents || o.kind == getStudent {
				res, pred, docs = r.studentRes, r.stuPred, r.students
			}
			g := authoracle.Grant{EdOrgIDs: []int64{o.lea}}
			// why describes the admissible state closest to the read.
			why, best := "", -1
			ok := slices.ContainsFunc(states, func(s concState) bool {
				upper, lower := r.oracle(s, maybe, maybeKey), r.oracle(s, sure, sureKey)
				switch o.kind {
				case getEnrollment, getStudent:
					body := docs[o.target]
					if body == nil {
						why = " the GET's document is unknown"
						return false
					}
					if o.status == 200 {
						return upper.Allows(res, body, pred, g)
					}
					return !lower.Allows(res, body, pred, g)
				}
				if o.total != int64(len(o.ids)) {
					why = fmt.Sprintf(" total %d for %d documents", o.total, len(o.ids))
					return false
				}
				seen := map[string]bool{}
				var outside, missed []string
				for _, id := range o.ids {
					seen[id] = true
					if body := docs[id]; body == nil || !upper.Allows(res, body, pred, g) {
						outside = append(outside, id)
					}
				}
				sureDocs := docs
				if res == r.ssaRes {
					sureDocs = sure
				}
				for id, body := range sureDocs {
					if !seen[id] && lower.Allows(res, body, pred, g) {
						missed = append(missed, id)
					}
				}
				if n := len(outside) + len(missed); n > 0 {
					if best < 0 || n < best {
						best = n
						why = fmt.Sprintf(" closest, state %v (hierarchy %v): %d read outside the oracle's answer %v, %d missed that it allows %v",
							s, r.hierarchy(s), len(outside), firstIDs(outside), len(missed), firstIDs(missed))
					}
					return false
				}
				return true
			})
			counts[fmt.Sprintf("%s %d", o.kind, o.status)]++
			if !ok {
				failures++
				if failures <= 10 {
					t.Errorf("reader %d: %s under LEA %d [%d,%d] (status %d, %d documents) equals the oracle's answer in none of its %d admissible states;%s",
						k, o.kind, o.lea, o.start, o.end, o.status, len(o.ids), len(states), why)
				}
			}
		}
	}
	t.Logf("reads: %v; %d with more than one admissible hierarchy state (%.1f on average), %d concurrent with an insert; %d outside the oracle",
		counts, multi, float64(nstates)/float64(max(nreads, 1)), concurrent, failures)
	if multi == 0 {
		t.Errorf("no read overlapped a re-parent: the run exercised no concurrency")
	}
	if counts["GET enrollment 200"] == 0 || counts["GET enrollment 403"] == 0 || counts["GET student 200"] == 0 || counts["GET student 403"] == 0 {
		t.Errorf("GETs were not both allowed and denied: %v", counts)
	}
}

// firstIDs shortens a list of document ids for a message.
func firstIDs(ids []string) []string {
	slices.Sort(ids)
	if len(ids) > 3 {
		return append(ids[:3:3], "…")
	}
	return ids
}

// checkFinal checks the state after the run: clean audits, the closure of
// the last hierarchy, the stored documents' hierarchy equal to the last
// writes, and every LEA's grant reading exactly what the oracle built from
// the stored documents allows.
func (r *concRun) checkFinal(env *relstoretest.Env) {
	t, st := r.t, r.st
	ctx := context.Background()
	rep, err := st.AuditAuth(ctx, false, 20)
	if err != nil || rep.Differences != 0 {
		t.Errorf("auth audit after the run: %v %d differences %v", err, rep.Differences, rep.Findings)
	}
	auditsClean(t, st)

	last := make(concState, len(r.moves))
	for g := range r.moves {
		last[g] = len(r.moves[g])
	}
	final := r.hierarchy(last)
	parents := map[int64][]int64{concSEA: nil}
	for e, p := range final {
		if slices.Contains(concLEAs, e) {
			parents[e] = []int64{concSEA}
		}
		if p != 0 {
			parents[e] = append(parents[e], p)
		}
	}
	if got, want := closurePairs(t, env), wantClosure(parents); !slices.Equal(got, want) {
		t.Errorf("closure after the run\n got %v\nwant %v", got, want)
	}

	stored := map[*manifest.Resource]map[string]any{}
	o, err := authoracle.Build(r.m, r.h, func(res *manifest.Resource) (map[string]any, error) {
		d, err := allDocs(ctx, st, res)
		stored[res] = d
		return d, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if stored[r.studentRes], err = allDocs(ctx, st, r.studentRes); err != nil {
		t.Fatal(err)
	}
	if len(stored[r.studentRes]) != concStudents {
		t.Errorf("%d students stored, want %d", len(stored[r.studentRes]), concStudents)
	}
	for _, typ := range []struct{ name, path string }{
		{"LocalEducationAgency", "$.parentLocalEducationAgencyReference.localEducationAgencyId"},
		{"School", "$.localEducationAgencyReference.localEducationAgencyId"},
	} {
		for id, body := range stored[findByName(r.m, "Ed-Fi", typ.name)] {
			var edorg int64
			for e, u := range r.ids {
				if u == id {
					edorg = e
				}
			}
			if got, want := authoracle.Lookup1(body, typ.path), fmt.Sprint(final[edorg]); got != want && (got != "" || want != "0") {
				t.Errorf("stored %s %d has parent %q, the last write %s", typ.name, edorg, got, want)
			}
		}
	}
	ssas := stored[r.ssaRes]
	if want := concSeedSSAs + len(r.inserts[0]) + len(r.inserts[1]); len(ssas) != want {
		t.Errorf("%d associations stored, %d written", len(ssas), want)
	}
	for _, l := range append([]int64{concSEA}, concLEAs...) {
		g := authoracle.Grant{EdOrgIDs: []int64{l}}
		for _, x := range []struct {
			res  *manifest.Resource
			pred authz.Predicate
			docs map[string]any
		}{{r.ssaRes, r.ssaPred, ssas}, {r.studentRes, r.stuPred, stored[r.studentRes]}} {
			var want []string
			for id, body := range x.docs {
				if o.Allows(x.res, body, x.pred, g) {
					want = append(want, id)
				}
			}
			slices.Sort(want)
			page, err := st.Query(relstore.WithGrant(ctx, relstore.Grant{Predicate: x.pred, EdOrgIDs: []int64{l}}), x.res.ProjectEndpoint, x.res.EndpointName,
				relstore.QueryOptions{Limit: relstore.MaxLimit, TotalCount: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range page.Documents {
				got = append(got, d.ID)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) || page.Total != int64(len(want)) {
				t.Errorf("after the run, %s under EdOrg %d: %d documents (total %d), the oracle allows %d", x.res.ResourceName, l, len(got), page.Total, len(want))
			}
		}
	}
}
