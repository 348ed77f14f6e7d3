package datadict

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestExampleGolden renders the built-in example's dictionary (PostgreSQL
// names and types) into testdata/example-pgsql: review changes with git
// diff after -update.
func TestExampleGolden(t *testing.T) {
	out := generate(t, exampleFiles(), model.PgSQL)
	golden.AssertDir(t, "testdata/example-pgsql", byName(out.files))
}

// TestExampleMSSQLTypes: --dialect mssql shows SQL Server's type names.
func TestExampleMSSQLTypes(t *testing.T) {
	page := byName(generate(t, exampleFiles(), model.MSSQL).files)["example.html"]
	for _, want := range []string{"nvarchar(75)", "datetime2(7)", "SQL Server"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("example.html for mssql lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("varchar(75)</td>")) && !bytes.Contains(page, []byte("nvarchar(75)</td>")) {
		t.Error("example.html for mssql shows PostgreSQL types")
	}
}

// TestDeterminism: the example's files given in shuffled order, with
// shuffled keys and whitespace, give byte-identical files.
func TestDeterminism(t *testing.T) {
	files := exampleFiles()
	want := generate(t, files, model.PgSQL).files
	for seed := uint64(1); seed <= 3; seed++ {
		shuffled := make([]schemaFile, len(files))
		for i, f := range files {
			shuffled[i] = schemaFile{f.name, testenv.ShuffleKeys(t, f.data, seed)}
		}
		r := rand.New(rand.NewPCG(seed, 0))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := generate(t, shuffled, model.PgSQL).files
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d files, want %d", seed, len(got), len(want))
		}
		for i := range want {
			if got[i].Name != want[i].Name || !bytes.Equal(got[i].Data, want[i].Data) {
				t.Errorf("seed %d: %s differs after shuffling the input", seed, want[i].Name)
			}
		}
	}
}
