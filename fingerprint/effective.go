package fingerprint

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// MappingVersion is dmsc's own relational mapping version, written into the
// effective schema hash and the manifest. It differs from upstream's so that
// a database built by dmsc is never mistaken for one built by DMS (the table
// layouts differ); bump it whenever dmsc's mapping conventions or core
// tables change, so that a database provisioned before is refused (exit 3)
// instead of failing later on a missing table. dmsc-2 added
// dms.RuntimeManifest and the authorization tables and views; dmsc-3
// added dms.DocumentCacheQueue.
const MappingVersion = "dmsc-3"

// UpstreamMappingVersion is the relational mapping version of upstream DMS.
// With it, EffectiveSchemaHash reproduces upstream's effective_schema_hash.
const UpstreamMappingVersion = "v2"

// effectiveSchemaHashHeader is the first line of the hashed text.
const effectiveSchemaHashHeader = "dms-effective-schema-hash:v1"

// SchemaComponent is one project of a schema set as the effective-schema
// manifest lists it.
type SchemaComponent struct {
	// ProjectEndpointName is the project's endpoint name, e.g. "ed-fi".
	ProjectEndpointName string `json:"project_endpoint_name"`
	// ProjectName is the project's name, e.g. "Ed-Fi".
	ProjectName string `json:"project_name"`
	// ProjectVersion is the project's version, e.g. "5.2.0".
	ProjectVersion string `json:"project_version"`
	// IsExtensionProject tells whether the project extends another one.
	IsExtensionProject bool `json:"is_extension_project"`
	// ProjectHash is the project's hash, see ProjectHash.
	ProjectHash string `json:"project_hash"`
}

// EffectiveSchemaHash returns the lower-case hex SHA-256 of these lines,
// joined by "\n" without a trailing newline:
//
//	dms-effective-schema-hash:v1
//	relationalMappingVersion=<mappingVersion>
//	apiSchemaFormatVersion=<apiSchemaFormatVersion>
//	<endpoint>|<projectName>|<projectVersion>|<true|false>|<projectHash>
//
// with one component line per project, sorted by endpoint name in ordinal
// order (see CompareOrdinal). components is not modified.
func EffectiveSchemaHash(apiSchemaFormatVersion, mappingVersion string, components []SchemaComponent) string {
	sorted := slices.Clone(components)
	slices.SortStableFunc(sorted, func(a, b SchemaComponent) int {
		return CompareOrdinal(a.ProjectEndpointName, b.ProjectEndpointName)
	})
	lines := make([]string, 0, 3+len(sorted))
	lines = append(lines,
		effectiveSchemaHashHeader,
		"relationalMappingVersion="+mappingVersion,
		"apiSchemaFormatVersion="+apiSchemaFormatVersion,
	)
	for _, c := range sorted {
		lines = append(lines, strings.Join([]string{
			c.ProjectEndpointName,
			c.ProjectName,
			c.ProjectVersion,
			strconv.FormatBool(c.IsExtensionProject),
			c.ProjectHash,
		}, "|"))
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])
}
