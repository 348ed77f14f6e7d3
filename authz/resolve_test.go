package authz

import (
	"reflect"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
)

// hierarchy is a small claims file exercising the lineage rules: a domain
// with defaults, a subdomain with its own defaults, a resource with a
// resource-level default, a claim set granted at different levels.
const hierarchy = `{
  "claimSets": [
    {"claimSetName": "Vendor", "isSystemReserved": false},
    {"claimSetName": "Partial", "isSystemReserved": false},
    {"claimSetName": "Legacy", "isSystemReserved": true}
  ],
  "claimsHierarchy": [
    {
      "name": "http://ed-fi.org/identity/claims/domains/relationshipBasedData",
      "defaultAuthorization": {"actions": [
        {"name": "Create", "authorizationStrategies": [{"name": "RelationshipsWithEdOrgsAndPeople"}]},
        {"name": "Read", "authorizationStrategies": [{"name": "RelationshipsWithEdOrgsAndPeople"}]},
        {"name": "Update", "authorizationStrategies": [{"name": "RelationshipsWithEdOrgsAndPeople"}]}
      ]},
      "claimSets": [
        {"name": "Vendor", "actions": [{"name": "Create"}, {"name": "Read"}, {"name": "Update"}, {"name": "Delete"}]},
        {"name": "Partial", "actions": [{"name": "Delete", "authorizationStrategyOverrides": [{"name": "RelationshipsWithEdOrgsOnly"}]}]}
      ],
      "claims": [
        {
          "name": "http://ed-fi.org/identity/claims/domains/surveyDomain",
          "defaultAuthorization": {"actions": [
            {"name": "Read", "authorizationStrategies": [{"name": "NamespaceBased"}]},
            {"name": "Update", "authorizationStrategies": []}
          ]},
          "claims": [
            {"name": "http://ed-fi.org/identity/claims/ed-fi/survey"},
            {
              "name": "http://ed-fi.org/identity/claims/ed-fi/surveyResponse",
              "claimSets": [
                {"name": "partial", "actions": [{"name": "Read"}]},
                {"name": "Legacy", "actions": [
                  {"name": "Read", "authorizationStrategyOverrides": [{"name": "OwnershipBased"}]},
                  {"name": "Update", "authorizationStrategyOverrides": [{"name": "OwnershipBased"}, {"name": "SurveyResponseWithCustomRules"}]}
                ]}
              ]
            }
          ]
        },
        {
          "name": "http://ed-fi.org/identity/claims/ed-fi/studentSchoolAssociation",
          "defaultAuthorization": {"actions": [
            {"name": "Create", "authorizationStrategies": [{"name": "RelationshipsWithEdOrgsOnly"}]}
          ]},
          "claimSets": [
            {"name": "Partial", "actions": [{"name": "Update"}]},
            {"name": "Legacy", "actions": [
              {"name": "Read", "authorizationStrategyOverrides": [
                {"name": "RelationshipsWithEdOrgsOnly"}, {"name": "NamespaceBased"},
                {"name": "RelationshipsWithEdOrgsOnlyInverted"}, {"name": "NoFurtherAuthorizationRequired"}
              ]},
              {"name": "Update", "authorizationStrategyOverrides": []}
            ]}
          ]
        },
        {"name": "http://ed-fi.org/identity/claims/sample/busRoute"}
      ]
    }
  ]
}`

func mustParse(t testing.TB, data string) *Claims {
	t.Helper()
	var d diag.List
	c := Parse("claims.json", []byte(data), &d)
	if c == nil {
		t.Fatalf("parse: %v", d.Err())
	}
	return c
}

