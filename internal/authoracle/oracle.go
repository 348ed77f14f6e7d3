// Package authoracle is a test-support oracle for authorization: it
// decides whether a grant allows a document by looking only at document
// JSON bodies and the manifest, never at the database's derived tables or
// generated SQL. Tests compare what the store (or the generated predicate)
// answers with what the oracle answers.
//
// The oracle is built from the stored documents' bodies:
//   - the EdOrg hierarchy from the values of each EdOrg type's hierarchy
//     references (the overlay's educationOrganizationHierarchy paths), the
//     EdOrg types being the manifest's EdOrgTypes;
//   - students from StudentSchoolAssociation bodies (and, for
//     RelationshipsWithStudentsOnlyThroughResponsibility, from
//     StudentEducationOrganizationResponsibilityAssociation bodies);
//   - contacts from StudentContactAssociation bodies (through the students
//     the grant reaches);
//   - staff from StaffEducationOrganizationAssignmentAssociation and
//     StaffEducationOrganizationEmploymentAssociation bodies.
//
// Allows evaluates an authz.Predicate tree as the spec (70-authorization)
// says: relationship strategies are ORed, that disjunction and every other
// strategy are ANDed (the tree authz builds already has that shape; the
// oracle evaluates each leaf). Under a relationship or namespace strategy
// every securable element the strategy needs must hold a value in the
// document that the grant reaches; an absent value never matches.
// NoFurtherAuthorizationRequired allows everything; any other strategy
// (ownership, unknown) allows nothing. Test-only.
package authoracle

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// Hierarchy maps an EdOrg type (School) to its parent types and, for each,
// the JSON path of the parent's id in the type's documents
// ({"LocalEducationAgency": "$.localEducationAgencyReference.localEducationAgencyId"}).
type Hierarchy map[string]map[string]string

// LoadHierarchy reads the educationOrganizationHierarchy of an overlay
// file (testdata/auth/ds-5.0.overlay.json).
func LoadHierarchy(overlayPath string) (Hierarchy, error) {
	data, err := os.ReadFile(overlayPath)
	if err != nil {
		return nil, err
	}
	var ov struct {
		Hierarchy Hierarchy `json:"educationOrganizationHierarchy"`
	}
	if err := json.Unmarshal(data, &ov); err != nil {
		return nil, fmt.Errorf("%s: %w", overlayPath, err)
	}
	return ov.Hierarchy, nil
}

// Grant is what the oracle looks at of a caller: its EdOrg ids and
// namespace prefixes.
type Grant struct {
	EdOrgIDs          []int64
	NamespacePrefixes []string
}

// String renders the grant for failure messages.
func (g Grant) String() string {
	return fmt.Sprintf("edorgs %v prefixes %q", g.EdOrgIDs, g.NamespacePrefixes)
}

// Docs returns the JSON bodies (decoded with jsonvalue) of the stored
// documents of a resource, by document id.
type Docs func(res *manifest.Resource) (map[string]any, error)

// Oracle decides authorization from document JSON alone (see the package
// comment). Rebuild it after the documents change. It caches what each
// grant reaches and is not safe for concurrent use.
type Oracle struct {
	parents, children map[string][]string
	ssa, resp         [][2]string // EdOrg id, student unique id
	contacts          [][2]string // student unique id, contact unique id
	staff             [][2]string // EdOrg id, staff unique id
	edOrgs            map[string][]int64
	views             map[string]*view
}

