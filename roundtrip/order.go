package roundtrip

import (
	"github.com/edfi-dmsc/dmsc/manifest"
)

// LoadOrder orders the manifest's resources so that every resource
// comes after the resources its documents reference: the targets of its
// Reference edge sources (every member of an abstract target) and of its
// Descriptor edge sources. Among the resources that are ready, the one
// with the smallest (project endpoint, endpoint) comes first. A resource
// referencing itself (a parent LEA) does not wait for itself. A cycle
// between resources, which a valid schema set cannot have through
// identities but may have through optional references, is broken at the
// smallest resource on a cycle that the smallest waiting resource leads to;
// the loader's retries do the rest.
func LoadOrder(m *manifest.Manifest) []*manifest.Resource {
	name := func(project, resource string) string { return project + ":" + resource }
	members := map[string][]string{}
	for _, a := range m.AbstractResources {
		for _, mem := range a.Members {
			members[name(a.ProjectName, a.ResourceName)] = append(members[name(a.ProjectName, a.ResourceName)], name(mem.ProjectName, mem.ResourceName))
		}
	}
	known := map[string]bool{}
	for i := range m.Resources {
		known[name(m.Resources[i].ProjectName, m.Resources[i].ResourceName)] = true
	}
	deps := make([]map[string]bool, len(m.Resources))
	for i := range m.Resources {
		r := &m.Resources[i]
		self := name(r.ProjectName, r.ResourceName)
		deps[i] = map[string]bool{}
		for _, es := range r.EdgeSources {
			targets := []string{name(es.TargetProject, es.TargetResource)}
			if es.TargetIsAbstract {
				targets = members[targets[0]]
			}
			for _, t := range targets {
				if t != self && known[t] {
					deps[i][t] = true
				}
			}
		}
	}
	index := map[string]int{}
	for i := range m.Resources {
		index[name(m.Resources[i].ProjectName, m.Resources[i].ResourceName)] = i
	}
	placed := map[string]bool{}
	done := make([]bool, len(m.Resources))
	// waiting returns the smallest unplaced dependency of i, or -1.
	waiting := func(i int) int {
		w := -1
		for d := range deps[i] {
			if j := index[d]; !placed[d] && (w < 0 || endpointLess(&m.Resources[j], &m.Resources[w])) {
				w = j
			}
		}
		return w
	}
	out := make([]*manifest.Resource, 0, len(m.Resources))
	for len(out) < len(m.Resources) {
		best, stuck := -1, -1
		for i := range m.Resources {
			if done[i] {
				continue
			}
			if waiting(i) >= 0 {
				if stuck < 0 || endpointLess(&m.Resources[i], &m.Resources[stuck]) {
					stuck = i
				}
			} else if best < 0 || endpointLess(&m.Resources[i], &m.Resources[best]) {
				best = i
			}
		}
		if best < 0 {
			best = onCycle(stuck, waiting, m.Resources)
		}
		r := &m.Resources[best]
		done[best] = true
		placed[name(r.ProjectName, r.ResourceName)] = true
		out = append(out, r)
	}
	return out
}

// endpointLess orders resources by project endpoint, then endpoint.
func endpointLess(a, b *manifest.Resource) bool {
	if a.ProjectEndpoint != b.ProjectEndpoint {
		return a.ProjectEndpoint < b.ProjectEndpoint
	}
	return a.EndpointName < b.EndpointName
}

// onCycle follows the smallest waiting dependency from start until a
// resource repeats and returns the smallest resource of that cycle.
func onCycle(start int, waiting func(int) int, rs []manifest.Resource) int {
	seen := map[int]int{}
	var path []int
	for i := start; ; i = waiting(i) {
		if at, ok := seen[i]; ok {
			best := path[at]
			for _, j := range path[at:] {
				if endpointLess(&rs[j], &rs[best]) {
					best = j
				}
			}
			return best
		}
		seen[i] = len(path)
		path = append(path, i)
	}
}