// TestResolve: the lineage rules, one case each.
func TestResolve(t *testing.T) {
	c := mustParse(t, hierarchy)
	const (
		domain = "http://ed-fi.org/identity/claims/domains/relationshipBasedData"
		survey = "http://ed-fi.org/identity/claims/domains/surveyDomain"
		ssa    = "http://ed-fi.org/identity/claims/ed-fi/studentSchoolAssociation"
		resp   = "http://ed-fi.org/identity/claims/ed-fi/surveyResponse"
	)
	tests := []struct {
		name              string
		set, ep, resource string
		action            Action
		want              string // Decision.String()
		grantedBy, from   string
		status            int
	}{
		{"grant on the domain, default on the domain", "Vendor", "ed-fi", "StudentSchoolAssociation", ActionRead,
			"RelationshipsWithEdOrgsAndPeople [default@" + domain + "]", domain, domain, 0},
		{"nearest default walks from the resource, below the grant", "Vendor", "ed-fi", "StudentSchoolAssociation", ActionCreate,
			"RelationshipsWithEdOrgsOnly [default@" + ssa + "]", domain, ssa, 0},
		{"subdomain default", "Vendor", "ed-fi", "Survey", ActionRead,
			"NamespaceBased [default@" + survey + "]", domain, survey, 0},
		{"an empty default hides the ones above", "Vendor", "ed-fi", "Survey", ActionUpdate,
			"500 no-strategies", domain, "", 500},
		{"granted, no default anywhere", "Vendor", "ed-fi", "Survey", ActionDelete,
			"500 no-strategies", domain, "", 500},
		{"override on the granting claim", "Partial", "ed-fi", "Survey", ActionDelete,
			"RelationshipsWithEdOrgsOnly [override@" + domain + "]", domain, domain, 0},
		{"a claim naming the set without the action does not stop the walk", "Partial", "ed-fi", "SurveyResponse", ActionDelete,
			"RelationshipsWithEdOrgsOnly [override@" + domain + "]", domain, domain, 0},
		{"claim set names are case-insensitive", "PARTIAL", "ed-fi", "SurveyResponse", ActionRead,
			"NamespaceBased [default@" + survey + "]", resp, survey, 0},
		{"nearest grant wins over the domain's", "Partial", "ed-fi", "StudentSchoolAssociation", ActionUpdate,
			"RelationshipsWithEdOrgsAndPeople [default@" + domain + "]", ssa, domain, 0},
		{"not granted anywhere", "Partial", "ed-fi", "StudentSchoolAssociation", ActionCreate,
			"403 action-not-granted", "", "", 403},
		{"unknown claim set", "Nobody", "ed-fi", "StudentSchoolAssociation", ActionRead,
			"403 unknown-claim-set", "", "", 403},
		{"no resource claim", "Vendor", "ed-fi", "Student", ActionRead,
			"403 no-resource-claim", "", "", 403},
		{"a domain is not a resource claim", "Vendor", "domains", "SurveyDomain", ActionRead,
			"403 no-resource-claim", "", "", 403},
		{"resource names are case-insensitive", "Vendor", "ED-FI", "STUDENTSCHOOLASSOCIATION", ActionRead,
			"RelationshipsWithEdOrgsAndPeople [default@" + domain + "]", domain, domain, 0},
		{"extension project", "Vendor", "sample", "BusRoute", ActionUpdate,
			"RelationshipsWithEdOrgsAndPeople [default@" + domain + "]", domain, domain, 0},
		{"ownership is 501", "Legacy", "ed-fi", "SurveyResponse", ActionRead,
			"501 OwnershipBased [override@" + resp + "]", resp, resp, 501},
		{"unknown wins over ownership: 500", "Legacy", "ed-fi", "SurveyResponse", ActionUpdate,
			"500 AND(OwnershipBased, SurveyResponseWithCustomRules) [override@" + resp + "]", resp, resp, 500},
		{"relationships ORed, the rest ANDed", "Legacy", "ed-fi", "StudentSchoolAssociation", ActionRead,
			"AND(OR(RelationshipsWithEdOrgsOnly, RelationshipsWithEdOrgsOnlyInverted), NamespaceBased) [override@" + ssa + "]", ssa, ssa, 0},
		{"empty overrides fall back to the default", "Legacy", "ed-fi", "StudentSchoolAssociation", ActionUpdate,
			"RelationshipsWithEdOrgsAndPeople [default@" + domain + "]", ssa, domain, 0},
		{"ReadChanges is an action of its own", "Vendor", "ed-fi", "StudentSchoolAssociation", ActionReadChanges,
			"403 action-not-granted", "", "", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Resolve(tt.set, tt.ep, tt.resource, tt.action)
			if got := d.String(); got != tt.want {
				t.Errorf("decision %q, want %q", got, tt.want)
			}
			if d.GrantedBy != tt.grantedBy || d.StrategiesFrom != tt.from {
				t.Errorf("granted by %q, strategies from %q; want %q, %q", d.GrantedBy, d.StrategiesFrom, tt.grantedBy, tt.from)
			}
			if got := d.Status(); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
			if (d.Status() != 0) != (d.ProblemType() != "" || d.Status() == 501) {
				t.Errorf("status %d with problem type %q", d.Status(), d.ProblemType())
			}
		})
	}
}

