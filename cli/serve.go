package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// serveFlags holds the flags of `dmsc serve`.
type serveFlags struct {
	store storeFlags
	addr  string
}

// newServeCmd builds `dmsc serve`.
func newServeCmd(e *env) *cobra.Command {
	f := serveFlags{addr: "127.0.0.1:8080"}
	cmd := &cobra.Command{
		Use:   "serve -s FILE... --dsn DSN [--addr HOST:PORT]",
		Short: "Serve the runtime store over HTTP (POST/GET/PUT/DELETE /data/{project}/{resource})",
		RunE:  func(*cobra.Command, []string) error { return errors.New("serve: not implemented yet") },
	}
	addStoreFlags(cmd, &f.store, true)
	cmd.Flags().StringVar(&f.addr, "addr", f.addr, "listen `ADDRESS` (host:port)")
	return cmd
}
