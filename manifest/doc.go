// Package manifest defines the runtime mapping manifest: the versioned JSON
// document, one per dialect, that tells the dmsc runtime everything it needs
// to store and read Ed-Fi documents relationally — resources and their
// resource keys, identity sources, tables in write order with their columns
// and JSON paths, reference and descriptor edge sources, extension scopes,
// abstract views, query fields and constraints — without ever reading an
// ApiSchema file.
//
// The compiler builds a Manifest; Encode renders it deterministically; Load
// validates a manifest file against the embedded JSON Schema
// (manifest.schema.json) and rejects unknown major format versions.
package manifest