// Build reads the documents of the manifest's EdOrg types and of the
// people associations through docs and returns the oracle.
func Build(m *manifest.Manifest, h Hierarchy, docs Docs) (*Oracle, error) {
	o := &Oracle{parents: map[string][]string{}, children: map[string][]string{}, edOrgs: map[string][]int64{}, views: map[string]*view{}}
	for _, typ := range m.EdOrgTypes {
		res := find(m, typ.ProjectName, typ.ResourceName)
		if res == nil {
			return nil, fmt.Errorf("authoracle: EdOrg type %s:%s is no resource", typ.ProjectName, typ.ResourceName)
		}
		bodies, err := docs(res)
		if err != nil {
			return nil, err
		}
		idPath := "$." + strings.ToLower(typ.ResourceName[:1]) + typ.ResourceName[1:] + "Id"
		for _, body := range bodies {
			id := Lookup1(body, idPath)
			if id == "" {
				return nil, fmt.Errorf("authoracle: a %s without %s", typ.ResourceName, idPath)
			}
			var n int64
			if _, err := fmt.Sscan(id, &n); err != nil {
				return nil, fmt.Errorf("authoracle: %s id %q: %v", typ.ResourceName, id, err)
			}
			o.edOrgs[typ.ResourceName] = append(o.edOrgs[typ.ResourceName], n)
			for _, path := range h[typ.ResourceName] {
				if p := Lookup1(body, path); p != "" {
					o.parents[id] = append(o.parents[id], p)
					o.children[p] = append(o.children[p], id)
				}
			}
		}
		sort.Slice(o.edOrgs[typ.ResourceName], func(i, j int) bool { return o.edOrgs[typ.ResourceName][i] < o.edOrgs[typ.ResourceName][j] })
	}
	pairs := func(resource, a, b string) ([][2]string, error) {
		res := find(m, "Ed-Fi", resource)
		if res == nil {
			return nil, nil
		}
		bodies, err := docs(res)
		if err != nil {
			return nil, err
		}
		var out [][2]string
		for _, body := range bodies {
			out = append(out, [2]string{Lookup1(body, a), Lookup1(body, b)})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i][0] != out[j][0] {
				return out[i][0] < out[j][0]
			}
			return out[i][1] < out[j][1]
		})
		return out, nil
	}
	for _, p := range []struct {
		into         *[][2]string
		resource     string
		first, other string
	}{
		{&o.ssa, "StudentSchoolAssociation", "$.schoolReference.schoolId", "$.studentReference.studentUniqueId"},
		{&o.resp, "StudentEducationOrganizationResponsibilityAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.studentReference.studentUniqueId"},
		{&o.contacts, "StudentContactAssociation", "$.studentReference.studentUniqueId", "$.contactReference.contactUniqueId"},
		{&o.staff, "StaffEducationOrganizationAssignmentAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.staffReference.staffUniqueId"},
		{&o.staff, "StaffEducationOrganizationEmploymentAssociation", "$.educationOrganizationReference.educationOrganizationId", "$.staffReference.staffUniqueId"},
	} {
		got, err := pairs(p.resource, p.first, p.other)
		if err != nil {
			return nil, err
		}
		*p.into = append(*p.into, got...)
	}
	return o, nil
}

// EdOrgIDs returns the ids of the stored EdOrgs of a type (School),
// ascending.
func (o *Oracle) EdOrgIDs(typ string) []int64 { return append([]int64(nil), o.edOrgs[typ]...) }

// Enrollments returns the (school id, student unique id) pairs of the
// stored StudentSchoolAssociations, sorted.
func (o *Oracle) Enrollments() [][2]string { return append([][2]string(nil), o.ssa...) }

// view is what one grant reaches, computed once.
type view struct {
	down, up                   map[string]bool
	students, resp, cont, stff map[string]bool
}

// viewOf returns (and caches) the sets grant g reaches.
func (o *Oracle) viewOf(g Grant) *view {
	key := g.String()
	if v, ok := o.views[key]; ok {
		return v
	}
	v := &view{down: closure(g.EdOrgIDs, o.children), up: closure(g.EdOrgIDs, o.parents)}
	v.students = people(o.ssa, v.down)
	v.resp = people(o.resp, v.down)
	v.cont = people(o.contacts, v.students)
	v.stff = people(o.staff, v.down)
	if len(o.views) > 4096 {
		o.views = map[string]*view{}
	}
	o.views[key] = v
	return v
}

