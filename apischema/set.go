package apischema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/diag"
)

// Set is a validated schema set: one core project plus extension projects
// (or a lone self-contained extension project), with resource extensions
// merged into the resources they extend.
type Set struct {
	// APISchemaVersion is the format version shared by every file.
	APISchemaVersion string
	// Projects are sorted by endpoint name.
	Projects []*Project
	// Core is the non-extension project; nil for a lone extension project.
	Core *Project
	// Resources are every non-extension resource (descriptors included),
	// merged with their extensions, sorted by (project endpoint, resource
	// name).
	Resources []*Resource
	// Abstract are every abstract resource, sorted by (project endpoint,
	// name).
	Abstract []*AbstractResource

	byName     map[string]*Resource
	absByName  map[string]*AbstractResource
	projByName map[string]*Project
}

func qualified(project, name string) string { return project + "\x00" + name }

// Resource finds a merged resource by project and resource name.
func (s *Set) Resource(projectName, resourceName string) *Resource {
	return s.byName[qualified(projectName, resourceName)]
}

// AbstractResource finds an abstract resource by project and name.
func (s *Set) AbstractResource(projectName, name string) *AbstractResource {
	return s.absByName[qualified(projectName, name)]
}

// Project finds a project by its project name.
func (s *Set) Project(projectName string) *Project { return s.projByName[projectName] }

// Load reads every file and builds the set. All problems, across all files,
// are reported in diags; the set is nil when there are errors.
func Load(paths []string, diags *diag.List) *Set {
	var projects []*Project
	for _, p := range paths {
		if pr := LoadFile(p, diags); pr != nil {
			projects = append(projects, pr)
		}
	}
	if diags.HasErrors() {
		return nil
	}
	return Build(projects, diags)
}

// Build validates projects as a schema set and merges extensions. The set is
// nil when diags gained errors.
func Build(projects []*Project, diags *diag.List) *Set {
	before := len(diags.Errors())
	errs := func() bool { return len(diags.Errors()) > before }
	if len(projects) == 0 {
		diags.Errorf("", "", CodeNoCore, "no ApiSchema files given")
		return nil
	}
	sorted := append([]*Project(nil), projects...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].EndpointName != sorted[j].EndpointName {
			return sorted[i].EndpointName < sorted[j].EndpointName
		}
		return sorted[i].File < sorted[j].File
	})
	s := &Set{Projects: sorted, byName: map[string]*Resource{}, absByName: map[string]*AbstractResource{}, projByName: map[string]*Project{}}
	s.checkProjects(diags)
	s.index(diags)
	if errs() {
		return nil
	}
	s.merge(diags)
	s.checkReferences(diags)
	if errs() {
		return nil
	}
	return s
}

func (s *Set) checkProjects(diags *diag.List) {
	seenEndpoint := map[string]*Project{}
	seenName := map[string]*Project{}
	var cores []*Project
	// Report version mismatches against the first file (in endpoint order)
	// of the most common version.
	counts := map[string]int{}
	for _, p := range s.Projects {
		counts[p.APISchemaVersion]++
	}
	ref := s.Projects[0]
	for _, p := range s.Projects {
		if counts[p.APISchemaVersion] > counts[ref.APISchemaVersion] {
			ref = p
		}
	}
	s.APISchemaVersion = ref.APISchemaVersion
	for _, p := range s.Projects {
		if p.APISchemaVersion != ref.APISchemaVersion {
			diags.Errorf(p.File, "$.apiSchemaVersion", CodeVersionMismatch,
				"apiSchemaVersion %q differs from %q in %s; every file of a schema set must share one version", p.APISchemaVersion, ref.APISchemaVersion, ref.File)
		}
		if prev, ok := seenEndpoint[p.EndpointName]; ok {
			diags.Errorf(p.File, p.Base, CodeDuplicateEndpoint, "project endpoint name %q is also used by %s", p.EndpointName, prev.File)
		} else {
			seenEndpoint[p.EndpointName] = p
		}
		if prev, ok := seenName[p.ProjectName]; ok {
			if prev.EndpointName != p.EndpointName {
				diags.Errorf(p.File, keyPath(p.Base, "projectName"), CodeDuplicateProject, "project name %q is also used by %s", p.ProjectName, prev.File)
			}
		} else {
			seenName[p.ProjectName] = p
		}
		if !p.IsExtension {
			cores = append(cores, p)
		}
	}
	switch {
	case len(cores) == 1:
		s.Core = cores[0]
	case len(cores) > 1:
		for _, c := range cores[1:] {
			diags.Errorf(c.File, keyPath(c.Base, "isExtensionProject"), CodeManyCores,
				"%s (%s) is a second core project besides %s (%s); a schema set has exactly one core project", c.EndpointName, c.File, cores[0].EndpointName, cores[0].File)
		}
	case len(s.Projects) > 1:
		diags.Errorf("", "", CodeNoCore, "no core project: every file is an extension project (%s); pass the core data standard first with -s", endpoints(s.Projects))
	}
	for _, p := range s.Projects {
		s.projByName[p.ProjectName] = p
	}
}

func endpoints(ps []*Project) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.EndpointName
	}
	return strings.Join(names, ", ")
}

// index registers resources and abstract resources by qualified name.
func (s *Set) index(diags *diag.List) {
	for _, p := range s.Projects {
		for _, a := range p.AbstractResources {
			s.absByName[qualified(p.ProjectName, a.Name)] = a
			s.Abstract = append(s.Abstract, a)
		}
		for _, r := range p.Resources {
			if r.IsResourceExtension {
				continue
			}
			key := qualified(p.ProjectName, r.ResourceName)
			if prev, ok := s.byName[key]; ok {
				diags.Errorf(p.File, r.Path, CodeDuplicateResource, "resource %q is also defined at %s", r.ResourceName, prev.Path)
				continue
			}
			if _, ok := s.absByName[key]; ok {
				diags.Errorf(p.File, r.Path, CodeDuplicateResource, "resource %q has the name of an abstract resource", r.ResourceName)
			}
			s.byName[key] = r
		}
	}
}

// findExtended locates the resource an extension resource extends: the
// resource of the same name in another project, the core project first.
func (s *Set) findExtended(ext *Resource) (*Resource, error) {
	if s.Core != nil && s.Core != ext.Project {
		if r := s.byName[qualified(s.Core.ProjectName, ext.ResourceName)]; r != nil {
			return r, nil
		}
	}
	var found []*Resource
	for _, p := range s.Projects {
		if p == ext.Project || p == s.Core {
			continue
		}
		if r := s.byName[qualified(p.ProjectName, ext.ResourceName)]; r != nil {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		where := "no other loaded project"
		if s.Core != nil {
			where = fmt.Sprintf("core project %s (%s)", s.Core.EndpointName, s.Core.File)
		}
		return nil, fmt.Errorf("%s resource %q (isResourceExtension) extends %q, but %s defines no such resource", ext.Project.EndpointName, ext.EndpointName, ext.ResourceName, where)
	}
	return nil, fmt.Errorf("%s resource %q extends %q, which several projects define (%s, %s)", ext.Project.EndpointName, ext.EndpointName, ext.ResourceName, found[0].Project.EndpointName, found[1].Project.EndpointName)
}
