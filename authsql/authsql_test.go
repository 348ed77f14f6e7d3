package authsql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/authsql"
	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
)

// errorKind returns the kind of an *authsql.Error (0 for nil or another
// error).
func errorKind(err error) authsql.ErrorKind {
	var e *authsql.Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// TestLikePattern: LIKE wildcards and the escape character in a prefix
// match themselves; the pattern matches what starts with the prefix.
func TestLikePattern(t *testing.T) {
	for prefix, want := range map[string]string{
		"uri://ed-fi.org": "uri://ed-fi.org%",
		"uri://x_y":       `uri://x\_y%`,
		"50%":             `50\%%`,
		`a\b`:             `a\\b%`,
		"a[b]":            `a\[b]%`,
		"ünï_%":           `ünï\_\%%`,
		"":                "%",
	} {
		if got := authsql.LikePattern(prefix); got != want {
			t.Errorf("LikePattern(%q) = %q, want %q", prefix, got, want)
		}
	}
	if got := authsql.LikePatterns([]string{"a", "b_"}); strings.Join(got, " ") != `a% b\_%` {
		t.Errorf("LikePatterns = %q", got)
	}
	if got := authsql.ListParams("@p", 3); strings.Join(got, " ") != "@p0 @p1 @p2" {
		t.Errorf("ListParams = %q", got)
	}
}

// TestErrors: each failure has its kind, status and problem type, and
// configuration problems are reported before a missing claim list.
func TestErrors(t *testing.T) {
	c := exampleSet(t)
	pg, ms := c.manifests[model.PgSQL], c.manifests[model.MSSQL]
	school := resource(t, pg, "Example", "School")
	grade := resource(t, pg, "Example", "GradeLevelDescriptor")
	student := resource(t, pg, "Example", "Student")
	edOrgs := leaf(authz.StrategyRelationshipsWithEdOrgsOnly)
	ns := leaf(authz.StrategyNamespaceBased)
	for _, tc := range []struct {
		name    string
		build   func() error
		kind    authsql.ErrorKind
		status  int
		problem string
	}{
		{"no EdOrg claims", func() error {
			_, err := authsql.Build(pg, school, edOrgs, authsql.Shape{})
			return err
		}, authsql.ErrNoClaims, 403, authz.ProblemTypeAuthorization},
		{"no prefixes", func() error {
			_, err := authsql.Build(pg, grade, ns, authsql.Shape{Claims: 5})
			return err
		}, authsql.ErrNoPrefixes, 403, authz.ProblemTypeAuthorization},
		{"no subjects before no claims", func() error {
			_, err := authsql.Build(pg, student, edOrgs, authsql.Shape{})
			return err
		}, authsql.ErrNoSubjects, 500, authz.ProblemTypeSecurityConfiguration},
		{"no subjects in an OR", func() error {
			_, err := authsql.Build(pg, school, anyOf(edOrgs, leaf(authz.StrategyRelationshipsWithStudentsOnly)), authsql.Shape{Claims: 1})
			return err
		}, authsql.ErrNoSubjects, 500, authz.ProblemTypeSecurityConfiguration},
		{"no person views", func() error {
			_, err := authsql.Build(pg, student, leaf(authz.StrategyRelationshipsWithPeopleOnly), authsql.Shape{Claims: 1})
			return err
		}, authsql.ErrNoPersonViews, 500, authz.ProblemTypeSecurityConfiguration},
		{"unknown strategy", func() error {
			_, err := authsql.Build(pg, school, leaf("Custom"), authsql.Shape{Claims: 1})
			return err
		}, authsql.ErrUnknownStrategy, 500, authz.ProblemTypeSecurityConfiguration},
		{"ownership", func() error {
			_, err := authsql.Build(pg, school, leaf(authz.StrategyOwnershipBased), authsql.Shape{Claims: 1})
			return err
		}, authsql.ErrOwnershipBased, 501, ""},
		{"SQL Server: too many prefixes", func() error {
			_, err := authsql.Build(ms, resource(t, ms, "Example", "GradeLevelDescriptor"), ns, authsql.Shape{Prefixes: authsql.MSSQLMaxPrefixes})
			return err
		}, authsql.ErrTooManyPrefixes, 500, authz.ProblemTypeSecurityConfiguration},
		{"empty tree", func() error {
			_, err := authsql.Build(pg, school, authz.Predicate{}, authsql.Shape{Claims: 1})
			return err
		}, authsql.ErrInvalid, 500, authz.ProblemTypeSecurityConfiguration},
		{"bad placeholder", func() error {
			_, err := authsql.Build(pg, school, edOrgs, authsql.Shape{Claims: 1, ClaimsParam: "$1; DROP TABLE x"})
			return err
		}, authsql.ErrInvalid, 500, authz.ProblemTypeSecurityConfiguration},
		{"negative count", func() error {
			_, err := authsql.Build(pg, school, edOrgs, authsql.Shape{Claims: -1})
			return err
		}, authsql.ErrInvalid, 500, authz.ProblemTypeSecurityConfiguration},
	} {
		err := tc.build()
		var e *authsql.Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v, want an *authsql.Error", tc.name, err)
			continue
		}
		if e.Kind != tc.kind || e.Status() != tc.status || e.ProblemType() != tc.problem {
			t.Errorf("%s: %s %d %q, want %s %d %q (%v)", tc.name, e.Kind, e.Status(), e.ProblemType(), tc.kind, tc.status, tc.problem, err)
		}
	}
	// 1,999 prefixes are still fine; NamespaceBased-free trees ignore them.
	if _, err := authsql.Build(ms, resource(t, ms, "Example", "GradeLevelDescriptor"), ns, authsql.Shape{Prefixes: authsql.MSSQLMaxPrefixes - 1}); err != nil {
		t.Errorf("1,999 prefixes: %v", err)
	}
	if _, err := authsql.Build(ms, resource(t, ms, "Example", "School"), edOrgs, authsql.Shape{Claims: 1, Prefixes: authsql.MSSQLMaxPrefixes}); err != nil {
		t.Errorf("2,000 prefixes without NamespaceBased: %v", err)
	}
	if got := authsql.NoClaimsMessage("RelationshipsWithEdOrgsOnly"); !strings.Contains(got, "doesn't have any education organizations assigned") {
		t.Errorf("NoClaimsMessage: %s", got)
	}
}

