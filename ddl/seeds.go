package ddl

import (
	"encoding/hex"
	"fmt"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// seeds returns the seed inserts: dms.ResourceKey, dms.EffectiveSchema,
// dms.SchemaComponent, dms.AuthLock and dms.DescriptorUriGeneration, in
// that order.
func seeds(m *model.Model) ([]dialect.Insert, error) {
	seed, err := hex.DecodeString(m.ResourceKeySeedHash)
	if err != nil || len(seed) != 32 {
		return nil, fmt.Errorf("resource key seed hash %q is not 64 hex digits", m.ResourceKeySeedHash)
	}
	if len(m.EffectiveSchemaHash) != 64 {
		return nil, fmt.Errorf("effective schema hash %q is not 64 characters", m.EffectiveSchemaHash)
	}
	keys := dialect.Insert{
		Schema: CoreSchema, Table: ResourceKeyTable,
		Comment: "Seed: dms.ResourceKey (" + itoa(len(m.ResourceKeys)) + " rows)",
		Columns: []string{"ResourceKeyId", "ProjectName", "ResourceName", "ResourceVersion"},
		Key:     []string{"ResourceKeyId"},
		Rows:    make([][]dialect.Value, len(m.ResourceKeys)),
	}
	for i, k := range m.ResourceKeys {
		keys.Rows[i] = []dialect.Value{dialect.Int(int64(k.ID)), dialect.Str(k.ProjectName), dialect.Str(k.ResourceName), dialect.Str(k.ResourceVersion)}
	}
	schema := dialect.Insert{
		Schema: CoreSchema, Table: EffectiveSchemaTable,
		Comment: "Seed: dms.EffectiveSchema",
		Columns: []string{"ApiSchemaFormatVersion", "EffectiveSchemaHash", "MappingVersion", "ResourceKeySeedHash"},
		Key:     []string{"EffectiveSchemaHash"},
		Rows: [][]dialect.Value{{dialect.Str(m.APISchemaVersion), dialect.Str(m.EffectiveSchemaHash),
			dialect.Str(m.MappingVersion), dialect.Bytes(seed)}},
	}
	components := dialect.Insert{
		Schema: CoreSchema, Table: SchemaComponentTable,
		Comment: "Seed: dms.SchemaComponent",
		Columns: []string{"ProjectEndpointName", "ProjectName", "ProjectVersion", "IsExtensionProject", "ProjectHash"},
		Key:     []string{"EffectiveSchemaId", "ProjectEndpointName"},
		Lookup: &dialect.Lookup{Column: "EffectiveSchemaId",
			Source: dialect.Relation{Schema: CoreSchema, Name: EffectiveSchemaTable, Alias: "l"},
			Select: "EffectiveSchemaId", Where: "EffectiveSchemaHash", Equals: dialect.Str(m.EffectiveSchemaHash)},
	}
	for _, p := range m.Projects {
		components.Rows = append(components.Rows, []dialect.Value{dialect.Str(p.EndpointName), dialect.Str(p.ProjectName),
			dialect.Str(p.ProjectVersion), dialect.Bool(p.IsExtension), dialect.Str(p.ProjectHash)})
	}
	authLock := dialect.Insert{
		Schema: CoreSchema, Table: AuthLockTable,
		Comment: "Seed: dms.AuthLock (its one row)",
		Columns: []string{"LockId"},
		Key:     []string{"LockId"},
		Rows:    [][]dialect.Value{{dialect.Int(1)}},
	}
	return []dialect.Insert{keys, schema, components, authLock, descriptorGenerationSeed()}, nil
}

// descriptorGenerationSeed inserts dms.DescriptorUriGeneration's one row.
func descriptorGenerationSeed() dialect.Insert {
	return dialect.Insert{
		Schema: CoreSchema, Table: DescriptorGenerationTable,
		Comment: "Seed: dms.DescriptorUriGeneration (its one row)",
		Columns: []string{"GenerationId", "Generation"},
		Key:     []string{"GenerationId"},
		Rows:    [][]dialect.Value{{dialect.Int(1), dialect.Int(0)}},
	}
}
