package relstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/internal/authoracle"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// authOracleSeed seeds TestAuthOracleDS50's grants.
const authOracleSeed = 20261204

// oracleRun is the state of TestAuthOracleDS50: the store, the claims, the
// oracle built from the stored documents, and counters.
type oracleRun struct {
	t      *testing.T
	st     *relstore.Store
	claims *authz.Claims
	sets   []string
	h      authoracle.Hierarchy
	o      *authoracle.Oracle
	docs   map[*manifest.Resource]map[string]any
	// resources are those with securable elements and documents, by name.
	resources []*manifest.Resource
	edOrgs    [][]int64 // ids by EdOrg type (a level)
	prefixes  []string  // namespaces of stored documents
	rnd       *rand.Rand

	grants, beforeStore, statusChecked, queries, pages, gets int
	allowed, denied, getAllowed, getDenied                   int
	mismatches                                               int
	// writes counts the writes by kind and status; unremovable the
	// creates not tried because every document tried was referenced.
	writes      map[string]map[int]int
	unremovable int
	covered     map[string]bool
	byPredicate map[string]int
}

// TestAuthOracleDS50 loads the DS 5.0 corpus into a store compiled with
// our overlay and, for seeded random grants (claim sets of
// testdata/auth/claims.ds-5.0-sample.json, 0, 1 or many EdOrg ids at every
// level, an id no EdOrg has, namespace prefixes real, shortened,
// non-matching and duplicated), compares the store's answers with
// authoracle's, which reads the document JSON alone: every query's result
// set and total count, GETs (200 or 403), PUTs of a document's own body
// (allowed iff the oracle allows the stored document) and the statuses of
// grants that cannot be applied. Then it re-parents an LEA, moves a
// school, moves a Session to another school (an identity cascade) and
// deletes an unreferenced document through the store, rebuilds the oracle
// and compares again.
func TestAuthOracleDS50(t *testing.T) {
	start := time.Now()
	repo := testenv.RepoRoot(t)
	fixtures := testenv.Fixtures(t)
	overlay := filepath.Join(repo, "testdata", "auth", "ds-5.0.overlay.json")
	m := relstoretest.CompileWithOverlay(t, overlay, testenv.DS50(t))
	env := relstoretest.NewWithModel(t, "authoracle_ds50", m, relstore.Options{VerifyAuthRows: true})
	st := env.Store
	ctx := context.Background()
	set, err := roundtrip.Discover(filepath.Join(fixtures, "documents", "ds-5.0"), st.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundtrip.Load(ctx, st, set, nil); err != nil {
		t.Fatal(err)
	}
	claims := loadClaims(t, "claims.ds-5.0-sample.json")
	h, err := authoracle.LoadHierarchy(overlay)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d; corpus loaded in %v", authOracleSeed, time.Since(start).Round(time.Millisecond))
	r := &oracleRun{t: t, st: st, claims: claims, h: h, rnd: rand.New(rand.NewPCG(authOracleSeed, 1)),
		covered: map[string]bool{}, byPredicate: map[string]int{}, writes: map[string]map[int]int{}}
	for _, cs := range claims.ClaimSets() {
		r.sets = append(r.sets, cs.Name)
	}
	r.rebuild()
	own := r.addPeople(ctx)
	r.rebuild()
	t.Logf("our own documents: %d responsibility, %d staff and %d contact associations", own.responsibility, own.staff, own.contacts)

	// The EdOrg ids the oracle reads from the documents are those of
	// dms.EducationOrganization.
	var dbIDs []int64
	rows, err := env.Pool.Query(ctx, `SELECT "EducationOrganizationId" FROM dms."EducationOrganization" ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		dbIDs = append(dbIDs, id)
	}
	rows.Close()
	var oracleIDs []int64
	for _, typ := range st.Manifest().EdOrgTypes {
		oracleIDs = append(oracleIDs, r.o.EdOrgIDs(typ.ResourceName)...)
	}
	slices.Sort(oracleIDs)
	if !slices.Equal(dbIDs, oracleIDs) {
		t.Fatalf("dms.EducationOrganization holds %v, the documents %v", dbIDs, oracleIDs)
	}

	r.round(2000, "after the load")

	// Hierarchy edits, an identity cascade and a delete, all through the
	// store.
	edit := time.Now()
	leaRes, schoolRes := findByName(m2(st), "Ed-Fi", "LocalEducationAgency"), findByName(m2(st), "Ed-Fi", "School")
	leas := r.o.EdOrgIDs("LocalEducationAgency")
	if len(leas) < 2 {
		t.Fatalf("%d LEAs: cannot re-parent", len(leas))
	}
	// Re-parent the first LEA under the last one (its descendants follow),
	// or under another ESC or SEA when the corpus has one.
	leaID, leaBody := r.find(leaRes, "$.localEducationAgencyId", leas[0])
	newParent := leas[len(leas)-1]
	leaBody["parentLocalEducationAgencyReference"] = map[string]any{"localEducationAgencyId": newParent}
	for _, alt := range []struct{ typ, key, id string }{
		{"EducationServiceCenter", "educationServiceCenterReference", "educationServiceCenterId"},
		{"StateEducationAgency", "stateEducationAgencyReference", "stateEducationAgencyId"},
	} {
		cur := authoracle.Lookup1(leaBody, "$."+alt.key+"."+alt.id)
		for _, id := range r.o.EdOrgIDs(alt.typ) {
			if cur != "" && fmt.Sprint(id) != cur {
				leaBody[alt.key] = map[string]any{alt.id: id}
				t.Logf("LEA %d: %s %s → %d", leas[0], alt.typ, cur, id)
				break
			}
		}
	}
	r.put(leaRes, leaID, leaBody)
	t.Logf("LEA %d re-parented under LEA %d", leas[0], newParent)
	// Move a school of another LEA to the first LEA.
	var moved bool
	// (by school id, so that the same school moves in every run)
	schoolIDs := sortedKeys(r.docs[schoolRes])
	sort.Slice(schoolIDs, func(i, j int) bool {
		return authoracle.Lookup1(r.docs[schoolRes][schoolIDs[i]], "$.schoolId") < authoracle.Lookup1(r.docs[schoolRes][schoolIDs[j]], "$.schoolId")
	})
	for _, id := range schoolIDs {
		body := r.docs[schoolRes][id]
		if cur := authoracle.Lookup1(body, "$.localEducationAgencyReference.localEducationAgencyId"); cur != "" && cur != fmt.Sprint(leas[0]) {
			b := strip(body)
			b["localEducationAgencyReference"] = map[string]any{"localEducationAgencyId": leas[0]}
			r.put(schoolRes, id, b)
			t.Logf("school %s moved from LEA %s to LEA %d", authoracle.Lookup1(body, "$.schoolId"), cur, leas[0])
			moved = true
			break
		}
	}
	if !moved {
		t.Fatal("no school to move")
	}
	// An identity cascade: a Session with CourseOfferings is renamed. Moving
	// it to another school is refused: the CourseOfferings' equality
	// constraint ($.schoolReference.schoolId = $.sessionReference.schoolId)
	// would break.
	var sessionID string
	var school, other int64
	err = env.Pool.QueryRow(ctx, `SELECT d."DocumentUuid"::text, sc."SchoolId", (SELECT min(o."SchoolId") FROM edfi."School" o WHERE o."SchoolId" <> sc."SchoolId")
FROM edfi."Session" s JOIN dms."Document" d ON d."DocumentId" = s."DocumentId" JOIN edfi."School" sc ON sc."DocumentId" = s."School_DocumentId"
WHERE EXISTS (SELECT 1 FROM edfi."CourseOffering" c WHERE c."Session_DocumentId" = s."DocumentId") ORDER BY d."DocumentId" LIMIT 1`).Scan(&sessionID, &school, &other)
	if err != nil {
		t.Fatal(err)
	}
	sess := findByName(m2(st), "Ed-Fi", "Session")
	sb := r.get(sess, sessionID)
	move := map[string]any{}
	for k, v := range sb {
		move[k] = v
	}
	move["schoolReference"] = map[string]any{"schoolId": other}
	data, _ := json.Marshal(move)
	_, err = st.Update(ctx, sess.ProjectEndpoint, sess.EndpointName, sessionID, data, "")
	var ce *relstore.ConflictError
	if !errors.As(err, &ce) || ce.Constraint != "equality" {
		t.Fatalf("moving session %s to school %d: %v, want a 409 on the CourseOfferings' equality constraint", sessionID, other, err)
	}
	t.Logf("moving session %s from school %d to %d refused: %v", sessionID, school, other, err)
	sb["sessionName"] = fmt.Sprint(sb["sessionName"], " (renamed)")
	res := r.put(sess, sessionID, sb)
	if res.Cascade.Closure == 0 {
		t.Fatal("renaming the session cascaded to no document")
	}
	t.Logf("session %s renamed: %d documents in its identity closure", sessionID, res.Cascade.Closure)
	// Delete a StudentSchoolAssociation nothing references (students leave
	// the grants that reached them through it).
	ssa := findByName(m2(st), "Ed-Fi", "StudentSchoolAssociation")
	ids := sortedKeys(r.docs[ssa])
	deleted := ""
	for _, id := range ids {
		err := st.Delete(ctx, ssa.ProjectEndpoint, ssa.EndpointName, id, "")
		if err == nil {
			deleted = id
			break
		}
		var re *relstore.ReferencedError
		if !errors.As(err, &re) {
			t.Fatalf("delete StudentSchoolAssociation %s: %v", id, err)
		}
	}
	if deleted == "" {
		t.Fatal("every StudentSchoolAssociation is referenced: nothing deleted")
	}
	t.Logf("StudentSchoolAssociation %s deleted; edits took %v", deleted, time.Since(edit).Round(time.Millisecond))

	r.rebuild()
	r.round(400, "after the edits")
	// Query pages of grants with 2 claims or more in the probe form that
	// large grants use (their counts keep the IN form).
	restore := relstore.SetManyClaims(2)
	r.round(400, "after the edits, pages probing")
	restore()
	// Through a store serving fresh DocumentCache bodies (every document
	// projected): GETs and pages under grants take cached bodies, and
	// must decide as the oracle does.
	cst, err := relstore.Open(ctx, st.Manifest(), env.Pool, relstore.Options{DocumentCache: true, VerifyAuthRows: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cst.Project(ctx, relstore.ProjectOptions{}); err != nil {
		t.Fatal(err)
	}
	r.st = cst
	r.round(300, "after the edits, from the DocumentCache")
	r.st = st
	if s := cst.CacheStats(); s.Hits == 0 {
		t.Errorf("no GET under a grant was served from the cache: %+v", s)
	}
	// Through a store reading every grant's claims from a stored claim
	// set (ClaimSetMinimum 1): queries, GETs and writes decide as the
	// oracle does.
	sst, err := relstore.Open(ctx, st.Manifest(), env.Pool, relstore.Options{ClaimSetMinimum: 1, VerifyAuthRows: true})
	if err != nil {
		t.Fatal(err)
	}
	r.st = sst
	r.round(300, "after the edits, claims from stored claim sets")
	r.st = st
	var claimSets int
	if err := env.Pool.QueryRow(ctx, `SELECT count(DISTINCT "ClaimSetId") FROM auth."EducationOrganizationIdClaimSet"`).Scan(&claimSets); err != nil {
		t.Fatal(err)
	}
	if claimSets < 100 {
		t.Errorf("the claim set round stored %d claim sets, want one per grant with claims", claimSets)
	}
	t.Logf("claim set round: %d claim sets stored", claimSets)

	t.Logf("%d grants (%d decided before the store by the claim set, %d statuses compared), %d queries (%d pages), documents allowed %d / denied %d, %d GETs (%d 200, %d 403); writes by kind and status: %v (%d creates found only referenced documents); %d mismatches; %v in all",
		r.grants, r.beforeStore, r.statusChecked, r.queries, r.pages, r.allowed, r.denied, r.gets, r.getAllowed, r.getDenied, r.writes, r.unremovable, r.mismatches, time.Since(start).Round(time.Millisecond))
	var none []string
	for _, res := range r.resources {
		if !r.covered[res.ResourceName] {
			none = append(none, res.ResourceName)
		}
	}
	t.Logf("%d resources with securable elements and documents, %d predicates seen; documents allowed by each: %v", len(r.resources), len(r.byPredicate), r.byPredicate)
	if len(none) > 0 {
		t.Errorf("resources never exercised: %v", none)
	}
	if r.allowed == 0 || r.denied == 0 || r.getAllowed == 0 || r.getDenied == 0 {
		t.Errorf("too little exercised: allowed %d, denied %d, GET 200 %d / 403 %d", r.allowed, r.denied, r.getAllowed, r.getDenied)
	}
	for _, w := range writeKinds {
		if r.writes[w.name][w.allowed] == 0 || r.writes[w.name][403] == 0 {
			t.Errorf("too little exercised: %s %v", w.name, r.writes[w.name])
		}
	}
}

// m2 returns the store's manifest.
func m2(st *relstore.Store) *manifest.Manifest { return st.Manifest() }

// rebuild reads every document of every resource the oracle or the
// grants need and builds the oracle from them.
func (r *oracleRun) rebuild() {
	r.t.Helper()
	r.docs = map[*manifest.Resource]map[string]any{}
	docs := func(res *manifest.Resource) (map[string]any, error) {
		if d, ok := r.docs[res]; ok {
			return d, nil
		}
		d, err := allDocs(context.Background(), r.st, res)
		r.docs[res] = d
		return d, err
	}
	o, err := authoracle.Build(r.st.Manifest(), r.h, docs)
	if err != nil {
		r.t.Fatal(err)
	}
	r.o = o
	r.resources, r.edOrgs, r.prefixes = nil, nil, nil
	m := r.st.Manifest()
	for _, typ := range m.EdOrgTypes {
		if ids := o.EdOrgIDs(typ.ResourceName); len(ids) > 0 {
			r.edOrgs = append(r.edOrgs, ids)
		}
	}
	// The schools students are enrolled at, a level of their own so that
	// people strategies find something.
	var enrolled []int64
	for _, e := range o.Enrollments() {
		var id int64
		if _, err := fmt.Sscan(e[0], &id); err == nil && !slices.Contains(enrolled, id) {
			enrolled = append(enrolled, id)
		}
	}
	if len(enrolled) > 0 {
		r.edOrgs = append(r.edOrgs, enrolled)
	}
	r.edOrgs = append(r.edOrgs, r.peopleLevels()...)
	seen := map[string]bool{}
	for i := range m.Resources {
		res := &m.Resources[i]
		if len(res.SecurableElements) == 0 {
			continue
		}
		d, err := docs(res)
		if err != nil {
			r.t.Fatal(err)
		}
		if len(d) == 0 {
			continue
		}
		r.resources = append(r.resources, res)
		for _, e := range res.SecurableElements {
			if e.Subject != manifest.SubjectNamespace {
				continue
			}
			for _, body := range d {
				if ns := authoracle.Lookup1(body, e.Path); ns != "" && !seen[ns] {
					seen[ns] = true
					r.prefixes = append(r.prefixes, ns)
				}
			}
		}
	}
	sort.Slice(r.resources, func(i, j int) bool { return r.resources[i].ResourceName < r.resources[j].ResourceName })
	sort.Strings(r.prefixes)
	if len(r.resources) < 10 || len(r.prefixes) == 0 || len(r.edOrgs) < 3 {
		r.t.Fatalf("too small a corpus: %d resources with securable elements and documents, %d namespaces, %d EdOrg levels", len(r.resources), len(r.prefixes), len(r.edOrgs))
	}
}

// allDocs reads every document of res without a grant.
func allDocs(ctx context.Context, st *relstore.Store, res *manifest.Resource) (map[string]any, error) {
	out := map[string]any{}
	after := ""
	for {
		p, err := st.Query(ctx, res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{Limit: relstore.MaxLimit, After: after})
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", res.ResourceName, err)
		}
		for _, d := range p.Documents {
			body, err := jsonvalue.Decode(d.JSON)
			if err != nil {
				return nil, err
			}
			out[d.ID] = body
		}
		if p.Next == "" {
			return out, nil
		}
		after = p.Next
	}
}

// grant draws a random grant: 0, 1, several or many EdOrg ids from every
// level, sometimes an id no EdOrg has; 0 to 3 namespace prefixes, real,
// shortened, non-matching or duplicated.
func (r *oracleRun) grant() authoracle.Grant {
	var g authoracle.Grant
	n := 0
	switch x := r.rnd.IntN(20); {
	case x < 2:
		n = 0
	case x < 12:
		n = 1
	case x < 18:
		n = 2 + r.rnd.IntN(5)
	default:
		n = 20 + r.rnd.IntN(40)
	}
	for range n {
		level := r.edOrgs[r.rnd.IntN(len(r.edOrgs))]
		g.EdOrgIDs = append(g.EdOrgIDs, level[r.rnd.IntN(len(level))])
	}
	if r.rnd.IntN(7) == 0 {
		g.EdOrgIDs = append(g.EdOrgIDs, 900000000+r.rnd.Int64N(1000000))
	}
	for range r.rnd.IntN(4) {
		switch x := r.rnd.IntN(10); {
		case x < 6:
			g.NamespacePrefixes = append(g.NamespacePrefixes, r.prefixes[r.rnd.IntN(len(r.prefixes))])
		case x < 8:
			ns := r.prefixes[r.rnd.IntN(len(r.prefixes))]
			g.NamespacePrefixes = append(g.NamespacePrefixes, ns[:1+r.rnd.IntN(len(ns))])
		case x < 9:
			g.NamespacePrefixes = append(g.NamespacePrefixes, "uri://nowhere.example.org")
		default:
			if len(g.NamespacePrefixes) > 0 {
				g.NamespacePrefixes = append(g.NamespacePrefixes, g.NamespacePrefixes[0])
			} else {
				g.NamespacePrefixes = append(g.NamespacePrefixes, "uri://ed-fi.org", "uri://ed-fi.org")
			}
		}
	}
	return g
}

// round compares n seeded grants; every claim set is used, and the
// resources with securable elements are taken round-robin.
func (r *oracleRun) round(n int, phase string) {
	t := r.t
	for i := range n {
		cs := r.sets[i%len(r.sets)]
		res := r.resources[i%len(r.resources)]
		if i >= len(r.sets) {
			// Mostly a claim set the store sees (one that may read the
			// resource), sometimes any.
			cs = r.sets[r.rnd.IntN(len(r.sets))]
			for try := 0; try < 12 && r.rnd.IntN(10) < 9 && r.claims.ResolveResource(cs, res, authz.ActionRead).Outcome != authz.OutcomeAllowed; try++ {
				cs = r.sets[r.rnd.IntN(len(r.sets))]
			}
		}
		r.covered[res.ResourceName] = true
		g := r.grant()
		r.grants++
		where := fmt.Sprintf("%s grant %d (claim set %s, %s) on %s", phase, i, cs, g, res.ResourceName)
		r.read(where, cs, res, g)
		if i%2 == 0 {
			r.write(where, cs, res, g, writeKinds[(i/2)%len(writeKinds)])
		}
		if r.mismatches > 40 {
			t.Fatalf("too many mismatches")
		}
	}
}

// mismatch reports one difference between the store and the oracle.
func (r *oracleRun) mismatch(format string, args ...any) {
	r.t.Helper()
	r.mismatches++
	r.t.Errorf(format, args...)
}

// expectStatus returns the status the request gets before the documents
// decide, and whether the store sees the request at all (a claim set that
// is denied the action or has no strategy is answered before the store).
func expectStatus(dec authz.Decision, res *manifest.Resource, g authoracle.Grant) (status int, reaches bool) {
	if dec.Outcome != authz.OutcomeAllowed {
		return dec.Status(), false
	}
	if s := dec.Status(); s != 0 {
		return s, true
	}
	return authoracle.Status(res, dec.Predicate, g), true
}

// read compares a query (all pages, total count) and up to two GETs.
func (r *oracleRun) read(where, cs string, res *manifest.Resource, g authoracle.Grant) {
	ctx := context.Background()
	dec := r.claims.ResolveResource(cs, res, authz.ActionRead)
	want, reaches := expectStatus(dec, res, g)
	if !reaches {
		r.beforeStore++
		return
	}
	gctx := relstore.WithGrant(ctx, relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: g.EdOrgIDs, NamespacePrefixes: g.NamespacePrefixes})
	docs := r.docs[res]
	ids := sortedKeys(docs)
	if want != 0 {
		r.statusChecked++
		r.queries++
		_, err := r.st.Query(gctx, res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{TotalCount: true})
		if got := relstore.StatusCode(err); got != want {
			r.mismatch("%s: %s: query status %d (%v), oracle %d", where, dec.Predicate, got, err, want)
		}
		r.gets++
		_, err = r.st.Get(gctx, res.ProjectEndpoint, res.EndpointName, ids[0])
		if got := relstore.StatusCode(err); got != want {
			r.mismatch("%s: %s: GET %s status %d (%v), oracle %d", where, dec.Predicate, ids[0], got, err, want)
		}
		return
	}
	allow := map[string]bool{}
	var allowed, denied []string
	for _, id := range ids {
		if r.o.Allows(res, docs[id], dec.Predicate, g) {
			allow[id] = true
			allowed = append(allowed, id)
		} else {
			denied = append(denied, id)
		}
	}
	r.byPredicate[dec.Predicate.String()] += len(allowed)
	r.allowed += len(allowed)
	r.denied += len(denied)
	limit := relstore.MaxLimit
	if r.rnd.IntN(4) == 0 {
		limit = 1 + r.rnd.IntN(10)
	}
	got := map[string]bool{}
	var order []string // the documents in page order
	after := ""
	var total int64
	r.queries++
	for {
		p, err := r.st.Query(gctx, res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{Limit: limit, After: after, TotalCount: after == ""})
		r.pages++
		if err != nil {
			r.mismatch("%s: %s: query: %v, oracle allows %d documents", where, dec.Predicate, err, len(allowed))
			return
		}
		if after == "" {
			total = p.Total
		}
		for _, d := range p.Documents {
			if got[d.ID] {
				r.mismatch("%s: %s: the query returns document %s twice", where, dec.Predicate, d.ID)
			}
			got[d.ID] = true
			order = append(order, d.ID)
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	// A page at an offset (its keys take another form than keyset pages
	// and totals) holds the documents the keyset pages had there.
	if len(order) > 1 {
		off := 1 + r.rnd.IntN(len(order)-1)
		r.pages++
		p, err := r.st.Query(gctx, res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{Limit: limit, Offset: off, TotalCount: true})
		want := order[off:min(off+limit, len(order))]
		var ids []string
		for _, d := range p.Documents {
			ids = append(ids, d.ID)
		}
		if err != nil || !slices.Equal(ids, want) || p.Total != int64(len(allowed)) {
			r.mismatch("%s: %s: the page at offset %d holds %v of %d (%v), the keyset pages had %v there of %d", where, dec.Predicate, off, ids, p.Total, err, want, len(allowed))
		}
	}
	for _, id := range allowed {
		if !got[id] {
			r.mismatch("%s: %s: the query misses document %s the oracle allows: %s", where, dec.Predicate, id, clip(docs[id]))
		}
	}
	for id := range got {
		if !allow[id] {
			r.mismatch("%s: %s: the query returns document %s the oracle denies: %s", where, dec.Predicate, id, clip(docs[id]))
		}
	}
	if total != int64(len(allowed)) {
		r.mismatch("%s: %s: total count %d, oracle %d", where, dec.Predicate, total, len(allowed))
	}
	// GET one allowed and one denied document when there are.
	var probe []string
	if len(allowed) > 0 {
		probe = append(probe, allowed[r.rnd.IntN(len(allowed))])
	}
	if len(denied) > 0 {
		probe = append(probe, denied[r.rnd.IntN(len(denied))])
	}
	for _, id := range probe {
		r.gets++
		_, err := r.st.Get(gctx, res.ProjectEndpoint, res.EndpointName, id)
		want := 403
		if allow[id] {
			want = 200
			r.getAllowed++
		} else {
			r.getDenied++
		}
		if got := relstore.StatusCode(err); got != want {
			r.mismatch("%s: %s: GET %s: %d (%v), oracle %d: %s", where, dec.Predicate, id, got, err, want, clip(docs[id]))
		}
	}
}

// find returns the id and (stripped) body of the document of res whose
// value at path is v.
func (r *oracleRun) find(res *manifest.Resource, path string, v int64) (string, map[string]any) {
	for id, body := range r.docs[res] {
		if authoracle.Lookup1(body, path) == fmt.Sprint(v) {
			return id, strip(body)
		}
	}
	r.t.Fatalf("no %s with %s %d", res.ResourceName, path, v)
	return "", nil
}

// get reads a document without a grant, stripped.
func (r *oracleRun) get(res *manifest.Resource, id string) map[string]any {
	doc, err := r.st.Get(context.Background(), res.ProjectEndpoint, res.EndpointName, id)
	if err != nil {
		r.t.Fatal(err)
	}
	body, err := jsonvalue.Decode(doc.JSON)
	if err != nil {
		r.t.Fatal(err)
	}
	return strip(body)
}

// put writes body as document id of res without a grant.
func (r *oracleRun) put(res *manifest.Resource, id string, body map[string]any) relstore.WriteResult {
	data, err := json.Marshal(body)
	if err != nil {
		r.t.Fatal(err)
	}
	out, err := r.st.Update(context.Background(), res.ProjectEndpoint, res.EndpointName, id, data, "")
	if err != nil {
		r.t.Fatalf("PUT %s %s: %v\n%s", res.ResourceName, id, err, data)
	}
	return out
}

// strip copies a body without id, _etag and _lastModifiedDate.
func strip(body any) map[string]any {
	out := map[string]any{}
	for k, v := range body.(map[string]any) {
		switch k {
		case "id", "_etag", "_lastModifiedDate":
		default:
			out[k] = v
		}
	}
	return out
}

// sortedKeys returns the keys of m in order.
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// clip renders a body for a failure message, shortened.
func clip(body any) string {
	data, _ := json.Marshal(body)
	s := string(data)
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return strings.TrimSpace(s)
}
