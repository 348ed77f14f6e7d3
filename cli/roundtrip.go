package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// roundtripFlags holds the flags of `dmsc roundtrip`.
type roundtripFlags struct {
	store  storeFlags
	strict bool
	format string
}

// newRoundtripCmd builds `dmsc roundtrip`.
func newRoundtripCmd(e *env) *cobra.Command {
	f := roundtripFlags{}
	cmd := &cobra.Command{
		Use:   "roundtrip -s FILE... --dsn DSN [--provision] [--strict] DIR",
		Short: "Load a directory of documents through the runtime and check that each reads back equal",
		Args:  cobra.ExactArgs(1),
		RunE:  func(*cobra.Command, []string) error { return errors.New("roundtrip: not implemented yet") },
	}
	addStoreFlags(cmd, &f.store, true)
	cmd.Flags().BoolVar(&f.strict, "strict", false, "exit 1 also when a document is rejected")
	return cmd
}
