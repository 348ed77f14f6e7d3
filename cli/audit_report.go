package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// auditJSON is the --format json output of the audit and rebuild commands
// (keys in this order).
type auditJSON struct {
	// Command is "edges audit", "edges rebuild", "identity audit" or
	// "identity rebuild".
	Command     string             `json:"command"`
	Checked     int64              `json:"checked"`
	Differences int64              `json:"differences"`
	Repaired    int64              `json:"repaired"`
	Findings    []relstore.Finding `json:"findings"`
	// Cursor resumes a run that stopped early ("" when it finished).
	Cursor string `json:"cursor"`
	// Complete is false when the run stopped early.
	Complete  bool  `json:"complete"`
	ElapsedNS int64 `json:"elapsed_ns"`
}

// writeAuditReport prints rep in the chosen format; complete is false for
// the partial report of a run that stopped early.
func writeAuditReport(w io.Writer, format outputFormat, command string, rep *relstore.Report, complete bool) error {
	if format == formatJSON {
		findings := rep.Findings
		if findings == nil {
			findings = []relstore.Finding{}
		}
		return writeJSON(w, auditJSON{
			Command: command, Checked: rep.Checked, Differences: rep.Differences, Repaired: rep.Repaired,
			Findings: findings, Cursor: rep.Cursor, Complete: complete, ElapsedNS: int64(rep.Elapsed),
		})
	}
	_, err := io.WriteString(w, auditText(command, rep, complete))
	return err
}

// auditText renders the text report: a summary line, the findings grouped
// by resource (in the order the report lists them), how many more were not
// kept, and the cursor of a run that stopped early.
func auditText(command string, rep *relstore.Report, complete bool) string {
	var b strings.Builder
	state := ""
	if !complete {
		state = " (stopped early)"
	}
	fmt.Fprintf(&b, "%s%s: checked %d %s, %d %s, repaired %d, %s\n", command, state,
		rep.Checked, plural(rep.Checked, "document", "documents"),
		rep.Differences, plural(rep.Differences, "difference", "differences"),
		rep.Repaired, roundElapsed(rep.Elapsed))
	for _, g := range groupFindings(rep.Findings) {
		fmt.Fprintf(&b, "\n%s: %d %s\n", g.resource, len(g.findings), plural(int64(len(g.findings)), "finding", "findings"))
		for _, f := range g.findings {
			fmt.Fprintf(&b, "  %-7s  document %d (%s)  %s\n", f.Kind, f.DocumentID, f.DocumentUUID, f.Detail)
		}
	}
	if more := rep.Differences - int64(len(rep.Findings)); more > 0 && len(rep.Findings) > 0 {
		fmt.Fprintf(&b, "\n... and %d more %s not listed (raise --max-findings to see them)\n", more, plural(more, "difference", "differences"))
	}
	if rep.Cursor != "" {
		fmt.Fprintf(&b, "\nresume with: --resume %s\n", rep.Cursor)
	}
	return b.String()
}

// findingGroup is the findings of one resource.
type findingGroup struct {
	resource string
	findings []relstore.Finding
}

// groupFindings groups findings by resource, the groups in the order their
// resources first appear.
func groupFindings(findings []relstore.Finding) []findingGroup {
	var groups []findingGroup
	index := map[string]int{}
	for _, f := range findings {
		i, ok := index[f.Resource]
		if !ok {
			i = len(groups)
			index[f.Resource] = i
			groups = append(groups, findingGroup{resource: f.Resource})
		}
		groups[i].findings = append(groups[i].findings, f)
	}
	return groups
}

// plural picks the singular or plural form for n.
func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// roundElapsed shortens a duration for the summary line: milliseconds, or
// microseconds below one millisecond.
func roundElapsed(d time.Duration) time.Duration {
	if d < time.Millisecond {
		return d.Round(time.Microsecond)
	}
	return d.Round(time.Millisecond)
}
