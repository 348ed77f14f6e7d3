package authsql_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// docOracle decides authorization from document JSON alone: the EdOrg
// hierarchy from the reference values the overlay's
// educationOrganizationHierarchy names, students from
// StudentSchoolAssociation (or the responsibility association) bodies,
// contacts from StudentContactAssociation bodies, staff from the two staff
// associations, and each securable element's value at its JSON path.
type docOracle struct {
	parents, children map[string][]string
	ssa, resp         [][2]string // EdOrg id, student unique id
	contacts          [][2]string // student unique id, contact unique id
	staff             [][2]string // EdOrg id, staff unique id
}

// closure returns ids and everything reachable from them through next.
func closure(ids []int64, next map[string][]string) map[string]bool {
	out := map[string]bool{}
	var walk func(string)
	walk = func(id string) {
		if out[id] {
			return
		}
		out[id] = true
		for _, n := range next[id] {
			walk(n)
		}
	}
	for _, id := range ids {
		walk(fmt.Sprint(id))
	}
	return out
}

// people returns the second members of pairs whose first is in from.
func people(pairs [][2]string, from map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, p := range pairs {
		if from[p[0]] {
			out[p[1]] = true
		}
	}
	return out
}

// allows decides one document under one strategy for a grant.
func (o *docOracle) allows(res *manifest.Resource, body any, s authz.Strategy, g pgGrant) bool {
	switch s.Kind {
	case authz.KindNoFurtherAuthorizationRequired:
		return true
	case authz.KindRelationship, authz.KindNamespace:
	default:
		return false
	}
	down := closure(g.edOrgs, o.children)
	edOrgs := down
	if s.InvertedEdOrgs {
		edOrgs = closure(g.edOrgs, o.parents)
	}
	students := people(o.ssa, down)
	if s.StudentsThroughResponsibility {
		students = people(o.resp, down)
	}
	for _, e := range res.SecurableElements {
		t, ok := map[manifest.Subject]authz.SubjectType{manifest.SubjectStudent: authz.SubjectStudent, manifest.SubjectContact: authz.SubjectContact,
			manifest.SubjectStaff: authz.SubjectStaff, manifest.SubjectEdOrg: authz.SubjectEdOrg, manifest.SubjectNamespace: authz.SubjectNamespace}[e.Subject]
		if !ok || !s.Needs(t) {
			continue
		}
		vals := jsonpath.MustParse(e.Path).Lookup(body)
		if len(vals) != 1 || vals[0] == nil {
			return false // an absent subject never matches
		}
		v := fmt.Sprint(vals[0])
		var hold bool
		switch e.Subject {
		case manifest.SubjectEdOrg:
			hold = edOrgs[v]
		case manifest.SubjectStudent:
			hold = students[v]
		case manifest.SubjectContact:
			hold = people(o.contacts, people(o.ssa, down))[v]
		case manifest.SubjectStaff:
			hold = people(o.staff, down)[v]
		case manifest.SubjectNamespace:
			for _, p := range g.prefixes {
				if strings.HasPrefix(v, p) {
					hold = true
				}
			}
		}
		if !hold {
			return false
		}
	}
	return true
}

// storedDocs reads every document of a resource through the store: its
// DocumentUuid and body.
func storedDocs(t *testing.T, st *relstore.Store, res *manifest.Resource) map[string]any {
	t.Helper()
	out := map[string]any{}
	after := ""
	for {
		p, err := st.Query(context.Background(), res.ProjectEndpoint, res.EndpointName, relstore.QueryOptions{Limit: relstore.MaxLimit, After: after})
		if err != nil {
			t.Fatalf("query %s: %v", res.ResourceName, err)
		}
		for _, d := range p.Documents {
			body, err := jsonvalue.Decode(d.JSON)
			if err != nil {
				t.Fatal(err)
			}
			out[d.ID] = body
		}
		if p.Next == "" {
			return out
		}
		after = p.Next
	}
}

// lookup1 returns the single value at path in body as text ("" when
// absent).
func lookup1(body any, path string) string {
	vals := jsonpath.MustParse(path).Lookup(body)
	if len(vals) != 1 || vals[0] == nil {
		return ""
	}
	return fmt.Sprint(vals[0])
}