// TestResolveDetails: the fields beside the summary: canonical names,
// lineage, the 403 wording of upstream DMS, strategy subjects.
func TestResolveDetails(t *testing.T) {
	c := mustParse(t, hierarchy)

	d := c.Resolve("partial", "ed-fi", "StudentSchoolAssociation", ActionCreate)
	if d.ClaimSet != "Partial" {
		t.Errorf("claim set %q, want the declared spelling Partial", d.ClaimSet)
	}
	wantLineage := []string{
		"http://ed-fi.org/identity/claims/ed-fi/studentSchoolAssociation",
		"http://ed-fi.org/identity/claims/domains/relationshipBasedData",
	}
	if !reflect.DeepEqual(d.Lineage, wantLineage) {
		t.Errorf("lineage %q, want %q", d.Lineage, wantLineage)
	}
	if d.ProblemType() != ProblemTypeActionDenied {
		t.Errorf("problem type %q", d.ProblemType())
	}
	wantErr := "The API client's assigned claim set (currently 'Partial') must grant permission of the 'Create' action on one of the following resource claims: StudentSchoolAssociation"
	if e := d.Errors(); len(e) != 1 || e[0] != wantErr {
		t.Errorf("errors %q, want %q", e, wantErr)
	}

	d = c.Resolve("Vendor", "ed-fi", "Student", ActionRead)
	if d.ProblemType() != ProblemTypeAuthorization || len(d.Errors()) != 0 || d.Lineage != nil {
		t.Errorf("no resource claim: type %q, errors %q, lineage %q", d.ProblemType(), d.Errors(), d.Lineage)
	}
	if d.ResourceClaim != "http://ed-fi.org/identity/claims/ed-fi/student" {
		t.Errorf("resource claim %q", d.ResourceClaim)
	}

	d = c.Resolve("Vendor", "ED-FI", "studentschoolassociation", ActionRead)
	if d.ResourceClaim != "http://ed-fi.org/identity/claims/ed-fi/studentSchoolAssociation" {
		t.Errorf("resource claim %q, want the file's spelling", d.ResourceClaim)
	}
	s := d.Predicate.Strategy
	if d.Predicate.Op != OpStrategy || s.Kind != KindRelationship || s.InvertedEdOrgs || s.StudentsThroughResponsibility ||
		!reflect.DeepEqual(s.Subjects, []SubjectType{SubjectStudent, SubjectContact, SubjectStaff, SubjectEdOrg}) {
		t.Errorf("predicate %+v", d.Predicate)
	}

	d = c.Resolve("Vendor", "ed-fi", "Survey", ActionUpdate)
	if d.ProblemType() != ProblemTypeSecurityConfiguration || len(d.Errors()) != 1 || !strings.Contains(d.Errors()[0], "No authorization strategies") {
		t.Errorf("no strategies: %q %q", d.ProblemType(), d.Errors())
	}
	d = c.Resolve("Legacy", "ed-fi", "SurveyResponse", ActionUpdate)
	if e := d.Errors(); len(e) != 1 || !strings.Contains(e[0], "'SurveyResponseWithCustomRules'") {
		t.Errorf("unknown strategy errors %q", e)
	}
}

