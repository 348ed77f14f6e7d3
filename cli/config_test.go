package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// formatOf runs `dmsc version` with args and tells which format it used.
func formatOf(t *testing.T, args ...string) string {
	t.Helper()
	r := runCLI(t, append([]string{"version"}, args...)...)
	mustCode(t, r, ExitOK)
	if strings.HasPrefix(r.stdout, "{") {
		return "json"
	}
	return "text"
}

// TestPrecedence checks flag > environment > config file > default, using
// the --format flag of `dmsc version`.
func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)

	if got := formatOf(t); got != "text" {
		t.Fatalf("default: %s, want text", got)
	}

	writeFile(t, dir, "dmsc.yaml", "format: json\n")
	if got := formatOf(t); got != "json" {
		t.Errorf("./dmsc.yaml: %s, want json", got)
	}

	t.Setenv("DMSC_FORMAT", "text")
	if got := formatOf(t); got != "text" {
		t.Errorf("DMSC_FORMAT over dmsc.yaml: %s, want text", got)
	}

	t.Setenv("DMSC_FORMAT", "json")
	if got := formatOf(t, "--format", "text"); got != "text" {
		t.Errorf("--format over DMSC_FORMAT: %s, want text", got)
	}
	if got := formatOf(t); got != "json" {
		t.Errorf("DMSC_FORMAT: %s, want json", got)
	}
}

func TestConfigFileSelection(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "dmsc.yaml", "format: text\n")
	other := writeFile(t, dir, "other.yaml", "format: json\n")

	if got := formatOf(t, "--config", other); got != "json" {
		t.Errorf("--config: %s, want json", got)
	}
	t.Setenv("DMSC_CONFIG", other)
	if got := formatOf(t); got != "json" {
		t.Errorf("DMSC_CONFIG: %s, want json", got)
	}
	if got := formatOf(t, "--config", filepath.Join(dir, "dmsc.yaml")); got != "text" {
		t.Errorf("--config over DMSC_CONFIG: %s, want text", got)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		name, config string
		code         int
		stderr       string
	}{
		{"bad value", "format: xml\n", ExitUsage, `dmsc: dmsc.yaml: invalid value "xml" for --format: must be "text" or "json"`},
		{"mapping value", "format: {a: b}\n", ExitUsage, "dmsc: dmsc.yaml: setting for --format must be a scalar or a list, not a mapping"},
		{"list for scalar", "format: [json, text]\n", ExitUsage, `dmsc: dmsc.yaml: invalid value "json,text" for --format: takes one value, got 2`},
		{"bad yaml", "format: [json\n", ExitFailure, "dmsc: config file dmsc.yaml: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			writeFile(t, dir, "dmsc.yaml", c.config)
			r := runCLI(t, "version")
			mustCode(t, r, c.code)
			if !strings.HasPrefix(r.stderr, c.stderr) {
				t.Errorf("stderr:\n%s\nwant prefix:\n%s", r.stderr, c.stderr)
			}
		})
	}

	t.Run("missing named file", func(t *testing.T) {
		r := runCLI(t, "version", "--config", filepath.Join(dir, "nope.yaml"))
		mustCode(t, r, ExitFailure)
		if !strings.Contains(r.stderr, "nope.yaml") {
			t.Errorf("stderr %q does not name the file", r.stderr)
		}
	})

	t.Run("/dev/null as the config file: none", func(t *testing.T) {
		mustCode(t, runCLI(t, "version", "--config", os.DevNull), ExitOK)
	})

	t.Run("a device as the config file", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skip("no /dev/zero")
		}
		r := runCLI(t, "version", "--config", "/dev/zero")
		mustCode(t, r, ExitFailure)
		if want := "dmsc: config file /dev/zero: not a regular file (a device)\n"; r.stderr != want {
			t.Errorf("stderr %q, want %q", r.stderr, want)
		}
	})

	t.Run("bad env value", func(t *testing.T) {
		os.Remove(filepath.Join(dir, "dmsc.yaml"))
		t.Setenv("DMSC_FORMAT", "yaml")
		r := runCLI(t, "version")
		mustCode(t, r, ExitUsage)
		if want := "dmsc: DMSC_FORMAT: invalid value \"yaml\" for --format: must be \"text\" or \"json\"\nRun 'dmsc version --help' for usage.\n"; r.stderr != want {
			t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
		}
	})
}

