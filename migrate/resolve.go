package migrate

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// addPair records one dms.Reference document pair.
func (pf *preflight) addPair(rp ReferencePair) error {
	p, ok1 := pf.byUUID[rp.Parent]
	c, ok2 := pf.byUUID[rp.Child]
	if !ok1 || !ok2 { // both were read in the same snapshot
		return fmt.Errorf("legacy database: dms.Reference links %s to %s, which the document pages did not list", rp.Parent, rp.Child)
	}
	ds := pf.docs[p]
	ds.children = append(ds.children, c)
	ds.later = append(ds.later, rp.ChildCreatedLater)
	return nil
}

// resolve resolves each valid document's references the way the runtime
// will, against the current-format ReferentialIds of the legacy documents.
func (pf *preflight) resolve() {
	for _, ds := range pf.docs {
		if ds.rejected != "" {
			continue
		}
		// A reference to a rejected document does not resolve either (that
		// document has no ReferentialId here): propagate reports it.
		rejectedChild := slices.ContainsFunc(ds.children, func(c int) bool { return pf.docs[c].rejected != "" })
		ds.targets = make([]int, len(ds.refs))
		for i, r := range ds.refs {
			t, ok := pf.byRefID[r.id]
			if ok {
				ds.targets[i] = t
				continue
			}
			ds.targets[i] = -1
			if rejectedChild {
				continue
			}
			d := r.detail // kept: no document read before this one held r.id
			if d.Descriptor {
				pf.reject(ds, d.Path, cut(`"`+d.Value+`"`), CodeUnresolvedDescriptor, fmt.Sprintf("no legacy %s has the URI %q: the runtime refuses the document (400)", d.Target, d.Value))
			} else {
				pf.reject(ds, d.Path, "", CodeUnresolvedReference, fmt.Sprintf("no legacy %s has the identity (%s): the runtime refuses the document (409)", d.Target, d.Value))
			}
		}
	}
}

// propagate rejects, to a fixpoint, every document that references a
// rejected document (through dms.Reference or through the runtime's own
// resolution): the runtime could not resolve the reference either.
func (pf *preflight) propagate() {
	newly := map[int]bool{}
	for changed := true; changed; {
		changed = false
		for i, ds := range pf.docs {
			if ds.rejected != "" {
				continue
			}
			for _, c := range pf.linked(ds) {
				if pf.docs[c].rejected != "" {
					ds.rejected = CodeReferencesRejected
					newly[i] = true
					changed = true
					break
				}
			}
		}
	}
	for i, ds := range pf.docs {
		if !newly[i] {
			continue
		}
		paths := map[int]string{}
		for j, t := range ds.targets {
			if _, seen := paths[t]; t >= 0 && !seen {
				paths[t] = ds.refs[j].path.Value()
			}
		}
		for _, c := range pf.linked(ds) {
			cd := pf.docs[c]
			if cd.rejected == "" {
				continue
			}
			pf.findings = append(pf.findings, Finding{ResourceKey: ds.res.report.ResourceKey, DocumentUUID: ds.uuid, Path: paths[c], Code: CodeReferencesRejected,
				Message: fmt.Sprintf("references %s/%s/%s, which the target cannot hold (%s)", cd.res.report.ProjectName, cd.res.report.ResourceName, cd.uuid, cd.rejected)})
		}
	}
}

// linked returns the distinct documents ds references, by dms.Reference
// or by resolution, sorted.
func (pf *preflight) linked(ds *docState) []int {
	out := append([]int(nil), ds.children...)
	for _, t := range ds.targets {
		if t >= 0 {
			out = append(out, t)
		}
	}
	sort.Ints(out)
	return slices.Compact(out)
}

// compareReferences warns where the documents the runtime resolves a
// migratable document's references to differ from dms.Reference.
func (pf *preflight) compareReferences() {
	for _, ds := range pf.docs {
		if ds.rejected != "" {
			continue
		}
		legacy := slices.Compact(slices.Sorted(slices.Values(ds.children)))
		ours := slices.Compact(slices.Sorted(slices.Values(ds.targets)))
		if slices.Equal(legacy, ours) {
			continue
		}
		ds.warned = true
		pf.findings = append(pf.findings, Finding{ResourceKey: ds.res.report.ResourceKey, DocumentUUID: ds.uuid, Code: CodeReferenceDiffers, Warning: true,
			Message: fmt.Sprintf("dms.Reference links it to %s; the runtime resolves its references to %s", pf.names(legacy), pf.names(ours))})
	}
}

