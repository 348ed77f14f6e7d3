package cli

import (
	"github.com/spf13/cobra"
)

// newDDLCmd builds the `dmsc ddl` command group.
func newDDLCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ddl",
		Short: "Emit, check and provision the DDL of a schema set",
		Long: `Emit, check and provision the PostgreSQL and SQL Server DDL of a schema set.

  emit       write the scripts and manifests to a directory
  check      fail when a directory does not hold exactly what emit would write
  provision  apply the DDL to a database, guarded by the schema fingerprint`,
	}
	cmd.AddCommand(newDDLEmitCmd(e), newDDLCheckCmd(e), newDDLProvisionCmd(e))
	return cmd
}
