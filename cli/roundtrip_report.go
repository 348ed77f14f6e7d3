package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// roundtripReport is the result of `dmsc roundtrip`, also its --format json
// output (keys in this order).
type roundtripReport struct {
	Loaded     int                 `json:"loaded"`
	Equal      int                 `json:"equal"`
	Mismatched int                 `json:"mismatched"`
	Rejected   int                 `json:"rejected"`
	Resources  map[string]rtCounts `json:"resources"`
	Mismatches []rtMismatch        `json:"mismatches"`
	Rejections []rtRejection       `json:"rejections"`
	// order lists the Resources keys in load order, then the rejected
	// directories.
	order []string
}

// rtCounts counts the documents of one resource (or one rejected
// directory).
type rtCounts struct {
	Loaded     int `json:"loaded"`
	Equal      int `json:"equal"`
	Mismatched int `json:"mismatched"`
	Rejected   int `json:"rejected"`
}

// rtMismatch is a document that loaded but read back differently.
type rtMismatch struct {
	File string   `json:"file"`
	Diff []string `json:"diff"`
}

// rtRejection is a document (or directory) that could not be loaded.
type rtRejection struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// report sums up the outcomes; mismatches and rejections are sorted by
// file.
func (l *roundtripLoader) report() *roundtripReport {
	r := &roundtripReport{Resources: map[string]rtCounts{}, Mismatches: []rtMismatch{}, Rejections: []rtRejection{}}
	for _, rd := range l.set.resources {
		var c rtCounts
		for _, d := range rd.docs {
			out, ok := l.outcomes[d.file]
			switch {
			case !ok:
				continue
			case !out.loaded:
				c.Rejected++
				r.Rejections = append(r.Rejections, rtRejection{File: d.file, Error: out.err})
			case len(out.diff) > 0:
				c.Loaded++
				c.Mismatched++
				r.Mismatches = append(r.Mismatches, rtMismatch{File: d.file, Diff: out.diff})
			default:
				c.Loaded++
				c.Equal++
			}
		}
		r.add(rd.key, c)
	}
	for _, rej := range l.set.rejections {
		r.Rejections = append(r.Rejections, rej)
		r.add(rej.File, rtCounts{Rejected: 1})
	}
	sort.Slice(r.Mismatches, func(i, j int) bool { return r.Mismatches[i].File < r.Mismatches[j].File })
	sort.Slice(r.Rejections, func(i, j int) bool { return r.Rejections[i].File < r.Rejections[j].File })
	return r
}

// add records one resource's counts in the totals.
func (r *roundtripReport) add(key string, c rtCounts) {
	r.Resources[key] = c
	r.order = append(r.order, key)
	r.Loaded += c.Loaded
	r.Equal += c.Equal
	r.Mismatched += c.Mismatched
	r.Rejected += c.Rejected
}

// writeText prints the per-resource table, a total line, then each
// mismatch with its differences, each rejection with its reason and the
// properties the runtime pruned.
func (r *roundtripReport) writeText(w io.Writer, pruned map[string][]string) error {
	var b strings.Builder
	width := len("resource")
	for _, k := range r.order {
		width = max(width, len(k))
	}
	row := func(name string, c rtCounts) {
		fmt.Fprintf(&b, "%-*s  %6d  %6d  %10d  %8d\n", width, name, c.Loaded, c.Equal, c.Mismatched, c.Rejected)
	}
	fmt.Fprintf(&b, "%-*s  %6s  %6s  %10s  %8s\n", width, "resource", "loaded", "equal", "mismatched", "rejected")
	for _, k := range r.order {
		row(k, r.Resources[k])
	}
	row("total", rtCounts{Loaded: r.Loaded, Equal: r.Equal, Mismatched: r.Mismatched, Rejected: r.Rejected})
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
	files := make([]string, 0, len(pruned))
	for f := range pruned {
		files = append(files, f)
	}
	sort.Strings(files)
	if len(files) > 0 {
		b.WriteString("\n")
	}
	for _, f := range files {
		fmt.Fprintf(&b, "pruned: %s: %s\n", f, strings.Join(pruned[f], ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
