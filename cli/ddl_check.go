package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/ddl"
)

// ddlCheckFlags holds the flags of `dmsc ddl check`.
type ddlCheckFlags struct {
	schema  schemaFlags
	against string
	dialect string
}

// maxDiffLines bounds the diff printed per file.
const maxDiffLines = 40

// newDDLCheckCmd builds `dmsc ddl check`.
func newDDLCheckCmd(e *env) *cobra.Command {
	f := ddlCheckFlags{dialect: "both"}
	cmd := &cobra.Command{
		Use:   "check [-s FILE...] --against DIR [--dialect pgsql|mssql|both]",
		Short: "Fail when a directory does not hold exactly what emit would write",
		Long: `Compile a schema set and compare what "dmsc ddl emit" would write with the
files in DIR. Exit 0 when they are identical; exit 1 when a file differs,
is missing or is extra, printing a unified diff summary (at most 40 lines
per file) to stdout. Pipelines gate on it to catch committed DDL that is
stale. Without -s, the built-in example schema set is compiled.`,
		Example: `  dmsc ddl check -s ApiSchema.json -s ApiSchema-Sample.json --against ddl/`,
		RunE:    func(*cobra.Command, []string) error { return runDDLCheck(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, true)
	cmd.Flags().StringVar(&f.against, "against", "", "`DIR` written earlier by dmsc ddl emit (required)")
	cmd.Flags().StringVar(&f.dialect, "dialect", f.dialect, "`DIALECT`s the directory holds: pgsql, mssql or both")
	markPath(cmd.Flags(), "against")
	markChoices(cmd.Flags(), "dialect", append(dialectChoices(), "both")...)
	return cmd
}

// runDDLCheck compares the expected outputs with the directory.
func runDDLCheck(e *env, f *ddlCheckFlags) error {
	if f.against == "" {
		return usageErrorf("--against DIR is required")
	}
	dialects, err := dialectsFor(f.dialect)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(f.against); err != nil || !fi.IsDir() {
		return fmt.Errorf("--against %s: not a directory", f.against)
	}
	res, err := e.compile(&f.schema, true)
	if err != nil {
		return err
	}
	files, err := ddl.Emit(res, dialects)
	if err != nil {
		return err
	}
	var report strings.Builder
	stale := 0
	want := map[string]bool{}
	for _, file := range files {
		want[file.Name] = true
		path := filepath.Join(f.against, file.Name)
		have, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			stale++
			fmt.Fprintf(&report, "missing: %s\n", path)
			continue
		case err != nil:
			return err
		case bytes.Equal(have, file.Data):
			continue
		}
		stale++
		report.WriteString(fileDiff(path, string(have), string(file.Data)))
	}
	entries, err := os.ReadDir(f.against)
	if err != nil {
		return err
	}
	var extra []string
	for _, en := range entries {
		if !want[en.Name()] {
			extra = append(extra, en.Name())
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		stale++
		fmt.Fprintf(&report, "extra: %s (emit would not write it)\n", filepath.Join(f.against, name))
	}
	if stale == 0 {
		fmt.Fprintf(e.stdout, "%s is up to date (%d files)\n", f.against, len(files))
		return nil
	}
	fmt.Fprint(e.stdout, report.String())
	return fmt.Errorf("%s is stale: %d of %d files differ; regenerate it with dmsc ddl emit -o %s --force", f.against, stale, len(files), f.against)
}

// fileDiff renders a bounded unified diff of one file.
func fileDiff(path, have, want string) string {
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(have), B: difflib.SplitLines(want),
		FromFile: path + " (in the directory)", ToFile: path + " (emit would write)", Context: 2,
	})
	lines := strings.SplitAfter(diff, "\n")
	if len(lines) > maxDiffLines {
		more := len(lines) - maxDiffLines
		lines = append(lines[:maxDiffLines], fmt.Sprintf("... %d more diff lines\n", more))
	}
	return "differs: " + path + "\n" + strings.Join(lines, "")
}
