package manifest

import "strings"

// FindResource finds the resource name designates, matched
// case-insensitively: "projectEndpoint/endpoint" (ed-fi/schools) or
// "Project:Resource" (Ed-Fi:School). It returns nil when none does.
func (m *Manifest) FindResource(name string) *Resource {
	var match func(r *Resource) bool
	if project, resource, ok := strings.Cut(name, ":"); ok {
		match = func(r *Resource) bool {
			return strings.EqualFold(r.ProjectName, project) && strings.EqualFold(r.ResourceName, resource)
		}
	} else if project, endpoint, ok := strings.Cut(strings.Trim(name, "/"), "/"); ok {
		match = func(r *Resource) bool {
			return strings.EqualFold(r.ProjectEndpoint, project) && strings.EqualFold(r.EndpointName, endpoint)
		}
	} else {
		return nil
	}
	for i := range m.Resources {
		if match(&m.Resources[i]) {
			return &m.Resources[i]
		}
	}
	return nil
}
