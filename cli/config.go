package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/internal/envexpand"
)

// maxConfigSize is the largest config file dmsc reads.
const maxConfigSize = 1 << 20

const (
	// envPrefix prefixes every environment variable dmsc reads.
	envPrefix = "DMSC"
	// defaultConfigFile is looked up in the current directory when no
	// --config flag or DMSC_CONFIG variable names a config file.
	defaultConfigFile = "dmsc.yaml"
	// configFlag names the global flag that selects the config file.
	configFlag = "config"
	// verboseFlag names the global flag that reports where settings came from.
	verboseFlag = "verbose"
	// helpFlag names cobra's help flag, which is no setting.
	helpFlag = "help"
	// pathAnnotation marks a flag whose values are file or directory paths
	// (see markPath).
	pathAnnotation = "dmsc:path"
	// choicesAnnotation lists the only values a flag takes (see markChoices).
	choicesAnnotation = "dmsc:choices"
	// stdioValue is the value of a path flag that means standard input or
	// output rather than a file.
	stdioValue = "-"
)

// envKeys maps a flag name to the tail of its environment variable name.
var envKeys = strings.NewReplacer("-", "_", ".", "_")

// newViper returns the configuration store of one invocation: DMSC_*
// environment variables, plus the config file once loadConfig has run.
func newViper() *viper.Viper {
	v := viper.New()
	v.SetEnvPrefix(envPrefix)
	v.SetEnvKeyReplacer(envKeys)
	v.AutomaticEnv()
	return v
}

// envName is the environment variable that stands in for a flag.
func envName(flag string) string {
	return envPrefix + "_" + strings.ToUpper(envKeys.Replace(flag))
}

// markPath marks the named flags of fs, defined before, as paths: a relative
// path in the config file is relative to the config file's directory, while
// one given as a flag or environment variable stays relative to the working
// directory; "-" (standard input or output) is no path. Call it where the
// flag is defined; TestPathFlagsAreMarked checks every FILE or DIR flag is.
func markPath(fs *pflag.FlagSet, names ...string) {
	for _, name := range names {
		_ = fs.SetAnnotation(name, pathAnnotation, []string{"true"})
	}
}

// markChoices records the only values the named flag of fs, defined before,
// takes, so that a bad value from the environment or the config file is a
// usage error naming its variable or config key before the command runs.
func markChoices(fs *pflag.FlagSet, name string, choices ...string) {
	_ = fs.SetAnnotation(name, choicesAnnotation, choices)
}

// isPath reports whether f was marked by markPath.
func isPath(f *pflag.Flag) bool {
	_, ok := f.Annotations[pathAnnotation]
	return ok
}

// loadConfig reads the config file into e.v: the --config flag's file, else
// $DMSC_CONFIG, else ./dmsc.yaml when it exists. A named file must exist.
// Keys that match no flag of any command are reported as warnings.
func (e *env) loadConfig(cmd *cobra.Command) error {
	path, from := "", ""
	if f := cmd.Flags().Lookup(configFlag); f != nil && f.Changed {
		path, from = f.Value.String(), "--"+configFlag
	} else if p := os.Getenv(envName(configFlag)); p != "" {
		path, from = p, envName(configFlag)
	} else if _, err := os.Stat(defaultConfigFile); err == nil {
		path, from = defaultConfigFile, "found in the working directory"
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config file %s: %w", defaultConfigFile, err)
	}
	switch {
	case path == "":
		e.configNote = "no config file (no " + defaultConfigFile + " in the working directory)"
		return nil
	case path == os.DevNull: // --config /dev/null: no config file
		e.configNote = "no config file (" + from + " is " + os.DevNull + ")"
		return nil
	}
	data, err := boundedfile.Read(path, maxConfigSize, "a config file")
	if err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	e.v.SetConfigType("yaml")
	if err := e.v.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("config file %s: %w", path, err)
	}
	e.configFile = path
	e.configNote = "config file " + path + " (" + from + ")"
	known := flagNames(cmd.Root())
	var unknown []diag.Diagnostic
	for _, k := range e.v.AllKeys() {
		if top, _, _ := strings.Cut(k, "."); !known[top] {
			unknown = append(unknown, diag.Diagnostic{
				File: path, Path: "$." + k, Code: "unknown-setting", Severity: diag.Warning,
				Message: fmt.Sprintf("%q is not a dmsc flag; it is ignored", k),
			})
		}
	}
	sort.Slice(unknown, func(i, j int) bool { return unknown[i].Path < unknown[j].Path })
	printDiagnostics(e.stderr, unknown)
	return nil
}

// flagNames lists every flag name of the command tree under root, the names
// a config file may use as keys.
func flagNames(root *cobra.Command) map[string]bool {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { names[f.Name] = true }
		c.LocalFlags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	delete(names, configFlag)
	delete(names, helpFlag)
	delete(names, versionFlag)
	return names
}

