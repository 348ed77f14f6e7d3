package cli

import (
	"github.com/edfi-dmsc/dmsc/manifest"
)

// resolveAuditResources turns --resource values, each
// "projectEndpoint/endpoint" (ed-fi/schools) or "Project:Resource"
// (Ed-Fi:School) and matched case-insensitively, into the canonical
// "Project:Resource" names of the manifest, without duplicates and in the
// order given. An unknown resource is a usage error.
func resolveAuditResources(m *manifest.Manifest, names []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, name := range names {
		r := m.FindResource(name)
		if r == nil {
			return nil, usageErrorf("--resource %q: no such resource in the schema set (give projectEndpoint/endpoint, e.g. ed-fi/schools, or Project:Resource, e.g. Ed-Fi:School)", name)
		}
		key := r.ProjectName + ":" + r.ResourceName
		if !seen[key] {
			seen[key] = true
			out = append(out, key)
		}
	}
	return out, nil
}
