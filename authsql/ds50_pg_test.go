package authsql_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/internal/authoracle"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

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

	// The oracle, from the overlay's hierarchy paths and the documents.
	h, err := authoracle.LoadHierarchy(overlayPath)
	if err != nil {
		t.Fatal(err)
	}
	o, err := authoracle.Build(m, h, func(res *manifest.Resource) (map[string]any, error) { return storedDocs(t, st, res), nil })
	if err != nil {
		t.Fatal(err)
	}
	schools, leas, seas := o.EdOrgIDs("School"), o.EdOrgIDs("LocalEducationAgency"), o.EdOrgIDs("StateEducationAgency")
	ssa := o.Enrollments()
	if len(schools) < 3 || len(leas) < 2 || len(seas) < 1 || len(ssa) < 3 {
		t.Fatalf("the corpus has too few EdOrgs or enrollments: %d schools, %d LEAs, %d SEAs, %d SSAs", len(schools), len(leas), len(seas), len(ssa))
	}
	var ssaSchool int64
	fmt.Sscan(ssa[0][0], &ssaSchool)
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
	// Every grant's claims also as a stored claim set (its index as the
	// set's id), which every third grant's predicates read.
	claimSetID := func(gi int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", gi) }
	for gi, g := range grants {
		if _, err := env.Pool.Exec(context.Background(), `INSERT INTO auth."EducationOrganizationIdClaimSet" ("ClaimSetId", "EducationOrganizationId")
SELECT $1::uuid, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, claimSetID(gi), g.edOrgs); err != nil {
			t.Fatal(err)
		}
	}
	claimSets := 0
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
				// Every other grant in the single-document form (EXISTS
				// probes), every third with its claims from the stored
				// claim set: each must select the same documents.
				shape := authsql.Shape{Claims: len(g.edOrgs), Prefixes: len(g.prefixes), Single: gi%2 == 1}
				if gi%3 == 2 {
					shape.ClaimSetParam = "$3"
				}
				r, err := authsql.Build(m, res, tree, shape)
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
				// Every parameter typed, whichever the predicate reads.
				sql += ` AND cardinality($1::bigint[]) >= 0 AND cardinality($2::text[]) >= 0 AND $3::uuid IS NOT NULL`
				args := []any{g.edOrgs, authsql.LikePatterns(g.prefixes), claimSetID(gi)}
				if shape.ClaimSetParam != "" && r.UsesClaims {
					if strings.Contains(r.SQL, "ANY($1") {
						t.Fatalf("%s %s: a claim set predicate binds the claims array:\n%s", res.ResourceName, tree, r.SQL)
					}
					claimSets++
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
					want := o.Allows(res, body, tree, authoracle.Grant{EdOrgIDs: g.edOrgs, NamespacePrefixes: g.prefixes})
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
	t.Logf("%d queries (%d reading a stored claim set), %d (document, grant, tree) allowed, %d of them by a strategy checking a transitive element; allowed by each strategy alone: %v",
		queries, claimSets, selected, transitive, byStrategy)
	for _, n := range authz.StrategyNames() {
		if s := authz.LookupStrategy(n); (s.Kind == authz.KindRelationship || s.Kind == authz.KindNamespace) && byStrategy[n] == 0 {
			t.Errorf("%s allowed no document: the test does not exercise it", n)
		}
	}
	if queries < 500 || selected < 1000 || transitive < 10 || claimSets < 100 {
		t.Errorf("too little exercised: %d queries, %d allowed, %d transitive, %d from a stored claim set", queries, selected, transitive, claimSets)
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