// TestPostgresDS50 loads the DS 5.0 corpus into a database compiled with
// our overlay and, for every resource with securable elements and
// documents, every strategy (and composite tree) that applies to it and a
// set of grants taken from the corpus (EdOrgs at each level, several at
// once, an id no EdOrg has, namespace prefixes), compares the documents
// the generated predicate selects with docOracle's answer from the
// document JSON alone.
func TestPostgresDS50(t *testing.T) {
	overlayPath := filepath.Join(testenv.RepoRoot(t), "testdata", "auth", "ds-5.0.overlay.json")
	c := compileSet(t, "ds-5.0", []string{testenv.DS50(t)}, overlayPath)
	env := relstoretest.NewWithModel(t, "authsql_ds50", c.res.Model(model.PgSQL), relstore.Options{})
	st := env.Store
	set, err := roundtrip.Discover(filepath.Join(testenv.Fixtures(t), "documents", "ds-5.0"), st.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := roundtrip.Load(context.Background(), st, set, nil); err != nil {
		t.Fatal(err)
	}
	m := env.Manifest
	byName := func(name string) *manifest.Resource { return resource(t, m, "Ed-Fi", name) }

	// The hierarchy, from the overlay's paths and the EdOrg documents.
	data, err := os.ReadFile(overlayPath)
	if err != nil {
		t.Fatal(err)
	}
	var ov struct {
		Hierarchy map[string]map[string]string `json:"educationOrganizationHierarchy"`
		Types     []string                     `json:"educationOrganizationTypes"`
	}
	if err := json.Unmarshal(data, &ov); err != nil {
		t.Fatal(err)
	}
	o := &docOracle{parents: map[string][]string{}, children: map[string][]string{}}
	var schools, leas, seas []int64
	for _, typ := range ov.Types {
		if typ == "EducationOrganization" {
			continue
		}
		idPath := "$." + strings.ToLower(typ[:1]) + typ[1:] + "Id"
		for _, body := range storedDocs(t, st, byName(typ)) {
			id := lookup1(body, idPath)
			var n int64
			fmt.Sscan(id, &n)
			switch typ {
			case "School":
				schools = append(schools, n)
			case "LocalEducationAgency":
				leas = append(leas, n)
			case "StateEducationAgency":
				seas = append(seas, n)
			}
			for _, path := range ov.Hierarchy[typ] {
				if p := lookup1(body, path); p != "" {
					o.parents[id] = append(o.parents[id], p)
					o.children[p] = append(o.children[p], id)
				}
			}
		}
	}
	pairs := func(resource, a, b string) [][2]string {
		var out [][2]string
		for _, body := range storedDocs(t, st, byName(resource)) {
			out = append(out, [2]string{lookup1(body, a), lookup1(body, b)})
		}
		return out
	}
	o.ssa = pairs("StudentSchoolAssociation", "$.schoolReference.schoolId", "$.studentReference.studentUniqueId")
	o.resp = pairs("StudentEducationOrganizationResponsibilityAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.studentReference.studentUniqueId")
	o.contacts = pairs("StudentContactAssociation", "$.studentReference.studentUniqueId", "$.contactReference.contactUniqueId")
	o.staff = append(pairs("StaffEducationOrganizationAssignmentAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.staffReference.staffUniqueId"),
		pairs("StaffEducationOrganizationEmploymentAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.staffReference.staffUniqueId")...)
	for _, l := range []*[]int64{&schools, &leas, &seas} {
		sort.Slice(*l, func(i, j int) bool { return (*l)[i] < (*l)[j] })
	}
	if len(schools) < 3 || len(leas) < 2 || len(seas) < 1 || len(o.ssa) < 3 {
		t.Fatalf("the corpus has too few EdOrgs or enrollments: %d schools, %d LEAs, %d SEAs, %d SSAs", len(schools), len(leas), len(seas), len(o.ssa))
	}
	var ssaSchool int64
	fmt.Sscan(o.ssa[0][0], &ssaSchool)
	grants := []pgGrant{
		{edOrgs: []int64{seas[0]}, prefixes: []string{"uri://ed-fi.org"}},
		{edOrgs: []int64{leas[0]}, prefixes: []string{"uri://ed-fi.org/Assessment", "uri://"}},
		{edOrgs: []int64{leas[len(leas)-1]}, prefixes: []string{"urn:nothing"}},
		{edOrgs: []int64{schools[0]}, prefixes: []string{"uri://ed-fi.org/AcademicSubjectDescriptor"}},
		{edOrgs: []int64{ssaSchool}, prefixes: []string{"uri://ed-fi.org"}},
		{edOrgs: []int64{schools[len(schools)-1], leas[0], 999999999}, prefixes: []string{"uri://"}},
		{edOrgs: []int64{999999999}, prefixes: []string{"uri://ed-fi.orgX"}},
		{edOrgs: schools, prefixes: []string{"uri://ed-fi.org/", "uri://tpdm"}},
		{edOrgs: append(append([]int64{}, leas...), seas...), prefixes: []string{"uri://ed-fi.org"}},
	}
	// The EdOrgs transitive elements reach (the database only picks the
	// grant; the oracle decides).
	var transitiveEdOrgs []int64
	rows, err := env.Pool.Query(context.Background(), `SELECT DISTINCT e."EducationOrganizationId" FROM dms."DocumentSubject" s
JOIN dms."EducationOrganization" e ON e."DocumentId" = s."SubjectDocumentId" WHERE s."SubjectType" = 4 ORDER BY 1 LIMIT 3`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		transitiveEdOrgs = append(transitiveEdOrgs, id)
	}
	rows.Close()
	if len(transitiveEdOrgs) == 0 {
		t.Fatal("no transitive EdOrg subject in the corpus")
	}
	grants = append(grants, pgGrant{edOrgs: transitiveEdOrgs, prefixes: []string{"uri://ed-fi.org"}})
	trees := append(strategyTrees(), leaf(authz.StrategyNoFurtherAuthorizationRequired))
	queries, selected, transitive := 0, 0, 0
	byStrategy := map[string]int{}
	for i := range m.Resources {
		res := &m.Resources[i]
		if len(res.SecurableElements) == 0 {
			continue
		}
		docs := storedDocs(t, st, res)
		if len(docs) == 0 {
			continue
		}
		// transitiveFor reports that strategy s checks a transitive element
		// of res.
		transitiveFor := func(s authz.Strategy) bool {
			for _, e := range res.SecurableElements {
				if t, ok := map[manifest.Subject]authz.SubjectType{manifest.SubjectStudent: authz.SubjectStudent, manifest.SubjectEdOrg: authz.SubjectEdOrg,
					manifest.SubjectNamespace: authz.SubjectNamespace}[e.Subject]; ok && e.Site == manifest.SiteTransitive && s.Needs(t) {
					return true
				}
			}
			return false
		}
		root, err := authsql.RootRelation(m, res)
		if err != nil {
			t.Fatal(err)
		}
		for _, tree := range trees {
			for gi, g := range grants {
				r, err := authsql.Build(m, res, tree, authsql.Shape{Claims: len(g.edOrgs), Prefixes: len(g.prefixes)})
				if err != nil {
					var e *authsql.Error
					if errors.As(err, &e) && (e.Kind == authsql.ErrNoSubjects || e.Kind == authsql.ErrOwnershipBased || e.Kind == authsql.ErrUnknownStrategy) {
						break // the tree does not apply to the resource
					}
					t.Fatalf("%s %s: %v", res.ResourceName, tree, err)
				}
				sql := `SELECT d."DocumentUuid"::text FROM ` + root + ` r JOIN dms."Document" d ON d."DocumentId" = r."DocumentId" WHERE ` + r.SQL
				if res.Storage == manifest.StorageDescriptor {
					sql += fmt.Sprintf(` AND r."ResourceKeyId" = %d`, res.ResourceKeyID)
				}
				args := []any{g.edOrgs, authsql.LikePatterns(g.prefixes)}
				if !r.UsesPrefixes {
					args = args[:1]
				}
				if !r.UsesClaims {
					sql += ` AND cardinality($1::bigint[]) >= 0` // keeps $1 typed
				}
				rows, err := env.Pool.Query(context.Background(), sql, args...)
				if err != nil {
					t.Fatalf("%s %s:\n%s\n%v", res.ResourceName, tree, sql, err)
				}
				got := map[string]bool{}
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					got[id] = true
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				queries++
				var missing, extra []string
				for id, body := range docs {
					want := tree.Eval(func(s authz.Strategy) bool { return o.allows(res, body, s, g) })
					switch {
					case want && !got[id]:
						missing = append(missing, id)
					case !want && got[id]:
						extra = append(extra, id)
					case want:
						selected++
						if tree.Op == authz.OpStrategy {
							byStrategy[tree.Strategy.Name]++
							if transitiveFor(tree.Strategy) {
								transitive++
							}
						}
					}
				}
				if len(missing)+len(extra) > 0 {
					t.Errorf("%s %s grant %d %v %q: the predicate misses %d documents the oracle allows %v and selects %d it denies %v",
						res.ResourceName, tree, gi, g.edOrgs, g.prefixes, len(missing), first(missing), len(extra), first(extra))
				}
			}
		}
	}
	t.Logf("%d queries, %d (document, grant, tree) allowed, %d of them by a strategy checking a transitive element; allowed by each strategy alone: %v",
		queries, selected, transitive, byStrategy)
	for _, n := range authz.StrategyNames() {
		if s := authz.LookupStrategy(n); (s.Kind == authz.KindRelationship || s.Kind == authz.KindNamespace) && byStrategy[n] == 0 {
			t.Errorf("%s allowed no document: the test does not exercise it", n)
		}
	}
	if queries < 500 || selected < 1000 || transitive < 10 {
		t.Errorf("too little exercised: %d queries, %d allowed, %d transitive", queries, selected, transitive)
	}
}

// first returns up to three items.
func first(s []string) []string {
	sort.Strings(s)
	if len(s) > 3 {
		return s[:3]
	}
	return s
}
