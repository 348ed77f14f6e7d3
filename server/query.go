package server

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// Paging query parameters; every other parameter is a query field filter.
const (
	paramOffset     = "offset"
	paramLimit      = "limit"
	paramTotalCount = "totalCount"
	paramAfter      = "after"
)

// parseQuery turns the raw query string of GET /data/{project}/{resource}
// into query options, or returns a 400 problem. It is strict: a ';', a bad
// %-escape or an empty name is an error naming the parameter (never a
// parameter silently dropped, which would widen the answer), and so are
// more than maxParams parameters or maxFilters filters. Empty parts
// ("a=1&&b=2", a trailing "&") are ignored. Filters are sorted by name
// (then by position) so that equal URLs give equal options; the store
// refuses unknown query fields and a field given twice.
func parseQuery(raw string, maxParams, maxFilters int) (relstore.QueryOptions, *Problem) {
	var q relstore.QueryOptions
	type param struct{ name, value string }
	var params []param
	for rest := raw; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "&")
		if part == "" {
			continue
		}
		if len(params) == maxParams {
			return q, badRequest(fmt.Sprintf("the query string has more than %d parameters", maxParams))
		}
		rawName, rawValue, _ := strings.Cut(part, "=")
		if strings.ContainsRune(part, ';') {
			return q, badRequest(fmt.Sprintf("query parameter %s: a ';' must be escaped as %%3B (parameters are separated by '&' only)", quoteName(rawName)))
		}
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return q, badRequest(fmt.Sprintf("query parameter %s: its name is not validly %%-escaped", quoteName(rawName)))
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return q, badRequest(fmt.Sprintf("query parameter %s: its value is not validly %%-escaped", quoteName(name)))
		}
		if name == "" {
			return q, badRequest("a query parameter has an empty name")
		}
		params = append(params, param{name, value})
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].name < params[j].name })
	seen := map[string]bool{}
	for _, p := range params {
		switch p.name {
		case paramOffset, paramLimit, paramTotalCount, paramAfter:
			if seen[p.name] {
				return q, badRequest(fmt.Sprintf("query parameter %q is given more than once", p.name))
			}
			seen[p.name] = true
		}
		val := p.value
		switch p.name {
		case paramOffset:
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return q, badRequest(fmt.Sprintf("offset %s: want a non-negative integer", quoteName(val)))
			}
			q.Offset = n
		case paramLimit:
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > relstore.MaxLimit {
				return q, badRequest(fmt.Sprintf("limit %s: want an integer from 1 to %d", quoteName(val), relstore.MaxLimit))
			}
			q.Limit = n
		case paramTotalCount:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return q, badRequest(fmt.Sprintf("totalCount %s: want true or false", quoteName(val)))
			}
			q.TotalCount = b
		case paramAfter:
			if val == "" {
				return q, badRequest("after: want the Next-Cursor value of the previous page")
			}
			q.After = val
		default:
			if len(q.Filters) == maxFilters {
				return q, badRequest(fmt.Sprintf("the query has more than %d filters", maxFilters))
			}
			q.Filters = append(q.Filters, relstore.Filter{Name: p.name, Value: val})
		}
	}
	if seen[paramOffset] && seen[paramAfter] {
		return q, badRequest("offset and after cannot be combined: page by offset/limit or by the Next-Cursor, not both")
	}
	return q, nil
}

// quoteName quotes a client-supplied name for a problem detail, cut to
// 64 bytes.
func quoteName(s string) string {
	return strconv.Quote(clip(s, 64))
}
