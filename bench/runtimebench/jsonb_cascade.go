package runtimebench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// UpdateIdentity replaces the body of document id with body, whose identity
// may differ from the stored one, and carries an identity change through
// the JSON of every referrer, as a JSON store must: each referrer's body is
// read, the matching reference objects (or descriptor URIs) are rewritten
// with the new identity values, and the body is written back with a new
// Etag. A referrer whose own identity includes the reference gets new
// referential ids in turn, and its referrers are rewritten at the next
// level, up to a fixpoint. Alias rows are updated in place and the reference
// rows follow through their ON UPDATE CASCADE foreign key.
//
// It returns the number of other documents rewritten (each counted once).
// Round trips: three for the document itself (BEGIN with the first, as
// Npgsql sends it: beginWith), two per cascade level (read the
// referrers; one batch updating their bodies and aliases), COMMIT — the
// JSON rewriting itself happens in the application, K documents at a time.
func (s *JSONBStore) UpdateIdentity(ctx context.Context, projectEndpoint, endpoint, id string, body []byte) (int, error) {
	p, err := s.plan(projectEndpoint, endpoint)
	if err != nil {
		return 0, err
	}
	doc, err := decode(body)
	if err != nil {
		return 0, err
	}
	ident, err := p.identify(doc)
	if err != nil {
		return 0, err
	}
	rewritten := 0
	var docID int64
	var oldPrimary string
	var oldAll []string
	err = beginWith(ctx, s.db, `SELECT d.id, d.referential_id::text, array_agg(a.referential_id::text)
FROM document d JOIN alias a ON a.document_id = d.id
WHERE d.document_uuid = $1 AND d.resource_name = $2 GROUP BY d.id`, []any{id, p.name}, func(br pgx.BatchResults) error {
		err := br.QueryRow().Scan(&docID, &oldPrimary, &oldAll)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %s", relstore.ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("runtimebench: read %s: %w", id, err)
		}
		return nil
	}, func(tx pgx.Tx) error {
		_, missing, err := resolve(ctx, tx, ident)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return &UnresolvedError{Missing: missing}
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		first := rewrite{id: docID, plan: p, doc: doc, body: body, old: orderedOld(oldPrimary, oldAll), new: ident.ReferentialIDs}
		b := &pgx.Batch{}
		queueWrites(b, []rewrite{first}, now)
		b.Queue(`DELETE FROM reference WHERE parent_id = $1`, docID)
		b.Queue(`INSERT INTO reference (parent_id, referenced_referential_id) SELECT $1, r FROM unnest($2::uuid[]) AS r`, docID, uuids(ident.References))
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("runtimebench: write %s: %w", id, err)
		}
		level := []rewrite{first}
		touched := map[int64]bool{}
		for depth := 0; len(level) > 0; depth++ {
			if depth == maxCascadeDepth {
				return fmt.Errorf("runtimebench: identity cascade deeper than %d levels", maxCascadeDepth)
			}
			if level, err = s.cascadeLevel(ctx, tx, level, now); err != nil {
				return err
			}
			for _, r := range level {
				touched[r.id] = true
			}
		}
		delete(touched, docID)
		rewritten = len(touched)
		return nil
	})
	return rewritten, err
}

// maxCascadeDepth bounds the levels of a cascade (resource identities
// cannot form cycles, so a real cascade ends far sooner).
const maxCascadeDepth = 32

// rewrite is one document written by a cascade: its new body and its
// referential ids before and after (primary first, then the alias).
type rewrite struct {
	id       int64
	plan     *jsonbPlan
	doc      map[string]any
	body     []byte
	old, new []refid.UUID
}

// renamed reports whether the document's referential ids changed.
func (r rewrite) renamed() bool {
	if len(r.old) != len(r.new) {
		return true
	}
	for i := range r.old {
		if r.old[i] != r.new[i] {
			return true
		}
	}
	return false
}

// orderedOld parses the stored ids, the primary one first.
func orderedOld(primary string, all []string) []refid.UUID {
	out := []refid.UUID{}
	if u, err := refid.Parse(primary); err == nil {
		out = append(out, u)
	}
	for _, s := range all {
		if u, err := refid.Parse(s); err == nil && s != primary {
			out = append(out, u)
		}
	}
	return out
}

// queueWrites queues the body, Etag and alias updates of rewritten
// documents: one statement for the bodies, one for the aliases.
func queueWrites(b *pgx.Batch, docs []rewrite, now time.Time) {
	ids := make([]int64, len(docs))
	bodies := make([]string, len(docs))
	prims := make([]string, len(docs))
	var olds, news []string
	for i, d := range docs {
		ids[i], bodies[i], prims[i] = d.id, string(d.body), d.new[0].String()
		if d.renamed() {
			for j := range d.old {
				if j < len(d.new) && d.old[j] != d.new[j] {
					olds, news = append(olds, d.old[j].String()), append(news, d.new[j].String())
				}
			}
		}
	}
	b.Queue(`UPDATE document d SET body = u.body, referential_id = u.rid, etag = d.etag + 1, last_modified = $4
FROM unnest($1::bigint[], $2::jsonb[], $3::uuid[]) AS u(id, body, rid) WHERE d.id = u.id`, ids, bodies, prims, now)
	if len(olds) > 0 {
		b.Queue(`UPDATE alias a SET referential_id = u.new
FROM unnest($1::uuid[], $2::uuid[]) AS u(old, new) WHERE a.referential_id = u.old`, olds, news)
	}
}

// cascadeLevel rewrites the referrers of the renamed documents of one
// level and returns them as the next level. A document may be rewritten at
// several levels: an association referencing both a school and a program
// whose identity includes that school gets its school reference at the
// first level and its program reference at the second.
func (s *JSONBStore) cascadeLevel(ctx context.Context, tx pgx.Tx, level []rewrite, now time.Time) ([]rewrite, error) {
	targets := map[refid.UUID]*rewrite{}
	var newIDs []string
	for i := range level {
		if !level[i].renamed() {
			continue
		}
		for j, u := range level[i].old {
			targets[u] = &level[i]
			if j < len(level[i].new) {
				newIDs = append(newIDs, level[i].new[j].String())
			}
		}
	}
	if len(targets) == 0 {
		return nil, nil
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT d.id, d.resource_name, d.body FROM reference r
JOIN document d ON d.id = r.parent_id WHERE r.referenced_referential_id = ANY($1::uuid[])`, newIDs)
	if err != nil {
		return nil, fmt.Errorf("runtimebench: read referrers: %w", err)
	}
	var next []rewrite
	var id int64
	var name string
	var body []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &name, &body}, func() error {
		r, err := s.rewriteReferrer(id, name, body, targets)
		if err != nil {
			return err
		}
		next = append(next, r)
		return nil
	})
	if err != nil || len(next) == 0 {
		return nil, err
	}
	b := &pgx.Batch{}
	queueWrites(b, next, now)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, fmt.Errorf("runtimebench: rewrite referrers: %w", err)
	}
	return next, nil
}
