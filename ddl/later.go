package ddl

import (
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
)

// LaterCoreTable is a core table added after databases were provisioned
// without it. A runtime uses it when the database has it, and
// provisioning an already provisioned database creates it.
type LaterCoreTable struct {
	// Schema and Name name the table.
	Schema, Name string
	// Statements create and seed it, each idempotent, in order.
	Statements []string
}

// LaterCoreTables returns the later core tables in creation order, their
// statements in dialect d: auth.EducationOrganizationIdClaimSet and
// dms.DescriptorUriGeneration with its row.
func LaterCoreTables(d dialect.Dialect) []LaterCoreTable {
	var out []LaterCoreTable
	for _, t := range coreTables() {
		var seed *dialect.Insert
		switch {
		case t.Schema == AuthSchema && t.Name == ClaimSetTable:
		case t.Schema == CoreSchema && t.Name == DescriptorGenerationTable:
			s := descriptorGenerationSeed()
			seed = &s
		default:
			continue
		}
		var b strings.Builder
		d.WriteCreateTable(&b, &t)
		lt := LaterCoreTable{Schema: t.Schema, Name: t.Name, Statements: []string{b.String()}}
		if seed != nil {
			b.Reset()
			d.WriteInsert(&b, seed)
			lt.Statements = append(lt.Statements, b.String())
		}
		out = append(out, lt)
	}
	return out
}
