package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/golden"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestHashMatchesUpstream runs `dmsc hash --mapping-version v2 --format
// json` over every upstream fixture case (files in fixture.json order) and
// requires the output to equal upstream's effective-schema manifest byte
// for byte, which covers every field.
func TestHashMatchesUpstream(t *testing.T) {
	for _, c := range testenv.DMSCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			args := []string{"hash", "--mapping-version", "v2", "--format", "json"}
			for _, f := range c.Files {
				args = append(args, "-s", f)
			}
			r := runCLI(t, args...)
			mustCode(t, r, ExitOK)
			want, err := os.ReadFile(c.Expected("effective-schema.manifest.json"))
			if err != nil {
				t.Fatal(err)
			}
			if r.stdout != string(want) {
				t.Errorf("dmsc hash differs from upstream:\n got: %s\nwant: %s", r.stdout, want)
			}
			var m struct {
				Hash string `json:"effective_schema_hash"`
			}
			if err := json.Unmarshal(want, &m); err != nil {
				t.Fatal(err)
			}
			text := runCLI(t, append(args[:3:3], args[5:]...)...)
			mustCode(t, text, ExitOK)
			if strings.TrimSpace(text.stdout) != m.Hash {
				t.Errorf("text output %q, want %s", text.stdout, m.Hash)
			}
		})
	}
}

// TestHashDefaultMappingVersion checks that dmsc's own mapping version
// gives a different hash than upstream's for the same input.
func TestHashDefaultMappingVersion(t *testing.T) {
	file := testenv.DMSCases(t)[0].Files[0]
	own := runCLI(t, "hash", "-s", file)
	up := runCLI(t, "hash", "-s", file, "--mapping-version", "v2")
	mustCode(t, own, ExitOK)
	mustCode(t, up, ExitOK)
	if own.stdout == up.stdout {
		t.Error("the mapping version does not change the hash")
	}
}

func TestHashUsage(t *testing.T) {
	for _, args := range [][]string{
		{"hash"},
		{"hash", "-s", "x.json", "--format", "yaml"},
		{"hash", "-s", "x.json", "extra-arg"},
	} {
		mustCode(t, runCLI(t, args...), ExitUsage)
	}
}

// TestModelExample renders the built-in example's model as a manifest that
// the manifest loader accepts (the text form is
// testdata/cases/example/model.golden, see TestCaseModels).
func TestModelExample(t *testing.T) {
	r := runCLI(t, "model", "--dialect", "mssql", "--format", "json")
	mustCode(t, r, ExitOK)
	golden.Assert(t, "model-example-mssql-manifest", []byte(r.stdout))
	if _, err := manifest.Decode([]byte(r.stdout)); err != nil {
		t.Errorf("the manifest does not validate: %v", err)
	}
	mustCode(t, runCLI(t, "model", "--dialect", "oracle"), ExitUsage)
}
