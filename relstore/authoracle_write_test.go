package relstore_test

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/internal/authoracle"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// writeKind is one kind of write TestAuthOracleDS50 compares: its name,
// the claim-set action it is resolved with and the status of an allowed
// one.
type writeKind struct {
	name    string
	action  authz.Action
	allowed int
}

// The write kinds, in the order the oracle test cycles through them.
var (
	// writePUT PUTs a document's own body: the stored and the proposed
	// document are the same.
	writePUT = writeKind{"PUT", authz.ActionUpdate, 200}
	// writePOST POSTs a document's own body: its natural key exists, so
	// it updates under the Update decision (the server's grant for a POST
	// carries it).
	writePOST = writeKind{"POST (update)", authz.ActionCreate, 200}
	// writeDelete DELETEs a document; an allowed one that is referenced is
	// a 409 (after the 403 of a denied one, whatever its references).
	writeDelete = writeKind{"DELETE", authz.ActionDelete, 204}
	// writeCreate deletes a document without a grant and POSTs it back
	// under the grant: a create, checked on the proposed document.
	writeCreate = writeKind{"POST (create)", authz.ActionCreate, 201}
	writeKinds  = []writeKind{writePUT, writePOST, writeDelete, writeCreate}
)

// serverGrant is the grant the server builds for a request of action by
// claim set cs with g's claims (a POST also carries the Update decision).
func (r *oracleRun) serverGrant(cs string, res *manifest.Resource, dec authz.Decision, g authoracle.Grant) relstore.Grant {
	rg := relstore.Grant{Predicate: dec.Predicate, EdOrgIDs: g.EdOrgIDs, NamespacePrefixes: g.NamespacePrefixes}
	if dec.Action == authz.ActionCreate {
		if u := r.claims.ResolveResource(cs, res, authz.ActionUpdate); u.Status() == 0 {
			pred := u.Predicate
			rg.UpdatePredicate = &pred
		} else {
			rg.UpdateDenied = true
		}
	}
	return rg
}

// write runs one write of kind under claim set cs and grant g and
// compares its status with the oracle's. Documents a write removed are
// restored without a grant (under a new id), so the documents the oracle
// was built from stay the stored ones.
func (r *oracleRun) write(where, cs string, res *manifest.Resource, g authoracle.Grant, kind writeKind) {
	ctx := context.Background()
	dec := r.claims.ResolveResource(cs, res, kind.action)
	want, reaches := expectStatus(dec, res, g)
	if !reaches || kind.action == authz.ActionCreate && dec.Status() != 0 {
		// The server answers before the store (a POST's decision problem
		// is answered by the server, never by the store).
		r.beforeStore++
		return
	}
	docs := r.docs[res]
	ids := sortedKeys(docs)
	id := ids[r.rnd.IntN(len(ids))]
	body := docs[id]
	rg := r.serverGrant(cs, res, dec, g)
	gctx := relstore.WithGrant(ctx, rg)
	var got int
	var err error
	switch kind {
	case writePUT:
		if want == 0 && !r.o.Allows(res, docs[id], dec.Predicate, g) {
			want = 403
		}
		_, err = r.st.Update(gctx, res.ProjectEndpoint, res.EndpointName, id, r.marshal(docs[id]), "")
		got = relstore.StatusCode(err)
	case writePOST:
		// An update: the Update decision decides, on the stored document
		// and on the (same) proposed one.
		switch u := r.claims.ResolveResource(cs, res, authz.ActionUpdate); {
		case rg.UpdateDenied:
			want = 403
		case authoracle.Status(res, u.Predicate, g) != 0:
			want = authoracle.Status(res, u.Predicate, g)
		case r.o.Allows(res, docs[id], u.Predicate, g):
			want = 0
		default:
			want = 403
		}
		_, err = r.st.Upsert(gctx, res.ProjectEndpoint, res.EndpointName, r.marshal(docs[id]))
		got = relstore.StatusCode(err)
	case writeDelete:
		if want == 0 && !r.o.Allows(res, docs[id], dec.Predicate, g) {
			want = 403
		}
		err = r.st.Delete(gctx, res.ProjectEndpoint, res.EndpointName, id, "")
		got = relstore.StatusCode(err)
		if err == nil {
			got = 204
			r.restore(res, id)
		} else if got == 409 && want == 0 {
			got = 204 // allowed; referenced, so kept (the 409 comes after the stored check)
		}
	case writeCreate:
		id = r.removable(res, ids)
		if id == "" {
			r.unremovable++
			return
		}
		body = docs[id]
		if want == 0 && !r.o.Allows(res, docs[id], dec.Predicate, g) {
			want = 403
		}
		var out relstore.WriteResult
		out, err = r.st.Upsert(gctx, res.ProjectEndpoint, res.EndpointName, r.marshal(docs[id]))
		got = relstore.StatusCode(err)
		switch {
		case err == nil && out.Created:
			got = 201
			r.docs[res][out.ID] = docs[id]
			delete(r.docs[res], id)
		case err == nil:
			r.mismatch("%s: %s: POST of a removed document %s updated document %s", where, dec.Predicate, id, out.ID)
			return
		default:
			r.restore(res, id)
		}
	}
	if want == 0 {
		want = kind.allowed
	}
	if r.writes[kind.name] == nil {
		r.writes[kind.name] = map[int]int{}
	}
	r.writes[kind.name][got]++
	if got != want {
		r.mismatch("%s: %s: %s %s: %d (%v), oracle %d: %s", where, dec.Predicate, kind.name, id, got, err, want, clip(body))
	}
}

// removable deletes, without a grant, the first document of ids from a
// random start that nothing references and returns its id ("" when every
// one tried is referenced). The oracle's documents still hold it.
func (r *oracleRun) removable(res *manifest.Resource, ids []string) string {
	start := r.rnd.IntN(len(ids))
	for k := range min(len(ids), 8) {
		id := ids[(start+k)%len(ids)]
		err := r.st.Delete(context.Background(), res.ProjectEndpoint, res.EndpointName, id, "")
		if err == nil {
			return id
		}
		var re *relstore.ReferencedError
		if !errors.As(err, &re) {
			r.t.Fatalf("delete %s %s: %v", res.ResourceName, id, err)
		}
	}
	return ""
}

// restore writes the removed document id of res back without a grant and
// moves it to its new id in r.docs.
func (r *oracleRun) restore(res *manifest.Resource, id string) {
	body := r.docs[res][id]
	out, err := r.st.Upsert(context.Background(), res.ProjectEndpoint, res.EndpointName, r.marshal(body))
	if err != nil || !out.Created {
		r.t.Fatalf("restore %s %s: created %v, %v", res.ResourceName, id, out.Created, err)
	}
	delete(r.docs[res], id)
	r.docs[res][out.ID] = body
}

// marshal encodes a stored body without id, _etag and _lastModifiedDate.
func (r *oracleRun) marshal(body any) []byte {
	data, err := json.Marshal(strip(body))
	if err != nil {
		r.t.Fatal(err)
	}
	return data
}
