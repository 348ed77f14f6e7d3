package server

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/editdistance"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// descriptorQueryFields are the query fields relstore serves for every
// descriptor resource (relstore's own list; TestServeQueryFieldsMatchStore
// checks that the store accepts each), sorted.
var descriptorQueryFields = []string{"codeValue", "description", "effectiveBeginDate", "effectiveEndDate", "namespace", "shortDescription"}

// pagingParams are the query parameters that are not filters, in the
// order the problem details name them.
var pagingParams = []string{paramOffset, paramLimit, paramTotalCount, paramAfter}

// queryFieldNames returns the query field names of r, sorted: the
// manifest's (the compiler keeps only those on the root table, which the
// store serves), or the descriptor fields for a descriptor.
func queryFieldNames(r manifest.Resource) []string {
	if r.IsDescriptor || r.Storage == manifest.StorageDescriptor {
		return append([]string(nil), descriptorQueryFields...)
	}
	names := make([]string, 0, len(r.QueryFields))
	for _, qf := range r.QueryFields {
		names = append(names, qf.Name)
	}
	sort.Strings(names)
	return names
}

// checkQueryFields returns the 400 problem of the filters that are not
// query fields of rt (nil when every one is): the detail names them, with
// the closest query field or paging parameter when one is near, and lists
// the resource's query fields, which validQueryFields also holds. Filters
// are sorted by name (parseQuery), so each unknown name is listed once.
func checkQueryFields(rt route, filters []relstore.Filter) *Problem {
	var items []QueryFieldItem
	for _, f := range filters {
		if containsString(rt.queryFields, f.Name) || len(items) > 0 && items[len(items)-1].Path == f.Name {
			continue
		}
		item := QueryFieldItem{Path: f.Name, Message: "is not a query field of " + rt.name}
		if s := suggestName(f.Name, rt.queryFields, pagingParams); s != "" {
			item.Suggestion = s
			item.Message += fmt.Sprintf("; did you mean %q?", s)
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return nil
	}
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteName(it.Path))
		if it.Suggestion != "" {
			fmt.Fprintf(&b, " (did you mean %q?)", it.Suggestion)
		}
	}
	if len(items) == 1 {
		b.WriteString(" is not a query field of ")
	} else {
		b.WriteString(" are not query fields of ")
	}
	b.WriteString(rt.name)
	if len(rt.queryFields) == 0 {
		fmt.Fprintf(&b, "; %s has no query fields", rt.name)
	} else {
		fmt.Fprintf(&b, "; its query fields are %s", strings.Join(rt.queryFields, ", "))
	}
	fmt.Fprintf(&b, "; the paging parameters are %s", strings.Join(pagingParams, ", "))
	p := newProblem(http.StatusBadRequest, TypeValidation, "Data Validation Failed", b.String())
	p.ValidationErrors = items
	p.ValidQueryFields = append([]string{}, rt.queryFields...)
	return p
}

// containsString reports whether list holds s.
func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maxSuggestDistance is the largest edit distance (ignoring case) at
// which a name is suggested; names of up to four characters must be
// within 1.
const maxSuggestDistance = 2

// suggestName returns the candidate (from the lists, in order) closest to
// name by edit distance ignoring case, when within maxSuggestDistance and
// not name itself; "" otherwise. The first of equally close candidates
// wins.
func suggestName(name string, lists ...[]string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", maxSuggestDistance+1
	for _, list := range lists {
		for _, c := range list {
			if c == name {
				continue
			}
			limit := maxSuggestDistance
			if len(c) <= 4 {
				limit = 1
			}
			limit = min(limit, bestDist-1)
			if d, ok := editdistance.Within(lower, strings.ToLower(c), limit); ok {
				best, bestDist = c, d
			}
		}
	}
	return best
}
