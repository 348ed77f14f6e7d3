package cli

import (
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/editdistance"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
)

// maxSuggestions bounds the close matches an unknown --resource lists.
const maxSuggestions = 5

// resourceSelection is what `dmsc model --resource` keeps: resources and
// abstract resources (their union views), by resourceKey.
type resourceSelection map[string]bool

// keyOf keys a resource by project and resource name.
func keyOf(project, resource string) string { return project + "\x00" + resource }

// selectResources resolves --resource values against m. A value matches,
// case-insensitively, a resource's name (School) or endpoint (schools), an
// abstract resource's name, "projectEndpoint/endpoint" (ed-fi/schools) or
// "Project:Resource" (Ed-Fi:School); a name several projects use selects
// each. A value matching nothing is a usage error naming close matches.
// No value selects everything (nil).
func selectResources(m *model.Model, names []string) (resourceSelection, error) {
	if len(names) == 0 {
		return nil, nil
	}
	sel := resourceSelection{}
	for _, name := range names {
		found := false
		for _, r := range m.Resources {
			if resourceMatches(name, r.ProjectName, r.ResourceName, r.ProjectEndpoint, r.EndpointName) {
				sel[keyOf(r.ProjectName, r.ResourceName)] = true
				found = true
			}
		}
		for _, v := range m.Views {
			if resourceMatches(name, v.ProjectName, v.ResourceName, "", "") {
				sel[keyOf(v.ProjectName, v.ResourceName)] = true
				found = true
			}
		}
		if !found {
			return nil, unknownResource(m, name)
		}
	}
	return sel, nil
}

// resourceMatches reports whether the --resource value name designates a
// resource (endpoints "" for an abstract resource).
func resourceMatches(name, project, resource, projectEndpoint, endpoint string) bool {
	if p, r, ok := strings.Cut(name, ":"); ok {
		return strings.EqualFold(p, project) && strings.EqualFold(r, resource)
	}
	if p, ep, ok := strings.Cut(strings.Trim(name, "/"), "/"); ok {
		return endpoint != "" && strings.EqualFold(p, projectEndpoint) && strings.EqualFold(ep, endpoint)
	}
	return strings.EqualFold(name, resource) || (endpoint != "" && strings.EqualFold(name, endpoint))
}

// unknownResource is the usage error of a --resource value that matches
// nothing, listing the closest names and endpoints.
func unknownResource(m *model.Model, name string) error {
	var candidates []string
	seen := map[string]bool{}
	addCandidate := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			candidates = append(candidates, c)
		}
	}
	for _, r := range m.Resources {
		addCandidate(r.ResourceName)
		addCandidate(r.EndpointName)
	}
	for _, v := range m.Views {
		addCandidate(v.ResourceName)
	}
	close := closeMatches(name, candidates, maxSuggestions)
	if len(close) == 0 {
		return usageErrorf("--resource %q: no resource has that name or endpoint (run dmsc model without --resource to list them)", name)
	}
	return usageErrorf("--resource %q: no resource has that name or endpoint; close matches: %s", name, strings.Join(close, ", "))
}

// closeMatches returns at most limit candidates close to name, closest
// first (ties by name): those within an edit distance of a third of the
// longer name (at least 2), ignoring case, and those containing name or
// contained in it.
func closeMatches(name string, candidates []string, limit int) []string {
	type scored struct {
		name string
		dist int
	}
	lower := strings.ToLower(strings.Trim(name, "/"))
	if _, after, ok := strings.Cut(lower, ":"); ok {
		lower = after
	} else if _, after, ok := strings.Cut(lower, "/"); ok {
		lower = after
	}
	var out []scored
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d, near := editdistance.Within(lower, lc, max(2, max(len(lower), len(lc))/3))
		if lower != "" && (strings.Contains(lc, lower) || strings.Contains(lower, lc)) {
			near = true
		}
		if near {
			out = append(out, scored{c, d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].dist != out[j].dist {
			return out[i].dist < out[j].dist
		}
		return out[i].name < out[j].name
	})
	var names []string
	for i := 0; i < len(out) && i < limit; i++ {
		names = append(names, out[i].name)
	}
	return names
}

// filterManifest keeps the selected resources and abstract resources of a
// runtime manifest (nil keeps everything).
func filterManifest(man *manifest.Manifest, sel resourceSelection) {
	if sel == nil {
		return
	}
	resources := []manifest.Resource{}
	for _, r := range man.Resources {
		if sel[keyOf(r.ProjectName, r.ResourceName)] {
			resources = append(resources, r)
		}
	}
	man.Resources = resources
	abstract := []manifest.AbstractResource{}
	for _, a := range man.AbstractResources {
		if sel[keyOf(a.ProjectName, a.ResourceName)] {
			abstract = append(abstract, a)
		}
	}
	man.AbstractResources = abstract
}
