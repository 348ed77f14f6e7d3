package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// commands lists the constructors of dmsc's top-level commands, in the order
// help shows them. Add a command by adding its constructor here.
var commands = []func(*env) *cobra.Command{
	newAuthCmd,
	newCacheCmd,
	newDDLCmd,
	newDocsCmd,
	newEdgesCmd,
	newHashCmd,
	newIdentityCmd,
	newInspectCmd,
	newMigrateCmd,
	newModelCmd,
	newRoundtripCmd,
	newServeCmd,
	newTokenCmd,
	newVersionCmd,
}

// rootHelp is the long description shown by `dmsc --help`.
const rootHelp = `dmsc compiles Ed-Fi ApiSchema files (one core data standard plus any
extension projects) into the relational store of the Ed-Fi Data Management
Service: PostgreSQL and SQL Server DDL, runtime mapping manifests and an
effective-schema fingerprint.

Configuration, highest precedence first:
  1. command-line flags
  2. environment variables DMSC_<FLAG>, e.g. DMSC_SCHEMA, DMSC_DSN,
     DMSC_FORMAT, DMSC_MAPPING_VERSION (list flags take comma-separated values)
  3. the config file: --config FILE, else $DMSC_CONFIG, else ./dmsc.yaml;
     its keys are flag names, e.g. "format: json" or "schema: [core.json]";
     relative paths in it are relative to its directory; ${VAR} and $VAR in
     its values are environment variables (an unset one is an error) and $$
     is a dollar sign: a DSN password pa$word is written pa$$word there
  4. the flag's default
-v/--verbose prints the config file and the source of each setting not
given as a flag.

Exit codes:
  0  success
  1  failure or invalid input (diagnostics are printed as file:jsonpath: code: message)
  2  usage error (unknown command or flag, bad flag value, wrong arguments)
  3  fingerprint mismatch (the database was provisioned for another schema set)`

// newRootCmd builds the command tree of one invocation.
func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "dmsc",
		Short:         "Schema compiler for the Ed-Fi DMS relational store",
		Long:          rootHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String(configFlag, "", "read settings from config `FILE` (default ./dmsc.yaml when present)")
	root.PersistentFlags().BoolP(verboseFlag, "v", false, "print the config file and the source of each setting not given as a flag")
	root.Flags().Bool(versionFlag, false, "print the version, as dmsc version does")
	root.Version = readBuildInfo().String()
	root.SetVersionTemplate("{{.Version}}\n")
	for _, newCmd := range commands {
		root.AddCommand(newCmd(e))
	}
	root.SetGlobalNormalizationFunc(normalizeFlag) // --output, --connection-string
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &usageError{err: err}
	})
	// Commands that group subcommands run (to print help and reject unknown
	// subcommands), but their usage shows only "dmsc ddl [command]".
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(),
		"{{if .Runnable}}", "{{if and .Runnable (not .HasAvailableSubCommands)}}", 1))
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	prepare(e, root, true)
	return root
}
