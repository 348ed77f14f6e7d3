package authinfer

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// Diagnostic codes of the inference. They are stable.
const (
	// CodeUnresolved warns that an identity path could not be followed to
	// the property holding its value; it is not considered.
	CodeUnresolved = "auth-infer-unresolved"
	// CodeAmbiguous warns that an identity holds two equally deep values of
	// one name that no merge ties: MetaEd's source must role-name one of
	// them, and the file does not say which, so both are proposed.
	CodeAmbiguous = "auth-infer-ambiguous"
	// CodeNoEdOrg warns that the set has no Ed-Fi EducationOrganization, so
	// no hierarchy or types can be derived.
	CodeNoEdOrg = "auth-infer-no-edorg"
	// CodeHardcodedMissing warns that one of MetaEd's hard-coded core
	// exceptions found nothing to add (MetaEd stops with a fatal error).
	CodeHardcodedMissing = "auth-infer-hardcoded-missing"
	// CodeHierarchyCollection warns that a derived EdOrg parent path lies
	// under `[*]` (MetaEd writes it; dmsc ignores it when reading).
	CodeHierarchyCollection = "auth-infer-parent-in-collection"
	// CodeDuplicateParent warns that an EdOrg type references one parent
	// type twice; MetaEd keeps the one its source lists last, which the
	// file does not show.
	CodeDuplicateParent = "auth-infer-duplicate-parent"
)

// Rule names the MetaEd rule that proposed an element or an edge.
type Rule string

// The rules (see the package documentation for their sources).
const (
	// RuleEdOrgIdentity: an identity value held by an EdOrg's id, reached
	// without role names.
	RuleEdOrgIdentity Rule = "edorg-identity"
	// RulePersonIdentity: an identity value held by the Ed-Fi Student's,
	// Contact's or Staff's unique id.
	RulePersonIdentity Rule = "person-identity"
	// RuleNamespaceDescriptor: a descriptor's `$.namespace`.
	RuleNamespaceDescriptor Rule = "namespace-descriptor"
	// RuleNamespaceProperty: a required or identity Namespace property.
	RuleNamespaceProperty Rule = "namespace-property"
	// RuleProgramRole: MetaEd's hard-coded Program-role EdOrg ids
	// (ProgramRoleNameHardcodedSecurityDiminisher).
	RuleProgramRole Rule = "hardcoded-program-role"
	// RuleReportedSchool: StudentAssessment's ReportedSchool
	// (StudentAssessmentHardcodedSecurityDiminisher).
	RuleReportedSchool Rule = "hardcoded-reported-school"
	// RuleResponsibilitySchool: DisciplineAction's ResponsibilitySchool
	// (DisciplineActionHardcodedSecurityDiminisher).
	RuleResponsibilitySchool Rule = "hardcoded-responsibility-school"
	// RuleParentEdOrg: OrganizationDepartment's ParentEducationOrganization
	// (OrganizationDepartmentHardcodedSecurityDiminisher).
	RuleParentEdOrg Rule = "hardcoded-parent-edorg"
	// RuleEdOrgType: a subclass of EducationOrganization, or
	// EducationOrganization itself.
	RuleEdOrgType Rule = "edorg-type"
	// RuleEdOrgParent: an EdOrg type's own top-level reference.
	RuleEdOrgParent Rule = "edorg-parent-reference"
)

// edfi is the MetaEd project name of the Ed-Fi data standard.
const edfi = "Ed-Fi"

// Result is the inference for a schema set.
type Result struct {
	// Resources are every resource of the set, in the set's order.
	Resources []*ResourceResult
	// HasEdOrg tells whether the set holds the Ed-Fi EducationOrganization,
	// without which no types or hierarchy are derived.
	HasEdOrg bool
	// EdOrgTypes are the derived educationOrganizationTypes, in MetaEd's
	// order (subclasses, then EducationOrganization).
	EdOrgTypes []string
	// TypeReasons explain EdOrgTypes, one per type.
	TypeReasons []string
	// Hierarchy is the derived educationOrganizationHierarchy, sorted by
	// (Type, ParentType).
	Hierarchy []Edge
}

// Edge is one derived EdOrg parent.
type Edge struct {
	// Type has parent ParentType, found in Type's documents at Path.
	Type, ParentType string
	// Path is the reference's first identity value (by path).
	Path jsonpath.Path
	// Why explains the edge.
	Why string
}

// ResourceResult is the inference for one resource.
type ResourceResult struct {
	// Resource is the (merged) resource.
	Resource *apischema.Resource
	// Elements are the proposed securable elements.
	Elements apischema.SecurableElements
	// Reasons explain Elements, in kind order and list order.
	Reasons []Reason
	// Rejected explain identity values that hold an EdOrg id but are not
	// proposed (a role name on the way), in identity order.
	Rejected []Reason
}

// Key returns `Project/Resource`, the overlay key.
func (rr *ResourceResult) Key() string {
	return rr.Resource.Project.ProjectName + "/" + rr.Resource.ResourceName
}

