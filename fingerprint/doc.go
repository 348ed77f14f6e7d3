// Package fingerprint computes the hashes that identify a compiled Ed-Fi
// schema set, byte-compatible with the Ed-Fi Data Management Service (DMS):
//
//   - the canonical JSON form of an ApiSchema project (Canonicalize) and its
//     SHA-256 (ProjectHash), with the OpenAPI payloads removed;
//   - the effective schema hash over every project of a schema set
//     (EffectiveSchemaHash);
//   - the resource keys (dms.ResourceKey rows) and their seed hash
//     (AssignResourceKeys, ResourceKeySeedHash);
//   - the effective-schema manifest that gathers all of the above (Compute,
//     EffectiveSchema).
//
// Inputs are values decoded by encoding/json with Decoder.UseNumber
// (map[string]any, []any, json.Number, string, bool and nil), so that number
// tokens keep their exact source text. The package uses the standard library
// only and never mutates its inputs.
package fingerprint
