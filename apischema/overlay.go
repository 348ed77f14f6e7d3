package apischema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/editdistance"
)

// MaxOverlaySize is the largest --auth-overlay file dmsc reads: 16 MiB,
// about 150 times the DS 5.0 overlay.
const MaxOverlaySize = 16 << 20

// Overlay is an --auth-overlay file: authorization metadata for schemas
// that lack it (DS 5.0 and 5.1 ApiSchema files have no securableElements,
// educationOrganizationHierarchy or educationOrganizationTypes).
//
// The file is a JSON object:
//
//	{
//	  "description": "optional text for people",
//	  "securableElements": {
//	    "Ed-Fi/StudentSchoolAssociation": {
//	      "Contact": [], "Namespace": [], "Staff": [],
//	      "EducationOrganization": [{"jsonPath": "$.schoolReference.schoolId", "metaEdName": "SchoolId"}],
//	      "Student": ["$.studentReference.studentUniqueId"]
//	    }
//	  },
//	  "educationOrganizationHierarchy": {"School": {"LocalEducationAgency": "$.localEducationAgencyReference.localEducationAgencyId"}},
//	  "educationOrganizationTypes": ["School", "LocalEducationAgency", "EducationOrganization"]
//	}
//
// Each securableElements value has the shape of a resource's
// `securableElements`, keyed `Project/Resource` (MetaEd project and
// resource names, as in `Ed-Fi/Student`); the hierarchy and types have the
// shape of a project's and apply to the core project (the lone project of a
// set without one). Every key is optional; unknown keys are errors.
type Overlay struct {
	// File is the overlay's path (or name).
	File string
	// Description is the optional `description`.
	Description string
	// Resources are the securableElements entries, sorted by key.
	Resources []OverlayResource
	// EdOrgHierarchy is `educationOrganizationHierarchy`, sorted by (Type,
	// ParentType); HierarchyTypes lists every type key it has, including
	// types with no parent (`"StateEducationAgency": {}`), sorted.
	EdOrgHierarchy []EdOrgParent
	// HierarchyTypes are the type keys of educationOrganizationHierarchy.
	HierarchyTypes []string
	// HasHierarchy tells whether the file has educationOrganizationHierarchy.
	HasHierarchy bool
	// EdOrgTypes is `educationOrganizationTypes` in file order.
	EdOrgTypes []string
	// HasTypes tells whether the file has educationOrganizationTypes.
	HasTypes bool
}

// OverlayResource is one `securableElements` entry of an overlay.
type OverlayResource struct {
	// ProjectName and ResourceName are the key's two parts.
	ProjectName, ResourceName string
	// Elements are the resource's securable elements.
	Elements SecurableElements
	// Path locates the entry in the overlay file.
	Path string
}

// Key returns `Project/Resource`.
func (o OverlayResource) Key() string { return o.ProjectName + "/" + o.ResourceName }

// LoadOverlay reads and parses an overlay file. Problems are added to
// diags; the overlay is nil when the file could not be read or is not a
// JSON object. Only a regular file of at most MaxOverlaySize bytes is read.
func LoadOverlay(path string, diags *diag.List) *Overlay {
	data, err := boundedfile.Read(path, MaxOverlaySize, "an --auth-overlay file")
	if err != nil {
		diags.Errorf(path, "", CodeReadFailed, "cannot read file: %v", err)
		return nil
	}
	return ParseOverlay(path, data, diags)
}

