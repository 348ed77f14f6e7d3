// Package cli implements the dmsc command line: the cobra command tree, the
// per-invocation configuration (flags, DMSC_* environment variables and an
// optional dmsc.yaml), error printing and exit codes.
//
// The whole CLI runs in-process through [Run], so tests call it directly with
// their own arguments, standard streams and context.
//
// # Adding a command
//
// A command is one constructor taking the invocation's *env and returning a
// *cobra.Command whose flags are bound to the fields of a flags struct:
//
//	type hashFlags struct {
//		schema schemaFlags
//		format outputFormat
//	}
//
//	func newHashCmd(e *env) *cobra.Command {
//		var f hashFlags
//		cmd := &cobra.Command{
//			Use:   "hash -s FILE... [--mapping-version V] [--format text|json]",
//			Short: "Print the effective schema hash of a schema set",
//			RunE:  func(*cobra.Command, []string) error { return runHash(e, &f) },
//		}
//		addSchemaFlags(cmd, &f.schema, schemaRequired) // -s/--schema and --mapping-version
//		addFormatFlag(cmd, &f.format)
//		return cmd
//	}
//
// (cli/hash.go is the model to follow: the command calls a library — here
// compiler.Fingerprint — and only prints what it returns; no SQL, no
// loading, no server lives in cli)
// and one line in the commands list of root.go. Before RunE runs, every flag
// the user did not give on the command line is filled from the environment
// variable DMSC_<FLAG_NAME> (dashes become underscores, so --mapping-version
// reads DMSC_MAPPING_VERSION; list flags split it at commas) or else from
// the key <flag-name> of the config file, so RunE only reads the flags
// struct. Values go through the flag's own parser, so a bad value in the
// environment or the config file is a usage error like a bad flag.
//
// A command that declares no Args takes no positional arguments. A command
// with subcommands and no RunE of its own prints its help when called alone
// and rejects unknown subcommands.
//
// RunE writes to e.stdout/e.stderr, reads e.stdin, uses e.ctx (cancelled on
// Ctrl-C), and returns errors; Run turns them into messages and exit codes:
//
//   - usageErrorf(...)          → "dmsc: msg" + a --help hint, ExitUsage (2)
//   - list.Err() (*diag.Errors) → one `file:jsonpath: code: message` line
//     per diagnostic, ExitFailure (1)
//   - fingerprintMismatch(err)  → "dmsc: msg", ExitFingerprintMismatch (3)
//   - an error with an ExitCode() int method → "dmsc: msg", that code
//   - any other error           → "dmsc: msg", ExitFailure (1)
//
// Warnings are printed without failing through printDiagnostics(e.stderr,
// list.Warnings()); JSON output goes through writeJSON; --format text|json
// through addFormatFlag.
package cli
