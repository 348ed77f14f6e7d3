package roundtrip

import (
	"github.com/edfi-dmsc/dmsc/manifest"
)

// Paths returns the paths, in wildcard form
// (`$.gradeLevels[*].gradeLevelDescriptor`), at which documents of r hold
// descriptor URIs: r's own descriptor properties and the descriptor parts of
// its references' identities (`$.programs[*].programReference.programTypeDescriptor`),
// followed through the targets' identities.
func (idx *Descriptors) Paths(r *manifest.Resource) map[string]bool {
	out := map[string]bool{}
	for _, es := range r.EdgeSources {
		switch es.Kind {
		case manifest.EdgeDescriptor:
			out[es.Path] = true
		case manifest.EdgeReference:
			for _, b := range es.Bindings {
				if idx.identityIsDescriptor(es.TargetProject, es.TargetResource, es.TargetIsAbstract, b.IdentityPath, 0) {
					out[b.ReferencePath] = true
				}
			}
		}
	}
	return out
}

// Descriptors finds where the documents of a manifest's resources hold
// descriptor URIs.
type Descriptors struct {
	resources map[string]*manifest.Resource
	abstracts map[string]*manifest.AbstractResource
}

// NewDescriptors indexes m's resources and abstract resources.
func NewDescriptors(m *manifest.Manifest) *Descriptors {
	idx := &Descriptors{resources: map[string]*manifest.Resource{}, abstracts: map[string]*manifest.AbstractResource{}}
	for i := range m.Resources {
		r := &m.Resources[i]
		idx.resources[r.ProjectName+":"+r.ResourceName] = r
	}
	for i := range m.AbstractResources {
		a := &m.AbstractResources[i]
		idx.abstracts[a.ProjectName+":"+a.ResourceName] = a
	}
	return idx
}

// maxIdentityDepth bounds the walk through reference identities.
const maxIdentityDepth = 16

// identityIsDescriptor reports whether the identity part at path of the
// named resource (of any member, for an abstract resource) is a descriptor
// URI, following references that are part of the identity.
func (idx *Descriptors) identityIsDescriptor(project, resource string, abstract bool, path string, depth int) bool {
	if depth > maxIdentityDepth {
		return false
	}
	if abstract {
		a := idx.abstracts[project+":"+resource]
		if a == nil {
			return false
		}
		for _, mem := range a.Members {
			if idx.identityIsDescriptor(mem.ProjectName, mem.ResourceName, false, path, depth+1) {
				return true
			}
		}
		return false
	}
	r := idx.resources[project+":"+resource]
	if r == nil {
		return false
	}
	for _, el := range r.Identity {
		if el.Path != path {
			continue
		}
		switch el.Source {
		case manifest.SourceDescriptor:
			return true
		case manifest.SourceReference:
			for _, es := range r.EdgeSources {
				for _, b := range es.Bindings {
					if es.Kind == manifest.EdgeReference && b.ReferencePath == path {
						return idx.identityIsDescriptor(es.TargetProject, es.TargetResource, es.TargetIsAbstract, b.IdentityPath, depth+1)
					}
				}
			}
		}
		return false
	}
	return false
}
