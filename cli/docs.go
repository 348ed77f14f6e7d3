package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/datadict"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// docsFlags holds the flags of `dmsc docs`.
type docsFlags struct {
	schema  schemaFlags
	out     string
	dialect string
	force   bool
	format  outputFormat
}

// newDocsCmd builds `dmsc docs`.
func newDocsCmd(e *env) *cobra.Command {
	f := docsFlags{dialect: string(model.PgSQL)}
	cmd := &cobra.Command{
		Use:   "docs [-s FILE...] -o DIR [--dialect pgsql|mssql] [--force] [--format text|json]",
		Short: "Write a static data dictionary (HTML and Mermaid diagrams) of a schema set",
		Long: `Compile a schema set and write a data dictionary of its relational model
for one dialect into DIR:

  index.html       the schema set, its projects and every resource
  <project>.html   per project: every resource's tables, columns, types,
                   nullability, primary, unique and foreign keys, the JSON
                   path each column stores and the ApiSchema descriptions
  <project>.md     per project: one Mermaid erDiagram per resource (its
                   tables and their relationships), which GitHub renders

The pages need no network and no script: open index.html in a browser.
Every file is written atomically (a new DIR appears whole). An existing
non-empty DIR is refused unless --force, and --force replaces only files a
previous "dmsc docs" wrote (it recognises them by a marker comment): a DIR
holding anything else is refused, naming it, and left untouched. --force
also removes the pages of projects no longer in the schema set.

With --format json, dmsc prints a summary of what it wrote.

Without -s, dmsc documents its built-in example schema set.`,
		Example: `  dmsc docs -o docs-out
  dmsc docs -s ApiSchema.json -s ApiSchema-Sample.json -o dictionary --force
  dmsc docs -s ApiSchema.json --dialect mssql -o dictionary --format json`,
		RunE: func(*cobra.Command, []string) error { return runDocs(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaExample)
	cmd.Flags().StringVarP(&f.out, outFlag, "o", "", "output `DIR` (required); also --output")
	cmd.Flags().StringVarP(&f.dialect, dialectFlag, "d", f.dialect, "`DIALECT` whose names and types are shown: pgsql or mssql")
	markPath(cmd.Flags(), "out")
	markChoices(cmd.Flags(), "dialect", dialectChoices()...)
	cmd.Flags().BoolVar(&f.force, "force", false, "replace a previous dictionary in a non-empty output directory (one holding nothing else)")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// docsSummary is what `dmsc docs --format json` prints.
type docsSummary struct {
	Dir                 string            `json:"dir"`
	Dialect             string            `json:"dialect"`
	EffectiveSchemaHash string            `json:"effective_schema_hash"`
	Projects            []docsProjectInfo `json:"projects"`
	Files               []docsFileInfo    `json:"files"`
	Removed             []string          `json:"removed"`
}

// docsProjectInfo summarises one project's pages.
type docsProjectInfo struct {
	EndpointName string `json:"project_endpoint_name"`
	ProjectName  string `json:"project_name"`
	Page         string `json:"page"`
	Diagrams     string `json:"diagrams"`
	Resources    int    `json:"resources"`
	Tables       int    `json:"tables"`
	Columns      int    `json:"columns"`
}

// docsFileInfo is one written file.
type docsFileInfo struct {
	Name  string `json:"name"`
	Bytes int    `json:"bytes"`
}

// runDocs compiles the schema set and writes its data dictionary.
func runDocs(e *env, f *docsFlags) error {
	if f.out == "" {
		return usageErrorf("an output directory is required: -o DIR")
	}
	d, err := all.Parse(f.dialect)
	if err != nil {
		return usageErrorf("--dialect %q: must be %s", f.dialect, orList(dialectChoices()))
	}
	set, res, err := e.compileSet(&f.schema, true)
	if err != nil {
		return err
	}
	dict, files, err := datadict.Generate(set, res.Model(d))
	if err != nil {
		return err
	}
	ddlFiles := make([]ddl.File, len(files))
	for i, file := range files {
		ddlFiles[i] = ddl.File{Name: file.Name, Data: file.Data}
	}
	removed, err := writeOutputs(f.out, ddlFiles, f.force, docsOwner())
	if err != nil {
		return err
	}
	if f.format == formatJSON {
		s := docsSummary{Dir: f.out, Dialect: string(d), EffectiveSchemaHash: dict.EffectiveSchemaHash, Removed: removed}
		if s.Removed == nil {
			s.Removed = []string{}
		}
		for _, p := range dict.Projects {
			s.Projects = append(s.Projects, docsProjectInfo{
				EndpointName: p.EndpointName, ProjectName: p.ProjectName, Page: p.Page, Diagrams: p.Diagrams,
				Resources: len(p.Resources), Tables: p.Tables(), Columns: p.Columns(),
			})
		}
		for _, file := range files {
			s.Files = append(s.Files, docsFileInfo{Name: file.Name, Bytes: len(file.Data)})
		}
		return writeJSON(e.stdout, s)
	}
	for _, file := range files {
		fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", filepath.Join(f.out, file.Name), len(file.Data))
	}
	for _, name := range removed {
		why := "a page of a project no longer in the schema set"
		if isDocsTemp(name) {
			why = "a temporary file an interrupted run left"
		}
		fmt.Fprintf(e.stderr, "removed %s (%s)\n", filepath.Join(f.out, name), why)
	}
	return nil
}

// docsOwner is dmsc docs': the dictionary files a previous run wrote
// (datadict.Generated), so that --force never touches a user's own
// README.md or index.html.
func docsOwner() outputOwner {
	return outputOwner{
		notOurs: "which dmsc docs did not write",
		owned:   "a previous dictionary's files",
		owns:    func(dir, name string) bool { return isDocsFile(filepath.Join(dir, name)) },
		isTemp:  isDocsTemp,
	}
}

// isDocsFile reports whether the regular file at path is one a previous
// `dmsc docs` wrote: a dictionary file name holding datadict.Marker near
// its start.
func isDocsFile(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	head := make([]byte, datadict.MarkerWindow)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false
	}
	return datadict.Generated(filepath.Base(path), head[:n])
}

// isDocsTemp reports whether name is a temporary file replaceFiles
// creates for a dictionary file (left behind only when dmsc was killed).
func isDocsTemp(name string) bool {
	base, _, _ := strings.Cut(strings.TrimPrefix(name, "."), tempOutputMarker)
	return isTempOutput(name, map[string]bool{base: datadict.IsFileName(base)})
}
