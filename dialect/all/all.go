// Package all registers the SQL dialects: the compiler derives one model
// per registered dialect and ddl renders and provisions through them.
// Adding a dialect means adding its package under dialect/ and listing it
// here.
package all

import (
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/dialect/mssql"
	"github.com/edfi-dmsc/dmsc/dialect/pgsql"
	"github.com/edfi-dmsc/dmsc/model"
)

// Dialects returns the registered dialects in output order.
func Dialects() []dialect.Dialect { return []dialect.Dialect{pgsql.New(), mssql.New()} }

// Names returns the registered dialects' names in output order.
func Names() []model.Dialect {
	var out []model.Dialect
	for _, d := range Dialects() {
		out = append(out, d.Name())
	}
	return out
}

// For returns the dialect named name.
func For(name model.Dialect) (dialect.Dialect, error) {
	for _, d := range Dialects() {
		if d.Name() == name {
			return d, nil
		}
	}
	return nil, fmt.Errorf("unknown SQL dialect %q (want %s)", name, nameList())
}

// Parse returns the dialect name s, or an error listing the known ones.
func Parse(s string) (model.Dialect, error) {
	d, err := For(model.Dialect(s))
	if err != nil {
		return "", err
	}
	return d.Name(), nil
}

func nameList() string {
	var names []string
	for _, n := range Names() {
		names = append(names, string(n))
	}
	return strings.Join(names, " or ")
}
