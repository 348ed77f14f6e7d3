package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// ddlEmitFlags holds the flags of `dmsc ddl emit`.
type ddlEmitFlags struct {
	schema  schemaFlags
	out     string
	dialect string
	force   bool
}

// newDDLEmitCmd builds `dmsc ddl emit`.
func newDDLEmitCmd(e *env) *cobra.Command {
	f := ddlEmitFlags{dialect: "both"}
	cmd := &cobra.Command{
		Use:   "emit [-s FILE...] -o DIR [--dialect pgsql|mssql|both] [--force]",
		Short: "Write the DDL scripts and manifests of a schema set",
		Long: `Compile a schema set and write, into DIR:

  pgsql.sql, mssql.sql          the DDL scripts (idempotent, fingerprint-guarded)
  manifest.pgsql.json, ...      the runtime mapping manifest per dialect
  effective-schema.json         hashes, schema components and resource keys
  ddl-manifest.json             normalised SHA-256 and statement count per script

Only the files of the selected dialects are written. DIR is written
atomically (a temporary directory is renamed into place); an existing
non-empty DIR is refused unless --force. With -o - and a single dialect,
the script is written to standard output instead.

Without -s, dmsc compiles its built-in example schema set.`,
		Example: `  dmsc ddl emit -o out
  dmsc ddl emit -s ApiSchema.json -s ApiSchema-Sample.json -o ddl --force
  dmsc ddl emit -s ApiSchema.json --dialect pgsql -o - | psql "$DSN"`,
		RunE: func(*cobra.Command, []string) error { return runDDLEmit(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, true)
	cmd.Flags().StringVarP(&f.out, "out", "o", "", "output `DIR` (required; - writes one dialect's script to stdout)")
	cmd.Flags().StringVar(&f.dialect, "dialect", f.dialect, "`DIALECT`s to emit: pgsql, mssql or both")
	cmd.Flags().BoolVar(&f.force, "force", false, "replace the contents of a non-empty output directory")
	return cmd
}

// runDDLEmit compiles and writes the outputs.
func runDDLEmit(e *env, f *ddlEmitFlags) error {
	if f.out == "" {
		return usageErrorf("an output directory is required: -o DIR (or -o - with one --dialect)")
	}
	dialects, err := dialectsFor(f.dialect)
	if err != nil {
		return err
	}
	if f.out == "-" && len(dialects) != 1 {
		return usageErrorf("-o - writes one script to stdout: choose --dialect pgsql or --dialect mssql")
	}
	res, err := e.compile(&f.schema, true)
	if err != nil {
		return err
	}
	files, err := emitOutputs(res, dialects)
	if err != nil {
		return err
	}
	if f.out == "-" {
		_, err := e.stdout.Write(files[0].data)
		return err
	}
	if err := writeDirAtomically(f.out, files, f.force); err != nil {
		return err
	}
	for _, file := range files {
		fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", filepath.Join(f.out, file.name), len(file.data))
	}
	return nil
}

// writeDirAtomically writes files into a fresh temporary directory beside
// dir, then moves it into place. An existing non-empty dir is replaced only
// with force (its old contents are removed after the new directory is in
// place).
func writeDirAtomically(dir string, files []outputFile, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("output directory: %w", err)
	case len(entries) > 0 && !force:
		return fmt.Errorf("output directory %s is not empty; pass --force to replace its contents", dir)
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.name, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if len(entries) == 0 {
		// dir is absent or empty.
		if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("output directory: %w", err)
		}
		return os.Rename(tmp, dir)
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		_ = os.Rename(old, dir)
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	return os.RemoveAll(old)
}