// Reason explains one proposed (or rejected) element.
type Reason struct {
	// Kind is the element's kind.
	Kind apischema.SecurableKind
	// Path is the element's document path.
	Path jsonpath.Path
	// Rule is the MetaEd rule.
	Rule Rule
	// Why says which identity or reference path led to it, and how.
	Why string
}

// qname is a qualified resource name.
type qname struct{ project, name string }

func (q qname) String() string { return q.project + "/" + q.name }

// hop is one reference followed from an identity value toward its leaf.
type hop struct {
	// owner holds the reference (a concrete resource).
	owner *apischema.Resource
	// mapping is the reference's documentPathsMapping entry.
	mapping *apischema.PathMapping
	// object is the reference object path in owner's documents.
	object jsonpath.Path
	// role is the reference's role name ("" for none); roleHow says how it
	// is known.
	role, roleHow string
}

// leaf is the scalar property that holds an identity value.
type leaf struct {
	// owner is the resource (or abstract resource) declaring the property.
	owner qname
	// name is the property's MetaEd name (`SchoolId`).
	name string
}

// model indexes the set for the rules.
type model struct {
	set   *apischema.Set
	diags *diag.List
	// edorg is the Ed-Fi EducationOrganization and every subclass of it.
	edorg map[qname]bool
	// subclasses lists each abstract resource's subclasses by name.
	subclasses map[qname][]*apischema.Resource
	// evidence maps a resource to the reference object paths that other
	// references show to carry an identical role name, and that name.
	evidence map[qname]map[string]string
}

// maxHops bounds reference following (a hostile cycle stops there).
const maxHops = 32

// Infer derives securable elements for every resource of set, and the EdOrg
// types and hierarchy, by MetaEd's rules. It ignores what the files declare
// (compare with Resource.Securable and Project.EdOrgHierarchy to check the
// rules, or see ForOverlay). Warnings go to diags; there are no errors.
func Infer(set *apischema.Set, diags *diag.List) *Result {
	m := &model{set: set, diags: diags, edorg: map[qname]bool{}, subclasses: map[qname][]*apischema.Resource{}, evidence: map[qname]map[string]string{}}
	m.index()
	res := &Result{}
	for _, r := range set.Resources {
		res.Resources = append(res.Resources, m.resource(r))
	}
	m.hierarchy(res)
	m.compareCopies(res)
	return res
}

// index finds the EdOrg family, the subclasses and the role name evidence.
func (m *model) index() {
	root := qname{edfi, "EducationOrganization"}
	if m.set.AbstractResource(edfi, "EducationOrganization") != nil || m.set.Resource(edfi, "EducationOrganization") != nil {
		m.edorg[root] = true
	}
	for _, r := range m.set.Resources {
		if !r.IsSubclass {
			continue
		}
		sup := qname{r.SuperclassProjectName, r.SuperclassResourceName}
		m.subclasses[sup] = append(m.subclasses[sup], r)
		if sup == root && m.edorg[root] {
			m.edorg[qname{r.Project.ProjectName, r.ResourceName}] = true
		}
	}
	for _, subs := range m.subclasses {
		sort.SliceStable(subs, func(i, j int) bool { return subs[i].ResourceName < subs[j].ResourceName })
	}
	// MetaEd prefixes a referenced identity value with the role name of the
	// referenced entity's first property on the way when that role name
	// equals the entity's name (AllJsonPathsMappingEnhancer's
	// isIdenticalRoleNamePattern / addPrefix): `$.programReference.
	// educationOrganizationId` of GeneralStudentProgramAssociation is
	// written `programEducationOrganizationId` in a reference to it.
	for _, r := range m.set.Resources {
		for _, pm := range r.Mappings {
			if !pm.IsReference || pm.IsDescriptor {
				continue
			}
			target := qname{pm.ProjectName, pm.ResourceName}
			for _, rp := range pm.ReferenceJSONPaths {
				id := rp.IdentityJSONPath
				segs := id.Segments()
				if len(segs) < 2 || segs[0].Wildcard || id.WildcardCount() > 0 || !strings.HasSuffix(segs[0].Name, "Reference") {
					continue
				}
				hopName := strings.TrimSuffix(segs[0].Name, "Reference")
				got, want := rp.ReferenceJSONPath.Last().Name, id.Last().Name
				if hopName == "" || got == want || got != hopName+upperFirst(want) {
					continue
				}
				if m.evidence[target] == nil {
					m.evidence[target] = map[string]string{}
				}
				m.evidence[target]["$."+segs[0].Name] = upperFirst(hopName) + "\x00" + fmt.Sprintf("%s's %s writes %s's %s as %s", r.ResourceName, pm.Key, pm.ResourceName, id, got)
			}
		}
	}
}

