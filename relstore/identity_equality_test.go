package relstore

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// TestIdentityEquality: the equality constraints between two identity
// values are found (others are not), and stored identity values that
// break one are described; absent values never break one.
func TestIdentityEquality(t *testing.T) {
	res := &manifest.Resource{ResourceName: "CourseOffering",
		Identity: []manifest.IdentityElement{
			{Path: "$.localCourseCode"}, {Path: "$.schoolReference.schoolId"}, {Path: "$.sessionReference.schoolId"},
		},
		Equality: []manifest.Equality{
			{SourcePath: "$.schoolReference.schoolId", TargetPath: "$.sessionReference.schoolId"},
			{SourcePath: "$.classPeriods[*].classPeriodReference.schoolId", TargetPath: "$.schoolReference.schoolId"},
		},
	}
	p := &plan{res: res}
	for i := range res.Identity {
		p.identity = append(p.identity, identityPlan{el: &res.Identity[i]})
	}
	p.planIdentityEquality()
	if len(p.identityEquality) != 1 || p.identityEquality[0] != [2]int{1, 2} {
		t.Fatalf("identity equality constraints %v, want [[1 2]]", p.identityEquality)
	}
	s := func(v string) *string { return &v }
	for _, c := range []struct {
		name string
		vals []*string
		want string
	}{
		{"equal", []*string{s("A"), s("7"), s("7")}, ""},
		{"a cascade changed one side", []*string{s("A"), s("7"), s("8")}, "CourseOffering $.schoolReference.schoolId = $.sessionReference.schoolId (7 ≠ 8)"},
		{"absent", []*string{s("A"), nil, s("8")}, ""},
	} {
		d := docIdentity{}
		p.checkIdentityEquality(&d, c.vals)
		if d.broken != c.want {
			t.Errorf("%s: broken %q, want %q", c.name, d.broken, c.want)
		}
	}
}
