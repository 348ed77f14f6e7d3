package migrate

import (
	"unique"

	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// docRef is one reference of a validated legacy document as the preflight
// keeps it until it has read every document (references resolve against
// documents read later too), so it is small: the preflight's state grows
// with the legacy database (TestPreflightMemoryPerDocument).
type docRef struct {
	// id is the target's ReferentialId.
	id refid.UUID
	// path is the reference's path, interned (paths repeat across the
	// documents of a resource).
	path unique.Handle[string]
	// detail is the whole reference when no document read before it
	// holds id: only such a reference can stay unresolved, and its
	// finding needs the target and value. Nil otherwise.
	detail *relstore.ValidatedReference
}

// compactRefs keeps refs as docRefs. A ReferentialId already claimed stays
// claimed (byRefID only grows), so a reference that resolves now resolves
// in resolve too and needs no detail.
func (pf *preflight) compactRefs(refs []relstore.ValidatedReference) []docRef {
	if len(refs) == 0 {
		return nil
	}
	out := make([]docRef, len(refs))
	for i := range refs {
		r := &refs[i]
		out[i] = docRef{id: r.ReferentialID, path: unique.Make(r.Path)}
		if _, ok := pf.byRefID[r.ReferentialID]; !ok {
			detail := *r
			out[i].detail = &detail
		}
	}
	return out
}
