package runtimebench

import (
	"encoding/json"
	"fmt"

	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/refid"
)

// rewriteReferrer rewrites the references of one referrer that point at a
// renamed target.
func (s *JSONBStore) rewriteReferrer(id int64, name string, body []byte, targets map[refid.UUID]*rewrite) (rewrite, error) {
	p, ok := s.byName[name]
	if !ok {
		return rewrite{}, fmt.Errorf("runtimebench: unknown resource %s", name)
	}
	doc, err := decode(body)
	if err != nil {
		return rewrite{}, err
	}
	before, err := p.identify(doc)
	if err != nil {
		return rewrite{}, err
	}
	for i := range p.sites {
		site := &p.sites[i]
		var siteErr error
		visit(doc, site.path.Segments(), func(get func() any, set func(any)) {
			rid, err := site.referentialID(get())
			if err != nil {
				siteErr = err
				return
			}
			t, ok := targets[rid]
			if !ok {
				return
			}
			if site.descriptor {
				ns, _ := t.doc["namespace"].(string)
				code, _ := t.doc["codeValue"].(string)
				set(ns + "#" + code)
				return
			}
			obj, ok := get().(map[string]any)
			if !ok {
				return
			}
			for _, bnd := range site.bindings {
				if v, ok := t.plan.identityValue(t.doc, bnd.idPath); ok {
					setPath(obj, bnd.relative.Names(), v)
				}
			}
		})
		if siteErr != nil {
			return rewrite{}, siteErr
		}
	}
	after, err := p.identify(doc)
	if err != nil {
		return rewrite{}, err
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return rewrite{}, err
	}
	return rewrite{id: id, plan: p, doc: doc, body: out, old: before.ReferentialIDs, new: after.ReferentialIDs}, nil
}

// identityValue returns the value of the document's identity element named
// idPath as a reference to it names it (a superclass reference may name the
// renamed path).
func (p *jsonbPlan) identityValue(doc map[string]any, idPath string) (any, bool) {
	path, err := jsonpath.Parse(idPath)
	if err != nil {
		return nil, false
	}
	if v := path.Lookup(doc); len(v) == 1 {
		return v[0], true
	}
	if p.alias != nil && p.alias.IdentityJSONPath == idPath && len(p.identity) == 1 {
		if v := p.identity[0].path.Lookup(doc); len(v) == 1 {
			return v[0], true
		}
	}
	return nil, false
}

// visit calls fn for every location the path names, with a getter and a
// setter of the value there.
func visit(cur any, segs []jsonpath.Segment, fn func(get func() any, set func(any))) {
	if len(segs) == 0 {
		return
	}
	last := len(segs) == 1
	if segs[0].Wildcard {
		arr, ok := cur.([]any)
		if !ok {
			return
		}
		for i := range arr {
			if last {
				fn(func() any { return arr[i] }, func(v any) { arr[i] = v })
			} else {
				visit(arr[i], segs[1:], fn)
			}
		}
		return
	}
	obj, ok := cur.(map[string]any)
	if !ok {
		return
	}
	v, ok := obj[segs[0].Name]
	if !ok {
		return
	}
	if last {
		name := segs[0].Name
		fn(func() any { return obj[name] }, func(v any) { obj[name] = v })
		return
	}
	visit(v, segs[1:], fn)
}

// setPath sets a nested property of obj, creating objects on the way.
func setPath(obj map[string]any, names []string, v any) {
	for i, n := range names {
		if i == len(names)-1 {
			obj[n] = v
			return
		}
		child, ok := obj[n].(map[string]any)
		if !ok {
			child = map[string]any{}
			obj[n] = child
		}
		obj = child
	}
}
