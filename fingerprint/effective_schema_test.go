package fingerprint

import (
	"strings"
	"testing"
)

func TestEffectiveSchemaJSON(t *testing.T) {
	m := &EffectiveSchema{
		APISchemaFormatVersion:   "1.0.0",
		RelationalMappingVersion: "dmsc-1",
		EffectiveSchemaHash:      "e",
		ResourceKeySeedHash:      "s",
		ResourceKeys:             []ResourceKey{{1, "A&B", "<R>", "1.0.0"}},
		ResourceKeyCount:         1,
	}
	got, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "api_schema_format_version": "1.0.0",
  "relational_mapping_version": "dmsc-1",
  "effective_schema_hash": "e",
  "resource_key_count": 1,
  "resource_key_seed_hash": "s",
  "schema_components": [],
  "resource_keys": [
    {
      "resource_key_id": 1,
      "project_name": "A&B",
      "resource_name": "<R>",
      "resource_version": "1.0.0"
    }
  ]
}
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if m.SchemaComponents != nil {
		t.Error("JSON modified the manifest")
	}
}

// project returns a minimal ProjectInput for Compute tests.
func project(endpoint, name string, ext bool, resources ...string) ProjectInput {
	return ProjectInput{
		EndpointName:   endpoint,
		ProjectName:    name,
		ProjectVersion: "1.0.0",
		IsExtension:    ext,
		Project:        map[string]any{"projectName": name, "projectEndpointName": endpoint},
		ResourceNames:  resources,
	}
}

func TestCompute(t *testing.T) {
	core := project("ed-fi", "Ed-Fi", false, "School", "GradeLevelDescriptor")
	core.AbstractResourceNames = []string{"EducationOrganization"}
	ext := project("sample", "Sample", true, "Bus")
	m, err := Compute("1.0.0", MappingVersion, []ProjectInput{ext, core})
	if err != nil {
		t.Fatal(err)
	}
	if m.RelationalMappingVersion != MappingVersion || m.ResourceKeyCount != 4 {
		t.Errorf("manifest header: %+v", m)
	}
	if m.SchemaComponents[0].ProjectEndpointName != "ed-fi" || m.SchemaComponents[1].ProjectEndpointName != "sample" {
		t.Errorf("components not sorted by endpoint: %+v", m.SchemaComponents)
	}
	var names []string
	for _, k := range m.ResourceKeys {
		names = append(names, k.ProjectName+"."+k.ResourceName)
	}
	if got, want := strings.Join(names, " "), "Ed-Fi.EducationOrganization Ed-Fi.GradeLevelDescriptor Ed-Fi.School Sample.Bus"; got != want {
		t.Errorf("resource keys %s, want %s", got, want)
	}
	if m.EffectiveSchemaHash != EffectiveSchemaHash("1.0.0", MappingVersion, m.SchemaComponents) {
		t.Error("effective hash does not match the components")
	}
}

func TestComputeErrors(t *testing.T) {
	bad := project("ed-fi", "Ed-Fi", false)
	bad.Project = []any{}
	tests := []struct {
		name     string
		projects []ProjectInput
		want     []string
	}{
		{"duplicate endpoint", []ProjectInput{project("ed-fi", "Ed-Fi", false), project("ed-fi", "Other", true)}, []string{"endpoint name used by an earlier project"}},
		{"empty names", []ProjectInput{project("", "", false)}, []string{"empty endpoint name", "empty project name"}},
		{"project not an object", []ProjectInput{bad}, []string{"want a JSON object"}},
		{"resource and abstract resource share a name", []ProjectInput{func() ProjectInput {
			p := project("ed-fi", "Ed-Fi", false, "School")
			p.AbstractResourceNames = []string{"School"}
			return p
		}()}, []string{"duplicate resource Ed-Fi.School"}},
		{"all problems reported", []ProjectInput{bad, project("ed-fi", "", false, "A", "A")}, []string{"want a JSON object", "empty project name", "earlier project", "duplicate resource"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compute("1.0.0", MappingVersion, tt.projects)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
