package ddl

import (
	"fmt"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// checkNames fails when two objects of one schema share a name: tables,
// views and constraint/index names share a namespace per schema in
// PostgreSQL (relations) or SQL Server (objects), so a clash would fail at
// apply time or, worse, be skipped by an idempotence guard.
func checkNames(tables []*model.Table, views []dialect.View) error {
	type key struct{ schema, name string }
	seen := make(map[key]string, 4*len(tables)+len(views)+16)
	add := func(schema, name, what string) error {
		k := key{schema, name}
		if prev, ok := seen[k]; ok {
			return fmt.Errorf("name %s is used twice in schema %s: %s and %s", name, schema, prev, what)
		}
		seen[k] = what
		return nil
	}
	for _, t := range coreTables() {
		if err := add(t.Schema, t.Name, "core table"); err != nil {
			return err
		}
	}
	for _, t := range tables {
		q := t.Qualified()
		if err := add(t.Schema, t.Name, "table "+q); err != nil {
			return err
		}
		if err := add(t.Schema, t.Key.Name, "the primary key of "+q); err != nil {
			return err
		}
		for _, u := range t.Uniques {
			if err := add(t.Schema, u.Name, "a unique constraint of "+q); err != nil {
				return err
			}
		}
		for _, fk := range t.ForeignKeys {
			if err := add(t.Schema, fk.Name, "a foreign key of "+q); err != nil {
				return err
			}
		}
		for _, ix := range t.Indexes {
			if err := add(t.Schema, ix.Name, "an index of "+q); err != nil {
				return err
			}
		}
	}
	for i := range views {
		if err := add(views[i].Schema, views[i].Name, "view"); err != nil {
			return err
		}
	}
	return nil
}

// checkLengths fails when a name exceeds the dialect's identifier limit
// (the compiler shortens names; PostgreSQL would silently truncate one
// that slipped through).
func checkLengths(d dialect.Dialect, tables []*model.Table, views []dialect.View) error {
	limit := d.IdentifierLimit()
	check := func(name, what string) error {
		if !limit.Fits(name) {
			return fmt.Errorf("%s name %q is longer than %s allows", what, name, d.Title())
		}
		return nil
	}
	for _, t := range tables {
		what := "table " + t.Qualified() + ":"
		bad := ""
		for _, n := range [...]string{t.Schema, t.Name, t.Key.Name} {
			if !limit.Fits(n) {
				bad = n
			}
		}
		for _, c := range t.Columns {
			if !limit.Fits(c.Name) {
				bad = c.Name
			}
		}
		for _, u := range t.Uniques {
			if !limit.Fits(u.Name) {
				bad = u.Name
			}
		}
		for _, fk := range t.ForeignKeys {
			if !limit.Fits(fk.Name) {
				bad = fk.Name
			}
		}
		for _, ix := range t.Indexes {
			if !limit.Fits(ix.Name) {
				bad = ix.Name
			}
		}
		if bad != "" {
			return check(bad, what)
		}
	}
	for i := range views {
		v := &views[i]
		for _, n := range append([]string{v.Schema, v.Name}, v.Columns...) {
			if err := check(n, "view "+v.Schema+"."+v.Name+":"); err != nil {
				return err
			}
		}
	}
	return nil
}
