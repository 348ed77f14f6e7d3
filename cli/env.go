package cli

import (
	"context"
	"io"

	"github.com/spf13/viper"
)

// env is what one invocation of dmsc gives its commands: the context, the
// standard streams and the configuration. Commands write only to e.stdout and
// e.stderr and read only e.stdin, never the os package's streams.
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// v holds the DMSC_* environment and the config file of this invocation
	// only (never the global viper). Flags are already resolved against it
	// when RunE runs; read it directly only for settings that have no flag.
	v *viper.Viper
	// configFile is the config file that was read, or "".
	configFile string
	// configNote says which config file was read and why, or why none was,
	// for --verbose.
	configNote string
}
