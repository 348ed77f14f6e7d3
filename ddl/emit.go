package ddl

import (
	"fmt"
	"sync"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/model"
)

// File is one file of an output directory.
type File struct {
	Name string
	Data []byte
}

// The files of an output directory that do not depend on the dialect.
const (
	// EffectiveSchemaFile is the effective-schema manifest.
	EffectiveSchemaFile = "effective-schema.json"
	// ScriptManifestFile describes the scripts (ScriptManifest).
	ScriptManifestFile = "ddl-manifest.json"
)

// ScriptFileName names a dialect's script (`pgsql.sql`).
func ScriptFileName(d model.Dialect) string { return Script{Dialect: d}.FileName() }

// ManifestFileName names a dialect's runtime manifest
// (`manifest.pgsql.json`).
func ManifestFileName(d model.Dialect) string { return "manifest." + string(d) + ".json" }

// OutputNames lists the files Emit returns for dialects, in its order:
// scripts, runtime manifests, effective-schema.json, ddl-manifest.json.
func OutputNames(dialects []model.Dialect) []string {
	var scripts, manifests []string
	for _, d := range dialects {
		scripts = append(scripts, ScriptFileName(d))
		manifests = append(manifests, ManifestFileName(d))
	}
	return append(append(scripts, manifests...), EffectiveSchemaFile, ScriptManifestFile)
}

// Emit renders every file of an output directory for the selected
// dialects of a compiled schema set, in OutputNames order: each dialect's
// script and runtime manifest, the effective-schema manifest and the script
// manifest. Dialects render concurrently; the result is a pure function of
// res. `dmsc ddl emit` writes what it returns.
func Emit(res *compiler.Result, dialects []model.Dialect) ([]File, error) {
	out := make([]renderedDialect, len(dialects))
	var wg sync.WaitGroup
	for i, d := range dialects {
		m := res.Model(d)
		if m == nil {
			return nil, fmt.Errorf("ddl: no %s model in the compiled result", d)
		}
		wg.Go(func() { out[i] = renderDialect(m) })
	}
	wg.Wait()
	var files, manifests []File
	var scripts []Script
	for i, d := range dialects {
		if out[i].err != nil {
			return nil, out[i].err
		}
		scripts = append(scripts, out[i].script)
		files = append(files, File{ScriptFileName(d), []byte(out[i].script.SQL)})
		manifests = append(manifests, File{ManifestFileName(d), out[i].manifest})
	}
	files = append(files, manifests...)
	eff, err := res.Effective.JSON()
	if err != nil {
		return nil, err
	}
	sm, err := NewScriptManifest(scripts)
	if err != nil {
		return nil, err
	}
	smJSON, err := sm.JSON()
	if err != nil {
		return nil, err
	}
	return append(files, File{EffectiveSchemaFile, eff}, File{ScriptManifestFile, smJSON}), nil
}

// renderedDialect is one dialect's script and runtime manifest.
type renderedDialect struct {
	script   Script
	manifest []byte
	err      error
}

// renderDialect renders one dialect's script and runtime manifest.
func renderDialect(m *model.Model) (r renderedDialect) {
	sql, err := Render(m)
	if err != nil {
		r.err = fmt.Errorf("%s DDL: %w", m.Dialect, err)
		return r
	}
	r.script = Script{Dialect: m.Dialect, SQL: sql}
	r.manifest, r.err = compiler.Manifest(m).Encode()
	return r
}
