package cli

import (
	"fmt"
	"sync"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/model"
)

// outputFile is one file `dmsc ddl emit` writes.
type outputFile struct {
	name string
	data []byte
}

// The files of an output directory that do not depend on the dialect.
const (
	effectiveSchemaFile = "effective-schema.json"
	ddlManifestFile     = "ddl-manifest.json"
)

// scriptFile and manifestFile name a dialect's script and runtime
// manifest.
func scriptFile(dialect string) string   { return ddl.Script{Dialect: dialect}.FileName() }
func manifestFile(dialect string) string { return "manifest." + dialect + ".json" }

// outputNames lists the files emit writes for dialects, in the order
// emitOutputs returns them: scripts, runtime manifests,
// effective-schema.json, ddl-manifest.json.
func outputNames(dialects []string) []string {
	var scripts, manifests []string
	for _, d := range dialects {
		scripts = append(scripts, scriptFile(d))
		manifests = append(manifests, manifestFile(d))
	}
	return append(append(scripts, manifests...), effectiveSchemaFile, ddlManifestFile)
}

// ownedNames is every file name emit writes for some --dialect: the only
// files --force replaces or removes.
func ownedNames() map[string]bool {
	out := map[string]bool{}
	for _, n := range outputNames(ddl.DialectNames()) {
		out[n] = true
	}
	return out
}

// dialectsFor expands a --dialect value.
func dialectsFor(v string) ([]string, error) {
	switch v {
	case "both":
		return ddl.DialectNames(), nil
	case "pgsql", "mssql":
		return []string{v}, nil
	}
	return nil, usageErrorf("--dialect %q: must be pgsql, mssql or both", v)
}

// emitOutputs renders every file of an output directory for the selected
// dialects, in a fixed order: scripts, runtime manifests,
// effective-schema.json, ddl-manifest.json. Dialects render concurrently.
func emitOutputs(res *compiler.Result, dialects []string) ([]outputFile, error) {
	out := make([]renderedDialect, len(dialects))
	var wg sync.WaitGroup
	for i, d := range dialects {
		m := res.Model(d)
		wg.Go(func() { out[i] = renderDialect(m) })
	}
	wg.Wait()
	var files, manifests []outputFile
	var scripts []ddl.Script
	for i, d := range dialects {
		if out[i].err != nil {
			return nil, out[i].err
		}
		scripts = append(scripts, out[i].script)
		files = append(files, outputFile{scriptFile(d), []byte(out[i].script.SQL)})
		manifests = append(manifests, outputFile{manifestFile(d), out[i].manifest})
	}
	files = append(files, manifests...)
	eff, err := res.Effective.JSON()
	if err != nil {
		return nil, err
	}
	dm, err := ddl.NewManifest(scripts)
	if err != nil {
		return nil, err
	}
	dmJSON, err := dm.JSON()
	if err != nil {
		return nil, err
	}
	return append(files, outputFile{effectiveSchemaFile, eff}, outputFile{ddlManifestFile, dmJSON}), nil
}

// renderedDialect is one dialect's script and runtime manifest.
type renderedDialect struct {
	script   ddl.Script
	manifest []byte
	err      error
}

// renderDialect renders one dialect's script and runtime manifest.
func renderDialect(m *model.Model) (r renderedDialect) {
	sql, err := ddl.Render(m)
	if err != nil {
		r.err = fmt.Errorf("%s DDL: %w", m.Dialect, err)
		return r
	}
	r.script = ddl.Script{Dialect: m.Dialect, SQL: sql}
	r.manifest, r.err = compiler.Manifest(m).Encode()
	return r
}
