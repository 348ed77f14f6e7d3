package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/all"
)

// ddlEmitFlags holds the flags of `dmsc ddl emit`.
type ddlEmitFlags struct {
	schema  schemaFlags
	out     string
	dialect string
	force   bool
	format  outputFormat
}

// newDDLEmitCmd builds `dmsc ddl emit`.
func newDDLEmitCmd(e *env) *cobra.Command {
	f := ddlEmitFlags{dialect: "both"}
	cmd := &cobra.Command{
		Use:   "emit [-s FILE...] -o DIR [--dialect pgsql|mssql|both] [--force] [--format text|json]",
		Short: "Write the DDL scripts and manifests of a schema set",
		Long: `Compile a schema set and write, into DIR:

  pgsql.sql, mssql.sql          the DDL scripts (idempotent, fingerprint-guarded)
  manifest.pgsql.json, ...      the runtime mapping manifest per dialect
  effective-schema.json         hashes, schema components and resource keys
  ddl-manifest.json             normalised SHA-256 and statement count per script

Only the files of the selected dialects are written, each atomically (a
temporary file renamed into place; a new DIR appears whole). An existing
non-empty DIR is refused unless --force, and --force replaces only the
files dmsc writes: a DIR holding anything else (a .git directory, notes)
is refused, naming it, and left untouched. --force also removes the
outputs of a dialect not selected this time, so that DIR holds exactly
what emit writes. With -o - and a single dialect, the script is written
to standard output instead.

Without -s, dmsc compiles its built-in example schema set and says so on
stderr. dmsc reports each file written (and removed) on stderr; with
--format json it prints one object on stdout instead:
{"dir","dialects","files":[{"file","bytes","sha256"}],"removed":[…]}.`,
		Example: `  dmsc ddl emit -o out
  dmsc ddl emit -s ApiSchema.json -s ApiSchema-Sample.json -o ddl --force
  dmsc ddl emit -s ApiSchema.json --dialect pgsql -o - | psql "$DSN"`,
		RunE: func(*cobra.Command, []string) error { return runDDLEmit(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaExample)
	cmd.Flags().StringVarP(&f.out, outFlag, "o", "", "output `DIR` (required; - writes one dialect's script to stdout); also --output")
	cmd.Flags().StringVarP(&f.dialect, dialectFlag, "d", f.dialect, "`DIALECT`s to emit: pgsql, mssql or both")
	markPath(cmd.Flags(), "out")
	markChoices(cmd.Flags(), "dialect", append(dialectChoices(), "both")...)
	cmd.Flags().BoolVar(&f.force, "force", false, "replace dmsc's outputs in a non-empty output directory (one holding nothing else)")
	addFormatFlag(cmd, &f.format)
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
	files, err := ddl.Emit(res, dialects)
	if err != nil {
		return err
	}
	if f.out == "-" {
		_, err := e.stdout.Write(files[0].Data)
		return err
	}
	removed, err := writeOutputs(f.out, files, f.force, emitOwner())
	if err != nil {
		return err
	}
	if f.format == formatJSON {
		return writeJSON(e.stdout, newEmitReport(f, files, removed))
	}
	for _, file := range files {
		fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", filepath.Join(f.out, file.Name), len(file.Data))
	}
	owned := ownedNames()
	for _, name := range removed {
		why := "not written for --dialect " + f.dialect
		if isTempOutput(name, owned) {
			why = "a temporary file an interrupted run left"
		}
		fmt.Fprintf(e.stderr, "removed %s (%s)\n", filepath.Join(f.out, name), why)
	}
	return nil
}

// emitReport is the --format json answer of `dmsc ddl emit`.
type emitReport struct {
	Dir      string        `json:"dir"`
	Dialects string        `json:"dialects"`
	Files    []emittedFile `json:"files"`
	Removed  []string      `json:"removed"`
}

// emittedFile is one file emit wrote.
type emittedFile struct {
	File   string `json:"file"`
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// newEmitReport describes what emit wrote and removed.
func newEmitReport(f *ddlEmitFlags, files []ddl.File, removed []string) emitReport {
	rep := emitReport{Dir: f.out, Dialects: f.dialect, Files: make([]emittedFile, len(files)), Removed: removed}
	if rep.Removed == nil {
		rep.Removed = []string{}
	}
	for i, file := range files {
		sum := sha256.Sum256(file.Data)
		rep.Files[i] = emittedFile{File: file.Name, Bytes: len(file.Data), SHA256: hex.EncodeToString(sum[:])}
	}
	return rep
}

// outputOwner says which entries of an existing output directory a
// command may replace or remove with --force: the files it wrote before
// and the temporary files an interrupted run of it left. Everything else
// makes --force refuse the directory.
type outputOwner struct {
	// notOurs ends "output directory D holds X, …" in the refusal
	// ("which dmsc does not write").
	notOurs string
	// owned describes what --force replaces, for the refusal message.
	owned string
	// owns reports whether the regular file name in dir is the command's.
	owns func(dir, name string) bool
	// isTemp reports whether name is a temporary file of the command.
	isTemp func(name string) bool
}

// emitOwner is ddl emit's: the fixed output names of every dialect.
func emitOwner() outputOwner {
	owned := ownedNames()
	return outputOwner{
		notOurs: "which dmsc does not write",
		owned:   "dmsc's own outputs (" + strings.Join(ddl.OutputNames(all.Names()), ", ") + ")",
		owns:    func(_, name string) bool { return owned[name] },
		isTemp:  func(name string) bool { return isTempOutput(name, owned) },
	}
}

// writeOutputs writes files into dir and returns the names of the stale
// outputs it removed.
//
//   - dir is absent: the files are written into a temporary directory
//     beside it, which is renamed into place, so dir appears whole.
//   - dir is empty: each file is written atomically (a temporary file in
//     dir, then renamed over its name).
//   - dir is not empty: refused without force. With force, dir may hold
//     only files owner owns (and its temporary files); anything else,
//     subdirectories such as .git included, is refused by name and dir is
//     left untouched. Otherwise each file is replaced atomically, then the
//     owned files not written this time are removed, so that dir holds
//     exactly files.
//
// Only the files named above are ever written or removed; dir itself is
// never renamed or removed (-o . works).
func writeOutputs(dir string, files []ddl.File, force bool, owner outputOwner) (removed []string, err error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, writeNewDir(dir, files)
	case err != nil:
		return nil, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("output directory %s is not a directory", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	var stale, foreign []string
	for _, en := range entries {
		name := en.Name()
		switch {
		case en.Type().IsRegular() && (owner.isTemp(name) || owner.owns(dir, name)):
			stale = append(stale, name)
		case en.IsDir():
			foreign = append(foreign, name+"/")
		default:
			foreign = append(foreign, name)
		}
	}
	switch {
	case len(entries) > 0 && !force:
		return nil, fmt.Errorf("output directory %s is not empty; pass --force to replace its contents", dir)
	case len(foreign) > 0:
		sort.Strings(foreign)
		return nil, fmt.Errorf("output directory %s holds %s, %s; --force replaces only %s: move %s away or choose another directory (nothing was changed)",
			dir, listNames(foreign, 10), owner.notOurs, owner.owned, plural(int64(len(foreign)), "it", "them"))
	}
	if err := replaceFiles(dir, files); err != nil {
		return nil, err
	}
	written := map[string]bool{}
	for _, f := range files {
		written[f.Name] = true
	}
	sort.Strings(stale)
	for _, name := range stale {
		if written[name] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove the stale output %s: %w", name, err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// writeNewDir writes files into a temporary directory beside dir (which
// does not exist) and renames it into place.
func writeNewDir(dir string, files []ddl.File) error {
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
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	return nil
}

// tempOutputMarker sits between an output's name and the random suffix of
// its temporary file (`.pgsql.sql.dmsc-tmp-123`).
const tempOutputMarker = ".dmsc-tmp-"

// isTempOutput reports whether name is a temporary file replaceFiles
// creates for an owned output (left behind only when dmsc was killed).
func isTempOutput(name string, owned map[string]bool) bool {
	base, suffix, ok := strings.Cut(strings.TrimPrefix(name, "."), tempOutputMarker)
	if !ok || !strings.HasPrefix(name, ".") || !owned[base] || suffix == "" {
		return false
	}
	for _, r := range suffix {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// replaceFiles writes every file to a temporary file in dir first, then
// renames each over its name: a reader never sees a partly written file,
// and a failure while writing leaves dir unchanged.
func replaceFiles(dir string, files []ddl.File) error {
	temps := make([]string, 0, len(files))
	defer func() {
		for _, t := range temps {
			if t != "" {
				_ = os.Remove(t)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(dir, f)
		if err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, f.Name)); err != nil {
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
		temps[i] = ""
	}
	return nil
}

// writeTemp writes f to a new temporary file in dir, flushed to disk and
// readable by everyone, and returns its path.
func writeTemp(dir string, f ddl.File) (string, error) {
	tmp, err := os.CreateTemp(dir, "."+f.Name+tempOutputMarker+"*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(f.Data)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// listNames joins names, at most limit of them, then "and N more".
func listNames(names []string, limit int) string {
	if len(names) <= limit {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:limit], ", ") + fmt.Sprintf(" and %d more", len(names)-limit)
}
