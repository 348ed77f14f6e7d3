package authsql_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// upsert writes one document through the store, failing the test on error.
func upsert(t *testing.T, st *relstore.Store, pe, ep, body string) {
	t.Helper()
	if _, err := st.Upsert(context.Background(), pe, ep, []byte(body)); err != nil {
		t.Fatalf("upsert %s %s: %v", ep, body, err)
	}
}

// pgGrant is what a caller holds, for runPredicate.
type pgGrant struct {
	edOrgs   []int64
	prefixes []string
}

// runPredicate builds the predicate of tree for res (as a caller would:
// the parameters it does not use are left out) and runs
// SELECT key FROM root r WHERE predicate, returning the sorted keys.
func runPredicate(t *testing.T, env *relstoretest.Env, res *manifest.Resource, key string, tree authz.Predicate, g pgGrant) []string {
	t.Helper()
	sh := authsql.Shape{Claims: len(g.edOrgs), Prefixes: len(g.prefixes)}
	r, err := authsql.Build(env.Manifest, res, tree, sh)
	if err != nil {
		t.Fatalf("%s %s: %v", res.ResourceName, tree, err)
	}
	var args []any
	switch {
	case r.UsesClaims && r.UsesPrefixes:
		args = []any{g.edOrgs, authsql.LikePatterns(g.prefixes)}
	case r.UsesClaims:
		args = []any{g.edOrgs}
	case r.UsesPrefixes:
		sh.PrefixesParam = "$1"
		if r, err = authsql.Build(env.Manifest, res, tree, sh); err != nil {
			t.Fatal(err)
		}
		args = []any{authsql.LikePatterns(g.prefixes)}
	}
	root, err := authsql.RootRelation(env.Manifest, res)
	if err != nil {
		t.Fatal(err)
	}
	sql := fmt.Sprintf(`SELECT r."DocumentId", (%s)::text FROM %s r WHERE %s`, key, root, r.SQL)
	if res.Storage == manifest.StorageDescriptor {
		// dms.Descriptor holds every descriptor resource's rows.
		sql += fmt.Sprintf(` AND r."ResourceKeyId" = %d`, res.ResourceKeyID)
	}
	rows, err := env.Pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s %s:\n%s\n%v", res.ResourceName, tree, sql, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id int64
		var k string
		if err := rows.Scan(&id, &k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestPostgresExample provisions the example schema (with the test
// overlay), writes an EdOrg hierarchy and documents through the store (the
// runtime maintains the hierarchy and closure) and runs the generated
// predicates for several grants, comparing the documents each selects with
// the answer worked out by hand from the documents below.
//
// Hierarchy: LEA 1 ← LEA 2 ← schools 100, 101; LEA 3 ← school 102; school
// 103 alone. Descendants-or-self: 1 → {1, 2, 100, 101}; 2 → {2, 100, 101};
// 3 → {3, 102}; 103 → {103}. Ancestors-or-self: 100 → {100, 2, 1};
// 103 → {103}.
func TestPostgresExample(t *testing.T) {
	c := exampleSet(t)
	env := relstoretest.NewWithModel(t, "authsql_example", c.res.Model(model.PgSQL), relstore.Options{VerifyEdges: true})
	st := env.Store
	grade := func(ns, code string) {
		upsert(t, st, "example", "gradeLevelDescriptors", fmt.Sprintf(`{"namespace":%q,"codeValue":%q,"shortDescription":%q}`, ns, code, code))
	}
	grade("uri://ed-fi.org/GradeLevelDescriptor", "Kindergarten")
	grade("uri://x_y.org/GradeLevelDescriptor", "A")
	grade("uri://xAy.org/GradeLevelDescriptor", "B")
	grade("uri://50%.org/GradeLevelDescriptor", "C")
	grade("uri://500.org/GradeLevelDescriptor", "D")
	grade("uri://a[b].org/GradeLevelDescriptor", "E")
	grade("uri://ab.org/GradeLevelDescriptor", "F")
	grade("URI://ED-FI.ORG/GradeLevelDescriptor", "G")
	grade(`uri://b\s.org/GradeLevelDescriptor`, "H")
	grade(`uri://bs.org/GradeLevelDescriptor`, "I")
	upsert(t, st, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Career","shortDescription":"Career"}`)
	lea := func(id, parent int64) {
		body := fmt.Sprintf(`{"localEducationAgencyId":%d,"nameOfInstitution":"LEA %d"`, id, id)
		if parent != 0 {
			body += fmt.Sprintf(`,"parentLocalEducationAgencyReference":{"localEducationAgencyId":%d}`, parent)
		}
		upsert(t, st, "example", "localEducationAgencies", body+"}")
	}
	school := func(id, lea int64) {
		body := fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"School %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Kindergarten"}]`, id, id)
		if lea != 0 {
			body += fmt.Sprintf(`,"localEducationAgencyReference":{"localEducationAgencyId":%d}`, lea)
		}
		upsert(t, st, "example", "schools", body+"}")
	}
	lea(1, 0)
	lea(2, 1)
	lea(3, 0)
	school(100, 2)
	school(101, 2)
	school(102, 3)
	school(103, 0)
	program := func(name string, edOrg int64) {
		upsert(t, st, "example", "programs", fmt.Sprintf(`{"educationOrganizationReference":{"educationOrganizationId":%d},"programName":%q,"programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Career"}`, edOrg, name))
	}
	program("P100", 100)
	program("P2", 2)
	program("P3", 3)
	program("P103", 103)
	bus := func(id string, school int64, capacity string) {
		body := fmt.Sprintf(`{"busId":%q,"schoolReference":{"schoolId":%d}`, id, school)
		if capacity != "" {
			body += `,"capacity":` + capacity
		}
		upsert(t, st, "extra", "buses", body+"}")
	}
	// The capacity is the synthetic EdOrg value element.
	bus("B1", 100, "100")
	bus("B2", 101, "3")
	bus("B3", 102, "")
	bus("B4", 100, "999")
	bus("B5", 103, "1")
	bus("B6", 102, "999")
	upsert(t, st, "example", "students", `{"studentUniqueId":"S1","firstName":"A","lastSurname":"B","birthDate":"2010-01-01"}`)
	ssa := func(school int64) {
		upsert(t, st, "example", "studentSchoolAssociations", fmt.Sprintf(`{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":%d},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Kindergarten"}`, school))
	}
	ssa(100)
	ssa(102)

	m := env.Manifest
	keys := map[string]string{
		"LocalEducationAgency":     `r."LocalEducationAgencyId"`,
		"School":                   `r."SchoolId"`,
		"Program":                  `r."ProgramName"`,
		"Bus":                      `r."BusId"`,
		"GradeLevelDescriptor":     `r."CodeValue"`,
		"StudentSchoolAssociation": `(SELECT s."SchoolId" FROM example."School" s WHERE s."DocumentId" = r."School_DocumentId")`,
	}
	project := map[string]string{"Bus": "Extra"}
	edOrgs := leaf(authz.StrategyRelationshipsWithEdOrgsOnly)
	inverted := leaf(authz.StrategyRelationshipsWithEdOrgsOnlyInverted)
	namespaces := leaf(authz.StrategyNamespaceBased)
	both := anyOf(edOrgs, inverted)
	none := leaf(authz.StrategyNoFurtherAuthorizationRequired)
	ids := func(v ...int64) pgGrant { return pgGrant{edOrgs: v} }
	pfx := func(v ...string) pgGrant { return pgGrant{prefixes: v} }
	cases := []struct {
		resource string
		tree     authz.Predicate
		grant    pgGrant
		want     []string
	}{
		{"LocalEducationAgency", edOrgs, ids(2), []string{"2"}},
		{"School", edOrgs, ids(2), []string{"100", "101"}},
		{"Program", edOrgs, ids(2), []string{"P100", "P2"}},
		// B1: school 100 under 2 and capacity 100 under 2; B2's 3, B4's
		// 999 are not under 2.
		{"Bus", edOrgs, ids(2), []string{"B1"}},
		{"StudentSchoolAssociation", edOrgs, ids(2), []string{"100"}},

		{"LocalEducationAgency", edOrgs, ids(1), []string{"1", "2"}},
		{"School", edOrgs, ids(1), []string{"100", "101"}},
		{"Program", edOrgs, ids(1), []string{"P100", "P2"}},
		{"Bus", edOrgs, ids(1), []string{"B1"}},

		// 999 is no EdOrg: B6 (school 102 under 3) passes by its capacity
		// being a claim itself; B3's capacity is NULL, B5's 1 unrelated.
		{"LocalEducationAgency", edOrgs, ids(3, 999, 103), []string{"3"}},
		{"School", edOrgs, ids(3, 999, 103), []string{"102", "103"}},
		{"Program", edOrgs, ids(3, 999, 103), []string{"P103", "P3"}},
		{"Bus", edOrgs, ids(3, 999, 103), []string{"B6"}},
		{"StudentSchoolAssociation", edOrgs, ids(3, 999, 103), []string{"102"}},
		{"School", edOrgs, ids(999), []string{}},

		// Inverted: a claim reaches its ancestors.
		{"LocalEducationAgency", inverted, ids(100), []string{"1", "2"}},
		{"School", inverted, ids(100), []string{"100"}},
		{"Program", inverted, ids(100), []string{"P100", "P2"}},
		{"Bus", inverted, ids(100), []string{"B1"}},
		{"LocalEducationAgency", inverted, ids(103), []string{}},
		{"Program", inverted, ids(103), []string{"P103"}},
		{"Bus", inverted, ids(103), []string{}},

		// Relationship strategies ORed.
		{"LocalEducationAgency", both, ids(2), []string{"1", "2"}},
		{"School", both, ids(2), []string{"100", "101"}},
		{"Program", both, ids(2), []string{"P100", "P2"}},

		// Namespace prefixes: LIKE wildcards in a prefix are literal, the
		// comparison is case-sensitive.
		{"GradeLevelDescriptor", namespaces, pfx("uri://ed-fi.org"), []string{"Kindergarten"}},
		{"GradeLevelDescriptor", namespaces, pfx("uri://ed-fi"), []string{"Kindergarten"}},
		{"GradeLevelDescriptor", namespaces, pfx("uri://x_y"), []string{"A"}},
		{"GradeLevelDescriptor", namespaces, pfx("uri://50%"), []string{"C"}},
		{"GradeLevelDescriptor", namespaces, pfx("uri://a[b]"), []string{"E"}},
		{"GradeLevelDescriptor", namespaces, pfx(`uri://b\`), []string{"H"}},
		{"GradeLevelDescriptor", namespaces, pfx("URI://"), []string{"G"}},
		{"GradeLevelDescriptor", namespaces, pfx("uri://x", "uri://5"), []string{"A", "B", "C", "D"}},
		{"GradeLevelDescriptor", namespaces, pfx("urn:none"), []string{}},

		{"School", none, pgGrant{}, []string{"100", "101", "102", "103"}},
	}
	for _, tc := range cases {
		p := project[tc.resource]
		if p == "" {
			p = "Example"
		}
		res := resource(t, m, p, tc.resource)
		got := runPredicate(t, env, res, keys[tc.resource], tc.tree, tc.grant)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %s %v %q: got %v, want %v", tc.resource, tc.tree, tc.grant.edOrgs, tc.grant.prefixes, got, tc.want)
		}
	}

	// The hierarchy is read at query time: LEA 2 moves under LEA 3, and
	// claim 3 now reaches LEA 2's schools.
	lea(2, 3)
	if got, want := runPredicate(t, env, resource(t, m, "Example", "School"), keys["School"], edOrgs, ids(3)), []string{"100", "101", "102"}; !slices.Equal(got, want) {
		t.Errorf("after LEA 2 moved under LEA 3: claim 3 sees schools %v, want %v", got, want)
	}
	if got, want := runPredicate(t, env, resource(t, m, "Example", "School"), keys["School"], edOrgs, ids(1)), []string{}; !slices.Equal(got, want) {
		t.Errorf("after LEA 2 moved under LEA 3: claim 1 sees schools %v, want %v", got, want)
	}

	// What the example cannot authorize fails before any SQL runs.
	for _, tc := range []struct {
		resource string
		tree     authz.Predicate
		kind     authsql.ErrorKind
	}{
		{"Student", edOrgs, authsql.ErrNoSubjects},
		{"Student", leaf(authz.StrategyRelationshipsWithStudentsOnly), authsql.ErrNoPersonViews},
		{"StudentSchoolAssociation", leaf(authz.StrategyRelationshipsWithEdOrgsAndPeople), authsql.ErrNoPersonViews},
		{"SchoolYearType", edOrgs, authsql.ErrNoSubjects},
	} {
		_, err := authsql.Build(m, resource(t, m, "Example", tc.resource), tc.tree, authsql.Shape{Claims: 1})
		if kind := errorKind(err); kind != tc.kind {
			t.Errorf("%s %s: %v, want %s", tc.resource, tc.tree, err, tc.kind)
		}
	}
}