func TestConfigUnknownKeyWarns(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "dmsc.yaml", "fromat: json\nformat: json\n")
	r := runCLI(t, "version")
	mustCode(t, r, ExitOK)
	if want := "dmsc.yaml:$.fromat: warning: unknown-setting: \"fromat\" is not a dmsc flag; it is ignored\n"; r.stderr != want {
		t.Errorf("stderr %q, want %q", r.stderr, want)
	}
	if !strings.HasPrefix(r.stdout, "{") {
		t.Errorf("known keys still apply; stdout %q", r.stdout)
	}
}

func TestHelpIgnoresConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "dmsc.yaml", "format: [json\n")
	mustCode(t, runCLI(t, "--help"), ExitOK)
	mustCode(t, runCLI(t, "help", "version"), ExitOK)
	mustCode(t, runCLI(t, "version", "--help"), ExitOK)
}

// TestListFlags checks that list flags take comma-separated environment
// values and YAML lists, that a required flag is satisfied by either, and
// that other flag types parse their values.
func TestListFlags(t *testing.T) {
	var got []string
	var n int
	var on bool
	withCommand(t, func(*env) *cobra.Command {
		cmd := &cobra.Command{Use: "list", RunE: func(*cobra.Command, []string) error { return nil }}
		cmd.Flags().StringArrayVarP(&got, "schema", "s", nil, "files")
		cmd.Flags().IntVar(&n, "count", 0, "a number")
		cmd.Flags().BoolVar(&on, "create-database", false, "a switch")
		_ = cmd.MarkFlagRequired("schema")
		return cmd
	})
	dir := t.TempDir()
	t.Chdir(dir)

	mustCode(t, runCLI(t, "list"), ExitUsage)

	writeFile(t, dir, "dmsc.yaml", "schema: [core.json, ext.json]\ncount: 3\ncreate-database: true\n")
	mustCode(t, runCLI(t, "list"), ExitOK)
	if strings.Join(got, "|") != "core.json|ext.json" || n != 3 || !on {
		t.Errorf("from dmsc.yaml: schema %q count %d create-database %v", got, n, on)
	}

	t.Setenv("DMSC_SCHEMA", "a.json,b.json")
	t.Setenv("DMSC_CREATE_DATABASE", "false")
	mustCode(t, runCLI(t, "list"), ExitOK)
	if strings.Join(got, "|") != "a.json|b.json" || on {
		t.Errorf("from env: schema %q create-database %v", got, on)
	}

	mustCode(t, runCLI(t, "list", "-s", "x.json", "-s", "y.json"), ExitOK)
	if strings.Join(got, "|") != "x.json|y.json" {
		t.Errorf("from flags: schema %q", got)
	}

	t.Setenv("DMSC_COUNT", "many")
	r := runCLI(t, "list")
	mustCode(t, r, ExitUsage)
	if !strings.HasPrefix(r.stderr, `dmsc: DMSC_COUNT: invalid value "many" for --count: `) {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestEnvCommasSplitOnlyListFlags(t *testing.T) {
	var dsn string
	withCommand(t, func(*env) *cobra.Command {
		cmd := &cobra.Command{Use: "dsn", RunE: func(*cobra.Command, []string) error { return nil }}
		cmd.Flags().StringVar(&dsn, "dsn", "", "a connection string")
		return cmd
	})
	t.Chdir(t.TempDir())
	t.Setenv("DMSC_DSN", "Server=a,1433;Database=b")
	mustCode(t, runCLI(t, "dsn"), ExitOK)
	if dsn != "Server=a,1433;Database=b" {
		t.Errorf("dsn %q", dsn)
	}
}
