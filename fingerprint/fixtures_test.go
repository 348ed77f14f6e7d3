package fingerprint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// apiSchemaFile is the part of an ApiSchema file these tests read.
type apiSchemaFile struct {
	version string
	input   ProjectInput
}

// loadAPISchema reads an ApiSchema file of either format (projectSchema, or
// the older projectSchemas with a single project) into a ProjectInput.
func loadAPISchema(t *testing.T, path string) apiSchemaFile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := DecodeJSON(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	root, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: top level is not an object", path)
	}
	version, _ := root["apiSchemaVersion"].(string)
	var endpoint string
	project, ok := root["projectSchema"].(map[string]any)
	if ok {
		endpoint, _ = project["projectEndpointName"].(string)
	} else {
		projects, ok := root["projectSchemas"].(map[string]any)
		if !ok || len(projects) != 1 {
			t.Fatalf("%s: want projectSchema or a single projectSchemas entry", path)
		}
		for k, p := range projects {
			endpoint = k
			project, _ = p.(map[string]any)
		}
	}
	in := ProjectInput{EndpointName: endpoint, Project: project}
	in.ProjectName, _ = project["projectName"].(string)
	in.ProjectVersion, _ = project["projectVersion"].(string)
	in.IsExtension, _ = project["isExtensionProject"].(bool)
	resources, _ := project["resourceSchemas"].(map[string]any)
	for _, k := range sortedKeys(resources) {
		r, _ := resources[k].(map[string]any)
		if ext, _ := r["isResourceExtension"].(bool); ext {
			continue
		}
		name, _ := r["resourceName"].(string)
		in.ResourceNames = append(in.ResourceNames, name)
	}
	abstract, _ := project["abstractResources"].(map[string]any)
	in.AbstractResourceNames = sortedKeys(abstract)
	return apiSchemaFile{version: version, input: in}
}

// dmsCase is one upstream DDL-generator fixture.
type dmsCase struct {
	name     string
	version  string
	inputs   []ProjectInput
	expected []byte // expected/effective-schema.manifest.json
}

// loadDMSCases reads every fixtures/dms/<case> (found by testenv).
func loadDMSCases(t *testing.T) []dmsCase {
	t.Helper()
	var cases []dmsCase
	for _, tc := range testenv.DMSCases(t) {
		c := dmsCase{name: tc.Name}
		for _, f := range tc.Files {
			s := loadAPISchema(t, f)
			if c.version != "" && c.version != s.version {
				t.Fatalf("%s: apiSchemaVersion %q differs from %q", tc.Dir, s.version, c.version)
			}
			c.version = s.version
			c.inputs = append(c.inputs, s.input)
		}
		var err error
		c.expected, err = os.ReadFile(tc.Expected("effective-schema.manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Skip("no DMS fixture cases found")
	}
	return cases
}

func TestComputeMatchesUpstreamFixtures(t *testing.T) {
	for _, c := range loadDMSCases(t) {
		t.Run(c.name, func(t *testing.T) {
			var want EffectiveSchema
			if err := json.Unmarshal(c.expected, &want); err != nil {
				t.Fatal(err)
			}
			got, err := Compute(c.version, UpstreamMappingVersion, c.inputs)
			if err != nil {
				t.Fatal(err)
			}
			check := func(field string, got, want any) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %v, want %v", field, got, want)
				}
			}
			check("api_schema_format_version", got.APISchemaFormatVersion, want.APISchemaFormatVersion)
			check("relational_mapping_version", got.RelationalMappingVersion, want.RelationalMappingVersion)
			check("effective_schema_hash", got.EffectiveSchemaHash, want.EffectiveSchemaHash)
			check("resource_key_count", got.ResourceKeyCount, want.ResourceKeyCount)
			check("resource_key_seed_hash", got.ResourceKeySeedHash, want.ResourceKeySeedHash)
			if !slices.Equal(got.SchemaComponents, want.SchemaComponents) {
				t.Errorf("schema_components =\n%+v\nwant\n%+v", got.SchemaComponents, want.SchemaComponents)
			}
			if !slices.Equal(got.ResourceKeys, want.ResourceKeys) {
				t.Errorf("resource_keys =\n%+v\nwant\n%+v", got.ResourceKeys, want.ResourceKeys)
			}
			rendered, err := got.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if string(rendered) != string(c.expected) {
				t.Errorf("rendered manifest differs from upstream's:\n%s\nwant\n%s", rendered, c.expected)
			}

			// File order does not matter.
			reversed := slices.Clone(c.inputs)
			slices.Reverse(reversed)
			again, err := Compute(c.version, UpstreamMappingVersion, reversed)
			if err != nil {
				t.Fatal(err)
			}
			if again.EffectiveSchemaHash != got.EffectiveSchemaHash {
				t.Errorf("effective hash depends on file order")
			}
			// dmsc's own mapping version gives another hash.
			own, err := Compute(c.version, MappingVersion, c.inputs)
			if err != nil {
				t.Fatal(err)
			}
			if own.EffectiveSchemaHash == got.EffectiveSchemaHash {
				t.Errorf("effective hash ignores the mapping version")
			}
			if own.ResourceKeySeedHash != got.ResourceKeySeedHash {
				t.Errorf("seed hash depends on the mapping version")
			}
		})
	}
}

func TestProjectHashRealSchemas(t *testing.T) {
	for _, path := range []string{testenv.DS50(t), testenv.Homograph(t)} {
		rel := filepath.Base(filepath.Dir(path))
		t.Run(rel, func(t *testing.T) {
			s := loadAPISchema(t, path)
			first, err := ProjectHash(s.input.Project)
			if err != nil {
				t.Fatal(err)
			}
			second, err := ProjectHash(s.input.Project)
			if err != nil {
				t.Fatal(err)
			}
			if first != second || len(first) != 64 {
				t.Fatalf("unstable or malformed hash: %s then %s", first, second)
			}
			m, err := Compute(s.version, MappingVersion, []ProjectInput{s.input})
			if err != nil {
				t.Fatal(err)
			}
			if m.ResourceKeyCount == 0 || m.SchemaComponents[0].ProjectHash != first {
				t.Fatalf("unexpected manifest: %d keys, hash %s", m.ResourceKeyCount, m.SchemaComponents[0].ProjectHash)
			}
			t.Logf("%s: project hash %s, %d resource keys", rel, first, m.ResourceKeyCount)
		})
	}
}
