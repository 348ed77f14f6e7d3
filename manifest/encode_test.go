package manifest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reflectEncode is the reference encoding: encoding/json, indented.
func reflectEncode(t *testing.T, m *Manifest) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sample() *Manifest {
	return &Manifest{
		FormatVersion: FormatVersion, Dialect: "pgsql", APISchemaFormatVersion: "1.0.0", RelationalMappingVersion: "dmsc-1",
		EffectiveSchemaHash: "e", ResourceKeySeedHash: "s",
		Projects:     []Project{{EndpointName: "ed-fi", ProjectName: "Ed-Fi", ProjectVersion: "5", ProjectHash: "h", Schema: "edfi"}},
		ResourceKeys: []ResourceKey{{ID: 1, ProjectName: "Ed-Fi", ResourceName: "School", ResourceVersion: "5"}},
		Resources: []Resource{{
			ProjectName: "Ed-Fi", ResourceName: "School <&> \"q\" \u2028 \x01 é", Storage: "Tables",
			Superclass: &Superclass{ProjectName: "Ed-Fi", ResourceName: "EducationOrganization", IdentityRename: "$.educationOrganizationId", IsAbstract: true},
			Identity:   []IdentityElement{{Path: "$.schoolId", Source: SourceColumn, Column: "SchoolId", Type: Type{Kind: "Int32"}}, {Path: "$.x", Source: SourceReference, Column: "X_DocumentId", TargetIdentityPath: "$.y", Type: Type{Kind: "Decimal", Precision: 9, Scale: 2}}},
			Tables: []Table{{Schema: "edfi", Name: "School", Scope: "$", Kind: TableRoot, KeyColumns: []string{"DocumentId"}, ParentKeyColumns: []string{},
				Columns: []Column{{Name: "DocumentId", Kind: ColumnDocumentID, Type: Type{Kind: "Int64"}}, {Name: "N", Kind: ColumnScalar, Type: Type{Kind: "String", MaxLength: 75}, Nullable: true, SourcePath: "$.n",
					Validation: &Validation{MinLength: 1, Pattern: `^\s$`, Enum: []string{"a"}}}}}},
			EdgeSources: []EdgeSource{{Table: "edfi.School", Column: "X", Kind: EdgeReference, Path: "$.x", Bindings: []Binding{{ReferencePath: "$.x.y", IdentityPath: "$.y", Type: Type{Kind: "Int32"}}}}},
			QueryFields: []QueryField{{Name: "q", Targets: []QueryTarget{{Path: "$.n", Column: "N", Kind: SourceColumn, Type: "string"}}}},
			Uniqueness:  []Uniqueness{{Table: "t", Constraint: "c", Columns: []string{"a"}, Paths: []string{"$.a"}}},
			Equality:    []Equality{},
		}},
		AbstractResources: []AbstractResource{{ProjectName: "Ed-Fi", ResourceName: "A", Identity: []ViewIdentity{}, Members: nil}},
	}
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	m := sample()
	got, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if want := reflectEncode(t, m); !bytes.Equal(got, want) {
		t.Errorf("Encode differs from encoding/json:\n got %s\nwant %s", got, want)
	}
	invalid := &Manifest{Dialect: "bad \xff utf8"}
	got, _ = invalid.Encode()
	if want := reflectEncode(t, invalid); !bytes.Equal(got, want) {
		t.Errorf("invalid UTF-8: got %s want %s", got, want)
	}
}