// ParseOverlay parses overlay JSON read from name (a leading UTF-8 byte
// order mark is skipped). Every problem is reported; the overlay is nil only
// when the text is not a JSON object.
func ParseOverlay(name string, data []byte, diags *diag.List) *Overlay {
	r, top, ok := decodeObject(name, data, diags)
	if !ok {
		return nil
	}
	o := &Overlay{File: name}
	for _, k := range sortedKeys(top) {
		switch k {
		case "description", "securableElements", "educationOrganizationHierarchy", "educationOrganizationTypes":
		default:
			diags.Errorf(name, keyPath("$", k), CodeUnknownOverlayKey,
				"unknown key %q (allowed: description, securableElements, educationOrganizationHierarchy, educationOrganizationTypes)", k)
		}
	}
	o.Description = r.str(top, "$", "description", false)
	if se, ok := r.object(top, "$", "securableElements", false); ok {
		sb := keyPath("$", "securableElements")
		for _, key := range sortedKeys(se) {
			kb := keyPath(sb, key)
			project, resource, ok := strings.Cut(key, "/")
			if !ok || project == "" || resource == "" || strings.Contains(resource, "/") ||
				strings.TrimSpace(project) != project || strings.TrimSpace(resource) != resource {
				diags.Errorf(name, kb, CodeBadOverlayName, "key %q is not Project/Resource (MetaEd names, e.g. Ed-Fi/StudentSchoolAssociation)", key)
				continue
			}
			el, ok := r.securableElements(se[key], kb, true)
			if !ok {
				continue
			}
			o.Resources = append(o.Resources, OverlayResource{ProjectName: project, ResourceName: resource, Elements: el, Path: kb})
		}
	}
	if h, ok := r.object(top, "$", "educationOrganizationHierarchy", false); ok {
		o.HasHierarchy = true
		hb := keyPath("$", "educationOrganizationHierarchy")
		for _, typ := range sortedKeys(h) {
			tb := keyPath(hb, typ)
			parents, ok := r.obj(h[typ], tb)
			if !ok {
				continue
			}
			o.HierarchyTypes = append(o.HierarchyTypes, typ)
			for _, parent := range sortedKeys(parents) {
				at := keyPath(tb, parent)
				s, ok := parents[parent].(string)
				if !ok {
					r.wrongType(at, "string", parents[parent])
					continue
				}
				if _, ok := r.hierarchyPath(s, at); ok {
					o.EdOrgHierarchy = append(o.EdOrgHierarchy, EdOrgParent{Type: typ, ParentType: parent, Path: s})
				}
			}
		}
	}
	if _, ok := top["educationOrganizationTypes"]; ok {
		o.HasTypes = true
		tb := keyPath("$", "educationOrganizationTypes")
		if arr, ok := r.array(top, "$", "educationOrganizationTypes", false); ok {
			var types []string
			for i, v := range arr {
				t, ok := v.(string)
				switch {
				case !ok:
					r.wrongType(indexPath(tb, i), "string", v)
				case strings.TrimSpace(t) == "":
					diags.Errorf(name, indexPath(tb, i), CodeBadValue, "education organization type name is blank")
				default:
					types = append(types, t)
				}
			}
			o.EdOrgTypes = r.dedupTypes(types, tb)
		}
	}
	return o
}

// JSON renders the overlay in the file format above: two-space indented,
// keys sorted (Project/Resource keys, kinds, hierarchy types and parents),
// types in their order, a final newline. Parsing the result gives o back.
func (o *Overlay) JSON() []byte {
	var b bytes.Buffer
	b.WriteString("{\n")
	first := true
	field := func(name string) {
		if !first {
			b.WriteString(",\n")
		}
		first = false
		fmt.Fprintf(&b, "  %s: ", quote(name))
	}
	if o.Description != "" {
		field("description")
		b.WriteString(quote(o.Description))
	}
	if o.HasHierarchy {
		field("educationOrganizationHierarchy")
		writeHierarchy(&b, o.HierarchyTypes, o.EdOrgHierarchy)
	}
	if o.HasTypes {
		field("educationOrganizationTypes")
		if len(o.EdOrgTypes) == 0 {
			b.WriteString("[]")
		} else {
			b.WriteString("[\n")
			for i, t := range o.EdOrgTypes {
				if i > 0 {
					b.WriteString(",\n")
				}
				fmt.Fprintf(&b, "    %s", quote(t))
			}
			b.WriteString("\n  ]")
		}
	}
	field("securableElements")
	rs := append([]OverlayResource(nil), o.Resources...)
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].Key() < rs[j].Key() })
	if len(rs) == 0 {
		b.WriteString("{}")
	} else {
		b.WriteString("{\n")
		for i, r := range rs {
			if i > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(&b, "    %s: ", quote(r.Key()))
			writeElements(&b, r.Elements, "    ")
		}
		b.WriteString("\n  }")
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

// writeHierarchy writes a hierarchy object: every type of types (plus any
// type with a parent), sorted, each with its parents sorted.
func writeHierarchy(b *bytes.Buffer, types []string, edges []EdOrgParent) {
	parents := map[string][]EdOrgParent{}
	all := append([]string(nil), types...)
	for _, e := range edges {
		if _, ok := parents[e.Type]; !ok {
			all = append(all, e.Type)
		}
		parents[e.Type] = append(parents[e.Type], e)
	}
	sort.Strings(all)
	all = compactStrings(all)
	if len(all) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteString("{\n")
	for i, t := range all {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(b, "    %s: ", quote(t))
		ps := append([]EdOrgParent(nil), parents[t]...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].ParentType < ps[j].ParentType })
		if len(ps) == 0 {
			b.WriteString("{}")
			continue
		}
		b.WriteString("{\n")
		for j, p := range ps {
			if j > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(b, "      %s: %s", quote(p.ParentType), quote(p.Path))
		}
		b.WriteString("\n    }")
	}
	b.WriteString("\n  }")
}

