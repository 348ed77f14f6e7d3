package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/roundtrip"
)

// roundtripFlags holds the flags of `dmsc roundtrip`.
type roundtripFlags struct {
	store       storeFlags
	strict      bool
	verifyEdges bool
	format      outputFormat
}

// newRoundtripCmd builds `dmsc roundtrip`.
func newRoundtripCmd(e *env) *cobra.Command {
	f := roundtripFlags{verifyEdges: true}
	cmd := &cobra.Command{
		Use:   "roundtrip --dsn DSN [-s FILE... [--provision]] [--strict] [--format text|json] DIR",
		Short: "Load a directory of documents through the runtime and check that each reads back equal",
		Long: `Load every DIR/<projectEndpoint>/<resourceEndpoint>/*.json document through
the runtime (POST semantics), read each one back by the id the write
returned, and check the round trip law: the GET body, without id, _etag and
_lastModifiedDate (which must be present), equals the document after
removing the properties the runtime reported as pruned, nulls, empty arrays
and the empty objects that result. Numbers compare by exact value, object
key order is ignored and array order is kept. Descriptor URIs compare
case-insensitively: they resolve case-insensitively, and GET returns each
as its descriptor stores it (a later POST of the descriptor in other
letter case changes it).

Resources load in dependency order derived from the manifest (referenced
resources and descriptors first; members of an abstract resource before
its referrers; ties by project endpoint, then endpoint), the documents of
one resource in file-name order. A document whose references or
descriptors do not resolve yet is retried after the others, as long as
some document still loads. Documents sharing a natural key update one
another; each is compared right after its own write.

dmsc prints, per resource, how many documents loaded, read back equal,
read back different (mismatched) or were rejected, then every mismatch
with its differences and every rejection with its reason. A directory
that is not a project or resource endpoint of the schema set is a
rejection. Exit 1 when a document mismatches, and with --strict also when
one is rejected. With --format json the same report is one JSON object:
{"loaded","equal","mismatched","rejected","resources","mismatches","rejections"},
file paths relative to DIR.

--verify-edges (on by default) makes the runtime recompute each write's
reference edges from its stored foreign keys and fail the write when they
differ from the maintained ones; --verify-edges=false measures plain
writes.

Without -s, the runtime manifest that dmsc ddl provision stored in the
database gives the mapping; --provision (which needs -s) provisions the
database first, creating it when missing.`,
		Example: `  dmsc roundtrip -s example/example-core.json -s example/example-extra.json \
    --dsn postgres://localhost/dms --provision testdata/documents/example
  dmsc roundtrip --dsn "$DMSC_DSN" --strict --format json documents/ds-5.0`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error { return runRoundtrip(e, &f, args[0]) },
	}
	addStoreFlags(cmd, &f.store, true)
	cmd.Flags().BoolVar(&f.strict, "strict", false, "exit 1 also when a document is rejected")
	cmd.Flags().BoolVar(&f.verifyEdges, "verify-edges", f.verifyEdges, "have the runtime check each write's reference edges against its foreign keys")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runRoundtrip loads DIR through a store and reports the comparison.
func runRoundtrip(e *env, f *roundtripFlags, dir string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s: not a directory (expected DIR/<projectEndpoint>/<resourceEndpoint>/*.json)", dir)
	}
	st, pool, err := e.openStore("dmsc roundtrip", &f.store, relstore.Options{VerifyEdges: f.verifyEdges})
	if err != nil {
		return err
	}
	defer pool.Close()
	set, err := roundtrip.Discover(dir, st.Manifest())
	if err != nil {
		return err
	}
	if len(set.Documents) == 0 && len(set.Rejections) == 0 {
		return fmt.Errorf("%s: no documents (expected DIR/<projectEndpoint>/<resourceEndpoint>/*.json)", dir)
	}
	progress := newProgress(e.stderr, "roundtrip", "documents")
	res, err := roundtrip.Load(e.ctx, st, set, progress.show)
	progress.done()
	if err != nil {
		return err
	}
	rep := res.Report()
	if f.format == formatJSON {
		err = writeJSON(e.stdout, rep)
	} else {
		err = writeRoundtripText(e.stdout, rep)
	}
	if err != nil {
		return err
	}
	return rep.Verdict(f.strict)
}
