package compiler

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/example"
	"github.com/edfi-dmsc/dmsc/testenv"
)

type namedFile struct {
	name string
	data []byte
}

// outputs compiles files and returns every byte the compiler produces:
// the effective-schema manifest and both runtime manifests.
func outputs(t *testing.T, files []namedFile) [][]byte {
	t.Helper()
	var d diag.List
	var projects []*apischema.Project
	for _, f := range files {
		if p := apischema.Parse(f.name, f.data, &d); p != nil {
			projects = append(projects, p)
		}
	}
	set := apischema.Build(projects, &d)
	var res *Result
	if set != nil {
		res = Compile(set, Options{}, &d)
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	eff, err := res.Effective.JSON()
	if err != nil {
		t.Fatal(err)
	}
	out := [][]byte{eff}
	for _, m := range res.Models() {
		data, err := Manifest(m).Encode()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// shuffleKeys re-encodes a JSON document with every object's keys in a
// random order and different whitespace (numbers keep their text).
func shuffleKeys(t *testing.T, data []byte, r *rand.Rand) []byte {
	t.Helper()
	v, err := apischema.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	var write func(v any)
	write = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
			b.WriteString("{ ")
			for i, k := range keys {
				if i > 0 {
					b.WriteString(",\n")
				}
				b.WriteString(strconv.Quote(k))
				b.WriteString(" : ")
				write(x[k])
			}
			b.WriteString("}")
		case []any:
			b.WriteString("[")
			for i, e := range x {
				if i > 0 {
					b.WriteString(", ")
				}
				write(e)
			}
			b.WriteString("]")
		case json.Number:
			b.WriteString(string(x))
		default:
			enc, err := json.Marshal(x)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(enc)
		}
	}
	write(v)
	return b.Bytes()
}

// TestDeterminism compiles schema sets with shuffled file order and
// shuffled object key order and requires byte-identical outputs.
func TestDeterminism(t *testing.T) {
	t.Run("example", func(t *testing.T) {
		var files []namedFile
		for _, f := range example.Files() {
			files = append(files, namedFile{f.Name, f.Data})
		}
		checkShuffles(t, files)
	})
	t.Run("fixture-ext", func(t *testing.T) {
		for _, c := range testenv.DMSCases(t) {
			if c.Name != "ext" {
				continue
			}
			var files []namedFile
			for _, path := range c.Files {
				data, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, namedFile{path, data})
			}
			checkShuffles(t, files)
		}
	})
}

func checkShuffles(t *testing.T, files []namedFile) {
	want := outputs(t, files)
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, seed))
		shuffled := make([]namedFile, len(files))
		for i, f := range files {
			shuffled[i] = namedFile{f.name, shuffleKeys(t, f.data, r)}
			if bytes.Equal(shuffled[i].data, f.data) {
				t.Fatal("shuffling changed nothing")
			}
		}
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := outputs(t, shuffled)
		for i := range want {
			if !bytes.Equal(want[i], got[i]) {
				t.Fatalf("seed %d: output %d differs after shuffling", seed, i)
			}
		}
	}
}