// writeElements writes one securableElements object at indent.
func writeElements(b *bytes.Buffer, e SecurableElements, indent string) {
	b.WriteString("{\n")
	for i, k := range SecurableKinds() {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(b, "%s  %s: ", indent, quote(string(k)))
		if k == KindEdOrg {
			if len(e.EducationOrganization) == 0 {
				b.WriteString("[]")
				continue
			}
			b.WriteString("[\n")
			for j, x := range e.EducationOrganization {
				if j > 0 {
					b.WriteString(",\n")
				}
				fmt.Fprintf(b, "%s    {\n%s      \"jsonPath\": %s,\n%s      \"metaEdName\": %s\n%s    }",
					indent, indent, quote(x.JSONPath.String()), indent, quote(x.MetaEdName), indent)
			}
			fmt.Fprintf(b, "\n%s  ]", indent)
			continue
		}
		ps := e.Paths(k)
		if len(ps) == 0 {
			b.WriteString("[]")
			continue
		}
		b.WriteString("[\n")
		for j, p := range ps {
			if j > 0 {
				b.WriteString(",\n")
			}
			fmt.Fprintf(b, "%s    %s", indent, quote(p.String()))
		}
		fmt.Fprintf(b, "\n%s  ]", indent)
	}
	fmt.Fprintf(b, "\n%s}", indent)
}

