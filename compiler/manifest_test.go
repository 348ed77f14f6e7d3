package compiler

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestManifestsValidate encodes the runtime manifest of every real schema
// set for both dialects, validates it with the loader (JSON Schema) and
// checks that decoding and re-encoding gives the same bytes.
func TestManifestsValidate(t *testing.T) {
	sets := [][]string{{testenv.DS50(t)}, {testenv.Homograph(t)}}
	for _, c := range testenv.DMSCases(t) {
		sets = append(sets, c.Files)
	}
	for _, files := range sets {
		res := compileFiles(t, files)
		for _, m := range res.Models() {
			data, err := Manifest(m).Encode()
			if err != nil {
				t.Fatal(err)
			}
			var ref bytes.Buffer
			enc := json.NewEncoder(&ref)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "  ")
			if err := enc.Encode(Manifest(m)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, ref.Bytes()) {
				t.Errorf("%v %s: Encode differs from encoding/json's rendering", files, m.Dialect)
			}
			back, err := manifest.Decode(data)
			if err != nil {
				t.Fatalf("%v %s: %v", files, m.Dialect, err)
			}
			again, err := back.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(data, again) {
				t.Errorf("%v %s: decode/encode round trip changed the manifest", files, m.Dialect)
			}
		}
	}
}
