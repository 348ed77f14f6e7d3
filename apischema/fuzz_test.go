package apischema

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/diag"
)

// FuzzParse feeds arbitrary bytes to the ApiSchema loader: it must never
// panic, must report failure as located, coded diagnostics, and must
// return a project exactly when it reported no error.
func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"P","projectEndpointName":"p","projectVersion":"1","isExtensionProject":false,"resourceSchemas":{}}}`,
		`{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"P","projectEndpointName":"p","projectVersion":"1","isExtensionProject":false,"resourceSchemas":{"as":{"resourceName":"A","isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":["$.id"],"documentPathsMapping":{"Id":{"isReference":false,"path":"$.id"}},"jsonSchemaForInsert":{"type":"object","properties":{"id":{"type":"integer"},"xs":{"type":"array","items":{"type":"object","properties":{"v":{"type":"string","maxLength":3}}}}},"required":["id"]}}}}}`,
		`{"apiSchemaVersion":"1.0.0","projectNameMapping":{"P":"p"},"projectSchemas":{"p":{"projectName":"P","projectVersion":"1","isExtensionProject":false,"resourceSchemas":{}}}}`,
		`{"apiSchemaVersion":1}`, `[]`, `{`, `{"projectSchema":{"resourceSchemas":{"x":{"jsonSchemaForInsert":{"oneOf":[]}}}}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d diag.List
		p := Parse("fuzz.json", data, &d)
		if (p == nil) && !d.HasErrors() {
			t.Fatalf("no project and no error for %q", data)
		}
		for _, item := range d.Items() {
			if item.Code == "" || item.Message == "" || !strings.HasPrefix(item.String(), "fuzz.json") {
				t.Fatalf("malformed diagnostic %q", item.String())
			}
		}
		if p != nil && !d.HasErrors() {
			// A clean project must also build into a set without panicking.
			var d2 diag.List
			Build([]*Project{p}, &d2)
		}
	})
}
