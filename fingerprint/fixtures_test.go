package fingerprint

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// fixturesDir returns the shared fixtures folder: $DMSC_FIXTURES, or
// ../shared/fixtures next to the directory holding go.mod. It skips the test
// when the folder is absent.
func fixturesDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("DMSC_FIXTURES"); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			t.Skipf("DMSC_FIXTURES=%s is not usable (%v); skipping fixture test", dir, err)
		}
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Skipf("cannot find the fixtures folder: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("fixtures folder not found: no go.mod above the package; set DMSC_FIXTURES")
		}
		dir = parent
	}
	fixtures := filepath.Join(dir, "..", "shared", "fixtures")
	if _, err := os.Stat(fixtures); err != nil {
		t.Skipf("fixtures folder %s not found; set DMSC_FIXTURES to run this test", fixtures)
	}
	return fixtures
}

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

// loadDMSCases reads every fixtures/dms/<case>.
func loadDMSCases(t *testing.T) []dmsCase {
	t.Helper()
	root := filepath.Join(fixturesDir(t), "dms")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Skipf("no DMS fixtures: %v", err)
	}
	var cases []dmsCase
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		raw, err := os.ReadFile(filepath.Join(dir, "fixture.json"))
		if err != nil {
			t.Fatal(err)
		}
		var fx struct {
			APISchemaFiles []string `json:"apiSchemaFiles"`
		}
		if err := json.Unmarshal(raw, &fx); err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		c := dmsCase{name: d.Name()}
		for _, f := range fx.APISchemaFiles {
			s := loadAPISchema(t, filepath.Join(dir, "inputs", f))
			if c.version != "" && c.version != s.version {
				t.Fatalf("%s: apiSchemaVersion %q differs from %q", dir, s.version, c.version)
			}
			c.version = s.version
			c.inputs = append(c.inputs, s.input)
		}
		c.expected, err = os.ReadFile(filepath.Join(dir, "expected", "effective-schema.manifest.json"))
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
			var want Manifest
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
	dir := fixturesDir(t)
	for _, rel := range []string{
		filepath.Join("apischema", "ds-5.0", "ApiSchema.json"),
		filepath.Join("apischema", "homograph", "ApiSchema.json"),
	} {
		t.Run(filepath.Dir(rel), func(t *testing.T) {
			path := filepath.Join(dir, rel)
			if _, err := os.Stat(path); err != nil {
				t.Skipf("%s absent: %v", path, err)
			}
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
