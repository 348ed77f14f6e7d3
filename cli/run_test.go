package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {}, {"help"}} {
		r := runCLI(t, args...)
		mustCode(t, r, ExitOK)
		for _, want := range []string{"Ed-Fi", "Exit codes:", "3  fingerprint mismatch", "DMSC_", "dmsc.yaml", "version", "dmsc [command]"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("dmsc %v: help lacks %q:\n%s", args, want, r.stdout)
			}
		}
		if r.stderr != "" {
			t.Errorf("dmsc %v: stderr %q, want none", args, r.stderr)
		}
	}
}

func TestCommandHelp(t *testing.T) {
	for _, args := range [][]string{{"version", "--help"}, {"help", "version"}} {
		r := runCLI(t, args...)
		mustCode(t, r, ExitOK)
		if !strings.Contains(r.stdout, "dmsc version [flags]") || !strings.Contains(r.stdout, "--format text|json") {
			t.Errorf("dmsc %v: unexpected help:\n%s", args, r.stdout)
		}
	}
}

// TestUsageErrors checks that every way of calling dmsc wrongly exits 2 with
// one line naming the problem and one line pointing to --help.
func TestUsageErrors(t *testing.T) {
	withCommand(t, newGroupCmd)
	cases := []struct {
		args []string
		msg  string
		hint string
	}{
		{[]string{"bogus"}, `dmsc: unknown command "bogus" for "dmsc"`, "dmsc"},
		{[]string{"verson"}, `dmsc: unknown command "verson" for "dmsc" (did you mean "version"?)`, "dmsc"},
		{[]string{"--bogus"}, "dmsc: unknown flag: --bogus", "dmsc"},
		{[]string{"version", "--bogus"}, "dmsc: unknown flag: --bogus", "dmsc version"},
		{[]string{"version", "-x"}, "dmsc: unknown shorthand flag: 'x' in -x", "dmsc version"},
		{[]string{"version", "extra"}, `dmsc: "dmsc version" takes no arguments, got "extra"`, "dmsc version"},
		{[]string{"version", "--format", "xml"}, `dmsc: invalid argument "xml" for "--format" flag: must be "text" or "json"`, "dmsc version"},
		{[]string{"version", "--format"}, "dmsc: flag needs an argument: --format", "dmsc version"},
		{[]string{"help", "bogus"}, `dmsc: unknown help topic "bogus"`, "dmsc help"},
		{[]string{"group", "bogus"}, `dmsc: unknown command "bogus" for "dmsc group"`, "dmsc group"},
		{[]string{"group", "leaf"}, `dmsc: required flag(s) "name" not set`, "dmsc group leaf"},
		{[]string{"group", "leaf", "--name", "a", "b", "c"}, "dmsc: accepts at most 1 arg(s), received 2", "dmsc group leaf"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, "_"), func(t *testing.T) {
			r := runCLI(t, c.args...)
			mustCode(t, r, ExitUsage)
			want := c.msg + "\nRun '" + c.hint + " --help' for usage.\n"
			if r.stderr != want {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want none", r.stdout)
			}
		})
	}
}

func TestGroupWithoutSubcommandPrintsHelp(t *testing.T) {
	withCommand(t, newGroupCmd)
	r := runCLI(t, "group")
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "dmsc group [command]") || strings.Contains(r.stdout, "dmsc group [flags]") {
		t.Errorf("help of a group:\n%s", r.stdout)
	}
	r = runCLI(t, "group", "leaf", "--name", "n", "arg")
	mustCode(t, r, ExitOK)
	if r.stdout != "leaf n arg\n" {
		t.Errorf("stdout %q", r.stdout)
	}
}

func TestPanicIsReportedNotPropagated(t *testing.T) {
	withCommand(t, func(*env) *cobra.Command {
		return &cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error { panic("kaboom") }}
	})
	r := runCLI(t, "boom")
	mustCode(t, r, ExitFailure)
	if !strings.HasPrefix(r.stderr, "dmsc: internal error: kaboom\n") {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestRunIsRepeatable(t *testing.T) {
	for range 3 {
		mustCode(t, runCLI(t, "version"), ExitOK)
		mustCode(t, runCLI(t, "bogus"), ExitUsage)
	}
}

// newGroupCmd is a command with one subcommand, for testing the framework.
func newGroupCmd(e *env) *cobra.Command {
	group := &cobra.Command{Use: "group", Short: "A group of commands"}
	var name string
	leaf := &cobra.Command{
		Use:   "leaf --name NAME [ARG]",
		Short: "A leaf",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			_, err := e.stdout.Write([]byte("leaf " + name + " " + strings.Join(args, " ") + "\n"))
			return err
		},
	}
	leaf.Flags().StringVar(&name, "name", "", "a name")
	_ = leaf.MarkFlagRequired("name")
	group.AddCommand(leaf)
	return group
}
