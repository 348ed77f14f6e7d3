package ddl

import (
	"fmt"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/model"
)

// Relation is a table or view a provisioned database must hold.
type Relation struct {
	Schema, Name string
	// IsView marks abstract union views.
	IsView bool
}

// Qualified returns `schema.name`.
func (r Relation) Qualified() string { return r.Schema + "." + r.Name }

// ExpectedRelations lists the core tables, m's tables and m's views, sorted
// by (schema, name).
func ExpectedRelations(m *model.Model) []Relation {
	var out []Relation
	for _, n := range CoreTableNames() {
		out = append(out, Relation{Schema: CoreSchema, Name: n})
	}
	for _, r := range m.Resources {
		for _, t := range r.Tables {
			out = append(out, Relation{Schema: t.Schema, Name: t.Name})
		}
	}
	for _, v := range m.Views {
		out = append(out, Relation{Schema: v.Schema, Name: v.Name, IsView: true})
	}
	sort.SliceStable(out, func(i, j int) bool { return lessName(out[i].Schema, out[i].Name, out[j].Schema, out[j].Name) })
	return out
}

// VerificationError lists what a provisioned database lacks.
type VerificationError struct {
	// StoredHash and ExpectedHash differ when the seed did not land.
	StoredHash, ExpectedHash string
	// Missing lists expected relations that are absent (or of the wrong
	// kind).
	Missing []Relation
}

// Error summarises the problems.
func (e *VerificationError) Error() string {
	var parts []string
	if e.StoredHash != e.ExpectedHash {
		stored := e.StoredHash
		if stored == "" {
			stored = "none"
		}
		parts = append(parts, "dms.EffectiveSchema holds hash "+stored+", expected "+e.ExpectedHash)
	}
	if n := len(e.Missing); n > 0 {
		var names []string
		for i, r := range e.Missing {
			if i == 10 {
				names = append(names, fmt.Sprintf("and %d more", n-10))
				break
			}
			kind := "table"
			if r.IsView {
				kind = "view"
			}
			names = append(names, kind+" "+r.Qualified())
		}
		parts = append(parts, fmt.Sprintf("%d expected relations are missing: %s", n, strings.Join(names, ", ")))
	}
	return "verification failed: " + strings.Join(parts, "; ")
}

// verifyCatalog compares the stored hash and the catalog's relations (a
// set of "schema.name" → isView) with m; nil when everything is there.
func verifyCatalog(m *model.Model, stored string, have map[string]bool) error {
	e := &VerificationError{StoredHash: stored, ExpectedHash: m.EffectiveSchemaHash}
	for _, r := range ExpectedRelations(m) {
		isView, ok := have[r.Qualified()]
		if !ok || isView != r.IsView {
			e.Missing = append(e.Missing, r)
		}
	}
	if e.StoredHash == e.ExpectedHash && len(e.Missing) == 0 {
		return nil
	}
	return e
}

// schemaNames returns the distinct schemas of rels, sorted.
func schemaNames(rels []Relation) []string {
	var out []string
	for i, r := range rels {
		if i == 0 || r.Schema != rels[i-1].Schema {
			out = append(out, r.Schema)
		}
	}
	return out
}
