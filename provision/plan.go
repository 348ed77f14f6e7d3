package provision

import (
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect/all"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/model"
)

// Step is one statement (PostgreSQL) or GO batch (SQL Server) that
// provisioning runs, in order. A dry run returns the steps a real run
// would execute; a real run returns the steps it executed.
type Step struct {
	// SQL is the statement text as sent to the server.
	SQL string `json:"sql"`
	// Params describes the statement's parameters ("" when it has none);
	// the stored runtime manifest is summarised, not printed.
	Params string `json:"params,omitempty"`
	// args are the parameter values.
	args []any
}

// stepsOf makes one step of each statement or batch.
func stepsOf(parts []string) []Step {
	steps := make([]Step, len(parts))
	for i, p := range parts {
		steps[i] = Step{SQL: p}
	}
	return steps
}

// manifestStep is the step that stores the runtime manifest data (JSON)
// with the effective schema of hash, unless a row is there already.
func manifestStep(insertSQL string, data []byte, hash string) Step {
	return Step{
		SQL:    insertSQL,
		Params: fmt.Sprintf("manifest format %s, %d bytes of JSON, effective schema hash %s", manifest.FormatVersion, len(data), hash),
		args:   []any{manifest.FormatVersion, string(data), hash},
	}
}

// wouldApply is the dry-run result of applying steps (the script's, plus
// the manifest's when stored) to a database without an effective schema.
func wouldApply(m *model.Model, steps []Step, statements, batches int, storesManifest bool) *Result {
	return &Result{Status: WouldApply, Dialect: m.Dialect, Hash: m.EffectiveSchemaHash, DryRun: true,
		StoredManifest: storesManifest, Steps: steps, Statements: statements, Batches: batches}
}

// PlanText renders the steps as a script to review, headed by the
// summary as a comment: each step after a `-- step i of n` comment (with
// its parameters), a statement ending in ';' or, for a dialect with
// batches, a batch followed by its separator line.
func (r *Result) PlanText() (string, error) {
	d, err := all.For(r.Dialect)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("-- " + r.String() + "\n")
	for i, st := range r.Steps {
		fmt.Fprintf(&b, "\n-- step %d of %d", i+1, len(r.Steps))
		if st.Params != "" {
			b.WriteString("; parameters: " + st.Params)
		}
		body := strings.TrimSpace(st.SQL)
		if sep := d.BatchSeparator(); sep != "" {
			b.WriteString("\n" + body + "\n" + sep + "\n")
			continue
		}
		b.WriteString("\n" + strings.TrimSuffix(body, ";") + ";\n")
	}
	return b.String(), nil
}