// names lists documents for a message.
func (pf *preflight) names(idx []int) string {
	if len(idx) == 0 {
		return "nothing"
	}
	parts := make([]string, len(idx))
	for i, d := range idx {
		parts[i] = pf.docs[d].res.report.ResourceName + "/" + pf.docs[d].uuid
	}
	return strings.Join(parts, ", ")
}

// lateReferences warns about migratable documents that reference a
// document created after them (a reference added by a later update). The
// backfill loads resources in dependency order and each resource in
// creation order, so such a reference matters only when the target's
// resource does not load earlier (the same resource, or a cycle): then
// the document is deferred until its target is copied.
func (pf *preflight) lateReferences() {
	for _, ds := range pf.docs {
		if ds.rejected != "" {
			continue
		}
		for i, c := range ds.children {
			if !ds.later[i] {
				continue
			}
			cd := pf.docs[c]
			msg := fmt.Sprintf("references %s/%s, created after it (a reference added by a later update)", cd.res.report.ResourceName, cd.uuid)
			if cd.res.loadPos >= ds.res.loadPos {
				ds.deferred = true
				msg += fmt.Sprintf("; %s does not load before %s, so the backfill must defer this document until its target is copied", cd.res.report.ResourceName, ds.res.report.ResourceName)
			} else {
				msg += fmt.Sprintf("; %s loads before %s, so the load order holds", cd.res.report.ResourceName, ds.res.report.ResourceName)
			}
			ds.warned = true
			pf.findings = append(pf.findings, Finding{ResourceKey: ds.res.report.ResourceKey, DocumentUUID: ds.uuid, Code: CodeLateReference, Warning: true, Message: msg})
		}
	}
}

// summarise fills the counts and sorts the findings.
func (pf *preflight) summarise() {
	for _, ds := range pf.docs {
		r := ds.res.report
		if ds.rejected != "" {
			r.Rejected++
			pf.rep.rejected = append(pf.rep.rejected, ds.uuid)
			continue
		}
		r.Migratable++
		if ds.deferred {
			r.Deferred++
		}
		if ds.warned {
			r.Warned++
		}
	}
	for _, r := range pf.rep.Resources {
		pf.rep.Migratable += r.Migratable
		pf.rep.Rejected += r.Rejected
	}
	type codeKey struct {
		code    string
		warning bool
	}
	perCode := map[codeKey]map[string]bool{}
	for _, f := range pf.findings {
		k := codeKey{f.Code, f.Warning}
		if perCode[k] == nil {
			perCode[k] = map[string]bool{}
		}
		if f.DocumentUUID != "" {
			perCode[k][f.DocumentUUID] = true
		}
	}
	for _, ds := range pf.docs { // a resource-level finding counts each document
		if c := ds.res.rejectCode; c != "" {
			k := codeKey{c, false}
			if perCode[k] == nil {
				perCode[k] = map[string]bool{}
			}
			perCode[k][ds.uuid] = true
		}
	}
	keys := make([]codeKey, 0, len(perCode))
	for k := range perCode {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].warning != keys[j].warning {
			return !keys[i].warning
		}
		return keys[i].code < keys[j].code
	})
	for _, k := range keys {
		pf.rep.Codes = append(pf.rep.Codes, CodeCount{Code: k.code, Warning: k.warning, Documents: int64(len(perCode[k]))})
	}
	sort.Strings(pf.rep.rejected)
	sortFindings(pf.findings)
	pf.rep.Findings = pf.findings
	if pf.rep.Findings == nil {
		pf.rep.Findings = []Finding{}
	}
	if pf.rep.Codes == nil {
		pf.rep.Codes = []CodeCount{}
	}
}

// sortStableBy sorts idx stably by less.
func sortStableBy(idx []int, less func(a, b int) bool) {
	sort.SliceStable(idx, func(i, j int) bool { return less(idx[i], idx[j]) })
}
