package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// pageDoc is one document of a page being recorded.
type pageDoc struct {
	scratchDoc
	// claims are the ReferentialIds it holds (natural key, then
	// superclass alias); refs its references, when validation accepts it.
	claims []claim
	refs   []relstore.ValidatedReference
}

// claim is one ReferentialId a document holds.
type claim struct {
	id   refid.UUID
	what string
}

// page validates a page of one resource's documents, read in load order,
// as the runtime would on a write, checks the ReferentialIds they hold
// against the documents recorded before them, and records them in the
// scratch tables. It returns each document's rejection code so far (""
// when it migrates so far).
func (pf *preflight) page(ctx context.Context, rs *resourceState, docs []Document) ([]string, error) {
	rows := make([]pageDoc, len(docs))
	var ids [][16]byte
	seen := map[refid.UUID]bool{} // a page's documents share most targets (descriptors)
	add := func(id refid.UUID) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, [16]byte(id))
		}
	}
	for i := range docs {
		rows[i] = pf.validate(rs, &docs[i])
		for _, c := range rows[i].claims {
			add(c.id)
		}
		for _, r := range rows[i].refs {
			add(r.ReferentialID)
		}
	}
	holders, err := pf.holders(ctx, ids)
	if err != nil {
		return nil, err
	}
	var claims [][]any
	for i := range rows {
		claims = pf.claim(&rows[i], holders, claims)
	}
	if err := pf.record(ctx, rows, claims, holders); err != nil {
		return nil, err
	}
	codes := make([]string, len(rows))
	for i := range rows {
		codes[i] = rows[i].rejected
	}
	return codes, nil
}

// validate validates one legacy document as the runtime would on a write.
func (pf *preflight) validate(rs *resourceState, d *Document) pageDoc {
	pd := pageDoc{scratchDoc: scratchDoc{idx: pf.next, uuid: d.UUID, res: rs.index, rejected: rs.rejectCode, modified: d.LastModifiedAt, traceID: d.LastModifiedTraceID}}
	pf.next++
	if rs.rejectCode != "" {
		return pd
	}
	val, err := pf.v.Validate(rs.target.ProjectName, rs.target.ResourceName, d.EdfiDoc)
	if err != nil { // cannot happen: the resource is in the manifest
		pf.reject(&pd.scratchDoc, "", "", CodeInvalidDocument, err.Error())
		return pd
	}
	for _, p := range val.Problems {
		pf.reject(&pd.scratchDoc, p.Path, valueAt(d.EdfiDoc, p.Path), p.Code, p.Message)
	}
	for _, path := range val.Pruned {
		pd.warned = true
		pf.findings = append(pf.findings, Finding{ResourceKey: rs.report.ResourceKey, DocumentUUID: d.UUID, Path: path, Value: valueAt(d.EdfiDoc, path),
			Code: CodePrunedProperty, Warning: true, Message: "the schema set does not know this property: the runtime drops it, so the migrated document would lack it"})
	}
	if pd.rejected != "" {
		return pd
	}
	pd.refs = val.References
	pd.claims = append(pd.claims, claim{val.ReferentialID, "natural key"})
	if val.HasAlias {
		pd.claims = append(pd.claims, claim{val.SuperclassAlias, "superclass identity"})
	}
	return pd
}

// holderSQL names the documents recorded before that hold ReferentialIds
// of $1.
const holderSQL = `SELECT c.refid, c.idx, d.res, d.uuid::text FROM pf_claim c JOIN pf_doc d ON d.idx = c.idx WHERE c.refid = ANY($1::uuid[])`

// holder is the document that holds a ReferentialId: its idx and
// `Resource/uuid`.
type holder struct {
	idx  int64
	name string
}