// resolve follows identity path p of q down to its leaf. ok is false when a
// step is not found.
func (m *model) resolve(q qname, p jsonpath.Path, depth int) (chain []hop, lf leaf, ok bool) {
	if depth > maxHops {
		return nil, leaf{}, false
	}
	r := m.set.Resource(q.project, q.name)
	abstract := false
	if r == nil {
		a := m.set.AbstractResource(q.project, q.name)
		if a == nil {
			return nil, leaf{}, false
		}
		if p.Len() == 1 {
			for _, ip := range a.IdentityJSONPaths {
				if ip.Equal(p) {
					// The abstract's own identity property
					// (EducationOrganizationId), which subclasses rename.
					return nil, leaf{owner: q, name: upperFirst(p.Last().Name)}, true
				}
			}
		}
		subs := m.subclasses[q]
		if len(subs) == 0 {
			return nil, leaf{}, false
		}
		// Inherited properties have the same paths in every subclass.
		r, abstract = subs[0], true
	}
	for _, pm := range r.Mappings {
		if !pm.IsReference || pm.IsDescriptor {
			if pm.HasJSONPath && pm.JSONPath.Equal(p) {
				owner := qname{r.Project.ProjectName, r.ResourceName}
				if abstract {
					owner = q
				}
				return nil, leaf{owner: owner, name: lastKey(pm.Key)}, true
			}
			continue
		}
		for _, rp := range pm.ReferenceJSONPaths {
			if !rp.ReferenceJSONPath.Equal(p) {
				continue
			}
			h := m.hop(r, pm)
			rest, lf, ok := m.resolve(qname{pm.ProjectName, pm.ResourceName}, rp.IdentityJSONPath, depth+1)
			if !ok {
				return nil, leaf{}, false
			}
			return append([]hop{h}, rest...), lf, true
		}
	}
	return nil, leaf{}, false
}

// hop describes reference pm of r, with its role name when one is known.
func (m *model) hop(r *apischema.Resource, pm *apischema.PathMapping) hop {
	h := hop{owner: r, mapping: pm}
	if len(pm.ReferenceJSONPaths) > 0 {
		h.object = pm.ReferenceJSONPaths[0].ReferenceJSONPath.Parent()
	}
	if last := lastKey(pm.Key); last != pm.ResourceName {
		h.role = strings.TrimSuffix(last, pm.ResourceName)
		if h.role == "" {
			h.role = last
		}
		h.roleHow = fmt.Sprintf("its documentPathsMapping key %s is not the name of the resource it references, %s", pm.Key, pm.ResourceName)
		return h
	}
	if obj := strings.TrimSuffix(h.object.Last().Name, "Reference"); len(obj) > len(pm.ResourceName) &&
		strings.EqualFold(obj[len(obj)-len(pm.ResourceName):], pm.ResourceName) {
		h.role = upperFirst(obj[:len(obj)-len(pm.ResourceName)])
		h.roleHow = fmt.Sprintf("its JSON name %s puts %s before the name of the resource it references, %s", h.object.Last().Name, h.role, pm.ResourceName)
		return h
	}
	for _, no := range r.Relational.NameOverrides {
		if no.Key == h.object.String() && strings.HasSuffix(no.Value, "_"+pm.ResourceName) && len(no.Value) > len(pm.ResourceName)+1 {
			h.role = strings.TrimSuffix(no.Value, "_"+pm.ResourceName)
			h.roleHow = fmt.Sprintf("%s's relational.nameOverrides names %s %q", r.ResourceName, no.Key, no.Value)
			return h
		}
	}
	owners := []qname{{r.Project.ProjectName, r.ResourceName}}
	if r.IsSubclass {
		owners = append(owners, qname{r.SuperclassProjectName, r.SuperclassResourceName})
	}
	for _, o := range owners {
		if e, ok := m.evidence[o][h.object.String()]; ok {
			role, how, _ := strings.Cut(e, "\x00")
			h.role, h.roleHow = role, how+", MetaEd's prefix for an identical role name"
			return h
		}
	}
	if !r.HasRelational {
		for _, f := range identicalRoleNames {
			if f.project == r.Project.ProjectName && f.resource == r.ResourceName && f.key == pm.Key {
				h.role, h.roleHow = f.role, f.source
				return h
			}
		}
	}
	return h
}

// identicalRole is a recorded identical role name (see identicalRoleNames).
type identicalRole struct {
	project, resource, key, role, source string
}

// identicalRoleNames are identical role names of Ed-Fi core identity
// references that an ApiSchema file without a relational block does not
// show: no other reference to the resource shows MetaEd's prefix, and the
// collision rule cannot place them (the colliding values are equally deep,
// or nothing collides). Each is known from the ODS, whose column names
// carry role names. They are used only for resources without a relational
// block.
var identicalRoleNames = []identicalRole{{
	project: edfi, resource: "CourseTranscript", key: "Course", role: "Course",
	source: "recorded fact: MetaEd's Ed-Fi model gives CourseTranscript's Course reference the identical role name Course " +
		"(the ODS column is CourseTranscript.CourseEducationOrganizationId; upstream DMS's DS 5.2 ApiSchema gives CourseTranscript the one EdOrg element " +
		"$.studentAcademicRecordReference.educationOrganizationId); the DS 5.0 ApiSchema does not show it",
}, {
	project: edfi, resource: "StaffProgramAssociation", key: "Program", role: "Program",
	source: "recorded fact: MetaEd's Ed-Fi model gives StaffProgramAssociation's Program reference the identical role name Program " +
		"(the ODS column is StaffProgramAssociation.ProgramEducationOrganizationId); the DS 5.0 ApiSchema does not show it",
}}

