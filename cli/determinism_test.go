package cli

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestEmitDeterminism runs `dmsc ddl emit` over schema sets whose files are
// given in shuffled order with shuffled object keys and whitespace, and
// requires every emitted file (scripts, manifests, effective-schema.json,
// ddl-manifest.json) to be byte-identical to the unshuffled run.
func TestEmitDeterminism(t *testing.T) {
	t.Run("example", func(t *testing.T) {
		var files []schemaFile
		for _, f := range example.Files() {
			files = append(files, schemaFile{filepath.Base(f.Name[len("example:"):]), f.Data})
		}
		checkEmitShuffles(t, files)
	})
	for _, name := range []string{"ext-shim", "ext-shapes"} {
		t.Run(name, func(t *testing.T) {
			checkEmitShuffles(t, readSchemaFiles(t, filepath.Join(testenv.RepoRoot(t), "testdata", "cases", name, "inputs")))
		})
	}
	t.Run("fixtures", func(t *testing.T) {
		for _, c := range testenv.DMSCases(t) {
			if c.Name == "ext" || c.Name == "referential-identity" {
				checkEmitShuffles(t, readSchemaFiles(t, filepath.Join(c.Dir, "inputs")))
			}
		}
	})
}

type schemaFile struct {
	name string
	data []byte
}

func readSchemaFiles(t *testing.T, dir string) []schemaFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []schemaFile
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, schemaFile{filepath.Base(p), data})
	}
	return out
}

// emitFiles writes files into a fresh directory in the given order, runs
// ddl emit over them and returns the output files by name.
func emitFiles(t *testing.T, files []schemaFile) map[string][]byte {
	t.Helper()
	in := t.TempDir()
	args := []string{"ddl", "emit", "-q", "-o", filepath.Join(in, "out")}
	for _, f := range files {
		p := filepath.Join(in, f.name)
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-s", p)
	}
	mustCode(t, runCLI(t, args...), ExitOK)
	out := map[string][]byte{}
	entries, err := os.ReadDir(filepath.Join(in, "out"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(in, "out", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func checkEmitShuffles(t *testing.T, files []schemaFile) {
	t.Helper()
	want := emitFiles(t, files)
	for seed := uint64(1); seed <= 3; seed++ {
		shuffled := make([]schemaFile, len(files))
		for i, f := range files {
			shuffled[i] = schemaFile{f.name, testenv.ShuffleKeys(t, f.data, seed)}
			if bytes.Equal(shuffled[i].data, f.data) {
				t.Fatal("shuffling changed nothing")
			}
		}
		r := rand.New(rand.NewPCG(seed, 0))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := emitFiles(t, shuffled)
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d files, want %d", seed, len(got), len(want))
		}
		for name, data := range want {
			if !bytes.Equal(got[name], data) {
				t.Errorf("seed %d: %s differs after shuffling the input", seed, name)
			}
		}
	}
}
