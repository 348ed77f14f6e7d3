package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
		{"bad value", "format: xml\n", ExitUsage, `dmsc: dmsc.yaml:format: invalid value "xml": must be "text" or "json"` + "\n"},
		{"mapping value", "format: {a: b}\n", ExitUsage, "dmsc: dmsc.yaml:format: must be a scalar or a list, not a mapping\n"},
		{"list of lists", "format: [[json]]\n", ExitUsage, "dmsc: dmsc.yaml:format: must be a list of scalars\n"},
		{"list for scalar", "format: [json, text]\n", ExitUsage, "dmsc: dmsc.yaml:format: takes one value, got a list of 2\n"},
		{"unset variable", "format: ${DMSC_TEST_UNSET}\n", ExitUsage, "dmsc: dmsc.yaml:format: ${DMSC_TEST_UNSET} is not set\n"},
		{"bad dollar", "format: a$\n", ExitUsage, "dmsc: dmsc.yaml:format: the $ at byte 2 ends the value; write $$ for a dollar sign\n"},
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
		if want := "dmsc: DMSC_FORMAT: invalid value \"yaml\": must be \"text\" or \"json\"\nRun 'dmsc version --help' for usage.\n"; r.stderr != want {
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
	if !strings.HasPrefix(r.stderr, `dmsc: DMSC_COUNT: invalid value "many": `) {
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

// settingsCmd registers `dmsc settings`, whose flags land in the returned
// struct: schema (a list) and out are path flags, name and dsn are not.
func settingsCmd(t *testing.T) *settingsFlags {
	t.Helper()
	f := &settingsFlags{}
	withCommand(t, func(*env) *cobra.Command {
		cmd := &cobra.Command{Use: "settings", RunE: func(*cobra.Command, []string) error { return nil }}
		cmd.Flags().StringArrayVarP(&f.schema, "schema", "s", nil, "schema `FILE`s")
		cmd.Flags().StringVarP(&f.out, "out", "o", "", "output `DIR`")
		cmd.Flags().StringVar(&f.name, "name", "", "a name")
		cmd.Flags().StringVar(&f.dsn, "dsn", "", "a connection string")
		markPath(cmd.Flags(), "schema", "out")
		return cmd
	})
	return f
}

// settingsFlags holds the flags of settingsCmd.
type settingsFlags struct {
	schema         []string
	out, name, dsn string
}

// TestConfigPaths: relative paths of path flags in the config file are
// relative to its directory; flags, environment values, absolute paths, "-"
// and flags that are no paths are taken as they are.
func TestConfigPaths(t *testing.T) {
	f := settingsCmd(t)
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.Mkdir(filepath.Join(dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "abs.json")
	cases := []struct {
		name   string
		config string // of conf/dmsc.yaml, read with --config conf/dmsc.yaml
		env    map[string]string
		args   []string
		schema []string
		out    string
		other  string // the name flag
	}{
		{name: "relative to the config file",
			config: "schema: [core.json, ext/ext.json]\nout: build\nname: x/y\n",
			schema: []string{"conf/core.json", "conf/ext/ext.json"}, out: "conf/build", other: "x/y"},
		{name: "parent and absolute paths",
			config: "schema: [../core.json, " + abs + "]\nout: " + dir + "\n",
			schema: []string{"core.json", abs}, out: dir},
		{name: "a scalar for a list flag",
			config: "schema: core.json\n",
			schema: []string{"conf/core.json"}},
		{name: "- is standard output",
			config: "out: \"-\"\n",
			out:    "-"},
		{name: "expanded, then resolved",
			config: "schema: [\"${DMSC_TEST_DIR}/a.json\", \"$DMSC_TEST_REL/b.json\"]\n",
			env:    map[string]string{"DMSC_TEST_DIR": dir, "DMSC_TEST_REL": "rel"},
			schema: []string{filepath.Join(dir, "a.json"), "conf/rel/b.json"}},
		{name: "environment values are relative to the working directory",
			config: "schema: [core.json]\nout: build\n",
			env:    map[string]string{"DMSC_SCHEMA": "a.json,b.json", "DMSC_OUT": "build"},
			schema: []string{"a.json", "b.json"}, out: "build"},
		{name: "flags are relative to the working directory",
			config: "schema: [core.json]\nout: build\n",
			args:   []string{"-s", "core.json", "-o", "build"},
			schema: []string{"core.json"}, out: "build"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			writeFile(t, dir, "conf/dmsc.yaml", c.config)
			*f = settingsFlags{}
			mustCode(t, runCLI(t, append([]string{"settings", "--config", "conf/dmsc.yaml"}, c.args...)...), ExitOK)
			var want []string
			for _, p := range c.schema {
				want = append(want, filepath.FromSlash(p))
			}
			if strings.Join(f.schema, "|") != strings.Join(want, "|") || f.out != filepath.FromSlash(c.out) || f.name != c.other {
				t.Errorf("schema %q out %q name %q, want %q %q %q", f.schema, f.out, f.name, want, c.out, c.other)
			}
		})
	}

	t.Run("./dmsc.yaml", func(t *testing.T) {
		writeFile(t, dir, "dmsc.yaml", "schema: [core.json]\n")
		*f = settingsFlags{}
		mustCode(t, runCLI(t, "settings"), ExitOK)
		if strings.Join(f.schema, "|") != "core.json" {
			t.Errorf("schema %q, want [core.json]", f.schema)
		}
	})
}

// TestConfigExpansion: ${VAR} and $VAR in config values come from the
// environment and $$ is a dollar sign; environment values are taken as they
// are.
func TestConfigExpansion(t *testing.T) {
	f := settingsCmd(t)
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("DMSC_TEST_PW", "s3cr$t")
	t.Setenv("DMSC_TEST_EMPTY", "")
	cases := []struct {
		name, config string
		env          map[string]string
		code         int
		dsn, stderr  string
	}{
		{name: "braces", config: "dsn: postgres://u:${DMSC_TEST_PW}@h/db\n", dsn: "postgres://u:s3cr$t@h/db"},
		{name: "bare name", config: "dsn: postgres://u:$DMSC_TEST_PW@h/db\n", dsn: "postgres://u:s3cr$t@h/db"},
		{name: "empty is set", config: "dsn: a${DMSC_TEST_EMPTY}b\n", dsn: "ab"},
		{name: "$$ is a dollar", config: "dsn: postgres://u:pa$$word@h/db\n", dsn: "postgres://u:pa$word@h/db"},
		{name: "environment values are not expanded", config: "dsn: x\n",
			env: map[string]string{"DMSC_DSN": "postgres://u:pa$$word@h/${X}"}, dsn: "postgres://u:pa$$word@h/${X}"},
		{name: "unset", config: "dsn: postgres://u:${DMSC_TEST_UNSET}@h/db\n", code: ExitUsage,
			stderr: "dmsc: dmsc.yaml:dsn: ${DMSC_TEST_UNSET} is not set\n"},
		{name: "a lone dollar", config: "dsn: postgres://u:pa$!word@h/db\n", code: ExitUsage,
			stderr: "dmsc: dmsc.yaml:dsn: the $ at byte 16 starts no ${NAME} or $NAME; write $$ for a dollar sign\n"},
		{name: "in a list", config: "schema: [a.json, \"${DMSC_TEST_UNSET}.json\"]\n", code: ExitUsage,
			stderr: "dmsc: dmsc.yaml:schema: ${DMSC_TEST_UNSET} is not set\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			writeFile(t, dir, "dmsc.yaml", c.config)
			*f = settingsFlags{}
			r := runCLI(t, "settings")
			mustCode(t, r, c.code)
			if c.code == ExitOK && f.dsn != c.dsn {
				t.Errorf("dsn %q, want %q", f.dsn, c.dsn)
			}
			if c.code != ExitOK && !strings.HasPrefix(r.stderr, c.stderr) {
				t.Errorf("stderr:\n%s\nwant prefix:\n%s", r.stderr, c.stderr)
			}
		})
	}
}

// TestSettingErrorsNameTheirSource: a bad value reads
// "<config file>:<key>: ..." or "DMSC_<FLAG>: ...", also for the flags
// marked with markChoices.
func TestSettingErrorsNameTheirSource(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	writeFile(t, dir, "other.yaml", "dialect: sqlite\n")
	const choices = `must be "pgsql", "mssql" or "both"`
	cases := []struct {
		name, config string
		env          map[string]string
		args         []string
		stderr       string
	}{
		{name: "config", config: "dialect: sqlite\n", args: []string{"ddl", "emit", "-o", "out"},
			stderr: `dmsc: dmsc.yaml:dialect: invalid value "sqlite": ` + choices},
		{name: "named config file", args: []string{"ddl", "emit", "-o", "out", "--config", "other.yaml"},
			stderr: `dmsc: other.yaml:dialect: invalid value "sqlite": ` + choices},
		{name: "environment", env: map[string]string{"DMSC_DIALECT": "sqlite"}, args: []string{"ddl", "check", "--against", "x"},
			stderr: `dmsc: DMSC_DIALECT: invalid value "sqlite": ` + choices},
		{name: "one dialect", config: "dialect: both\n", args: []string{"model"},
			stderr: `dmsc: dmsc.yaml:dialect: invalid value "both": must be "pgsql" or "mssql"`},
		{name: "path flag", config: "against: ${DMSC_TEST_UNSET}/out\n", args: []string{"ddl", "check"},
			stderr: `dmsc: dmsc.yaml:against: ${DMSC_TEST_UNSET} is not set`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "dmsc.yaml"))
			if c.config != "" {
				writeFile(t, dir, "dmsc.yaml", c.config)
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, c.args...)
			mustCode(t, r, ExitUsage)
			if !strings.HasPrefix(r.stderr, c.stderr+"\nRun 'dmsc ") {
				t.Errorf("stderr:\n%s\nwant prefix:\n%s", r.stderr, c.stderr)
			}
		})
	}
}

