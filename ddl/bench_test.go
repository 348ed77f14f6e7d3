package ddl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/edfi-dmsc/dmsc/internal/schemacase"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// BenchmarkDDLDS50 measures rendering both dialect scripts of DS 5.0 from
// an already compiled result ("emit"), against decoding the DS 5.0 file
// with encoding/json into any ("baseline", the divisor bench/benchratio
// uses for this group).
func BenchmarkDDLDS50(b *testing.B) {
	file := filepath.Join(testenv.Fixtures(b), "apischema", "ds-5.0", "ApiSchema.json")
	data, err := os.ReadFile(file)
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
	models := schemacase.CompileFiles(b, []string{file}).Models()
	b.Run("emit", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RenderAll(models); err != nil {
				b.Fatal(err)
			}
		}
	})
}