// TestShapes: the placeholders the caller names are used, SQL Server
// switches to the table-valued parameter at MSSQLMaxListClaims claims,
// and Result reports what is bound.
func TestShapes(t *testing.T) {
	c := exampleSet(t)
	pg, ms := c.manifests[model.PgSQL], c.manifests[model.MSSQL]
	edOrgs := leaf(authz.StrategyRelationshipsWithEdOrgsOnly)
	r, err := authsql.Build(pg, resource(t, pg, "Example", "School"), edOrgs, authsql.Shape{Claims: 1, ClaimsParam: "$7"})
	if err != nil || !strings.Contains(r.SQL, "ANY($7::bigint[])") || !r.UsesClaims || r.UsesPrefixes || r.ClaimsAsTable {
		t.Errorf("pgsql $7: %+v %v", r, err)
	}
	// A stored claim set replaces the array; SQL Server has none.
	r, err = authsql.Build(pg, resource(t, pg, "Example", "School"), edOrgs, authsql.Shape{Claims: 10000, ClaimSetParam: "$4", Single: true})
	if want := `IN (SELECT g."EducationOrganizationId" FROM "auth"."EducationOrganizationIdClaimSet" g WHERE g."ClaimSetId" = $4::uuid)`; err != nil ||
		!strings.Contains(r.SQL, want) || strings.Contains(r.SQL, "ANY(") || !r.UsesClaims {
		t.Errorf("pgsql claim set: %+v %v", r, err)
	}
	if _, err := authsql.Build(pg, resource(t, pg, "Example", "School"), edOrgs, authsql.Shape{Claims: 1, ClaimSetParam: "x"}); errorKind(err) != authsql.ErrInvalid {
		t.Errorf("pgsql claim set parameter x: %v", err)
	}
	if _, err := authsql.Build(ms, resource(t, ms, "Example", "School"), edOrgs, authsql.Shape{Claims: 1, ClaimSetParam: "@s"}); errorKind(err) != authsql.ErrInvalid {
		t.Errorf("mssql claim set: %v", err)
	}
	r, err = authsql.Build(pg, resource(t, pg, "Example", "GradeLevelDescriptor"), leaf(authz.StrategyNamespaceBased), authsql.Shape{Prefixes: 4, PrefixesParam: "$3"})
	if err != nil || r.SQL != `r."Namespace" LIKE ANY($3::text[])` || r.UsesClaims || !r.UsesPrefixes {
		t.Errorf("pgsql descriptor: %+v %v", r, err)
	}
	school := resource(t, ms, "Example", "School")
	r, err = authsql.Build(ms, school, edOrgs, authsql.Shape{Claims: authsql.MSSQLMaxListClaims - 1, ClaimsParam: "@e"})
	if err != nil || r.ClaimsAsTable || !strings.Contains(r.SQL, "@e1998)") || strings.Contains(r.SQL, "@e1999") {
		t.Errorf("mssql 1,999 claims: %v %v", r.ClaimsAsTable, err)
	}
	r, err = authsql.Build(ms, school, edOrgs, authsql.Shape{Claims: authsql.MSSQLMaxListClaims, ClaimsTable: "@ids"})
	if err != nil || !r.ClaimsAsTable || !strings.Contains(r.SQL, "IN (SELECT [Id] FROM @ids)") {
		t.Errorf("mssql 2,000 claims: %+v %v", r, err)
	}
	r, err = authsql.Build(ms, school, leaf(authz.StrategyNoFurtherAuthorizationRequired), authsql.Shape{Claims: authsql.MSSQLMaxListClaims})
	if err != nil || r.SQL != "1 = 1" || r.UsesClaims || r.ClaimsAsTable {
		t.Errorf("mssql none: %+v %v", r, err)
	}
	// Claims and prefixes together: listed while their sum stays under the
	// limit, else the claims go to the table-valued parameter.
	t.Run("fixtures", func(t *testing.T) {
		dm := ds50Set(t).manifests[model.MSSQL]
		sa := resource(t, dm, "Ed-Fi", "StudentAssessment")
		tree := allOf(edOrgs, leaf(authz.StrategyNamespaceBased))
		if r, err := authsql.Build(dm, sa, tree, authsql.Shape{Claims: 1000, Prefixes: 999}); err != nil || r.ClaimsAsTable {
			t.Errorf("mssql 1,000 claims + 999 prefixes: %v %v", r.ClaimsAsTable, err)
		}
		if r, err := authsql.Build(dm, sa, tree, authsql.Shape{Claims: 1000, Prefixes: 1000}); err != nil || !r.ClaimsAsTable || !strings.Contains(r.SQL, "@claims") || !strings.Contains(r.SQL, "@p999 ") {
			t.Errorf("mssql 1,000 claims + 1,000 prefixes: %v %v", r.ClaimsAsTable, err)
		}
	})
	// The single-document form probes the view from the row (both
	// dialects; the SQL Server one with the table-valued parameter too).
	r, err = authsql.Build(pg, resource(t, pg, "Example", "School"), edOrgs, authsql.Shape{Claims: 3, Single: true})
	if want := `(SELECT 1 FROM "auth"."EducationOrganizationIdToEdOrgDocumentId" v WHERE v."EducationOrganization_DocumentId" = r."DocumentId" AND v."SourceEducationOrganizationId" = ANY($1::bigint[]) LIMIT 1) IS NOT NULL`; err != nil || r.SQL != want {
		t.Errorf("pgsql single:\n got %s\nwant %s (%v)", r.SQL, want, err)
	}
	r, err = authsql.Build(ms, school, edOrgs, authsql.Shape{Claims: authsql.MSSQLMaxListClaims, Single: true})
	if err != nil || r.SQL != "(SELECT TOP (1) 1 FROM [auth].[EducationOrganizationIdToEdOrgDocumentId] v WHERE v.[EducationOrganization_DocumentId] = r.[DocumentId] AND v.[SourceEducationOrganizationId] IN (SELECT [Id] FROM @claims)) IS NOT NULL" {
		t.Errorf("mssql single: %s %v", r.SQL, err)
	}
	// Deterministic: the same input gives the same text.
	a, _ := authsql.Build(pg, resource(t, pg, "Extra", "Bus"), anyOf(edOrgs, leaf(authz.StrategyRelationshipsWithEdOrgsOnlyInverted)), authsql.Shape{Claims: 2})
	b, _ := authsql.Build(pg, resource(t, pg, "Extra", "Bus"), anyOf(edOrgs, leaf(authz.StrategyRelationshipsWithEdOrgsOnlyInverted)), authsql.Shape{Claims: 2})
	if a.SQL != b.SQL || a.SQL == "" {
		t.Errorf("not deterministic:\n%s\n%s", a.SQL, b.SQL)
	}
}