// candidate is an identity value that holds an EdOrg id.
type candidate struct {
	path  jsonpath.Path
	leaf  leaf
	chain []hop
}

// via renders a chain: "StudentAcademicRecord → EducationOrganization".
func via(chain []hop) string {
	if len(chain) == 0 {
		return "the document itself"
	}
	parts := make([]string, len(chain))
	for i, h := range chain {
		parts[i] = h.mapping.Key
		if h.mapping.Key != h.mapping.ResourceName {
			parts[i] += " (" + h.mapping.ResourceName + ")"
		}
	}
	if len(parts) == 1 {
		return "the reference " + parts[0]
	}
	return "the references " + strings.Join(parts, " → ")
}

// resource applies the rules to one resource.
func (m *model) resource(r *apischema.Resource) *ResourceResult {
	rr := &ResourceResult{Resource: r}
	self := qname{r.Project.ProjectName, r.ResourceName}
	switch {
	case r.IsSchoolYearEnumeration:
		return rr
	case r.IsDescriptor:
		p := jsonpath.MustParse("$.namespace")
		rr.Elements.Namespace = []jsonpath.Path{p}
		rr.Reasons = append(rr.Reasons, Reason{Kind: apischema.KindNamespace, Path: p, Rule: RuleNamespaceDescriptor,
			Why: "every descriptor is namespace-secured by its own namespace"})
		return rr
	}
	var edorgs []candidate
	persons := map[apischema.SecurableKind][]Reason{}
	for _, ip := range r.IdentityJSONPaths {
		chain, lf, ok := m.resolve(self, ip, 0)
		if !ok {
			m.diags.Warnf(r.Project.File, r.Path, CodeUnresolved, "%s: identity path %s does not lead to a property of a loaded resource; it is not considered", self, ip)
			continue
		}
		if m.edorg[lf.owner] {
			edorgs = append(edorgs, candidate{path: ip, leaf: lf, chain: chain})
		}
		if lf.owner.project == edfi {
			var kind apischema.SecurableKind
			switch lf.owner.name {
			case "Student":
				kind = apischema.KindStudent
			case "Contact":
				kind = apischema.KindContact
			case "Staff":
				kind = apischema.KindStaff
			}
			if kind != "" {
				why := fmt.Sprintf("identity value reached through %s: %s, the unique id of Ed-Fi's %s", via(chain), lf.name, lf.owner.name)
				if len(chain) == 0 {
					why = fmt.Sprintf("the document's own identity: %s, the unique id of Ed-Fi's %s", lf.name, lf.owner.name)
				}
				persons[kind] = append(persons[kind], Reason{Kind: kind, Path: ip, Rule: RulePersonIdentity, Why: why})
			}
		}
	}
	m.edorgElements(rr, edorgs)
	m.hardcoded(rr, edorgs)
	for _, kind := range []apischema.SecurableKind{apischema.KindContact, apischema.KindStaff, apischema.KindStudent} {
		rs := persons[kind]
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].Path.String() < rs[j].Path.String() })
		for _, x := range rs {
			rr.Elements = addPath(rr.Elements, kind, x.Path)
		}
		rr.Reasons = append(rr.Reasons, rs...)
	}
	m.namespace(rr)
	rr.Reasons = orderReasons(rr)
	return rr
}

// edorgElements applies the EdOrg identity rule, with the collision rule for
// resources without a relational block.
func (m *model) edorgElements(rr *ResourceResult, cands []candidate) {
	r := rr.Resource
	var keep []candidate
	for _, c := range cands {
		if h := roleHop(c.chain); h != nil {
			rr.Rejected = append(rr.Rejected, Reason{Kind: apischema.KindEdOrg, Path: c.path, Rule: RuleEdOrgIdentity,
				Why: fmt.Sprintf("reached through %s, but %s carries the role name %s (%s); MetaEd secures only ids reached without role names", via(c.chain), h.mapping.Key, h.role, h.roleHow)})
			continue
		}
		keep = append(keep, c)
	}
	if !r.HasRelational {
		keep = m.collisions(rr, keep)
	}
	sort.SliceStable(keep, func(i, j int) bool {
		a, b := strings.ToLower(keep[i].leaf.name), strings.ToLower(keep[j].leaf.name)
		if a != b {
			return a < b
		}
		return keep[i].path.String() < keep[j].path.String()
	})
	for _, c := range keep {
		rr.Elements.EducationOrganization = append(rr.Elements.EducationOrganization, apischema.EdOrgElement{JSONPath: c.path, MetaEdName: c.leaf.name})
		why := fmt.Sprintf("identity value reached through %s, with no role name: %s, the id of %s (an EdOrg type)", via(c.chain), c.leaf.name, c.leaf.owner.name)
		if len(c.chain) == 0 {
			why = fmt.Sprintf("the document's own identity: %s, the id of %s (an EdOrg type)", c.leaf.name, c.leaf.owner.name)
		}
		rr.Reasons = append(rr.Reasons, Reason{Kind: apischema.KindEdOrg, Path: c.path, Rule: RuleEdOrgIdentity, Why: why})
	}
}

