package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/diag"
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

// loadConfig reads the config file into e.v: the --config flag's file, else
// $DMSC_CONFIG, else ./dmsc.yaml when it exists. A named file must exist.
// Relative paths in it are relative to the current directory, like flags.
// Keys that match no flag of any command are reported as warnings.
func (e *env) loadConfig(cmd *cobra.Command) error {
	path := ""
	if f := cmd.Flags().Lookup(configFlag); f != nil && f.Changed {
		path = f.Value.String()
	} else if p := os.Getenv(envName(configFlag)); p != "" {
		path = p
	} else if _, err := os.Stat(defaultConfigFile); err == nil {
		path = defaultConfigFile
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config file %s: %w", defaultConfigFile, err)
	}
	if path == "" || path == os.DevNull { // --config /dev/null: no config file
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
	delete(names, "help")
	return names
}

// resolveFlags fills every flag of cmd that was not given on the command line
// from its DMSC_* environment variable or else its config file key, so the
// precedence is flag > environment > config file > default. Values go
// through the flag's own parser: a bad value is a usage error naming where
// it came from.
func (e *env) resolveFlags(cmd *cobra.Command) error {
	var firstErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if firstErr != nil || f.Changed || f.Name == configFlag || f.Name == "help" {
			return
		}
		if !e.v.IsSet(f.Name) {
			return
		}
		source := e.configFile
		if os.Getenv(envName(f.Name)) != "" {
			source = envName(f.Name)
		}
		_, isList := f.Value.(pflag.SliceValue)
		values, err := settingValues(e.v.Get(f.Name), isList && source == envName(f.Name))
		if err != nil {
			firstErr = usageErrorf("%s: setting for --%s %v", source, f.Name, err)
			return
		}
		if err := setFlag(cmd.Flags(), f, values); err != nil {
			firstErr = usageErrorf("%s: invalid value %q for --%s: %v", source, strings.Join(values, ","), f.Name, err)
		}
	})
	return firstErr
}

// settingValues turns an environment or config value into flag arguments.
// split (for environment values of list flags) splits a string at commas;
// config values may be a YAML list or a scalar.
func settingValues(raw any, split bool) ([]string, error) {
	switch x := raw.(type) {
	case string:
		if split {
			return strings.Split(x, ","), nil
		}
		return []string{x}, nil
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

// setFlag assigns values to f as if given on the command line: list flags
// take them all, other flags exactly one.
func setFlag(fs *pflag.FlagSet, f *pflag.Flag, values []string) error {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		if err := sv.Replace(values); err != nil {
			return err
		}
		f.Changed = true
		return nil
	}
	if len(values) != 1 {
		return fmt.Errorf("takes one value, got %d", len(values))
	}
	if err := fs.Set(f.Name, values[0]); err != nil {
		var ive *pflag.InvalidValueError
		if errors.As(err, &ive) {
			return ive.Unwrap()
		}
		return err
	}
	return nil
}