// TestPersonViewsRule: authsql's rule for when the auth person views exist
// agrees with the views package ddl emits, for the example (none) and DS
// 5.0 + Sample (all).
func TestPersonViewsRule(t *testing.T) {
	check := func(name string, c *compiled) {
		for _, d := range []model.Dialect{model.PgSQL, model.MSSQL} {
			names, err := ddl.AuthViewNames(c.res.Model(d))
			if err != nil {
				t.Fatal(err)
			}
			emitted := len(names) > 3
			m := c.manifests[d]
			_, err = authsql.Build(m, personResource(t, m), leaf(authz.StrategyRelationshipsWithPeopleOnly), authsql.Shape{Claims: 1})
			if got := errorKind(err) != authsql.ErrNoPersonViews; got != emitted {
				t.Errorf("%s %s: ddl emits person views %v, authsql assumes %v (%v)", name, d, emitted, got, err)
			}
		}
	}
	check("example", exampleSet(t))
	t.Run("fixtures", func(t *testing.T) {
		check("ds-5.0+sample", ds50Set(t))
		// Build memoizes the rule per manifest: asked again, the example
		// must keep its own answer.
		check("example, after ds-5.0+sample", exampleSet(t))
	})
}

// personResource returns the first resource of m with a Student element.
func personResource(t *testing.T, m *manifest.Manifest) *manifest.Resource {
	t.Helper()
	for i := range m.Resources {
		for _, e := range m.Resources[i].SecurableElements {
			if e.Subject == manifest.SubjectStudent {
				return &m.Resources[i]
			}
		}
	}
	t.Fatal("no resource with a Student element")
	return nil
}