// collisions applies MetaEd's ODS naming constraint: one identity cannot
// hold two values of one name unless a merge (an equality constraint) ties
// them, so MetaEd's source role-names all but one group of them. The group
// with the fewest hops keeps its name; equally deep groups are all kept,
// with a warning.
func (m *model) collisions(rr *ResourceResult, cands []candidate) []candidate {
	r := rr.Resource
	byName := map[string][]int{}
	var names []string
	for i, c := range cands {
		if _, ok := byName[c.leaf.name]; !ok {
			names = append(names, c.leaf.name)
		}
		byName[c.leaf.name] = append(byName[c.leaf.name], i)
	}
	drop := map[int]string{}
	for _, name := range names {
		idx := byName[name]
		if len(idx) < 2 {
			continue
		}
		groups := mergeGroups(r, cands, idx)
		if len(groups) < 2 {
			continue
		}
		depth := func(g []int) int {
			d := maxHops + 1
			for _, i := range g {
				d = min(d, len(cands[i].chain))
			}
			return d
		}
		best := maxHops + 1
		for _, g := range groups {
			best = min(best, depth(g))
		}
		var tied []string
		for _, g := range groups {
			if depth(g) == best {
				for _, i := range g {
					tied = append(tied, cands[i].path.String())
				}
			}
		}
		for _, g := range groups {
			if depth(g) == best {
				continue
			}
			for _, i := range g {
				drop[i] = fmt.Sprintf("reached through %s, which collides with %s (another %s that no merge ties to it): MetaEd's source must give one of them a role name, which this older file does not show; the value with the fewest references keeps its name",
					via(cands[i].chain), strings.Join(tied, ", "), name)
			}
		}
		if len(tied) > 1 && countGroups(groups, depth, best) > 1 {
			m.diags.Warnf(r.Project.File, r.Path, CodeAmbiguous,
				"%s/%s: identity values %s each hold a value named %s, equally deep and tied by no merge; MetaEd's source gives all but one a role name, which the file does not show, so all are proposed: review them",
				r.Project.ProjectName, r.ResourceName, strings.Join(tied, ", "), name)
		}
	}
	var keep []candidate
	for i, c := range cands {
		if why, ok := drop[i]; ok {
			rr.Rejected = append(rr.Rejected, Reason{Kind: apischema.KindEdOrg, Path: c.path, Rule: RuleEdOrgIdentity, Why: why})
			continue
		}
		keep = append(keep, c)
	}
	return keep
}

func countGroups(groups [][]int, depth func([]int) int, best int) int {
	n := 0
	for _, g := range groups {
		if depth(g) == best {
			n++
		}
	}
	return n
}

// mergeGroups partitions cands[idx] into groups tied by equality
// constraints (a merge makes two paths one value).
func mergeGroups(r *apischema.Resource, cands []candidate, idx []int) [][]int {
	parent := map[int]int{}
	var find func(int) int
	find = func(i int) int {
		if parent[i] == i {
			return i
		}
		parent[i] = find(parent[i])
		return parent[i]
	}
	for _, i := range idx {
		parent[i] = i
	}
	for a := 0; a < len(idx); a++ {
		for b := a + 1; b < len(idx); b++ {
			pa, pb := cands[idx[a]].path, cands[idx[b]].path
			for _, e := range r.Equality {
				if (e.Source.Equal(pa) && e.Target.Equal(pb)) || (e.Source.Equal(pb) && e.Target.Equal(pa)) {
					parent[find(idx[a])] = find(idx[b])
				}
			}
		}
	}
	var order []int
	groups := map[int][]int{}
	for _, i := range idx {
		root := find(i)
		if _, ok := groups[root]; !ok {
			order = append(order, root)
		}
		groups[root] = append(groups[root], i)
	}
	out := make([][]int, len(order))
	for k, root := range order {
		out[k] = groups[root]
	}
	return out
}

// roleHop returns the first hop with a role name, or nil.
func roleHop(chain []hop) *hop {
	for i := range chain {
		if chain[i].role != "" {
			return &chain[i]
		}
	}
	return nil
}

