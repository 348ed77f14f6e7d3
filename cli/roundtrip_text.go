package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/roundtrip"
)

// writeRoundtripText prints the per-resource table, a total line, then
// each mismatch with its differences, each rejection with its reason and
// the properties the runtime pruned.
func writeRoundtripText(w io.Writer, r *roundtrip.Report) error {
	var b strings.Builder
	width := len("resource")
	for _, k := range r.Order {
		width = max(width, len(k))
	}
	row := func(name string, c roundtrip.Counts) {
		fmt.Fprintf(&b, "%-*s  %6d  %6d  %10d  %8d\n", width, name, c.Loaded, c.Equal, c.Mismatched, c.Rejected)
	}
	fmt.Fprintf(&b, "%-*s  %6s  %6s  %10s  %8s\n", width, "resource", "loaded", "equal", "mismatched", "rejected")
	for _, k := range r.Order {
		row(k, r.Resources[k])
	}
	row("total", roundtrip.Counts{Loaded: r.Loaded, Equal: r.Equal, Mismatched: r.Mismatched, Rejected: r.Rejected})
	for _, m := range r.Mismatches {
		fmt.Fprintf(&b, "\nmismatch: %s\n", m.File)
		for _, d := range m.Diff {
			fmt.Fprintf(&b, "  %s\n", d)
		}
	}
	if len(r.Rejections) > 0 {
		b.WriteString("\n")
	}
	for _, rej := range r.Rejections {
		fmt.Fprintf(&b, "rejected: %s: %s\n", rej.File, rej.Error)
	}
	files := make([]string, 0, len(r.Pruned))
	for f := range r.Pruned {
		files = append(files, f)
	}
	sort.Strings(files)
	if len(files) > 0 {
		b.WriteString("\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "pruned: %s: %s\n", f, strings.Join(r.Pruned[f], ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
