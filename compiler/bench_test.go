package compiler

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// The compile benchmark of docs/quality.md: DS 5.0 → model + manifests,
// reported by `make bench` as a ratio to decoding the same file with
// encoding/json into any (the baseline case of the same group).
func ds50(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Fixtures(b), "apischema", "ds-5.0", "ApiSchema.json"))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkCompileDS50 holds the baseline (json.Unmarshal into any) and the
// compile of DS 5.0 to both dialect models and runtime manifests.
func BenchmarkCompileDS50(b *testing.B) {
	data := ds50(b)
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("model+manifests", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			compileBytes(b, data)
		}
	})
}

func compileBytes(b *testing.B, data []byte) {
	var d diag.List
	p := apischema.Parse("ds-5.0.json", data, &d)
	set := apischema.Build([]*apischema.Project{p}, &d)
	res := Compile(set, Options{}, &d)
	if res == nil {
		b.Fatal(d.Err())
	}
	for _, m := range res.Models() {
		if _, err := Manifest(m).Encode(); err != nil {
			b.Fatal(err)
		}
	}
}