// hardcoded applies MetaEd's hard-coded exceptions for core resources.
func (m *model) hardcoded(rr *ResourceResult, cands []candidate) {
	r := rr.Resource
	if r.Project.ProjectName != edfi {
		return
	}
	version := r.Project.ProjectVersion
	switch r.ResourceName {
	case "ProgramEvaluation", "ProgramEvaluationElement", "ProgramEvaluationObjective", "EvaluationRubricDimension":
		if !versionAtLeast(version, 5, 0, 0) {
			return
		}
		var added []candidate
		for _, c := range cands {
			for _, h := range c.chain {
				if h.role == "Program" && !hasEdOrgPath(rr.Elements, c.path) {
					added = append(added, c)
					break
				}
			}
		}
		if len(added) == 0 {
			m.diags.Warnf(r.Project.File, r.Path, CodeHardcodedMissing, "%s: MetaEd secures %s by the EdOrg ids its identity reaches through the role name Program, but none was found", rr.Key(), r.ResourceName)
			return
		}
		sort.SliceStable(added, func(i, j int) bool { return strings.ToLower(added[i].leaf.name) < strings.ToLower(added[j].leaf.name) })
		for _, c := range added {
			rr.Elements.EducationOrganization = append(rr.Elements.EducationOrganization, apischema.EdOrgElement{JSONPath: c.path, MetaEdName: c.leaf.name})
			rr.Reasons = append(rr.Reasons, Reason{Kind: apischema.KindEdOrg, Path: c.path, Rule: RuleProgramRole,
				Why: fmt.Sprintf("MetaEd's hard-coded exception for %s (DS 5.0 and later): the identity's EdOrg id reached through the role name Program (%s)", r.ResourceName, via(c.chain))})
		}
	case "StudentAssessment":
		if versionAtLeast(version, 4, 0, 0) {
			m.namedReference(rr, "ReportedSchool", "SchoolId", RuleReportedSchool, false)
		}
	case "DisciplineAction":
		if versionAtLeast(version, 4, 0, 0) {
			m.namedReference(rr, "ResponsibilitySchool", "SchoolId", RuleResponsibilitySchool, false)
		}
	case "OrganizationDepartment":
		if versionAtLeast(version, 3, 3, 0) {
			m.namedReference(rr, "ParentEducationOrganization", "EducationOrganizationId", RuleParentEdOrg, true)
		}
	}
}

// namedReference adds (or, with replaceFirst, puts first in place of the
// first element) the value named idName of r's reference key.
func (m *model) namedReference(rr *ResourceResult, key, idName string, rule Rule, replaceFirst bool) {
	r := rr.Resource
	self := qname{r.Project.ProjectName, r.ResourceName}
	for _, pm := range r.Mappings {
		if pm.Key != key || !pm.IsReference || pm.IsDescriptor {
			continue
		}
		for _, rp := range pm.ReferenceJSONPaths {
			chain, lf, ok := m.resolve(self, rp.ReferenceJSONPath, 0)
			if !ok || lf.name != idName {
				continue
			}
			el := apischema.EdOrgElement{JSONPath: rp.ReferenceJSONPath, MetaEdName: lf.name}
			why := fmt.Sprintf("MetaEd's hard-coded exception for %s: the %s of its %s reference (%s)", r.ResourceName, idName, key, via(chain))
			reason := Reason{Kind: apischema.KindEdOrg, Path: el.JSONPath, Rule: rule, Why: why}
			if replaceFirst && len(rr.Elements.EducationOrganization) > 0 {
				old := rr.Elements.EducationOrganization[0].JSONPath
				rr.Elements.EducationOrganization[0] = el
				for i, x := range rr.Reasons {
					if x.Kind == apischema.KindEdOrg && x.Path.Equal(old) {
						rr.Rejected = append(rr.Rejected, Reason{Kind: apischema.KindEdOrg, Path: old, Rule: rule,
							Why: fmt.Sprintf("replaced by MetaEd's hard-coded exception for %s with %s", r.ResourceName, el.JSONPath)})
						rr.Reasons[i] = reason
						break
					}
				}
				return
			}
			rr.Elements.EducationOrganization = append(rr.Elements.EducationOrganization, el)
			rr.Reasons = append(rr.Reasons, reason)
			return
		}
	}
	m.diags.Warnf(r.Project.File, r.Path, CodeHardcodedMissing, "%s: MetaEd secures %s by the %s of its %s reference, which this schema does not have", rr.Key(), r.ResourceName, idName, key)
}

func hasEdOrgPath(e apischema.SecurableElements, p jsonpath.Path) bool {
	for _, x := range e.EducationOrganization {
		if x.JSONPath.Equal(p) {
			return true
		}
	}
	return false
}

// namespace applies the Namespace property rule.
func (m *model) namespace(rr *ResourceResult) {
	r := rr.Resource
	if r.IsResourceExtension {
		return
	}
	var reasons []Reason
	seen := map[string]bool{}
	add := func(p jsonpath.Path, why string) {
		if p.WildcardCount() > 0 || seen[p.String()] {
			return
		}
		seen[p.String()] = true
		reasons = append(reasons, Reason{Kind: apischema.KindNamespace, Path: p, Rule: RuleNamespaceProperty, Why: why})
	}
	for _, pm := range r.Mappings {
		if pm.Owner != nil && pm.Owner != r.Project {
			continue // an extension's property
		}
		switch {
		case !pm.IsReference:
			if lastKey(pm.Key) == "Namespace" && pm.HasJSONPath && m.requiredOrIdentity(r, pm) {
				add(pm.JSONPath, fmt.Sprintf("%s's own property %s, required or part of its identity", r.ResourceName, pm.Key))
			}
		case !pm.IsDescriptor:
			for _, rp := range pm.ReferenceJSONPaths {
				_, lf, ok := m.resolve(qname{pm.ProjectName, pm.ResourceName}, rp.IdentityJSONPath, 0)
				if ok && lf.name == "Namespace" {
					add(rp.ReferenceJSONPath, fmt.Sprintf("the %s reference's copy of %s's identity value %s, its Namespace", pm.Key, pm.ResourceName, rp.IdentityJSONPath))
				}
			}
		}
	}
	sort.SliceStable(reasons, func(i, j int) bool { return reasons[i].Path.String() < reasons[j].Path.String() })
	for _, x := range reasons {
		rr.Elements.Namespace = append(rr.Elements.Namespace, x.Path)
	}
	rr.Reasons = append(rr.Reasons, reasons...)
}

