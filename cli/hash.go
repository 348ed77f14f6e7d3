package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
)

// hashFlags holds the flags of `dmsc hash`.
type hashFlags struct {
	schema schemaFlags
	format outputFormat
}

// newHashCmd builds `dmsc hash`.
func newHashCmd(e *env) *cobra.Command {
	var f hashFlags
	cmd := &cobra.Command{
		Use:   "hash -s FILE... [--mapping-version V] [--format text|json]",
		Short: "Print the effective schema hash of a schema set",
		Long: `Print the effective schema hash of a schema set: the fingerprint that a
provisioned database records in dms.EffectiveSchema and that the runtime
checks before it serves a request.

The hash covers every project's canonical JSON (OpenAPI content removed,
key order and whitespace ignored), the ApiSchema format version and the
relational mapping version. It does not depend on the order of -s files.

With --format json, dmsc prints the effective-schema manifest (upstream
DMS's key names): format and mapping versions, the effective hash, each
project's hash, and the resource keys with their seed hash.

To compare with upstream DMS, pass --mapping-version v2.`,
		Example: `  dmsc hash -s ApiSchema.json
  dmsc hash -s ApiSchema.json -s ApiSchema-Sample.json --format json
  dmsc hash -s ApiSchema.json --mapping-version v2`,
		RunE: func(*cobra.Command, []string) error { return runHash(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaRequired)
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runHash loads the schema set and prints its fingerprint.
func runHash(e *env, f *hashFlags) error {
	set, err := e.loadSet(&f.schema, false)
	if err != nil {
		return err
	}
	eff, err := compiler.Fingerprint(set, f.schema.mappingVersion)
	if err != nil {
		return err
	}
	if f.format == formatJSON {
		data, err := eff.JSON()
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(data)
		return err
	}
	_, err = fmt.Fprintln(e.stdout, eff.EffectiveSchemaHash)
	return err
}
