package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/fingerprint"
)

// ddlCheckFlags holds the flags of `dmsc ddl check`.
type ddlCheckFlags struct {
	schema  schemaFlags
	against string
	dialect string
	format  outputFormat
}

// maxDiffLines bounds the diff printed per file.
const maxDiffLines = 40

// newDDLCheckCmd builds `dmsc ddl check`.
func newDDLCheckCmd(e *env) *cobra.Command {
	f := ddlCheckFlags{dialect: "both"}
	cmd := &cobra.Command{
		Use:   "check -s FILE... --against DIR [--dialect pgsql|mssql|both] [--format text|json]",
		Short: "Fail when a directory does not hold exactly what emit would write",
		Long: `Compile a schema set and compare what "dmsc ddl emit" would write with the
files in DIR. Exit 0 when they are identical; exit 1 when a file differs,
is missing or is extra, printing a unified diff summary (at most 40 lines
per file) to stdout. Pipelines gate on it to catch committed DDL that is
stale.

When DIR's effective-schema.json names another schema set (other projects,
versions or content), dmsc says so in one line, naming both, instead of
diffing every file: pass the -s files DIR was emitted from, or regenerate
DIR with the command printed.

With --format json the answer is one object: {"dir","up_to_date",
"schema_set_differs","files","differing":[{"file","status"}],"hint"}.`,
		Example: `  dmsc ddl check -s ApiSchema.json -s ApiSchema-Sample.json --against ddl/`,
		RunE:    func(*cobra.Command, []string) error { return runDDLCheck(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaRequired)
	cmd.Flags().StringVar(&f.against, "against", "", "`DIR` written earlier by dmsc ddl emit (required)")
	cmd.Flags().StringVarP(&f.dialect, dialectFlag, "d", f.dialect, "`DIALECT`s the directory holds: pgsql, mssql or both")
	markPath(cmd.Flags(), "against")
	markChoices(cmd.Flags(), "dialect", append(dialectChoices(), "both")...)
	addFormatFlag(cmd, &f.format)
	return cmd
}

// checkReport is the answer of `dmsc ddl check`.
type checkReport struct {
	Dir              string      `json:"dir"`
	UpToDate         bool        `json:"up_to_date"`
	SchemaSetDiffers bool        `json:"schema_set_differs"`
	Files            int         `json:"files"`
	Differing        []checkFile `json:"differing"`
	Hint             string      `json:"hint,omitempty"`
	// diffs holds the text report's bounded diffs.
	diffs strings.Builder
}

// checkFile is one file that is not as emit would write it.
type checkFile struct {
	File string `json:"file"`
	// Status is missing, differs or extra.
	Status string `json:"status"`
}

// The statuses of a checkFile.
const (
	checkMissing = "missing"
	checkDiffers = "differs"
	checkExtra   = "extra"
)

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
	res, err := e.compile(&f.schema, false)
	if err != nil {
		return err
	}
	files, err := ddl.Emit(res, dialects)
	if err != nil {
		return err
	}
	regenerate := newCommandLine("ddl", "emit").schema(&f.schema).flag(outFlag, f.against).flag(dialectFlag, f.dialect).set("force")
	rep := &checkReport{Dir: f.against, Files: len(files), Differing: []checkFile{}}
	if other, ok := emittedSchemaSet(f.against); ok && other.EffectiveSchemaHash != res.Effective.EffectiveSchemaHash {
		rep.SchemaSetDiffers = true
		rep.Hint = regenerate.String()
		msg := fmt.Sprintf("%s was emitted from another schema set: %s there, %s given with -s; pass the -s files it was emitted from, or regenerate it with:\n  %s",
			f.against, describeSchemaSet(other), describeSchemaSet(res.Effective), regenerate)
		return e.checkVerdict(f, rep, errors.New(msg))
	}
	if err := compareDir(rep, files); err != nil {
		return err
	}
	if rep.UpToDate = len(rep.Differing) == 0; rep.UpToDate {
		return e.checkVerdict(f, rep, nil)
	}
	rep.Hint = regenerate.String()
	return e.checkVerdict(f, rep, fmt.Errorf("%s is stale: %d of %d files differ; regenerate it with:\n  %s", f.against, len(rep.Differing), len(files), regenerate))
}

// checkVerdict prints rep and returns verdict (nil when up to date).
func (e *env) checkVerdict(f *ddlCheckFlags, rep *checkReport, verdict error) error {
	if f.format == formatJSON {
		if err := writeJSON(e.stdout, rep); err != nil {
			return err
		}
		return verdict
	}
	if rep.UpToDate {
		_, err := fmt.Fprintf(e.stdout, "%s is up to date (%d files)\n", rep.Dir, rep.Files)
		return err
	}
	fmt.Fprint(e.stdout, rep.diffs.String())
	return verdict
}

// compareDir records in rep every file of dir that differs from files,
// is missing or is extra.
func compareDir(rep *checkReport, files []ddl.File) error {
	want := map[string]bool{}
	for _, file := range files {
		want[file.Name] = true
		path := filepath.Join(rep.Dir, file.Name)
		have, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			rep.Differing = append(rep.Differing, checkFile{File: file.Name, Status: checkMissing})
			fmt.Fprintf(&rep.diffs, "missing: %s\n", path)
			continue
		case err != nil:
			return err
		case bytes.Equal(have, file.Data):
			continue
		}
		rep.Differing = append(rep.Differing, checkFile{File: file.Name, Status: checkDiffers})
		rep.diffs.WriteString(fileDiff(path, string(have), string(file.Data)))
	}
	entries, err := os.ReadDir(rep.Dir)
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
		rep.Differing = append(rep.Differing, checkFile{File: name, Status: checkExtra})
		fmt.Fprintf(&rep.diffs, "extra: %s (emit would not write it)\n", filepath.Join(rep.Dir, name))
	}
	return nil
}

// emittedSchemaSet reads dir's effective-schema.json; ok is false when it
// is missing or unreadable (the file comparison then reports it).
func emittedSchemaSet(dir string) (*fingerprint.EffectiveSchema, bool) {
	data, err := boundedfile.Read(filepath.Join(dir, ddl.EffectiveSchemaFile), maxEffectiveSchemaSize, "an effective-schema.json")
	if err != nil {
		return nil, false
	}
	var es fingerprint.EffectiveSchema
	if err := json.Unmarshal(data, &es); err != nil || es.EffectiveSchemaHash == "" {
		return nil, false
	}
	return &es, true
}

// maxEffectiveSchemaSize bounds the effective-schema.json ddl check reads.
const maxEffectiveSchemaSize = 16 << 20

// describeSchemaSet names a schema set by its projects and versions and a
// prefix of its hash: "ed-fi 5.0.0 + sample 1.0.0 (hash 1a2b3c4d5e6f)".
func describeSchemaSet(es *fingerprint.EffectiveSchema) string {
	parts := make([]string, len(es.SchemaComponents))
	for i, c := range es.SchemaComponents {
		parts[i] = c.ProjectEndpointName + " " + c.ProjectVersion
	}
	hash := es.EffectiveSchemaHash
	if len(hash) > 12 {
		hash = hash[:12]
	}
	return strings.Join(parts, " + ") + " (hash " + hash + ")"
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
