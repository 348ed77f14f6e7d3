package relstore

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"unsafe"
)

// claimSetInsertSQL stores a claim set ($1) with its EdOrg ids ($2); a
// set already stored (by this process or another) is left as it is.
const claimSetInsertSQL = `INSERT INTO "auth"."EducationOrganizationIdClaimSet" ("ClaimSetId", "EducationOrganizationId")
SELECT $1::uuid, x FROM unnest($2::bigint[]) AS x ON CONFLICT DO NOTHING`

// claimSetMemo bounds the digests claimSets remembers by claim slice.
const claimSetMemo = 256

// claimSets stores grants' claims as claim sets (Options.ClaimSetMinimum):
// a set's id is the first 16 bytes of the SHA-256 of its ids in the
// grant's order, as a uuid. The rows of a set never change (the id is a
// digest of them), so a set written once serves every later statement of
// every process.
type claimSets struct {
	minimum int
	mu      sync.Mutex
	// stored are the ids of the sets this process wrote or found.
	stored map[string]bool
	// memo maps a claim slice (its first element's address) to its ids as
	// they were and their set id, so that a grant reused across calls is
	// hashed once; an entry counts only while the slice still holds the
	// same ids.
	memo map[*int64]memoSet
}

// memoSet is one remembered digest.
type memoSet struct {
	ids []int64
	id  string
}

// openClaimSets enables claim sets when the options allow them and the
// database has their table.
func (s *Store) openClaimSets(ctx context.Context) error {
	minimum := s.opts.ClaimSetMinimum
	if minimum < 0 {
		return nil
	}
	if minimum == 0 {
		minimum = DefaultClaimSetMinimum
	}
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT to_regclass('"auth"."EducationOrganizationIdClaimSet"') IS NOT NULL`).Scan(&exists); err != nil {
		return fmt.Errorf("relstore.Open: looking for auth.EducationOrganizationIdClaimSet: %w", err)
	}
	if exists {
		s.claimSets = &claimSets{minimum: minimum, stored: map[string]bool{}, memo: map[*int64]memoSet{}}
	}
	return nil
}

// applies reports whether a grant with ids reads them from a claim set.
func (c *claimSets) applies(ids []int64) bool { return c != nil && len(ids) >= c.minimum }

// id returns the claim set id of ids and whether it is stored.
func (c *claimSets) id(ids []int64) (string, bool) {
	key := unsafe.SliceData(ids)
	c.mu.Lock()
	if m, ok := c.memo[key]; ok && slices.Equal(m.ids, ids) {
		stored := c.stored[m.id]
		c.mu.Unlock()
		return m.id, stored
	}
	c.mu.Unlock()
	id := claimSetDigest(ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.memo) >= claimSetMemo {
		clear(c.memo)
	}
	c.memo[key] = memoSet{ids: slices.Clone(ids), id: id}
	return id, c.stored[id]
}

// claimSetDigest is the set id of ids.
func claimSetDigest(ids []int64) string {
	h := sha256.New()
	var b [8]byte
	for _, id := range ids {
		binary.BigEndian.PutUint64(b[:], uint64(id))
		h.Write(b[:])
	}
	sum := h.Sum(nil)
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// ensureClaimSet stores the claim set of the grant of ctx when it reads
// one and this process has not stored it yet. It runs before the call's
// transaction, on its own (committed before the call's statements read it).
func (s *Store) ensureClaimSet(ctx context.Context) error {
	g, ok := grantFrom(ctx)
	if !ok || !s.claimSets.applies(g.EdOrgIDs) {
		return nil
	}
	id, stored := s.claimSets.id(g.EdOrgIDs)
	if stored {
		return nil
	}
	if _, err := s.db.Exec(ctx, claimSetInsertSQL, id, claimIDs(g.EdOrgIDs)); err != nil {
		return fmt.Errorf("storing the grant's claim set: %w", err)
	}
	s.claimSets.mu.Lock()
	s.claimSets.stored[id] = true
	s.claimSets.mu.Unlock()
	return nil
}

// storedClaimSet returns the id of the grant's stored claim set, or ""
// when its claims are bound as an array.
func (s *Store) storedClaimSet(g Grant) string {
	if !s.claimSets.applies(g.EdOrgIDs) {
		return ""
	}
	if id, stored := s.claimSets.id(g.EdOrgIDs); stored {
		return id
	}
	return ""
}
