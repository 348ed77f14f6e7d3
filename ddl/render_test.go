package ddl

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

// TestRenderErrors checks that models the renderer cannot turn into a
// correct script are refused with a message naming the problem.
func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(m *model.Model)
		want   string
	}{
		{"unknown dialect", func(m *model.Model) { m.Dialect = "oracle" }, `unknown SQL dialect "oracle"`},
		{"duplicate table", func(m *model.Model) {
			m.Resources[1].Tables[1].Name = "Maker"
		}, "table hand.Maker is defined twice"},
		{"unknown type", func(m *model.Model) { m.Resources[0].Tables[0].Columns[1].Type = model.Type{Kind: "Blob"} }, `hand.Maker.MakerId: unknown column type "Blob"`},
		{"unknown key column", func(m *model.Model) { m.Resources[0].Tables[0].Uniques[0].Columns = []string{"Nope"} }, "constraint UX_Maker_NK names unknown column Nope"},
		{"unknown FK action", func(m *model.Model) { m.Resources[0].Tables[0].ForeignKeys[0].OnDelete = "SetNull" }, `unknown ON DELETE action "SetNull"`},
		{"name clash", func(m *model.Model) { m.Resources[0].Tables[0].Uniques[0].Name = "PK_Maker" }, "name PK_Maker is used twice in schema hand"},
		{"name too long", func(m *model.Model) {
			m.Resources[0].Tables[0].Columns[1].Name = strings.Repeat("x", 64)
			m.Resources[0].Tables[0].Uniques[0].Columns = []string{strings.Repeat("x", 64)}
			m.Views[1].Arms[0].Values[0].Column = strings.Repeat("x", 64)
		}, "is longer than PostgreSQL allows"},
		{"view cycle", func(m *model.Model) {
			m.Views[1].Arms[0].Values[0].Hops = []model.Hop{{FKColumn: "DocumentId", Schema: "hand", Table: "Alpha_View"}}
		}, "abstract views depend on each other in a cycle: hand.Alpha_View, hand.Zeta_View"},
		{"arm without values", func(m *model.Model) { m.Views[0].Arms[0].Values = nil }, "member Hand:O'Widget supplies 0 identity values for 3 columns"},
		{"bad seed hash", func(m *model.Model) { m.ResourceKeySeedHash = "xyz" }, `resource key seed hash "xyz" is not 64 hex digits`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := schemacase.HandmadeModel(model.PgSQL)
			tt.mutate(m)
			_, err := Render(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := RenderWith(schemacase.HandmadeModel(model.PgSQL), schemacase.MustDialect(t, model.MSSQL)); err == nil || !strings.Contains(err.Error(), `named for dialect "pgsql", not "mssql"`) {
		t.Errorf("RenderWith another dialect = %v", err)
	}
	if _, err := Render(nil); err == nil {
		t.Error("Render(nil) succeeded")
	}
}
