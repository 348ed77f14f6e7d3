package provision

import (
	"errors"
	"reflect"
	"testing"

	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/model"
)

func TestStateMismatch(t *testing.T) {
	m := &model.Model{EffectiveSchemaHash: "new", MappingVersion: "dmsc-1", APISchemaVersion: "5.0.0", Projects: []model.Project{
		{EndpointName: "ed-fi", ProjectName: "Ed-Fi", ProjectVersion: "5.2.0", ProjectHash: "h1"},
		{EndpointName: "sample", ProjectName: "Sample", ProjectVersion: "1.0.0", IsExtension: true, ProjectHash: "h2"},
		{EndpointName: "tpdm", ProjectName: "TPDM", ProjectVersion: "1.0.0", IsExtension: true, ProjectHash: "h3"},
	}}
	comps := func(cs ...Component) []Component { return cs }
	tests := []struct {
		name  string
		state *State
		want  []string // nil: no mismatch
	}{
		{"not provisioned", &State{}, nil},
		{"same hash", &State{Hash: "new"}, nil},
		{"projects differ", &State{Hash: "old", MappingVersion: "dmsc-1", APISchemaFormatVersion: "5.0.0", Components: comps(
			Component{EndpointName: "ed-fi", ProjectName: "Ed-Fi", ProjectVersion: "5.0.0", ProjectHash: "h0"},
			Component{EndpointName: "homograph", ProjectName: "Homograph", ProjectVersion: "1.0.0", ProjectHash: "h4"},
			Component{EndpointName: "sample", ProjectName: "Sample", ProjectVersion: "1.0.0", ProjectHash: "other-hash-value"},
			Component{EndpointName: "tpdm", ProjectName: "TPDM", ProjectVersion: "1.0.0", ProjectHash: "h3"},
		)}, []string{
			"ed-fi: version 5.0.0 in the database, 5.2.0 in the schema set",
			"homograph: only in the database (Homograph 1.0.0)",
			"sample: same version 1.0.0 but different content (project hash other-hash-v in the database, h2 in the schema set)",
		}},
		{"mapping and format", &State{Hash: "old", MappingVersion: "v2", APISchemaFormatVersion: "1.0.0", Components: comps(
			Component{EndpointName: "ed-fi", ProjectName: "Ed-Fi", ProjectVersion: "5.2.0", ProjectHash: "h1"},
		)}, []string{
			"mapping version v2 in the database, dmsc-1 in the schema set",
			"ApiSchema format version 1.0.0 in the database, 5.0.0 in the schema set",
			"sample: only in the schema set (Sample 1.0.0)",
			"tpdm: only in the schema set (TPDM 1.0.0)",
		}},
		{"unexplained", &State{Hash: "old", MappingVersion: "dmsc-1", APISchemaFormatVersion: "5.0.0", Components: comps(
			Component{EndpointName: "ed-fi", ProjectName: "Ed-Fi", ProjectVersion: "5.2.0", ProjectHash: "h1"},
			Component{EndpointName: "sample", ProjectName: "Sample", ProjectVersion: "1.0.0", ProjectHash: "h2"},
			Component{EndpointName: "tpdm", ProjectName: "TPDM", ProjectVersion: "1.0.0", ProjectHash: "h3"},
		)}, []string{"the projects and versions agree; the database's schema components do not explain its hash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := tt.state.Mismatch(m)
			if tt.want == nil {
				if mm != nil {
					t.Errorf("Mismatch = %v, want none", mm)
				}
				return
			}
			if mm == nil {
				t.Fatal("Mismatch = nil")
			}
			if !reflect.DeepEqual(mm.Differences, tt.want) {
				t.Errorf("differences:\n got %q\nwant %q", mm.Differences, tt.want)
			}
			if mm.StoredHash != "old" || mm.ExpectedHash != "new" || !errors.Is(mm, ErrFingerprintMismatch) {
				t.Errorf("mismatch = %+v", mm)
			}
		})
	}
}

func TestVerifyCatalog(t *testing.T) {
	m := schemacase.HandmadeModel(model.PgSQL)
	all := map[string]bool{}
	for _, r := range ExpectedRelations(m) {
		all[r.Qualified()] = r.IsView
	}
	if err := verifyCatalog(m, m.EffectiveSchemaHash, all); err != nil {
		t.Errorf("complete catalog: %v", err)
	}
	delete(all, "hand.WidgetPart")
	all["hand.Zeta_View"] = false // a table where a view belongs
	var verr *VerificationError
	err := verifyCatalog(m, "", all)
	if !errors.As(err, &verr) || len(verr.Missing) != 2 {
		t.Fatalf("verifyCatalog = %v", err)
	}
	want := "verification failed: dms.EffectiveSchema holds hash none, expected " + m.EffectiveSchemaHash +
		"; 2 expected relations are missing: table hand.WidgetPart, view hand.Zeta_View"
	if err.Error() != want {
		t.Errorf("message\n got %s\nwant %s", err, want)
	}
}
