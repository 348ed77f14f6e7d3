// Package apischema loads Ed-Fi ApiSchema.json files in both shapes found in
// the wild (the current `projectSchema` form and the older
// `projectNameMapping` + `projectSchemas` form), validates what the
// relational mapping relies on, assembles schema sets (one core project plus
// extension projects) and merges resource extensions into the resources
// they extend.
//
// Every problem is collected as a diag.Diagnostic located by file and
// JSONPath; loading never stops at the first error.
package apischema
