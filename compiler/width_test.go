package compiler

import (
	"fmt"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/model"
)

// wideSchema returns a one-resource schema whose root table has n integer
// columns besides DocumentId (n-1 extra properties plus the identity).
func wideSchema(n int) string {
	var props, maps []string
	for i := 0; i < n; i++ {
		props = append(props, fmt.Sprintf(`"p%04d":{"type":"integer"}`, i))
		maps = append(maps, fmt.Sprintf(`"P%04d":{"isReference":false,"path":"$.p%04d"}`, i, i))
	}
	return `{"apiSchemaVersion":"1.0.0","projectSchema":{"projectName":"W","projectEndpointName":"w","projectVersion":"1","isExtensionProject":false,"description":"","abstractResources":{},
 "resourceSchemas":{"wides":{"resourceName":"Wide","isDescriptor":false,"isResourceExtension":false,"identityJsonPaths":["$.p0000"],
 "documentPathsMapping":{` + strings.Join(maps, ",") + `},"jsonSchemaForInsert":{"type":"object","properties":{` + strings.Join(props, ",") + `},"required":["p0000"]}}}}}`
}

// TestWidthGate checks the width report and that tables past an engine's
// column limit fail compilation for that engine only.
func TestWidthGate(t *testing.T) {
	tests := []struct {
		columns  int
		wantErrs []string
	}{
		{columns: 100},
		{columns: 1100, wantErrs: []string{"has 1101 columns; mssql allows 1024"}},
		{columns: 1700, wantErrs: []string{"has 1701 columns; mssql allows 1024", "has 1701 columns; pgsql allows 1600"}}, // sorted by message
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.columns), func(t *testing.T) {
			var d diag.List
			p := apischema.Parse("wide.json", []byte(wideSchema(tt.columns)), &d)
			set := apischema.Build([]*apischema.Project{p}, &d)
			res := Compile(set, Options{}, &d)
			errs := d.Errors()
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("errors = %v, want %d", errs, len(tt.wantErrs))
			}
			for i, want := range tt.wantErrs {
				if errs[i].Code != CodeTableTooWide || !strings.Contains(errs[i].Message, want) {
					t.Errorf("error %d = %s, want %q", i, errs[i], want)
				}
			}
			if res != nil {
				w := res.Model(model.MSSQL).Widths[0]
				if w.Columns != tt.columns+1 || w.FixedBytes != 8+4*tt.columns {
					t.Errorf("width report = %+v", w)
				}
			}
		})
	}
}