// quote renders s as a JSON string without HTML escaping.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func compactStrings(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// ApplyAuthOverlay settles the authorization metadata of the set's
// resources and core project. o may be nil (no --auth-overlay).
//
// The rule: the schema's own metadata wins. An overlay entry supplies a
// resource's securable elements only when its file declared no
// `securableElements`; an entry for a resource that declares its own is
// ignored with a warning. Likewise the overlay's hierarchy and types supply
// the core project's (the lone project's, in a set without a core) only
// when its file lacks them. Resources left with neither are treated as
// having no securable elements, with one warning per project.
//
// Overlay keys are checked strictly first: an unknown project or resource
// (or a resource extension, whose elements are its base's) is an error
// naming it, and nothing is applied.
//
// Last, each extension project's declared copy of the hierarchy and types
// is compared with the core's effective one; a disagreement is a warning
// (the core's is used).
func (s *Set) ApplyAuthOverlay(o *Overlay, diags *diag.List) {
	entries := map[*Resource]OverlayResource{}
	if o != nil {
		bad := false
		for _, or := range o.Resources {
			p := s.Project(or.ProjectName)
			if p == nil {
				diags.Errorf(o.File, or.Path, CodeUnknownOverlayProject, "%s: the schema set has no project %q (projects: %s)%s",
					or.Key(), or.ProjectName, projectNames(s.Projects), suggest(or.ProjectName, projectNames2(s.Projects)))
				bad = true
				continue
			}
			res := s.Resource(or.ProjectName, or.ResourceName)
			if res == nil {
				msg := fmt.Sprintf("%s: project %s has no resource %q", or.Key(), or.ProjectName, or.ResourceName)
				if ext := extensionNamed(p, or.ResourceName); ext != nil {
					msg += fmt.Sprintf("; %s's %s is a resource extension, whose securable elements are those of the resource it extends", p.ProjectName, ext.ResourceName)
				} else {
					msg += suggest(or.ResourceName, resourceNames(p))
				}
				diags.Errorf(o.File, or.Path, CodeUnknownOverlayResource, "%s", msg)
				bad = true
				continue
			}
			entries[res] = or
		}
		if bad {
			return
		}
	}
	missing := map[*Project]int{}
	for _, res := range s.Resources {
		or, has := entries[res]
		switch {
		case res.SecurableOrigin.From == AuthSchema:
			if has {
				diags.Warnf(o.File, or.Path, CodeOverlayIgnored,
					"%s declares its own securableElements (%s:%s); the schema's win and this entry is ignored", or.Key(), res.SecurableOrigin.File, res.SecurableOrigin.Path)
			}
		case has:
			res.Securable = or.Elements
			res.SecurableOrigin = AuthOrigin{From: AuthOverlay, File: o.File, Path: or.Path}
		default:
			missing[res.Project]++
		}
	}
	for _, p := range s.Projects {
		if n := missing[p]; n > 0 {
			how := "pass --auth-overlay FILE (dmsc auth infer proposes one)"
			if o != nil {
				how = "the overlay " + o.File + " has no entry for them"
			}
			diags.Warnf(p.File, keyPath(p.Base, "resourceSchemas"), CodeNoSecurableElements,
				"%d of %d resources of %s have no securableElements (%s); they are treated as having none, so relationship-based authorization cannot grant them",
				n, countResources(s, p), p.ProjectName, how)
		}
	}
	core := s.Core
	if core == nil && len(s.Projects) == 1 {
		core = s.Projects[0]
	}
	if core == nil {
		return
	}
	if o != nil && o.HasHierarchy {
		if core.EdOrgHierarchyOrigin.From == AuthSchema {
			diags.Warnf(o.File, "$.educationOrganizationHierarchy", CodeOverlayIgnored,
				"%s declares its own educationOrganizationHierarchy (%s); the schema's wins and the overlay's is ignored", core.ProjectName, core.File)
		} else {
			core.EdOrgHierarchy = append([]EdOrgParent(nil), o.EdOrgHierarchy...)
			core.EdOrgHierarchyOrigin = AuthOrigin{From: AuthOverlay, File: o.File, Path: "$.educationOrganizationHierarchy"}
		}
	}
	if o != nil && o.HasTypes {
		if core.EdOrgTypesOrigin.From == AuthSchema {
			diags.Warnf(o.File, "$.educationOrganizationTypes", CodeOverlayIgnored,
				"%s declares its own educationOrganizationTypes (%s); the schema's win and the overlay's are ignored", core.ProjectName, core.File)
		} else {
			core.EdOrgTypes = append([]string(nil), o.EdOrgTypes...)
			core.EdOrgTypesOrigin = AuthOrigin{From: AuthOverlay, File: o.File, Path: "$.educationOrganizationTypes"}
		}
	}
	ref := func(o AuthOrigin) string {
		if o.From == AuthOverlay {
			return fmt.Sprintf("%s's (from the overlay %s)", core.ProjectName, o.File)
		}
		return fmt.Sprintf("%s's (%s)", core.ProjectName, o.File)
	}
	for _, p := range s.Projects {
		if p == core {
			continue
		}
		if core.EdOrgHierarchyOrigin.From != AuthAbsent {
			CompareEdOrgCopies(ref(core.EdOrgHierarchyOrigin), core.EdOrgHierarchy, true, nil, false, p, diags)
		}
		if core.EdOrgTypesOrigin.From != AuthAbsent {
			CompareEdOrgCopies(ref(core.EdOrgTypesOrigin), nil, false, core.EdOrgTypes, true, p, diags)
		}
	}
}