// requiredOrIdentity tells whether a scalar mapping is required or part of
// the identity: as the file states, else (older files) from the identity
// paths and the JSON schema's required lists.
func (m *model) requiredOrIdentity(r *apischema.Resource, pm *apischema.PathMapping) bool {
	if pm.HasIsPartOfIdentity && pm.IsPartOfIdentity {
		return true
	}
	if pm.HasIsRequired {
		return pm.IsRequired
	}
	for _, ip := range r.IdentityJSONPaths {
		if ip.Equal(pm.JSONPath) {
			return true
		}
	}
	n := r.Schema
	names := pm.JSONPath.Parent().Names()
	for _, name := range names {
		if n == nil {
			return false
		}
		n = n.Prop(name)
		for n != nil && n.Type == "array" {
			n = n.Items
		}
	}
	return n != nil && n.IsRequired(pm.JSONPath.Last().Name)
}

// hierarchy derives the EdOrg types and hierarchy.
func (m *model) hierarchy(res *Result) {
	root := qname{edfi, "EducationOrganization"}
	if !m.edorg[root] {
		file := ""
		if len(m.set.Projects) > 0 {
			file = m.set.Projects[0].File
		}
		m.diags.Warnf(file, "", CodeNoEdOrg, "the schema set has no Ed-Fi EducationOrganization (load the Ed-Fi core with -s first): no educationOrganizationTypes or educationOrganizationHierarchy are derived")
		return
	}
	res.HasEdOrg = true
	subs := append([]*apischema.Resource(nil), m.subclasses[root]...)
	// MetaEd lists the subclasses in its load order: the core's, then each
	// extension's; by name within a project.
	rank := func(r *apischema.Resource) int {
		if r.Project.ProjectName == edfi {
			return 0
		}
		return 1
	}
	sort.SliceStable(subs, func(i, j int) bool {
		if rank(subs[i]) != rank(subs[j]) {
			return rank(subs[i]) < rank(subs[j])
		}
		if subs[i].Project.EndpointName != subs[j].Project.EndpointName {
			return subs[i].Project.EndpointName < subs[j].Project.EndpointName
		}
		return subs[i].ResourceName < subs[j].ResourceName
	})
	for _, t := range subs {
		res.EdOrgTypes = append(res.EdOrgTypes, t.ResourceName)
		res.TypeReasons = append(res.TypeReasons, fmt.Sprintf("%s/%s is a subclass of Ed-Fi's EducationOrganization", t.Project.ProjectName, t.ResourceName))
		res.Hierarchy = append(res.Hierarchy, m.parents(t)...)
	}
	res.EdOrgTypes = append(res.EdOrgTypes, "EducationOrganization")
	res.TypeReasons = append(res.TypeReasons, "Ed-Fi's EducationOrganization itself, listed last; it has no parents")
	sort.SliceStable(res.Hierarchy, func(i, j int) bool {
		a, b := res.Hierarchy[i], res.Hierarchy[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ParentType < b.ParentType
	})
}

// parents derives the parents of EdOrg type t: its own top-level references
// that are not to a school-year enumeration.
func (m *model) parents(t *apischema.Resource) []Edge {
	var out []Edge
	byParent := map[string]int{}
	for _, pm := range t.Mappings {
		if !pm.IsReference || pm.IsDescriptor || strings.Contains(pm.Key, ".") || len(pm.ReferenceJSONPaths) == 0 {
			continue
		}
		if pm.Owner != nil && pm.Owner != t.Project {
			continue // an extension's property, which MetaEd keeps on the extension
		}
		if target := m.set.Resource(pm.ProjectName, pm.ResourceName); target != nil && target.IsSchoolYearEnumeration {
			continue
		}
		paths := make([]string, len(pm.ReferenceJSONPaths))
		for i, rp := range pm.ReferenceJSONPaths {
			paths[i] = rp.ReferenceJSONPath.String()
		}
		sort.Strings(paths)
		p := jsonpath.MustParse(paths[0])
		if p.WildcardCount() > 0 {
			m.diags.Warnf(t.Project.File, pm.Path, CodeHierarchyCollection, "%s → %s: the parent path %s lies under [*]; MetaEd writes it, dmsc ignores it when reading", t.ResourceName, pm.ResourceName, p)
		}
		e := Edge{Type: t.ResourceName, ParentType: pm.ResourceName, Path: p,
			Why: fmt.Sprintf("%s's own top-level reference %s to %s, at its first identity value", t.ResourceName, pm.Key, pm.ResourceName)}
		if i, dup := byParent[pm.ResourceName]; dup {
			m.diags.Warnf(t.Project.File, pm.Path, CodeDuplicateParent,
				"%s references %s twice (%s and %s); MetaEd keeps the one its source lists last, which the file does not show: %s is proposed", t.ResourceName, pm.ResourceName, out[i].Path, p, out[i].Path)
			continue
		}
		byParent[pm.ResourceName] = len(out)
		out = append(out, e)
	}
	return out
}

// compareCopies warns where a project's declared hierarchy or types differ
// from the derived ones.
func (m *model) compareCopies(res *Result) {
	if !res.HasEdOrg {
		return
	}
	var edges []apischema.EdOrgParent
	for _, e := range res.Hierarchy {
		edges = append(edges, apischema.EdOrgParent{Type: e.Type, ParentType: e.ParentType, Path: e.Path.String()})
	}
	for _, p := range m.set.Projects {
		apischema.CompareEdOrgCopies("the one derived by MetaEd's rule from the loaded schema set", edges, true, res.EdOrgTypes, true, p, m.diags)
	}
}

// ForOverlay returns the overlay proposing the result: every resource
// whose file declares no securableElements (all resources with all), and
// the hierarchy and types when the core project (the lone project) does
// not declare them (or with all).
func (res *Result) ForOverlay(set *apischema.Set, all bool) *apischema.Overlay {
	o := &apischema.Overlay{Description: description(set)}
	for _, rr := range res.Resources {
		if !all && rr.Resource.SecurableOrigin.From == apischema.AuthSchema {
			continue
		}
		o.Resources = append(o.Resources, apischema.OverlayResource{ProjectName: rr.Resource.Project.ProjectName, ResourceName: rr.Resource.ResourceName, Elements: rr.Elements})
	}
	core := set.Core
	if core == nil && len(set.Projects) == 1 {
		core = set.Projects[0]
	}
	if res.HasEdOrg && core != nil {
		if all || core.EdOrgHierarchyOrigin.From != apischema.AuthSchema {
			o.HasHierarchy = true
			for _, e := range res.Hierarchy {
				o.EdOrgHierarchy = append(o.EdOrgHierarchy, apischema.EdOrgParent{Type: e.Type, ParentType: e.ParentType, Path: e.Path.String()})
			}
			o.HierarchyTypes = append([]string(nil), res.EdOrgTypes...)
		}
		if all || core.EdOrgTypesOrigin.From != apischema.AuthSchema {
			o.HasTypes = true
			o.EdOrgTypes = append([]string(nil), res.EdOrgTypes...)
		}
	}
	return o
}

// description names what the proposal was derived from.
func description(set *apischema.Set) string {
	names := make([]string, len(set.Projects))
	for i, p := range set.Projects {
		names[i] = p.ProjectName + " " + p.ProjectVersion
	}
	return "Proposed by dmsc auth infer for " + strings.Join(names, " + ") +
		" by MetaEd's securableElements and educationOrganizationHierarchy rules (see package authinfer); review before use."
}

// orderReasons sorts reasons by kind, keeping each kind's list order.
func orderReasons(rr *ResourceResult) []Reason {
	rank := map[apischema.SecurableKind]int{}
	for i, k := range apischema.SecurableKinds() {
		rank[k] = i
	}
	out := append([]Reason(nil), rr.Reasons...)
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Kind] < rank[out[j].Kind] })
	// EdOrg reasons follow the element order.
	var ed []Reason
	for _, e := range rr.Elements.EducationOrganization {
		for _, x := range out {
			if x.Kind == apischema.KindEdOrg && x.Path.Equal(e.JSONPath) {
				ed = append(ed, x)
				break
			}
		}
	}
	var res []Reason
	done := false
	for _, x := range out {
		if x.Kind == apischema.KindEdOrg {
			if !done {
				res = append(res, ed...)
				done = true
			}
			continue
		}
		res = append(res, x)
	}
	return res
}

func addPath(e apischema.SecurableElements, kind apischema.SecurableKind, p jsonpath.Path) apischema.SecurableElements {
	switch kind {
	case apischema.KindContact:
		e.Contact = append(e.Contact, p)
	case apischema.KindStaff:
		e.Staff = append(e.Staff, p)
	case apischema.KindStudent:
		e.Student = append(e.Student, p)
	case apischema.KindNamespace:
		e.Namespace = append(e.Namespace, p)
	}
	return e
}

// lastKey is the last dotted part of a documentPathsMapping key.
func lastKey(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// versionAtLeast compares a semantic version's major.minor.patch (a
// pre-release suffix ignored) with the given one.
func versionAtLeast(v string, major, minor, patch int) bool {
	core, _, _ := strings.Cut(v, "-")
	parts := strings.SplitN(core, ".", 3)
	nums := [3]int{}
	for i := 0; i < 3; i++ {
		if i >= len(parts) {
			break
		}
		n, err := strconv.Atoi(parts[i])
		if err != nil {
			return false
		}
		nums[i] = n
	}
	want := [3]int{major, minor, patch}
	for i := range nums {
		if nums[i] != want[i] {
			return nums[i] > want[i]
		}
	}
	return true
}
