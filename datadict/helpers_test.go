package datadict

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// schemaFile is one ApiSchema file's name and content.
type schemaFile struct {
	name string
	data []byte
}

// exampleFiles returns the built-in example schema set.
func exampleFiles() []schemaFile {
	var out []schemaFile
	for _, f := range example.Files() {
		out = append(out, schemaFile{f.Name, f.Data})
	}
	return out
}

// fixtureFiles returns DS 5.0 core and the sample-ds50 extension from the
// shared fixtures, or skips the test when the fixtures are absent.
func fixtureFiles(t *testing.T) []schemaFile {
	t.Helper()
	dir := filepath.Join(testenv.Fixtures(t), "apischema")
	var out []schemaFile
	for _, rel := range []string{"ds-5.0/ApiSchema.json", "sample-ds50/ApiSchema.json"} {
		path := filepath.Join(dir, rel)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
		out = append(out, schemaFile{path, data})
	}
	return out
}

// compileFiles parses and compiles a schema set.
func compileFiles(files []schemaFile) (*apischema.Set, *compiler.Result, error) {
	var d diag.List
	var projects []*apischema.Project
	for _, f := range files {
		if p := apischema.Parse(f.name, f.data, &d); p != nil {
			projects = append(projects, p)
		}
	}
	if err := d.Err(); err != nil {
		return nil, nil, fmt.Errorf("parse: %w", err)
	}
	set := apischema.Build(projects, &d)
	if err := d.Err(); err != nil {
		return nil, nil, fmt.Errorf("build: %w", err)
	}
	res := compiler.Compile(set, compiler.Options{}, &d)
	if err := d.Err(); err != nil {
		return nil, nil, fmt.Errorf("compile: %w", err)
	}
	return set, res, nil
}

// output is a generated dictionary with the model it documents.
type output struct {
	dict  *Dictionary
	files []File
	model *model.Model
}

// generateFiles compiles files and renders the dictionary for dialect dl.
func generateFiles(files []schemaFile, dl model.Dialect) (*output, error) {
	set, res, err := compileFiles(files)
	if err != nil {
		return nil, err
	}
	m := res.Model(dl)
	d, out, err := Generate(set, m)
	if err != nil {
		return nil, err
	}
	return &output{dict: d, files: out, model: m}, nil
}

// generate is generateFiles failing the test on error.
func generate(t *testing.T, files []schemaFile, dl model.Dialect) *output {
	t.Helper()
	out, err := generateFiles(files, dl)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var (
	fixtureOnce sync.Once
	fixtureOut  *output
	fixtureErr  error
)

// fixtureDictionary returns the DS 5.0 + sample-ds50 dictionary for
// PostgreSQL, built once for every test that reads it, or skips the test
// when the fixtures are absent.
func fixtureDictionary(t *testing.T) *output {
	t.Helper()
	files := fixtureFiles(t)
	fixtureOnce.Do(func() { fixtureOut, fixtureErr = generateFiles(files, model.PgSQL) })
	if fixtureErr != nil {
		t.Fatalf("DS 5.0 + sample-ds50: %v", fixtureErr)
	}
	return fixtureOut
}

// byName maps files by name.
func byName(files []File) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files {
		out[f.Name] = f.Data
	}
	return out
}