// TestVerbose: -v names the config file (or why there is none) and the
// source of every setting not given as a flag, never a value.
func TestVerbose(t *testing.T) {
	settingsCmd(t)
	dir := t.TempDir()
	t.Chdir(dir)
	const secret = "postgres://u:hunter2@h/db"
	cases := []struct {
		name   string
		config string // ./dmsc.yaml, none when ""
		env    map[string]string
		args   []string
		want   []string // stderr lines, in order
	}{
		{name: "no config file", args: []string{"-v"}, want: []string{
			"dmsc: no config file (no dmsc.yaml in the working directory)",
			"dmsc: --dsn from its default",
			"dmsc: --name from its default",
			"dmsc: --out from its default",
			"dmsc: --schema from its default",
		}},
		{name: "sources", config: "schema: [a.json]\nname: n\n",
			env:  map[string]string{"DMSC_DSN": secret, "DMSC_NAME": "m"},
			args: []string{"--verbose", "-o", "x"}, want: []string{
				"dmsc: config file dmsc.yaml (found in the working directory)",
				"dmsc: --dsn from DMSC_DSN",
				"dmsc: --name from DMSC_NAME",
				"dmsc: --schema from dmsc.yaml:schema",
			}},
		{name: "a secret from the config file", config: "dsn: " + secret + "\nverbose: true\n", args: []string{"--config", "dmsc.yaml"}, want: []string{
			"dmsc: config file dmsc.yaml (--config)",
			"dmsc: --dsn from dmsc.yaml:dsn",
			"dmsc: --name from its default",
			"dmsc: --out from its default",
			"dmsc: --schema from its default",
			"dmsc: --verbose from dmsc.yaml:verbose",
		}},
		{name: "DMSC_CONFIG=/dev/null", env: map[string]string{"DMSC_CONFIG": os.DevNull}, args: []string{"-v", "-s", "a", "-o", "b", "--name", "c", "--dsn", "d"},
			want: []string{"dmsc: no config file (DMSC_CONFIG is " + os.DevNull + ")"}},
		{name: "not verbose", config: "dsn: " + secret + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, "dmsc.yaml"))
			if c.config != "" {
				writeFile(t, dir, "dmsc.yaml", c.config)
			}
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			r := runCLI(t, append([]string{"settings"}, c.args...)...)
			mustCode(t, r, ExitOK)
			want := strings.Join(c.want, "\n")
			if want != "" {
				want += "\n"
			}
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
			}
			if strings.Contains(r.stderr, "hunter2") {
				t.Errorf("stderr shows the DSN's password")
			}
		})
	}
}

// TestPathFlagsAreMarked: every flag whose value is a FILE or DIR is marked
// by markPath, so that the config file's relative paths resolve against its
// directory.
func TestPathFlagsAreMarked(t *testing.T) {
	root := newRootCmd(&env{v: newViper()})
	marked := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if isPath(f) {
				marked++
			}
			placeholder, _ := pflag.UnquoteUsage(f)
			if (placeholder == "FILE" || placeholder == "DIR") && f.Name != configFlag && !isPath(f) {
				t.Errorf("%s --%s takes a %s but is not marked with markPath", c.CommandPath(), f.Name, placeholder)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if marked < 3 {
		t.Errorf("only %d path flags marked", marked)
	}
}
