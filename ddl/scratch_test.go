package ddl

import (
	"fmt"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
)

func TestScratch(t *testing.T) {
	var d diag.List
	var projects []*apischema.Project
	for _, f := range example.Files() {
		if p := apischema.Parse(f.Name, f.Data, &d); p != nil {
			projects = append(projects, p)
		}
	}
	set := apischema.Build(projects, &d)
	res := compiler.Compile(set, compiler.Options{}, &d)
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	m := res.PgSQL
	fmt.Printf("%s %s %s %s %s\n", m.Dialect, m.APISchemaVersion, m.MappingVersion, m.EffectiveSchemaHash, m.ResourceKeySeedHash)
	fmt.Printf("%+v\n%+v\n", m.Projects, m.ResourceKeys)
	for _, r := range m.Resources {
		fmt.Printf("RES %s.%s storage=%s\n", r.ProjectName, r.ResourceName, r.Storage)
		for _, tb := range r.Tables {
			fmt.Printf("  T %s kind=%s comment=%q\n", tb.Qualified(), tb.Kind, tb.Comment)
			for _, c := range tb.Columns {
				fmt.Printf("    C %s %s %s null=%v key=%v\n", c.Name, c.Kind, c.Type, c.Nullable, c.IsKey)
			}
			fmt.Printf("    PK %+v\n", tb.Key)
			for _, u := range tb.Uniques {
				fmt.Printf("    UQ %+v\n", u)
			}
			for _, f := range tb.ForeignKeys {
				fmt.Printf("    FK %+v\n", *f)
			}
			for _, u := range tb.Indexes {
				fmt.Printf("    IX %+v\n", u)
			}
		}
	}
	for _, v := range m.Views {
		fmt.Printf("VIEW %s.%s %+v\n", v.Schema, v.Name, v.Columns)
		for _, a := range v.Arms {
			fmt.Printf("  ARM %s %s %+v\n", a.Table.Qualified(), a.Discriminator, a.Values)
		}
	}
	fmt.Printf("%+v\n", m.Widths)
}
