package compiler

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/model"
)

const arraysOnlyCore = `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"Core","projectEndpointName":"core","projectVersion":"1","isExtensionProject":false,"description":"","abstractResources":{},
 "resourceSchemas":{"widgets":{"resourceName":"Widget","isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":["$.widgetId"],
  "documentPathsMapping":{"WidgetId":{"isReference":false,"path":"$.widgetId"}},
  "jsonSchemaForInsert":{"type":"object","properties":{"widgetId":{"type":"integer"}},"required":["widgetId"]}}}}}`

const arraysOnlyExt = `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"Ext","projectEndpointName":"ext","projectVersion":"1","isExtensionProject":true,"description":"","abstractResources":{},
 "resourceSchemas":{"widgets":{"resourceName":"Widget","isDescriptor":false,"isResourceExtension":true,"identityJsonPaths":[],"documentPathsMapping":{},
  "jsonSchemaForInsert":{"type":"object","properties":{"_ext":{"type":"object","properties":{"ext":{"type":"object","properties":{
   "colors":{"type":"array","items":{"type":"object","properties":{"color":{"type":"string","maxLength":10}},"required":["color"]}}}}}}}}}}}}`

// TestExtensionScopeWithOnlyArrays pins the rule the README states: an
// `_ext.{p}` scope that holds only arrays still gets its extension table
// (key columns only), and its child tables hang off that table.
func TestExtensionScopeWithOnlyArrays(t *testing.T) {
	var d diag.List
	core := apischema.Parse("core.json", []byte(arraysOnlyCore), &d)
	ext := apischema.Parse("ext.json", []byte(arraysOnlyExt), &d)
	set := apischema.Build([]*apischema.Project{core, ext}, &d)
	var res *Result
	if set != nil {
		res = Compile(set, Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	r := res.Model(model.PgSQL).Resources[0]
	tables := map[string]*model.Table{}
	for _, tb := range r.Tables {
		tables[tb.Qualified()] = tb
	}
	extTable := tables["ext.WidgetExtension"]
	if extTable == nil {
		t.Fatalf("no extension table; tables: %v", tables)
	}
	if len(extTable.Columns) != 1 || extTable.Columns[0].Name != "DocumentId" {
		t.Errorf("extension table columns = %v, want only DocumentId", extTable.Columns)
	}
	child := tables["ext.WidgetExtensionColor"]
	if child == nil || child.Parent != extTable {
		t.Fatalf("child table missing or not under the extension table")
	}
	var parentFK *model.ForeignKey
	for _, fk := range child.ForeignKeys {
		if fk.Kind == "Parent" {
			parentFK = fk
		}
	}
	if parentFK == nil || parentFK.TargetTable != "WidgetExtension" || parentFK.OnDelete != "Cascade" {
		t.Errorf("child FK = %+v, want → ext.WidgetExtension ON DELETE CASCADE", parentFK)
	}
}