// TestReach: a person's own reach is listed from the views alone, ORed
// strategies as a union (the same text once), and nothing else is: an
// EdOrg's own reach holds every EdOrg type, a referencing resource's ids
// are not the persons', an AND is an intersection, and a leaf without a
// reach (NoFurtherAuthorizationRequired) allows documents no view lists.
func TestReach(t *testing.T) {
	c := ds50Set(t)
	pg, ms := c.manifests[model.PgSQL], c.manifests[model.MSSQL]
	students := leaf(authz.StrategyRelationshipsWithStudentsOnly)
	rsp := leaf(authz.StrategyRelationshipsWithStudentsOnlyThroughResponsibility)
	view := func(name string) string {
		return `SELECT v."Student_DocumentId" FROM "auth"."` + name + `" v WHERE v."SourceEducationOrganizationId" = ANY($1::bigint[])`
	}
	for _, tc := range []struct {
		name     string
		m        *manifest.Manifest
		resource string
		tree     authz.Predicate
		after    string
		want     string // "": no reach
	}{
		{"student", pg, "Student", students, "", view("EducationOrganizationIdToStudentDocumentId")},
		{"student after", pg, "Student", students, "$4", view("EducationOrganizationIdToStudentDocumentId") + ` AND v."Student_DocumentId" > $4::bigint`},
		{"ORed", pg, "Student", anyOf(students, rsp, students), "",
			view("EducationOrganizationIdToStudentDocumentId") + " UNION ALL " + view("EducationOrganizationIdToStudentDocumentIdThroughResponsibility")},
		{"AND of one", pg, "Student", allOf(students), "", view("EducationOrganizationIdToStudentDocumentId")},
		{"AND of two", pg, "Student", allOf(students, rsp), "", ""},
		{"no further authorization ORed", pg, "Student", anyOf(students, leaf(authz.StrategyNoFurtherAuthorizationRequired)), "", ""},
		{"school", pg, "School", leaf(authz.StrategyRelationshipsWithEdOrgsOnly), "", ""},
		{"association", pg, "StudentSchoolAssociation", students, "", ""},
		{"SQL Server", ms, "Student", students, "", ""},
	} {
		r, ok, err := authsql.Reach(tc.m, resource(t, tc.m, "Ed-Fi", tc.resource), tc.tree, authsql.Shape{Claims: 2, AfterParam: tc.after})
		if err != nil || ok != (tc.want != "") || r.SQL != tc.want || ok != r.UsesClaims {
			t.Errorf("%s: %v %+v %v\nwant %s", tc.name, ok, r, err, tc.want)
		}
	}
	if _, _, err := authsql.Reach(pg, resource(t, pg, "Ed-Fi", "Student"), students, authsql.Shape{}); errorKind(err) != authsql.ErrNoClaims {
		t.Errorf("no claims: %v", err)
	}
}
