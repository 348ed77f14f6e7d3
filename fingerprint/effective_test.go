package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

func TestEffectiveSchemaHash(t *testing.T) {
	core := SchemaComponent{"ed-fi", "Ed-Fi", "5.2.0", false, strings.Repeat("a", 64)}
	ext := SchemaComponent{"tpdm", "TPDM", "1.0.0", true, strings.Repeat("b", 64)}
	text := "dms-effective-schema-hash:v1\n" +
		"relationalMappingVersion=v2\n" +
		"apiSchemaFormatVersion=1.0.0\n" +
		"ed-fi|Ed-Fi|5.2.0|false|" + core.ProjectHash + "\n" +
		"tpdm|TPDM|1.0.0|true|" + ext.ProjectHash
	sum := sha256.Sum256([]byte(text))
	want := hex.EncodeToString(sum[:])

	tests := []struct {
		name       string
		format     string
		mapping    string
		components []SchemaComponent
		equal      bool
	}{
		{"sorted input", "1.0.0", "v2", []SchemaComponent{core, ext}, true},
		{"unsorted input", "1.0.0", "v2", []SchemaComponent{ext, core}, true},
		{"mapping version", "1.0.0", MappingVersion, []SchemaComponent{core, ext}, false},
		{"format version", "1.1.0", "v2", []SchemaComponent{core, ext}, false},
		{"extension flag", "1.0.0", "v2", []SchemaComponent{core, {ext.ProjectEndpointName, ext.ProjectName, ext.ProjectVersion, false, ext.ProjectHash}}, false},
		{"missing project", "1.0.0", "v2", []SchemaComponent{core}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EffectiveSchemaHash(tt.format, tt.mapping, tt.components)
			if (got == want) != tt.equal {
				t.Errorf("hash %s, want equal=%v to %s", got, tt.equal, want)
			}
		})
	}
	in := []SchemaComponent{ext, core}
	EffectiveSchemaHash("1.0.0", "v2", in)
	if in[0] != ext {
		t.Error("EffectiveSchemaHash reordered its input")
	}
}

func TestAssignResourceKeys(t *testing.T) {
	got, err := AssignResourceKeys([]ResourceKey{
		{ProjectName: "TPDM", ResourceName: "Candidate", ResourceVersion: "1.0.0"},
		{ID: 99, ProjectName: "Ed-Fi", ResourceName: "School", ResourceVersion: "5.2.0"},
		{ProjectName: "Ed-Fi", ResourceName: "AbsenceEventCategoryDescriptor", ResourceVersion: "5.2.0"},
		{ProjectName: "Ed-Fi", ResourceName: "academicWeek", ResourceVersion: "5.2.0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 Ed-Fi AbsenceEventCategoryDescriptor 5.2.0",
		"2 Ed-Fi School 5.2.0",
		"3 Ed-Fi academicWeek 5.2.0",
		"4 TPDM Candidate 1.0.0",
	}
	for i, k := range got {
		if s := strings.Join([]string{strconv.Itoa(int(k.ID)), k.ProjectName, k.ResourceName, k.ResourceVersion}, " "); s != want[i] {
			t.Errorf("key %d = %s, want %s", i, s, want[i])
		}
	}

	seed := ResourceKeySeedHash(got)
	text := "resource-key-seed-hash:v1\n" +
		"1|Ed-Fi|AbsenceEventCategoryDescriptor|5.2.0\n" +
		"2|Ed-Fi|School|5.2.0\n" +
		"3|Ed-Fi|academicWeek|5.2.0\n" +
		"4|TPDM|Candidate|1.0.0\n"
	if seed != sha256.Sum256([]byte(text)) {
		t.Error("seed hash does not follow the spec")
	}
	reversed := []ResourceKey{got[3], got[2], got[1], got[0]}
	if ResourceKeySeedHash(reversed) != seed {
		t.Error("seed hash depends on the order of its argument, not on ids")
	}
	if ResourceKeySeedHash(nil) != sha256.Sum256([]byte("resource-key-seed-hash:v1\n")) {
		t.Error("seed hash of no keys")
	}
}

func TestAssignResourceKeysErrors(t *testing.T) {
	dup := []ResourceKey{
		{ProjectName: "Ed-Fi", ResourceName: "School"},
		{ProjectName: "Ed-Fi", ResourceName: "School"},
		{ProjectName: "Ed-Fi", ResourceName: "School"},
		{ProjectName: "Ed-Fi", ResourceName: "Staff"},
		{ProjectName: "Ed-Fi", ResourceName: "Staff"},
	}
	_, err := AssignResourceKeys(dup)
	if err == nil || strings.Count(err.Error(), "duplicate resource") != 2 {
		t.Errorf("duplicates: error = %v, want one per duplicated resource", err)
	}
	many := make([]ResourceKey, MaxResourceKeys+1)
	for i := range many {
		many[i] = ResourceKey{ProjectName: "P", ResourceName: "R" + strconv.Itoa(i)}
	}
	if _, err := AssignResourceKeys(many); err == nil {
		t.Error("too many keys: no error")
	}
	keys, err := AssignResourceKeys(many[:MaxResourceKeys])
	if err != nil || keys[len(keys)-1].ID != MaxResourceKeys {
		t.Errorf("32767 keys: err %v", err)
	}
}
