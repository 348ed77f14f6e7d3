package relstore

import "context"

// queryGrant is how a query page tests the grant of its context.
type queryGrant struct {
	// keys is the condition over alias r that the page's keys take (""
	// without a grant, or when reach lists them).
	keys string
	// count is the condition the page's total count takes.
	count string
	// reach, when not "", lists the page's keys from the auth views alone
	// (authsql.Reach; an id may repeat) instead of testing keys over the
	// root.
	reach string
}

// queryGrant chooses the forms of the grant's tests for page q of p and
// renders them, adding their parameters through param; after is q's
// keyset cursor (0: none).
func (s *Store) queryGrant(ctx context.Context, p *plan, q QueryOptions, param func(any) string, after int64) (queryGrant, error) {
	g, granted := grantFrom(ctx)
	if !granted {
		return queryGrant{}, nil
	}
	// The page's grant test: with many claims (a broad grant) a probe per
	// row in key order (authsql.Shape.Single) finds a page after a few
	// rows, where the IN form first expands every claim's reach (a first
	// page of 100,000 StudentSchoolAssociations under 10,000 school
	// claims: 405 ms). The total count keeps the IN form, which counts the
	// reach once.
	// An OFFSET page keeps the IN form too: every skipped row would be
	// probed (a page at offset 90,000 under 10,000 claims: 2.7 s against
	// 0.1 s).
	// Under fewer claims the keys test a document-is-subject element
	// against an array of the reach (formKeys): the root's primary key is
	// then scanned in key order and the page stops after its limit (a
	// first page of Students under one LEA: 0.59 ms against 1.43 ms; at
	// offset 900 under 100 schools 1.2 ms against 1.65 ms). Not under
	// many claims: an OFFSET page of Schools under 10,000 school claims
	// took 29 ms that way against 11 ms.
	form := formKeys
	switch {
	case len(g.EdOrgIDs) < manyClaims:
	case q.Offset == 0 || q.After != "":
		form = formProbe
	default:
		form = formIn
	}
	// An OFFSET page of persons with no other condition under few claims
	// lists its keys from the reach alone (authsql.Reach), sorted and
	// sliced, instead of looking every member up in the root's key before
	// it can skip them (the keys at offset 900 under 100 schools: 0.45 ms
	// against 0.87 ms). A first or keyset page keeps the array, which
	// stops after its limit (0.40 ms against 0.51 ms).
	var out queryGrant
	var err error
	if form == formKeys && q.Offset > 0 && q.After == "" && !p.descriptor && len(q.Filters) == 0 {
		if out.reach, err = s.reachSQL(p, g, param); err != nil {
			return queryGrant{}, err
		}
	}
	if out.reach == "" {
		if out.keys, err = s.predicateSQL(p, g, param, form, after); err != nil {
			return queryGrant{}, err
		}
	}
	// The total count tests the reach with IN subqueries, merged into one
	// over their union where an OR joins several on the same column under
	// few claims (formUnion: a count of Schools under 100 school claims,
	// 0.45 ms against 3.1 ms; under 10,000 claims the OR, 25 ms against
	// 42 ms).
	out.count = out.keys
	countForm := formIn
	if len(g.EdOrgIDs) < manyClaims {
		countForm = formUnion
	}
	if q.TotalCount && form != countForm {
		if out.count, err = s.predicateSQL(p, g, param, countForm, 0); err != nil {
			return queryGrant{}, err
		}
	}
	return out, nil
}
