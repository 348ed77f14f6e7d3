package fingerprint

import (
	"bytes"
	"encoding/json"
)

// EffectiveSchema is the effective-schema manifest, with upstream DMS's JSON keys in
// upstream's order.
type EffectiveSchema struct {
	// APISchemaFormatVersion is the ApiSchema files' apiSchemaVersion.
	APISchemaFormatVersion string `json:"api_schema_format_version"`
	// RelationalMappingVersion is the mapping version that was hashed.
	RelationalMappingVersion string `json:"relational_mapping_version"`
	// EffectiveSchemaHash is the schema set's hash, see EffectiveSchemaHash.
	EffectiveSchemaHash string `json:"effective_schema_hash"`
	// ResourceKeyCount is len(ResourceKeys).
	ResourceKeyCount int `json:"resource_key_count"`
	// ResourceKeySeedHash is ResourceKeySeedHash(ResourceKeys) in lower-case
	// hex.
	ResourceKeySeedHash string `json:"resource_key_seed_hash"`
	// SchemaComponents lists the projects sorted by endpoint name.
	SchemaComponents []SchemaComponent `json:"schema_components"`
	// ResourceKeys lists the resource keys in id order.
	ResourceKeys []ResourceKey `json:"resource_keys"`
}

// JSON renders m as JSON indented by two spaces, without HTML escaping and
// with a trailing newline, the layout of upstream's
// effective-schema.manifest.json. Nil lists render as [].
func (m *EffectiveSchema) JSON() ([]byte, error) {
	out := *m
	if out.SchemaComponents == nil {
		out.SchemaComponents = []SchemaComponent{}
	}
	if out.ResourceKeys == nil {
		out.ResourceKeys = []ResourceKey{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
