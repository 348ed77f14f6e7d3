package cli

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/ddl"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// BenchmarkEmitDS50 measures what `dmsc ddl emit` does for the full DS 5.0
// core — load, fingerprint, both dialect models, both DDL scripts, both
// runtime manifests, effective-schema.json and ddl-manifest.json, in memory
// — against the baseline of decoding the same file with encoding/json into
// any. `make bench` reports the ratio (target ≤ 3×).
func BenchmarkEmitDS50(b *testing.B) {
	data, err := os.ReadFile(testenv.DS50(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compile+emit", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var d diag.List
			p := apischema.Parse("ds-5.0.json", data, &d)
			set := apischema.Build([]*apischema.Project{p}, &d)
			res := compiler.Compile(set, compiler.Options{}, &d)
			if res == nil {
				b.Fatal(d.Err())
			}
			if _, err := ddl.Emit(res, all.Names()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
