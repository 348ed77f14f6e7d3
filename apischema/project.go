package apischema

import (
	"sort"
	"strings"
)

// project parses a project object found at base. endpoint is the endpoint
// name implied by the file shape (older format), or "".
func (r *reader) project(raw any, base, endpoint string) *Project {
	m, ok := r.obj(raw, base)
	if !ok {
		return nil
	}
	p := &Project{File: r.file, Raw: raw, Base: base}
	p.ProjectName = r.str(m, base, "projectName", true)
	p.ProjectVersion = r.str(m, base, "projectVersion", true)
	p.Description = r.str(m, base, "description", false)
	p.IsExtension, _ = r.boolean(m, base, "isExtensionProject", true)
	if endpoint == "" {
		p.EndpointName = r.str(m, base, "projectEndpointName", true)
	} else {
		p.EndpointName = endpoint
		if e := r.str(m, base, "projectEndpointName", false); e != "" && e != endpoint {
			r.diags.Errorf(r.file, keyPath(base, "projectEndpointName"), CodeBadValue, "projectEndpointName %q differs from its projectSchemas key %q", e, endpoint)
		}
	}
	if p.EndpointName != "" && strings.TrimSpace(p.EndpointName) == "" {
		r.diags.Errorf(r.file, base, CodeBadValue, "project endpoint name is blank")
	}
	if abs, ok := r.object(m, base, "abstractResources", false); ok {
		ab := keyPath(base, "abstractResources")
		for _, name := range sortedKeys(abs) {
			ap := keyPath(ab, name)
			am, ok := r.obj(abs[name], ap)
			if !ok {
				continue
			}
			p.AbstractResources = append(p.AbstractResources, &AbstractResource{
				Name: name, Project: p, Path: ap,
				IdentityJSONPaths: r.jsonPaths(am, ap, "identityJsonPaths", true),
			})
		}
	}
	if h, ok := r.object(m, base, "educationOrganizationHierarchy", false); ok {
		hb := keyPath(base, "educationOrganizationHierarchy")
		for _, typ := range sortedKeys(h) {
			parents, ok := r.obj(h[typ], keyPath(hb, typ))
			if !ok {
				continue
			}
			for _, parent := range sortedKeys(parents) {
				p.EdOrgHierarchy = append(p.EdOrgHierarchy, EdOrgParent{Type: typ, ParentType: parent, Path: r.str(parents, keyPath(hb, typ), parent, true)})
			}
		}
	}
	p.EdOrgTypes = r.strings(m, base, "educationOrganizationTypes", false)
	r.edOrgAuth(p, m, base)
	if rs, ok := r.object(m, base, "resourceSchemas", true); ok {
		rb := keyPath(base, "resourceSchemas")
		for _, ep := range sortedKeys(rs) {
			if res := r.resource(p, rs[ep], keyPath(rb, ep), ep); res != nil {
				p.Resources = append(p.Resources, res)
			}
		}
	}
	r.reportMissingOptional(p, base)
	return p
}

// reportMissingOptional emits one warning per optional key that some
// non-descriptor resources lack: the key is treated as "none".
func (r *reader) reportMissingOptional(p *Project, base string) {
	counts := map[string]int{}
	eligible := 0
	for _, res := range p.Resources {
		if !res.IsDescriptor && !res.IsResourceExtension {
			eligible++
		}
		for _, k := range res.MissingKeys {
			counts[k]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.diags.Warnf(r.file, keyPath(base, "resourceSchemas"), CodeMissingOptionalKey,
			"%d of %d resources have no %q; treated as none", counts[k], eligible, k)
	}
}
