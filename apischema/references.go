package apischema

import (
	"github.com/edfi-dmsc/dmsc/diag"
)

// checkReferences verifies that every reference, descriptor reference and
// superclass names a loaded resource of the right kind.
func (s *Set) checkReferences(diags *diag.List) {
	for _, r := range s.Resources {
		for _, pm := range r.Mappings {
			if !pm.IsReference {
				continue
			}
			file := pm.Owner.File
			if s.Project(pm.ProjectName) == nil {
				diags.Errorf(file, pm.Path, CodeUnknownRefTarget, "%s references %s %s, but no loaded project is named %q (load it with -s)", r.ResourceName, pm.ProjectName, pm.ResourceName, pm.ProjectName)
				continue
			}
			target := s.Resource(pm.ProjectName, pm.ResourceName)
			if pm.IsDescriptor {
				if target == nil || !target.IsDescriptor {
					diags.Errorf(file, pm.Path, CodeUnknownRefTarget, "descriptor %s %s is not a loaded descriptor resource", pm.ProjectName, pm.ResourceName)
				}
				continue
			}
			if target == nil && s.AbstractResource(pm.ProjectName, pm.ResourceName) == nil {
				diags.Errorf(file, pm.Path, CodeUnknownRefTarget, "reference target %s %s is neither a resource nor an abstract resource of project %s", pm.ProjectName, pm.ResourceName, pm.ProjectName)
			}
		}
		if r.IsSubclass {
			if s.AbstractResource(r.SuperclassProjectName, r.SuperclassResourceName) == nil && s.Resource(r.SuperclassProjectName, r.SuperclassResourceName) == nil {
				diags.Errorf(r.Project.File, r.Path, CodeUnknownSuperclass, "superclass %s %s of %s is not loaded", r.SuperclassProjectName, r.SuperclassResourceName, r.ResourceName)
			}
		}
	}
}
