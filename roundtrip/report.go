package roundtrip

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Report sums up a load: the `dmsc roundtrip --format json` output (keys in
// this order).
type Report struct {
	Loaded     int               `json:"loaded"`
	Equal      int               `json:"equal"`
	Mismatched int               `json:"mismatched"`
	Rejected   int               `json:"rejected"`
	Resources  map[string]Counts `json:"resources"`
	Mismatches []Mismatch        `json:"mismatches"`
	Rejections []Rejection       `json:"rejections"`
	// Order lists the Resources keys in load order, then the rejected
	// directories.
	Order []string `json:"-"`
	// Pruned lists, per file, the paths the write pruned.
	Pruned map[string][]string `json:"-"`
}

// Counts counts the documents of one resource (or one rejected
// directory).
type Counts struct {
	Loaded     int `json:"loaded"`
	Equal      int `json:"equal"`
	Mismatched int `json:"mismatched"`
	Rejected   int `json:"rejected"`
}

// Mismatch is a document that loaded but read back differently.
type Mismatch struct {
	File string   `json:"file"`
	Diff []string `json:"diff"`
}

// Rejection is a document (or directory) that could not be loaded.
type Rejection struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

// Report sums up the outcomes; mismatches and rejections are sorted by
// file.
func (res *Result) Report() *Report {
	r := &Report{Resources: map[string]Counts{}, Mismatches: []Mismatch{}, Rejections: []Rejection{}, Pruned: map[string][]string{}}
	for _, rd := range res.Set.Resources {
		var c Counts
		for _, d := range rd.Documents {
			out, ok := res.Outcomes[d.File]
			switch {
			case !ok:
				continue
			case !out.Loaded:
				c.Rejected++
				r.Rejections = append(r.Rejections, Rejection{File: d.File, Error: out.Err})
			case len(out.Diff) > 0:
				c.Loaded++
				c.Mismatched++
				r.Mismatches = append(r.Mismatches, Mismatch{File: d.File, Diff: out.Diff})
			default:
				c.Loaded++
				c.Equal++
			}
			if len(out.Pruned) > 0 {
				r.Pruned[d.File] = out.Pruned
			}
		}
		r.add(rd.Key, c)
	}
	for _, rej := range res.Set.Rejections {
		r.Rejections = append(r.Rejections, rej)
		r.add(rej.File, Counts{Rejected: 1})
	}
	sort.Slice(r.Mismatches, func(i, j int) bool { return r.Mismatches[i].File < r.Mismatches[j].File })
	sort.Slice(r.Rejections, func(i, j int) bool { return r.Rejections[i].File < r.Rejections[j].File })
	return r
}

// add records one resource's counts in the totals.
func (r *Report) add(key string, c Counts) {
	r.Resources[key] = c
	r.Order = append(r.Order, key)
	r.Loaded += c.Loaded
	r.Equal += c.Equal
	r.Mismatched += c.Mismatched
	r.Rejected += c.Rejected
}

// Verdict is the load's result: an error when a document mismatched, or
// with strict when one was rejected.
func (r *Report) Verdict(strict bool) error {
	var problems []string
	if r.Mismatched > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d loaded documents read back differently", r.Mismatched, r.Loaded))
	}
	if strict && r.Rejected > 0 {
		problems = append(problems, fmt.Sprintf("%d documents rejected (--strict)", r.Rejected))
	}
	if len(problems) == 0 {
		return nil
	}
	return errors.New("roundtrip: " + strings.Join(problems, "; "))
}
