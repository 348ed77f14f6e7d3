package cli

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Run executes dmsc with args (without the program name), the given standard
// streams and ctx, and returns the process exit code (ExitOK, ExitFailure,
// ExitUsage or ExitFingerprintMismatch). It never exits the process, and it
// keeps no state between calls, so tests may call it many times.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "dmsc: internal error: %v\n%s", r, debug.Stack())
			code = ExitFailure
		}
	}()
	if args == nil {
		args = []string{} // cobra reads os.Args when given nil
	}
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, v: newViper()}
	root := newRootCmd(e)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if cmd == nil {
		cmd = root
	}
	return report(stderr, err, cmd.CommandPath())
}

// prepare walks the command tree once it is complete and installs the
// behaviour every command shares:
//   - before a command of its own runs (configure), the config file is read
//     and the command's unset flags are filled from the environment and the
//     config file (see resolveFlags); help and completion skip this;
//   - errors from the command's own hooks are tagged as command errors, so
//     that every other error (from cobra's parsing) counts as a usage error;
//   - a command that only groups subcommands prints its help when called
//     alone and rejects anything else as an unknown command;
//   - positional arguments are rejected unless the command declares Args.
//
// Subcommands are prepared first, so that their hooks are wrapped once.
func prepare(e *env, c *cobra.Command, configure bool) {
	for _, sub := range c.Commands() {
		prepare(e, sub, configure && !builtin[sub.Name()])
	}
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = unknownSubcommand
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		if c.SuggestionsMinimumDistance <= 0 {
			c.SuggestionsMinimumDistance = 2
		}
		configure = false
	}
	if c.Args == nil {
		c.Args = noArgs
	}
	if configure && (c.RunE != nil || c.Run != nil) {
		pre, preE := c.PreRun, c.PreRunE
		c.PreRun = nil
		c.PreRunE = func(cmd *cobra.Command, args []string) error {
			if err := e.loadConfig(cmd); err != nil {
				return err
			}
			if err := e.resolveFlags(cmd); err != nil {
				return err
			}
			if preE != nil {
				return preE(cmd, args)
			}
			if pre != nil {
				pre(cmd, args)
			}
			return nil
		}
	}
	c.PersistentPreRunE = tagErrors(c.PersistentPreRunE)
	c.PreRunE = tagErrors(c.PreRunE)
	c.RunE = tagErrors(c.RunE)
	c.PostRunE = tagErrors(c.PostRunE)
	c.PersistentPostRunE = tagErrors(c.PersistentPostRunE)
}

// builtin names the commands cobra provides, which need no configuration.
var builtin = map[string]bool{"help": true, "completion": true}

// newHelpCmd replaces cobra's help command, which exits 0 on an unknown
// topic.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			target, rest, err := c.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return usageErrorf("unknown help topic %q", strings.Join(args, " "))
			}
			return target.Help()
		},
	}
}

// tagErrors wraps a cobra hook so that its errors are known to come from the
// command rather than from command-line parsing.
func tagErrors(f func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	if f == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			return &commandError{err: err}
		}
		return nil
	}
}

// unknownSubcommand is the Args check of commands that only group
// subcommands: any argument is an unknown command.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %q?)", strings.Join(s, `" or "`))
	}
	return usageErrorf("%s", msg)
}

// noArgs is the Args check of commands that declare none.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageErrorf("%q takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}