// holders returns the holders of those of ids (claimed or referenced by
// a page) that documents recorded before hold. A ReferentialId keeps its
// first holder, so a reference's target is known from then on.
func (pf *preflight) holders(ctx context.Context, ids [][16]byte) (map[refid.UUID]holder, error) {
	out := map[refid.UUID]holder{}
	if len(ids) == 0 {
		return out, nil
	}
	err := pf.work.query(ctx, holderSQL, []any{ids}, func(rows pgx.Rows) error {
		var id [16]byte
		var h holder
		var res int
		var uuid string
		if err := rows.Scan(&id, &h.idx, &res, &uuid); err != nil {
			return err
		}
		h.name = pf.res[res].report.ResourceName + "/" + uuid
		out[refid.UUID(id)] = h
		return nil
	})
	return out, err
}

// claim records that pd holds its ReferentialIds, in order, unless a
// document loaded before holds one: then pd is rejected (the runtime
// answers 409 to a second document with it). holders holds the page's
// claims too; it returns claims with pd's new pf_claim rows.
func (pf *preflight) claim(pd *pageDoc, holders map[refid.UUID]holder, claims [][]any) [][]any {
	for _, c := range pd.claims {
		if pd.rejected != "" {
			return claims
		}
		if other, ok := holders[c.id]; ok {
			pf.reject(&pd.scratchDoc, "$", "", CodeIdentityConflict, fmt.Sprintf("its %s (ReferentialId %s) is that of %s, loaded first: the runtime refuses a second document with it (409)",
				c.what, c.id, other.name))
			continue
		}
		holders[c.id] = holder{pd.idx, pf.res[pd.res].report.ResourceName + "/" + pd.uuid}
		claims = append(claims, []any{[16]byte(c.id), pd.idx})
	}
	return claims
}

// record writes a page's documents, claims and the references of those
// not rejected to the scratch tables, with the target of each reference
// whose holder is known already (resolve finds the others).
func (pf *preflight) record(ctx context.Context, rows []pageDoc, claims [][]any, holders map[refid.UUID]holder) error {
	docs := make([][]any, len(rows))
	var refs [][]any
	for i := range rows {
		pd := &rows[i]
		docs[i] = []any{pd.idx, pd.uuid, pd.res, nullable(pd.rejected), pd.warned, pd.modified, pd.traceID}
		if pd.rejected != "" {
			continue
		}
		for j := range pd.refs {
			r := &pd.refs[j]
			var tgt any
			if h, ok := holders[r.ReferentialID]; ok {
				tgt = h.idx
			}
			refs = append(refs, []any{pd.idx, j, [16]byte(r.ReferentialID), r.Path, r.Target, r.Value, r.Descriptor, tgt})
		}
	}
	if _, err := pf.work.copyRows(ctx, "pf_doc", []string{"idx", "uuid", "res", "rejected", "warned", "modified", "trace"}, pgx.CopyFromRows(docs)); err != nil {
		return err
	}
	if len(claims) > 0 {
		if _, err := pf.work.copyRows(ctx, "pf_claim", []string{"refid", "idx"}, pgx.CopyFromRows(claims)); err != nil {
			return err
		}
	}
	if len(refs) > 0 {
		_, err := pf.work.copyRows(ctx, "pf_ref", []string{"idx", "ord", "refid", "path", "target", "value", "descriptor", "tgt"}, pgx.CopyFromRows(refs))
		return err
	}
	return nil
}

// reject records an error finding and marks the document rejected.
func (pf *preflight) reject(d *scratchDoc, path, value, code, msg string) {
	if d.rejected == "" {
		d.rejected = code
	}
	pf.finding(d.res, d.uuid, path, value, code, msg)
}

// finding records an error finding about document uuid of resource res.
func (pf *preflight) finding(res int, uuid, path, value, code, msg string) {
	if value != "" && !strings.HasPrefix(msg, `"`) {
		msg = value + " " + msg // "5255901001 is out of range for a 32-bit integer"
	}
	pf.findings = append(pf.findings, Finding{ResourceKey: pf.res[res].report.ResourceKey, DocumentUUID: uuid, Path: path, Value: value, Code: code, Message: msg})
}
