package provision

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/dms"
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

// ExpectedRelations lists the core tables, the authorization closure and
// views, m's tables and m's views, sorted
// by (schema, name).
func ExpectedRelations(m *model.Model) []Relation {
	var out []Relation
	for _, n := range dms.Tables() {
		out = append(out, Relation{Schema: dms.Schema, Name: n})
	}
	out = append(out, Relation{Schema: dms.AuthSchema, Name: dms.EducationOrganizationClosure})
	views, _ := ddl.AuthViewNames(m) // an error here fails rendering the script first
	for _, n := range views {
		out = append(out, Relation{Schema: dms.AuthSchema, Name: n, IsView: true})
	}
	for _, r := range m.Resources {
		for _, t := range r.Tables {
			out = append(out, Relation{Schema: t.Schema, Name: t.Name})
		}
	}
	for _, v := range m.Views {
		out = append(out, Relation{Schema: v.Schema, Name: v.Name, IsView: true})
	}
	sort.SliceStable(out, func(i, j int) bool { return ddl.LessName(out[i].Schema, out[i].Name, out[j].Schema, out[j].Name) })
	return out
}

// VerificationError lists what a provisioned database lacks or holds
// differently from the model.
type VerificationError struct {
	// StoredHash and ExpectedHash differ when the seed did not land.
	StoredHash, ExpectedHash string
	// Missing lists expected relations that are absent (or of the wrong
	// kind).
	Missing []Relation
	// Columns lists, for the expected tables that exist, every column of
	// another type or nullability, missing column, extra column no insert
	// can fill and other primary key (a table created beforehand that the
	// script's CREATE TABLE IF NOT EXISTS kept).
	Columns []ColumnMismatch
	// When says when the check ran (`after applying the script (rolled
	// back)`); "" in a bare Verify.
	When string
}

// failed reports whether e found anything.
func (e *VerificationError) failed() bool {
	return e.StoredHash != e.ExpectedHash || len(e.Missing) > 0 || len(e.Columns) > 0
}

// Error summarises the problems on one line, followed by one line per
// column mismatch.
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
	if n := len(e.Columns); n > 0 {
		lines := make([]string, n)
		for i, c := range e.Columns {
			lines[i] = "\n  " + c.String()
		}
		what := "differences"
		if n == 1 {
			what = "difference"
		}
		parts = append(parts, fmt.Sprintf("%d %s between the existing tables and the schema set:%s", n, what, strings.Join(lines, "")))
	}
	head := "verification failed"
	if e.When != "" {
		head += " " + e.When
	}
	return head + ": " + strings.Join(parts, "; ")
}

// verifyCatalog compares the stored hash and the catalog's relations (a
// set of "schema.name" → isView) with m; nil when everything is there.
func verifyCatalog(m *model.Model, stored string, have map[string]bool) error {
	if e := checkRelations(m, stored, have); e.failed() {
		return e
	}
	return nil
}

// checkRelations compares the stored hash and the catalog's relations with
// m.
func checkRelations(m *model.Model, stored string, have map[string]bool) *VerificationError {
	e := &VerificationError{StoredHash: stored, ExpectedHash: m.EffectiveSchemaHash}
	for _, r := range ExpectedRelations(m) {
		isView, ok := have[r.Qualified()]
		if !ok || isView != r.IsView {
			e.Missing = append(e.Missing, r)
		}
	}
	return e
}

// verifyTables completes the relation check e with the column check of
// the expected tables against tables (the catalog's, by "schema.name"),
// returning e when anything differs and nil otherwise.
func verifyTables(e *VerificationError, m *model.Model, catalogType func(string) string, tables map[string]*catalogTable) error {
	d, err := all.For(m.Dialect)
	if err != nil {
		return err
	}
	want, err := expectedTables(m, d, catalogType)
	if err != nil {
		return err
	}
	e.Columns = compareTables(want, tables)
	if e.failed() {
		return e
	}
	return nil
}

// withWhen sets When on a *VerificationError (or wraps another error with
// it).
func withWhen(err error, when string) error {
	var e *VerificationError
	if errors.As(err, &e) {
		e.When = when
		return e
	}
	return fmt.Errorf("verification %s: %w", when, err)
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
