package migrate

import (
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
)

// loadLevels assigns every resource of m a dependency level: 0 for a
// resource that references no other resource (descriptors), else one more
// than the highest level of the resources it references (every member of
// an abstract target) that come before it in roundtrip.LoadOrder. A
// reference to itself, or to a resource that loads later (a cycle broken
// by the load order), does not raise the level: the preflight defers the
// documents that need such a target. Resources of one level never
// reference each other through earlier-loading targets, so the backfill
// copies them in parallel. Keys are `Project:Resource`.
func loadLevels(m *manifest.Manifest) map[string]int {
	name := func(project, resource string) string { return project + ":" + resource }
	members := map[string][]string{}
	for _, a := range m.AbstractResources {
		k := name(a.ProjectName, a.ResourceName)
		for _, mem := range a.Members {
			members[k] = append(members[k], name(mem.ProjectName, mem.ResourceName))
		}
	}
	level := map[string]int{}
	for _, r := range roundtrip.LoadOrder(m) {
		self := name(r.ProjectName, r.ResourceName)
		lv := 0
		for _, es := range r.EdgeSources {
			targets := []string{name(es.TargetProject, es.TargetResource)}
			if es.TargetIsAbstract {
				targets = members[targets[0]]
			}
			for _, t := range targets {
				if l, placed := level[t]; placed && t != self && l+1 > lv {
					lv = l + 1
				}
			}
		}
		level[self] = lv
	}
	return level
}
