package runtimebench

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
)

// jsonbPlan is what the baseline needs of one resource: how to compute the
// referential ids of a document and of everything it references. DMS Core
// computed these in the application before calling the legacy backend.
type jsonbPlan struct {
	res      *manifest.Resource
	name     string // resource_name column: "Project:Resource"
	identity []valuePath
	alias    *refid.Superclass
	sites    []refSite
}

// valuePath is one identity value: where it is and how to canonicalise it.
type valuePath struct {
	path     jsonpath.Path
	idPath   string // the identityJsonPath named in the referential id
	kind     manifest.TypeKind
	relative jsonpath.Path
}

// refSite is one reference or descriptor location of a resource.
type refSite struct {
	path       jsonpath.Path
	descriptor bool
	project    string
	resource   string
	bindings   []valuePath // relative to the reference object
}

// compilePlan prepares a resource's plan from its manifest entry.
func compilePlan(r *manifest.Resource) (*jsonbPlan, error) {
	p := &jsonbPlan{res: r, name: r.ProjectName + ":" + r.ResourceName}
	for _, e := range r.Identity {
		path, err := jsonpath.Parse(e.Path)
		if err != nil {
			return nil, fmt.Errorf("%s identity: %w", p.name, err)
		}
		p.identity = append(p.identity, valuePath{path: path, idPath: e.Path, kind: e.Type.Kind})
	}
	if sc := r.Superclass; sc != nil {
		p.alias = &refid.Superclass{ProjectName: sc.ProjectName, ResourceName: sc.ResourceName, IdentityJSONPath: sc.IdentityRename}
	}
	for _, e := range r.EdgeSources {
		path, err := jsonpath.Parse(e.Path)
		if err != nil {
			return nil, fmt.Errorf("%s edge source: %w", p.name, err)
		}
		site := refSite{path: path, descriptor: e.Kind == manifest.EdgeDescriptor, project: e.TargetProject, resource: e.TargetResource}
		for _, b := range e.Bindings {
			abs, err := jsonpath.Parse(b.ReferencePath)
			if err != nil {
				return nil, fmt.Errorf("%s binding: %w", p.name, err)
			}
			rel, ok := abs.Rel(path)
			if !ok {
				return nil, fmt.Errorf("%s binding %s is not under %s", p.name, b.ReferencePath, e.Path)
			}
			site.bindings = append(site.bindings, valuePath{path: abs, idPath: b.IdentityPath, kind: b.Type.Kind, relative: rel})
		}
		p.sites = append(p.sites, site)
	}
	return p, nil
}

// Identity is what the baseline computes for one document before writing
// it.
type Identity struct {
	// ReferentialIDs are the document's own ids: the primary one first,
	// then the superclass alias, if any.
	ReferentialIDs []refid.UUID
	// References are the distinct referential ids of the documents and
	// descriptors it references, in document order.
	References []refid.UUID
}

// decode parses a document keeping numbers as json.Number.
func decode(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("invalid JSON document: %w", err)
	}
	if doc == nil {
		return nil, fmt.Errorf("the document is not a JSON object")
	}
	return doc, nil
}

// identify computes the referential ids of a decoded document.
func (p *jsonbPlan) identify(doc map[string]any) (Identity, error) {
	var id Identity
	elems, err := p.ownElements(doc)
	if err != nil {
		return id, err
	}
	id.ReferentialIDs = append(id.ReferentialIDs, refid.New(p.res.ProjectName, p.res.ResourceName, elems))
	if p.alias != nil {
		a, err := p.alias.Alias(elems)
		if err != nil {
			return id, err
		}
		id.ReferentialIDs = append(id.ReferentialIDs, a)
	}
	seen := map[refid.UUID]bool{}
	for i := range p.sites {
		site := &p.sites[i]
		for _, v := range site.path.Lookup(doc) {
			rid, err := site.referentialID(v)
			if err != nil {
				return id, err
			}
			if !seen[rid] {
				seen[rid] = true
				id.References = append(id.References, rid)
			}
		}
	}
	return id, nil
}

// ownElements returns the document's identity elements.
func (p *jsonbPlan) ownElements(doc map[string]any) ([]refid.Element, error) {
	if p.res.IsDescriptor {
		ns, ok1 := doc["namespace"].(string)
		code, ok2 := doc["codeValue"].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s: a descriptor needs string namespace and codeValue", p.name)
		}
		return refid.DescriptorDocumentIdentity(ns, code), nil
	}
	elems := make([]refid.Element, 0, len(p.identity))
	for _, e := range p.identity {
		vals := e.path.Lookup(doc)
		if len(vals) != 1 {
			return nil, fmt.Errorf("%s: identity value %s missing", p.name, e.idPath)
		}
		s, err := canonical(e.kind, vals[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", p.name, e.idPath, err)
		}
		elems = append(elems, refid.NewElement(e.idPath, s))
	}
	return elems, nil
}

// referentialID computes the id referenced by one reference object or
// descriptor URI found at the site.
func (s *refSite) referentialID(v any) (refid.UUID, error) {
	if s.descriptor {
		uri, ok := v.(string)
		if !ok {
			return refid.UUID{}, fmt.Errorf("%s: descriptor at %s is not a string", s.resource, s.path)
		}
		return refid.New(s.project, s.resource, refid.DescriptorReferenceIdentity(uri)), nil
	}
	elems := make([]refid.Element, 0, len(s.bindings))
	for _, b := range s.bindings {
		vals := b.relative.Lookup(v)
		if len(vals) != 1 {
			return refid.UUID{}, fmt.Errorf("reference %s: value %s missing", s.path, b.path)
		}
		str, err := canonical(b.kind, vals[0])
		if err != nil {
			return refid.UUID{}, fmt.Errorf("reference %s: %s: %w", s.path, b.path, err)
		}
		elems = append(elems, refid.NewElement(b.idPath, str))
	}
	return refid.New(s.project, s.resource, elems), nil
}

// canonical renders an identity value as the referential id hashes it.
func canonical(kind manifest.TypeKind, v any) (string, error) {
	return refid.Value(kind.IdentityFormat(), v)
}
