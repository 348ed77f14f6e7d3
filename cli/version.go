package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is the release version; `-ldflags "-X
// github.com/edfi-dmsc/dmsc/cli.version=v1.2.3"` sets it at build time.
// When empty, the module version from the build information is used.
var version string

// versionFlags holds the flags of `dmsc version`.
type versionFlags struct {
	format outputFormat
}

// newVersionCmd builds `dmsc version`.
func newVersionCmd(e *env) *cobra.Command {
	var f versionFlags
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the dmsc version",
		Long: `Print the dmsc version: the release it was built as, the module version
recorded by "go install", or "devel" for a local build.`,
		RunE: func(*cobra.Command, []string) error {
			return runVersion(e, &f)
		},
	}
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runVersion prints the version in the requested format.
func runVersion(e *env, f *versionFlags) error {
	v := buildVersion()
	if f.format == formatJSON {
		return writeJSON(e.stdout, struct {
			Version string `json:"version"`
		}{v})
	}
	_, err := fmt.Fprintf(e.stdout, "dmsc %s\n", v)
	return err
}

// buildVersion returns the version set at link time, else the main module's
// version from the build information, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