// Allows evaluates the predicate tree pred for the document body of res
// under grant g.
func (o *Oracle) Allows(res *manifest.Resource, body any, pred authz.Predicate, g Grant) bool {
	return pred.Eval(func(s authz.Strategy) bool { return o.AllowsStrategy(res, body, s, g) })
}

// Status is the status a request under pred gets for res before any
// document is looked at, beyond what authz.Decision.Status already says
// (unknown and ownership strategies): 500 when a relationship or namespace
// strategy of pred needs subjects of which res has no securable element,
// else 403 when a relationship strategy applies and g has no EdOrg id or
// NamespaceBased applies and g has no namespace prefix, else 0 (the
// documents decide).
func Status(res *manifest.Resource, pred authz.Predicate, g Grant) int {
	leaves := pred.Leaves()
	for _, s := range leaves {
		if s.Kind != authz.KindRelationship && s.Kind != authz.KindNamespace {
			continue
		}
		found := false
		for _, e := range res.SecurableElements {
			if t, ok := subjectTypes[e.Subject]; ok && s.Needs(t) {
				found = true
			}
		}
		if !found {
			return 500
		}
	}
	for _, s := range leaves {
		if s.Kind == authz.KindRelationship && len(g.EdOrgIDs) == 0 || s.Kind == authz.KindNamespace && len(g.NamespacePrefixes) == 0 {
			return 403
		}
	}
	return 0
}

// subjectTypes maps the manifest's subjects to authz's.
var subjectTypes = map[manifest.Subject]authz.SubjectType{
	manifest.SubjectStudent: authz.SubjectStudent, manifest.SubjectContact: authz.SubjectContact,
	manifest.SubjectStaff: authz.SubjectStaff, manifest.SubjectEdOrg: authz.SubjectEdOrg, manifest.SubjectNamespace: authz.SubjectNamespace,
}

// AllowsStrategy decides one document under one strategy for grant g.
func (o *Oracle) AllowsStrategy(res *manifest.Resource, body any, s authz.Strategy, g Grant) bool {
	switch s.Kind {
	case authz.KindNoFurtherAuthorizationRequired:
		return true
	case authz.KindRelationship, authz.KindNamespace:
	default:
		return false
	}
	v := o.viewOf(g)
	edOrgs := v.down
	if s.InvertedEdOrgs {
		edOrgs = v.up
	}
	students := v.students
	if s.StudentsThroughResponsibility {
		students = v.resp
	}
	for _, e := range res.SecurableElements {
		t, ok := subjectTypes[e.Subject]
		if !ok || !s.Needs(t) {
			continue
		}
		val := Lookup1(body, e.Path)
		if val == "" {
			return false // an absent subject never matches
		}
		var hold bool
		switch e.Subject {
		case manifest.SubjectEdOrg:
			hold = edOrgs[val]
		case manifest.SubjectStudent:
			hold = students[val]
		case manifest.SubjectContact:
			hold = v.cont[val]
		case manifest.SubjectStaff:
			hold = v.stff[val]
		case manifest.SubjectNamespace:
			for _, p := range g.NamespacePrefixes {
				if strings.HasPrefix(val, p) {
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

// paths caches parsed JSON paths.
var paths sync.Map

// Lookup1 returns the single value at path in body as text ("" when
// absent or null).
func Lookup1(body any, path string) string {
	parsed, ok := paths.Load(path)
	if !ok {
		parsed, _ = paths.LoadOrStore(path, jsonpath.MustParse(path))
	}
	vals := parsed.(jsonpath.Path).Lookup(body)
	if len(vals) != 1 || vals[0] == nil {
		return ""
	}
	return fmt.Sprint(vals[0])
}

// find finds a resource by project and resource name.
func find(m *manifest.Manifest, project, name string) *manifest.Resource {
	for i := range m.Resources {
		if m.Resources[i].ProjectName == project && m.Resources[i].ResourceName == name {
			return &m.Resources[i]
		}
	}
	return nil
}