// TestStrategyVocabulary: what each known strategy needs.
func TestStrategyVocabulary(t *testing.T) {
	type want struct {
		kind           Kind
		subjects       string
		inverted, resp bool
	}
	tests := map[string]want{
		StrategyRelationshipsWithEdOrgsOnly:                        {KindRelationship, "EdOrg", false, false},
		StrategyRelationshipsWithEdOrgsOnlyInverted:                {KindRelationship, "EdOrg", true, false},
		StrategyRelationshipsWithEdOrgsAndPeople:                   {KindRelationship, "Student Contact Staff EdOrg", false, false},
		StrategyRelationshipsWithEdOrgsAndPeopleInverted:           {KindRelationship, "Student Contact Staff EdOrg", true, false},
		StrategyRelationshipsWithPeopleOnly:                        {KindRelationship, "Student Contact Staff", false, false},
		StrategyRelationshipsWithStudentsOnly:                      {KindRelationship, "Student", false, false},
		StrategyRelationshipsWithStudentsOnlyThroughResponsibility: {KindRelationship, "Student", false, true},
		StrategyNamespaceBased:                                     {KindNamespace, "Namespace", false, false},
		StrategyNoFurtherAuthorizationRequired:                     {KindNoFurtherAuthorizationRequired, "", false, false},
		StrategyOwnershipBased:                                     {KindOwnership, "", false, false},
		"relationshipsWithEdOrgsOnly":                              {KindUnknown, "", false, false},
		"SchoolWithCustomRules":                                    {KindUnknown, "", false, false},
	}
	names := append(StrategyNames(), "relationshipsWithEdOrgsOnly", "SchoolWithCustomRules")
	if len(names) != len(tests) {
		t.Fatalf("StrategyNames has %d names, the table %d", len(names)-2, len(tests)-2)
	}
	for _, name := range names {
		w, ok := tests[name]
		if !ok {
			t.Errorf("%s: not in the table", name)
			continue
		}
		s := LookupStrategy(name)
		var subj []string
		for _, x := range s.Subjects {
			subj = append(subj, x.String())
			if !s.Needs(x) {
				t.Errorf("%s: Needs(%v) false", name, x)
			}
		}
		if s.Name != name || s.Kind != w.kind || strings.Join(subj, " ") != w.subjects || s.InvertedEdOrgs != w.inverted || s.StudentsThroughResponsibility != w.resp {
			t.Errorf("%s: %+v, want %+v", name, s, w)
		}
	}
	// LookupStrategy hands out copies.
	s := LookupStrategy(StrategyRelationshipsWithEdOrgsOnly)
	s.Subjects[0] = SubjectStaff
	if LookupStrategy(StrategyRelationshipsWithEdOrgsOnly).Subjects[0] != SubjectEdOrg {
		t.Error("LookupStrategy shares its vocabulary's slices")
	}
}

// TestActions: methods and names.
func TestActions(t *testing.T) {
	for _, tt := range []struct {
		method string
		want   Action
		ok     bool
	}{{"POST", ActionCreate, true}, {"GET", ActionRead, true}, {"PUT", ActionUpdate, true}, {"DELETE", ActionDelete, true},
		{"PATCH", "", false}, {"get", "", false}, {"HEAD", "", false}} {
		if got, ok := ActionForMethod(tt.method); got != tt.want || ok != tt.ok {
			t.Errorf("ActionForMethod(%q) = %q, %v", tt.method, got, ok)
		}
	}
	for _, tt := range []struct {
		name string
		want Action
		ok   bool
	}{{"Read", ActionRead, true}, {"read", ActionRead, true}, {"READCHANGES", ActionReadChanges, true}, {"Upsert", "Upsert", false}} {
		if got, ok := ParseAction(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("ParseAction(%q) = %q, %v", tt.name, got, ok)
		}
	}
	if got := ResourceClaimName("sample", "BusRoute"); got != "http://ed-fi.org/identity/claims/sample/busRoute" {
		t.Errorf("ResourceClaimName = %q", got)
	}
}
