package fingerprint

import (
	"reflect"
	"strings"
	"testing"
)

// decode parses a JSON test input or fails the test.
func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := DecodeJSON([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// hashOf returns ProjectHash of the JSON text s or fails the test.
func hashOf(t *testing.T, s string) string {
	t.Helper()
	h, err := ProjectHash(decode(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

const baseProject = `{
  "projectName": "Ed-Fi", "projectVersion": "5.2.0", "description": "core",
  "openApiBaseDocuments": {"resources": {"openapi": "3.0.0"}},
  "resourceSchemas": {
    "schools": {"resourceName": "School", "identityJsonPaths": ["$.schoolId", "$.name"],
                "openApiFragments": {"resources": {"paths": {}}}, "n": 1.0}
  },
  "abstractResources": {
    "EducationOrganization": {"identityJsonPaths": ["$.educationOrganizationId"],
                              "openApiFragment": {"components": {}}}
  }
}`

func TestProjectHashRemovesOpenAPIWithoutMutating(t *testing.T) {
	in := decode(t, baseProject)
	before := decode(t, baseProject)
	stripped, err := StripOpenAPI(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, before) {
		t.Fatal("StripOpenAPI modified its input")
	}
	got, err := Canonicalize(stripped)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"abstractResources":{"EducationOrganization":{"identityJsonPaths":["$.educationOrganizationId"]}},` +
		`"description":"core","projectName":"Ed-Fi","projectVersion":"5.2.0",` +
		`"resourceSchemas":{"schools":{"identityJsonPaths":["$.schoolId","$.name"],"n":1.0,"resourceName":"School"}}}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if _, err := ProjectHash(in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, before) {
		t.Fatal("ProjectHash modified its input")
	}
}

func TestProjectHashStabilityAndSensitivity(t *testing.T) {
	base := hashOf(t, baseProject)
	// Hashes that must equal base.
	same := map[string]string{
		"minified": strings.Join(strings.Fields(baseProject), " "),
		"key order": `{"resourceSchemas":{"schools":{"n":1.0,"openApiFragments":{},"identityJsonPaths":["$.schoolId","$.name"],"resourceName":"School"}},
		  "abstractResources":{"EducationOrganization":{"openApiFragment":{"x":1},"identityJsonPaths":["$.educationOrganizationId"]}},
		  "projectVersion":"5.2.0","description":"core","projectName":"Ed-Fi"}`,
		"other OpenAPI content": strings.Replace(baseProject, `"openapi": "3.0.0"`, `"openapi": "3.1.0"`, 1),
		"no OpenAPI at all": `{"projectName":"Ed-Fi","projectVersion":"5.2.0","description":"core",
		  "resourceSchemas":{"schools":{"resourceName":"School","identityJsonPaths":["$.schoolId","$.name"],"n":1.0}},
		  "abstractResources":{"EducationOrganization":{"identityJsonPaths":["$.educationOrganizationId"]}}}`,
	}
	for _, name := range sortedStrings(same) {
		if got := hashOf(t, same[name]); got != base {
			t.Errorf("%s: hash %s, want %s", name, got, base)
		}
	}
	// Hashes that must differ from base.
	differ := map[string]string{
		"array order":  strings.Replace(baseProject, `["$.schoolId", "$.name"]`, `["$.name", "$.schoolId"]`, 1),
		"description":  strings.Replace(baseProject, `"core"`, `"Core"`, 1),
		"number token": strings.Replace(baseProject, `1.0}`, `1}`, 1),
		"openApiFragments elsewhere": strings.Replace(baseProject, `"description": "core",`,
			`"description": "core", "openApiFragments": {},`, 1),
	}
	for _, name := range sortedStrings(differ) {
		if got := hashOf(t, differ[name]); got == base {
			t.Errorf("%s: hash did not change", name)
		}
	}
}

func TestProjectHashRejectsNonObject(t *testing.T) {
	for _, v := range []any{nil, []any{}, "x"} {
		if _, err := ProjectHash(v); err == nil {
			t.Errorf("ProjectHash(%#v): no error", v)
		}
	}
}

// sortedStrings returns the keys of m in ordinal order.
func sortedStrings(m map[string]string) []string {
	anyMap := make(map[string]any, len(m))
	for k := range m {
		anyMap[k] = nil
	}
	return sortedKeys(anyMap)
}