// resolveFlags fills every flag of cmd that was not given on the command line
// from its DMSC_* environment variable or else its config file key, so the
// precedence is flag > environment > config file > default. Values go
// through the flag's own parser: a bad value is a usage error that starts
// with where it came from, "DMSC_FORMAT: " or "dmsc.yaml:format: ". With
// --verbose, the config file and the source of each such flag are printed.
func (e *env) resolveFlags(cmd *cobra.Command) error {
	var firstErr error
	var origins []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if firstErr != nil || f.Changed || f.Name == configFlag || f.Name == helpFlag {
			return
		}
		source, values, err := e.setting(f)
		if err == nil && source != "" {
			err = setFlag(cmd.Flags(), f, values)
		}
		switch {
		case err != nil:
			firstErr = usageErrorf("%s: %v", source, err)
		case source == "":
			origins = append(origins, fmt.Sprintf("--%s from its default", f.Name))
		default:
			origins = append(origins, fmt.Sprintf("--%s from %s", f.Name, source))
		}
	})
	if firstErr != nil {
		return firstErr
	}
	if verbose, _ := cmd.Flags().GetBool(verboseFlag); verbose {
		fmt.Fprintf(e.stderr, "dmsc: %s\n", e.configNote)
		for _, o := range origins {
			fmt.Fprintf(e.stderr, "dmsc: %s\n", o)
		}
	}
	return nil
}

// setting returns the values for flag f from its DMSC_* environment
// variable, else from the config file, and where they came from: the
// variable's name or "<config file>:<key>"; source is "" when neither sets
// f. Config values have ${VAR} references expanded and, for path flags,
// relative paths made relative to the config file's directory.
func (e *env) setting(f *pflag.Flag) (source string, values []string, err error) {
	_, isList := f.Value.(pflag.SliceValue)
	if name := envName(f.Name); os.Getenv(name) != "" {
		raw := os.Getenv(name)
		values = []string{raw}
		if isList {
			values = strings.Split(raw, ",")
		}
		return name, values, checkValues(f, values, isList)
	}
	if e.configFile == "" || !e.v.InConfig(f.Name) {
		return "", nil, nil
	}
	source = e.configFile + ":" + f.Name
	if values, err = settingValues(e.v.Get(f.Name)); err != nil {
		return source, nil, err
	}
	for i, v := range values {
		if v, err = envexpand.Expand(v, os.LookupEnv); err != nil {
			return source, nil, err
		}
		if isPath(f) && v != stdioValue && v != "" && !filepath.IsAbs(v) {
			v = filepath.Join(filepath.Dir(e.configFile), v)
		}
		values[i] = v
	}
	return source, values, checkValues(f, values, isList)
}

// settingValues turns a config value into flag arguments: a YAML list or
// a scalar. (A key with no value, null, is as if absent: viper's InConfig
// does not report it.)
func settingValues(raw any) ([]string, error) {
	switch x := raw.(type) {
	case []any:
		out := make([]string, len(x))
		for i, item := range x {
			switch item.(type) {
			case map[string]any, []any:
				return nil, errors.New("must be a list of scalars")
			}
			out[i] = fmt.Sprint(item)
		}
		return out, nil
	case map[string]any:
		return nil, errors.New("must be a scalar or a list, not a mapping")
	case nil:
		return nil, errors.New("has no value")
	default:
		return []string{fmt.Sprint(x)}, nil
	}
}

// checkValues checks the number of values for f and, when f was marked by
// markChoices, each value.
func checkValues(f *pflag.Flag, values []string, isList bool) error {
	if !isList && len(values) != 1 {
		return fmt.Errorf("takes one value, got a list of %d", len(values))
	}
	choices, ok := f.Annotations[choicesAnnotation]
	if !ok {
		return nil
	}
	for _, v := range values {
		if !slices.Contains(choices, v) {
			quoted := make([]string, len(choices))
			for i, c := range choices {
				quoted[i] = fmt.Sprintf("%q", c)
			}
			return fmt.Errorf("invalid value %q: must be %s", v, orList(quoted))
		}
	}
	return nil
}

// setFlag assigns values to f as if given on the command line: list flags
// take them all, other flags exactly one (checkValues checked that).
func setFlag(fs *pflag.FlagSet, f *pflag.Flag, values []string) error {
	invalid := func(err error) error {
		return fmt.Errorf("invalid value %q: %w", strings.Join(values, ","), err)
	}
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		if err := sv.Replace(values); err != nil {
			return invalid(err)
		}
		f.Changed = true
		return nil
	}
	if err := fs.Set(f.Name, values[0]); err != nil {
		var ive *pflag.InvalidValueError
		if errors.As(err, &ive) {
			return invalid(ive.Unwrap())
		}
		return invalid(err)
	}
	return nil
}
