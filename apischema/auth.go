package apischema

import (
	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// Diagnostic codes of the authorization metadata (securableElements,
// educationOrganizationHierarchy, educationOrganizationTypes) and of
// --auth-overlay files. They are stable, as the package's other codes.
const (
	// CodeSecurableInCollection warns that a securable element or an EdOrg
	// parent path lies under `[*]`; it is ignored.
	CodeSecurableInCollection = "securable-path-in-collection"
	// CodeUnknownSecurableKind reports a `securableElements` key other than
	// Contact, EducationOrganization, Namespace, Staff and Student (a
	// warning in an ApiSchema file, an error in an overlay).
	CodeUnknownSecurableKind = "unknown-securable-kind"
	// CodeDuplicateSecurable warns that a path is listed twice in one kind;
	// the repetition is ignored.
	CodeDuplicateSecurable = "duplicate-securable-element"
	// CodeSecurableOnExtension warns that a resource extension lists
	// securable elements; they belong to the extended resource and are
	// ignored.
	CodeSecurableOnExtension = "securable-elements-on-extension"
	// CodeDuplicateEdOrgType warns that educationOrganizationTypes lists a
	// type twice.
	CodeDuplicateEdOrgType = "duplicate-edorg-type"
	// CodeUnknownOverlayKey is an overlay top-level or item key dmsc does
	// not know.
	CodeUnknownOverlayKey = "unknown-overlay-key"
	// CodeBadOverlayName is an overlay securableElements key that is not
	// `Project/Resource`.
	CodeBadOverlayName = "bad-overlay-resource-name"
	// CodeUnknownOverlayProject names an overlay project that the schema
	// set does not hold.
	CodeUnknownOverlayProject = "unknown-overlay-project"
	// CodeUnknownOverlayResource names an overlay resource that its
	// project does not hold.
	CodeUnknownOverlayResource = "unknown-overlay-resource"
	// CodeOverlayIgnored warns that an overlay entry is ignored because the
	// schema declares its own (the schema's own metadata wins).
	CodeOverlayIgnored = "overlay-ignored"
	// CodeNoSecurableElements warns that resources have neither their own
	// securableElements nor an overlay entry: they are treated as having
	// none.
	CodeNoSecurableElements = "no-securable-elements"
	// CodeHierarchyDiffers warns that an extension project's copy of the
	// EdOrg hierarchy or types disagrees with the core's.
	CodeHierarchyDiffers = "edorg-hierarchy-differs"
)

// SecurableKind names one list of `securableElements`.
type SecurableKind string

// The securable element kinds, as ApiSchema files name them.
const (
	// KindContact lists paths holding a ContactUniqueId.
	KindContact SecurableKind = "Contact"
	// KindEdOrg lists paths holding an EducationOrganizationId (or a
	// subclass's renamed id, such as SchoolId).
	KindEdOrg SecurableKind = "EducationOrganization"
	// KindNamespace lists paths holding a namespace URI.
	KindNamespace SecurableKind = "Namespace"
	// KindStaff lists paths holding a StaffUniqueId.
	KindStaff SecurableKind = "Staff"
	// KindStudent lists paths holding a StudentUniqueId.
	KindStudent SecurableKind = "Student"
)

// SecurableKinds returns the kinds in the order files list them (by name).
func SecurableKinds() []SecurableKind {
	return []SecurableKind{KindContact, KindEdOrg, KindNamespace, KindStaff, KindStudent}
}

// SecurableElements is a resource's `securableElements`: the document
// paths whose values relationship- and namespace-based authorization
// compare with a caller's claims. Paths are document paths (never under
// `[*]`: such paths are dropped with a warning when read).
type SecurableElements struct {
	// Contact, Staff and Student are person id paths
	// (`$.studentReference.studentUniqueId`).
	Contact, Staff, Student []jsonpath.Path
	// EducationOrganization are EdOrg id paths with their MetaEd names.
	EducationOrganization []EdOrgElement
	// Namespace are namespace paths (`$.namespace` for descriptors).
	Namespace []jsonpath.Path
}

// EdOrgElement is one `securableElements.EducationOrganization` entry.
type EdOrgElement struct {
	// JSONPath locates the EdOrg id in the document.
	JSONPath jsonpath.Path
	// MetaEdName is the MetaEd property name of the id
	// (`EducationOrganizationId`, `SchoolId`): a readable name only.
	MetaEdName string
}

// Paths returns the paths of one kind (EdOrg elements' JSONPath for
// KindEdOrg), in list order; nil for an unknown kind.
func (e SecurableElements) Paths(kind SecurableKind) []jsonpath.Path {
	switch kind {
	case KindContact:
		return e.Contact
	case KindEdOrg:
		out := make([]jsonpath.Path, len(e.EducationOrganization))
		for i, x := range e.EducationOrganization {
			out[i] = x.JSONPath
		}
		return out
	case KindNamespace:
		return e.Namespace
	case KindStaff:
		return e.Staff
	case KindStudent:
		return e.Student
	}
	return nil
}

// IsEmpty reports whether no kind lists a path.
func (e SecurableElements) IsEmpty() bool {
	return len(e.Contact)+len(e.EducationOrganization)+len(e.Namespace)+len(e.Staff)+len(e.Student) == 0
}

// Equal reports whether both list the same elements in the same order.
func (e SecurableElements) Equal(o SecurableElements) bool {
	if len(e.EducationOrganization) != len(o.EducationOrganization) {
		return false
	}
	for i, x := range e.EducationOrganization {
		y := o.EducationOrganization[i]
		if !x.JSONPath.Equal(y.JSONPath) || x.MetaEdName != y.MetaEdName {
			return false
		}
	}
	for _, k := range []SecurableKind{KindContact, KindNamespace, KindStaff, KindStudent} {
		if !equalPaths(e.Paths(k), o.Paths(k)) {
			return false
		}
	}
	return true
}

func equalPaths(a, b []jsonpath.Path) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// add appends a path to the kind's list (not for KindEdOrg).
func (e *SecurableElements) add(kind SecurableKind, p jsonpath.Path) {
	switch kind {
	case KindContact:
		e.Contact = append(e.Contact, p)
	case KindNamespace:
		e.Namespace = append(e.Namespace, p)
	case KindStaff:
		e.Staff = append(e.Staff, p)
	case KindStudent:
		e.Student = append(e.Student, p)
	}
}

// AuthFrom tells where a piece of authorization metadata came from.
type AuthFrom int

const (
	// AuthAbsent: neither the schema nor an overlay gave it (treated as
	// none).
	AuthAbsent AuthFrom = iota
	// AuthSchema: the ApiSchema file declared it.
	AuthSchema
	// AuthOverlay: an --auth-overlay file supplied it.
	AuthOverlay
)

// String names the origin: "absent", "schema" or "overlay".
func (f AuthFrom) String() string {
	switch f {
	case AuthSchema:
		return "schema"
	case AuthOverlay:
		return "overlay"
	}
	return "absent"
}

// AuthOrigin locates authorization metadata: where it came from and, unless
// absent, the file and JSONPath of its declaration.
type AuthOrigin struct {
	// From is absent, schema or overlay.
	From AuthFrom
	// File is the ApiSchema or overlay file.
	File string
	// Path locates the declaration in File.
	Path string
}

// securable parses the resource's optional `securableElements`.
func (r *reader) securable(res *Resource, m map[string]any, base string) {
	raw, ok := m["securableElements"]
	if !ok {
		return
	}
	sb := keyPath(base, "securableElements")
	el, ok := r.securableElements(raw, sb, false)
	if !ok {
		return
	}
	res.SecurableOrigin = AuthOrigin{From: AuthSchema, File: r.file, Path: sb}
	if res.IsResourceExtension {
		if !el.IsEmpty() {
			r.diags.Warnf(r.file, sb, CodeSecurableOnExtension,
				"%s extends %s; a resource extension's securable elements are ignored (authorization reads the extended resource's)", res.EndpointName, res.ResourceName)
		}
		return
	}
	res.Securable = el
}

// securableElements reads one `securableElements` object at base. strict
// (overlays) makes unknown keys errors; in ApiSchema files they are
// warnings, so a newer MetaEd's kinds do not stop a load. ok is false when
// the value is not an object.
func (r *reader) securableElements(raw any, base string, strict bool) (SecurableElements, bool) {
	var el SecurableElements
	m, ok := r.obj(raw, base)
	if !ok {
		return el, false
	}
	for _, key := range sortedKeys(m) {
		kb := keyPath(base, key)
		kind := SecurableKind(key)
		switch kind {
		case KindEdOrg:
			el.EducationOrganization = r.edOrgElements(m[key], kb, strict)
		case KindContact, KindNamespace, KindStaff, KindStudent:
			arr, ok := m[key].([]any)
			if !ok {
				r.wrongType(kb, "array", m[key])
				continue
			}
			seen := map[string]bool{}
			for i, v := range arr {
				ib := indexPath(kb, i)
				s, ok := v.(string)
				if !ok {
					r.wrongType(ib, "string", v)
					continue
				}
				if p, ok := r.securablePath(s, ib, seen); ok {
					el.add(kind, p)
				}
			}
		default:
			msg := "unknown securable element kind %q (known: Contact, EducationOrganization, Namespace, Staff, Student)"
			if strict {
				r.diags.Errorf(r.file, kb, CodeUnknownSecurableKind, msg, key)
			} else {
				r.diags.Warnf(r.file, kb, CodeUnknownSecurableKind, msg+"; ignored", key)
			}
		}
	}
	return el, true
}

// edOrgElements reads the EducationOrganization list: objects with a
// jsonPath and a metaEdName.
func (r *reader) edOrgElements(raw any, base string, strict bool) []EdOrgElement {
	arr, ok := raw.([]any)
	if !ok {
		r.wrongType(base, "array", raw)
		return nil
	}
	var out []EdOrgElement
	seen := map[string]bool{}
	for i, v := range arr {
		ib := indexPath(base, i)
		em, ok := r.obj(v, ib)
		if !ok {
			continue
		}
		if strict {
			for _, k := range sortedKeys(em) {
				if k != "jsonPath" && k != "metaEdName" {
					r.diags.Errorf(r.file, keyPath(ib, k), CodeUnknownOverlayKey, "unknown key %q in an EducationOrganization element (allowed: jsonPath, metaEdName)", k)
				}
			}
		}
		name := r.str(em, ib, "metaEdName", true)
		_, nameIsString := em["metaEdName"].(string)
		if nameIsString && name == "" {
			r.diags.Errorf(r.file, keyPath(ib, "metaEdName"), CodeBadValue, "metaEdName is empty; name the EdOrg id property (EducationOrganizationId, SchoolId, ...)")
		}
		s := r.str(em, ib, "jsonPath", true)
		if _, ok := em["jsonPath"].(string); !ok || name == "" {
			continue
		}
		if p, ok := r.securablePath(s, keyPath(ib, "jsonPath"), seen); ok {
			out = append(out, EdOrgElement{JSONPath: p, MetaEdName: name})
		}
	}
	return out
}

// securablePath parses one element path: bad grammar is an error; a path
// under `[*]` or one already in seen is dropped with a warning.
func (r *reader) securablePath(s, at string, seen map[string]bool) (jsonpath.Path, bool) {
	p, ok := r.jsonPath(s, at)
	if !ok {
		return p, false
	}
	if p.WildcardCount() > 0 {
		r.diags.Warnf(r.file, at, CodeSecurableInCollection,
			"securable element %s lies under [*]: it names a collection item, not the document, and is ignored", p)
		return p, false
	}
	if seen[p.String()] {
		r.diags.Warnf(r.file, at, CodeDuplicateSecurable, "securable element %s is listed twice; the repetition is ignored", p)
		return p, false
	}
	seen[p.String()] = true
	return p, true
}

// edOrgAuth records whether the project declared
// `educationOrganizationHierarchy` and `educationOrganizationTypes`
// (project.go parsed them and reported values of the wrong type, which do
// not count as declared) and validates them: parent paths must be
// restricted JSONPaths (errors) outside any collection (warned and
// dropped), types must not repeat (warned).
func (r *reader) edOrgAuth(p *Project, m map[string]any, base string) {
	if _, ok := m["educationOrganizationHierarchy"].(map[string]any); ok {
		hb := keyPath(base, "educationOrganizationHierarchy")
		p.EdOrgHierarchyOrigin = AuthOrigin{From: AuthSchema, File: r.file, Path: hb}
		kept := p.EdOrgHierarchy[:0]
		for _, e := range p.EdOrgHierarchy {
			if e.Path == "" {
				continue // not a string: reported by project()
			}
			at := keyPath(keyPath(hb, e.Type), e.ParentType)
			if _, ok := r.hierarchyPath(e.Path, at); ok {
				kept = append(kept, e)
			}
		}
		p.EdOrgHierarchy = kept
	}
	if _, ok := m["educationOrganizationTypes"].([]any); ok {
		tb := keyPath(base, "educationOrganizationTypes")
		p.EdOrgTypesOrigin = AuthOrigin{From: AuthSchema, File: r.file, Path: tb}
		p.EdOrgTypes = r.dedupTypes(p.EdOrgTypes, tb)
	}
}

// hierarchyPath parses an EdOrg parent path: bad grammar is an error, a
// path under `[*]` is dropped with a warning.
func (r *reader) hierarchyPath(s, at string) (jsonpath.Path, bool) {
	p, ok := r.jsonPath(s, at)
	if !ok {
		return p, false
	}
	if p.WildcardCount() > 0 {
		r.diags.Warnf(r.file, at, CodeSecurableInCollection,
			"EdOrg parent path %s lies under [*]; a parent must be a single value of the document, so it is ignored", p)
		return p, false
	}
	return p, true
}

// dedupTypes drops repeated type names with a warning, keeping file order.
func (r *reader) dedupTypes(types []string, at string) []string {
	seen := map[string]bool{}
	out := types[:0]
	for _, t := range types {
		if seen[t] {
			r.diags.Warnf(r.file, at, CodeDuplicateEdOrgType, "education organization type %q is listed twice; the repetition is ignored", t)
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}
