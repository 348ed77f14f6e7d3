package authsql_test

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/golden"
)

// strategyTrees are the trees every golden resource shows: each strategy
// dmsc knows alone, an unknown one, and the composite shapes authz builds
// (relationship strategies ORed, NamespaceBased ANDed with them).
func strategyTrees() []authz.Predicate {
	var out []authz.Predicate
	for _, n := range authz.StrategyNames() {
		out = append(out, leaf(n))
	}
	out = append(out, leaf("SectionWithCustomRosterRules"),
		anyOf(leaf(authz.StrategyRelationshipsWithEdOrgsOnly), leaf(authz.StrategyRelationshipsWithEdOrgsOnlyInverted)),
		allOf(anyOf(leaf(authz.StrategyRelationshipsWithEdOrgsAndPeople), leaf(authz.StrategyRelationshipsWithStudentsOnlyThroughResponsibility)),
			leaf(authz.StrategyNamespaceBased)),
	)
	return out
}

// TestGoldenExample: the predicates of every strategy for every resource
// of the example schema (with testdata/example.overlay.json) and the
// decisions of testdata/auth/claims.example.json, in PostgreSQL and both
// SQL Server forms (testdata/example/).
func TestGoldenExample(t *testing.T) {
	c := exampleSet(t)
	claims := loadClaims(t, "claims.example.json")
	files := map[string][]byte{}
	for _, r := range c.manifests["pgsql"].Resources {
		files[r.ProjectName+"."+r.ResourceName+".golden"] = []byte(describe(t, c, r.ProjectName, r.ResourceName, strategyTrees(), claims))
	}
	golden.AssertDir(t, "testdata/example", files)
}

// ds50Resources are the representative DS 5.0 (+ Sample) resources: every
// site (self EdOrg, self person, direct, transitive, descriptor and
// referenced namespaces), every subject kind, a Sample resource with a
// transitive EdOrg.
var ds50Resources = [][2]string{
	{"Ed-Fi", "StudentSchoolAssociation"},
	{"Ed-Fi", "CourseTranscript"},
	{"Ed-Fi", "Student"},
	{"Ed-Fi", "School"},
	{"Ed-Fi", "AcademicSubjectDescriptor"},
	{"Ed-Fi", "StudentAssessment"},
	{"Ed-Fi", "StaffEducationOrganizationAssignmentAssociation"},
	{"Ed-Fi", "StudentContactAssociation"},
	{"Ed-Fi", "Contact"},
	{"Ed-Fi", "Staff"},
	{"Ed-Fi", "Assessment"},
	{"Ed-Fi", "StudentEducationOrganizationResponsibilityAssociation"},
	{"Sample", "StudentGraduationPlanAssociation"},
}

// TestGoldenDS50: the same for the representative DS 5.0 + Sample
// resources with testdata/auth/ds-5.0.overlay.json and the decisions of
// testdata/auth/claims.ds-5.0-sample.json (testdata/ds-5.0-sample/;
// skipped without the fixtures).
func TestGoldenDS50(t *testing.T) {
	c := ds50Set(t)
	claims := loadClaims(t, "claims.ds-5.0-sample.json")
	files := map[string][]byte{}
	for _, pr := range ds50Resources {
		files[pr[0]+"."+pr[1]+".golden"] = []byte(describe(t, c, pr[0], pr[1], strategyTrees(), claims))
	}
	golden.AssertDir(t, "testdata/ds-5.0-sample", files)
}