// CompareEdOrgCopies warns (CodeHierarchyDiffers) where project p's
// declared educationOrganizationHierarchy (when compareH) or
// educationOrganizationTypes (when compareT) differ from the reference ones,
// which ref describes ("Ed-Fi's (from the overlay x.json)"). A copy p does
// not declare is not compared. Types are compared as sets (MetaEd writes
// them in its own load order).
func CompareEdOrgCopies(ref string, refH []EdOrgParent, compareH bool, refT []string, compareT bool, p *Project, diags *diag.List) {
	if compareH && p.EdOrgHierarchyOrigin.From == AuthSchema {
		want := map[string]string{}
		for _, e := range refH {
			want[e.Type+"\x00"+e.ParentType] = e.Path
		}
		got := map[string]string{}
		for _, e := range p.EdOrgHierarchy {
			got[e.Type+"\x00"+e.ParentType] = e.Path
		}
		var diffs []string
		for _, e := range p.EdOrgHierarchy {
			k := e.Type + "\x00" + e.ParentType
			switch w, ok := want[k]; {
			case !ok:
				diffs = append(diffs, fmt.Sprintf("%s → %s (%s), which that one lacks", e.Type, e.ParentType, e.Path))
			case w != e.Path:
				diffs = append(diffs, fmt.Sprintf("%s → %s at %s, where that one has %s", e.Type, e.ParentType, e.Path, w))
			}
		}
		for _, e := range refH {
			if _, ok := got[e.Type+"\x00"+e.ParentType]; !ok {
				diffs = append(diffs, fmt.Sprintf("no %s → %s, which that one has (%s)", e.Type, e.ParentType, e.Path))
			}
		}
		if len(diffs) > 0 {
			sort.Strings(diffs)
			diags.Warnf(p.File, p.EdOrgHierarchyOrigin.Path, CodeHierarchyDiffers,
				"%s's copy of educationOrganizationHierarchy differs from %s, which is used: %s", p.ProjectName, ref, strings.Join(diffs, "; "))
		}
	}
	if compareT && p.EdOrgTypesOrigin.From == AuthSchema {
		want := map[string]bool{}
		for _, t := range refT {
			want[t] = true
		}
		got := map[string]bool{}
		var diffs []string
		for _, t := range p.EdOrgTypes {
			got[t] = true
			if !want[t] {
				diffs = append(diffs, "adds "+t)
			}
		}
		for _, t := range refT {
			if !got[t] {
				diffs = append(diffs, "lacks "+t)
			}
		}
		if len(diffs) > 0 {
			sort.Strings(diffs)
			diags.Warnf(p.File, p.EdOrgTypesOrigin.Path, CodeHierarchyDiffers,
				"%s's copy of educationOrganizationTypes differs from %s, which are used: %s", p.ProjectName, ref, strings.Join(diffs, ", "))
		}
	}
}

func countResources(s *Set, p *Project) int {
	n := 0
	for _, r := range s.Resources {
		if r.Project == p {
			n++
		}
	}
	return n
}

func extensionNamed(p *Project, name string) *Resource {
	for _, r := range p.Resources {
		if r.IsResourceExtension && r.ResourceName == name {
			return r
		}
	}
	return nil
}

func resourceNames(p *Project) []string {
	var out []string
	for _, r := range p.Resources {
		if !r.IsResourceExtension {
			out = append(out, r.ResourceName)
		}
	}
	sort.Strings(out)
	return out
}

func projectNames2(ps []*Project) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ProjectName
	}
	sort.Strings(out)
	return out
}

func projectNames(ps []*Project) string { return strings.Join(projectNames2(ps), ", ") }

// suggest returns "; did you mean X?" for the closest of names within two
// edits (case-insensitive, and fewer than name has letters), or "".
func suggest(name string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d, ok := editdistance.Within(strings.ToLower(name), strings.ToLower(n), 2); ok && d < bestD && d < len(name) {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}
