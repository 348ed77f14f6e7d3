package ddl

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
)

func TestScratch2(t *testing.T) {
	fx := "/work/shared/fixtures"
	for _, files := range [][]string{{fx + "/apischema/ds-5.0/ApiSchema.json"}, {fx + "/apischema/homograph/ApiSchema.json"}} {
		var d diag.List
		set := apischema.Load(files, &d)
		res := compiler.Compile(set, compiler.Options{}, &d)
		if res == nil {
			t.Fatal(d.Err())
		}
		m := res.MSSQL
		fmt.Println(filepath.Base(filepath.Dir(files[0])), compiler.Summary(m))
		for _, v := range m.Views {
			fmt.Printf("VIEW %s.%s %+v\n", v.Schema, v.Name, v.Columns)
			for _, a := range v.Arms {
				fmt.Printf("  ARM %s %s %+v\n", a.Table.Qualified(), a.Discriminator, a.Values)
			}
		}
	}
}
