package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/fingerprint"
)

// schemaFlags are the flags every command that reads a schema set shares.
type schemaFlags struct {
	// schemas are the ApiSchema files (-s, repeatable; first = core by
	// convention, although the order does not change any output).
	schemas []string
	// mappingVersion is hashed into the effective schema hash.
	mappingVersion string
	// quiet suppresses warnings.
	quiet bool
	// authOverlay is the --auth-overlay file ("" = none).
	authOverlay string
}

// schemaSource says where a command takes its schema set from when -s is
// not given.
type schemaSource int

const (
	// schemaRequired: -s is required.
	schemaRequired schemaSource = iota
	// schemaExample: without -s, the built-in example schema set, which
	// the command says on stderr (ddl emit, model, docs).
	schemaExample
	// schemaFromDatabase: without -s, the runtime manifest stored in the
	// database (commands that open a runtime store).
	schemaFromDatabase
)

// schemaFlagHelp is the -s help of each schema source.
var schemaFlagHelp = [...]string{
	schemaRequired:     "ApiSchema.json `FILE` of the schema set (required); repeat for extensions (core first)",
	schemaExample:      "ApiSchema.json `FILE` of the schema set; repeat for extensions (core first); without -s, dmsc's built-in example schema set",
	schemaFromDatabase: "ApiSchema.json `FILE` of the schema set; repeat for extensions (core first); without -s, the runtime manifest dmsc ddl provision stored in the database",
}

// addSchemaFlags adds -s/--schema, --mapping-version and --quiet; src
// says what omitting -s means.
func addSchemaFlags(cmd *cobra.Command, f *schemaFlags, src schemaSource) {
	cmd.Flags().StringArrayVarP(&f.schemas, "schema", "s", nil, schemaFlagHelp[src])
	markPath(cmd.Flags(), "schema")
	cmd.Flags().StringVar(&f.mappingVersion, "mapping-version", fingerprint.MappingVersion,
		"relational mapping `VERSION` hashed into the effective schema hash (upstream DMS uses "+fingerprint.UpstreamMappingVersion+")")
	cmd.Flags().BoolVarP(&f.quiet, "quiet", "q", false, "do not print warnings")
	addAuthOverlayFlag(cmd, &f.authOverlay)
}

// loadSet loads the schema set named by f (or the built-in example when f
// names no file and allowExample is set). Warnings are printed to stderr
// unless --quiet; errors are returned as a diag error (exit code 1).
func (e *env) loadSet(f *schemaFlags, allowExample bool) (*apischema.Set, error) {
	var d diag.List
	var set *apischema.Set
	switch {
	case len(f.schemas) > 0:
		set = apischema.Load(f.schemas, &d)
	case allowExample:
		if !f.quiet {
			fmt.Fprintln(e.stderr, "dmsc: no -s given: using the built-in example schema set (pass -s FILE for your own)")
		}
		var projects []*apischema.Project
		for _, file := range example.Files() {
			if p := apischema.Parse(file.Name, file.Data, &d); p != nil {
				projects = append(projects, p)
			}
		}
		if !d.HasErrors() {
			set = apischema.Build(projects, &d)
		}
	default:
		return nil, usageErrorf("no schema set given: pass the core ApiSchema.json with -s FILE (and each extension with another -s)")
	}
	e.warn(f, &d)
	if err := d.Err(); err != nil {
		return nil, err
	}
	if f.authOverlay != "" {
		if err := e.applyAuthOverlay(set, f.authOverlay, f); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// compile loads and compiles the schema set named by f.
func (e *env) compile(f *schemaFlags, allowExample bool) (*compiler.Result, error) {
	_, res, err := e.compileSet(f, allowExample)
	return res, err
}

// compileSet loads and compiles the schema set named by f and returns
// the loaded set too (the data dictionary reads its descriptions).
func (e *env) compileSet(f *schemaFlags, allowExample bool) (*apischema.Set, *compiler.Result, error) {
	set, err := e.loadSet(f, allowExample)
	if err != nil {
		return nil, nil, err
	}
	var d diag.List
	res := compiler.Compile(set, compiler.Options{MappingVersion: f.mappingVersion}, &d)
	e.warn(f, &d)
	if err := d.Err(); err != nil {
		return nil, nil, err
	}
	return set, res, nil
}

// warn prints the warnings of d unless --quiet.
func (e *env) warn(f *schemaFlags, d *diag.List) {
	if !f.quiet {
		printDiagnostics(e.stderr, d.Warnings())
	}
}
