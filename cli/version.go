package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// version is the release version; `-ldflags "-X
// github.com/edfi-dmsc/dmsc/cli.version=v1.2.3"` sets it at build time.
// When empty, the module version from the build information is used.
var version string

const (
	// versionFlag names the root flag that prints the version, as `dmsc
	// version` does.
	versionFlag = "version"
	// develVersion is the version of a build with no release version.
	develVersion = "devel"
	// moduleDevel is the main module's version in the build information of
	// a build from a working tree without a tagged version.
	moduleDevel = "(devel)"
	// The build settings the go command records about the VCS checkout.
	settingRevision = "vcs.revision"
	settingTime     = "vcs.time"
	settingModified = "vcs.modified"
	// dirtySuffix follows the revision of a build from a modified checkout.
	dirtySuffix = "-dirty"
	// shortRevision is how many characters of the revision the text shows.
	shortRevision = 12
)

// buildInfo is what `dmsc version` reports. Revision and Time are empty
// when the binary records no VCS information (go test binaries, go run,
// builds outside a checkout or with -buildvcs=false).
type buildInfo struct {
	// Version is the release set at link time, else the main module's
	// version, else "devel".
	Version string `json:"version"`
	// Revision is the VCS commit the binary was built from.
	Revision string `json:"revision"`
	// Time is the commit time of Revision (RFC 3339).
	Time string `json:"time"`
	// Modified reports that the checkout had uncommitted changes.
	Modified bool `json:"modified"`
	// Go is the Go version that built the binary.
	Go string `json:"go"`
}

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
recorded by "go install", or "devel" for a local build; then the VCS
revision it was built from (with -dirty when the checkout had changes), the
commit time and the Go version. dmsc --version prints the same text.`,
		RunE: func(*cobra.Command, []string) error {
			return runVersion(e, &f)
		},
	}
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runVersion prints the version in the requested format.
func runVersion(e *env, f *versionFlags) error {
	b := readBuildInfo()
	if f.format == formatJSON {
		return writeJSON(e.stdout, b)
	}
	_, err := fmt.Fprintln(e.stdout, b.String())
	return err
}

// readBuildInfo returns the version information of the running binary.
func readBuildInfo() buildInfo {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return buildInfoOf(info, version)
}

// buildInfoOf returns the version information that info (nil when the
// binary has none) and the link-time version linked ("" when not set) give.
func buildInfoOf(info *debug.BuildInfo, linked string) buildInfo {
	b := buildInfo{Version: linked, Go: runtime.Version()}
	if info != nil {
		if b.Version == "" && info.Main.Version != moduleDevel {
			b.Version = info.Main.Version
		}
		if info.GoVersion != "" {
			b.Go = info.GoVersion
		}
		for _, s := range info.Settings {
			switch s.Key {
			case settingRevision:
				b.Revision = s.Value
			case settingTime:
				b.Time = s.Value
			case settingModified:
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = develVersion
	}
	return b
}

// String is the text `dmsc version` prints, e.g. "dmsc v1.2.3 (revision
// 0123456789ab-dirty, 2025-01-02T03:04:05Z, go1.26.1)".
func (b buildInfo) String() string {
	var details []string
	if b.Revision != "" {
		rev := b.Revision
		if len(rev) > shortRevision {
			rev = rev[:shortRevision]
		}
		if b.Modified {
			rev += dirtySuffix
		}
		details = append(details, "revision "+rev)
	}
	if b.Time != "" {
		details = append(details, b.Time)
	}
	if b.Go != "" {
		details = append(details, b.Go)
	}
	text := "dmsc " + b.Version
	if len(details) > 0 {
		text += " (" + strings.Join(details, ", ") + ")"
	}
	return text
}
