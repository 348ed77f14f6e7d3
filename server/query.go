package server

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"

	"github.com/edfi-dmsc/dmsc/runtime"
)

// maxPageLimit is the largest `limit` a query accepts (as in Ed-Fi).
const maxPageLimit = 500

// Paging query parameters; every other parameter is a query field filter.
const (
	paramOffset     = "offset"
	paramLimit      = "limit"
	paramTotalCount = "totalCount"
	paramAfter      = "after"
)

// parseQuery turns the query parameters of GET /data/{project}/{resource}
// into query options, or returns a 400 problem. Filters are sorted by name
// (then by position) so that equal URLs give equal options.
func parseQuery(v url.Values) (runtime.QueryOptions, *Problem) {
	var q runtime.QueryOptions
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		vals := v[name]
		switch name {
		case paramOffset, paramLimit, paramTotalCount, paramAfter:
			if len(vals) != 1 {
				return q, badRequest(fmt.Sprintf("query parameter %q is given %d times", name, len(vals)))
			}
		}
		val := vals[0]
		switch name {
		case paramOffset:
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return q, badRequest(fmt.Sprintf("offset %q: want a non-negative integer", val))
			}
			q.Offset = n
		case paramLimit:
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 || n > maxPageLimit {
				return q, badRequest(fmt.Sprintf("limit %q: want an integer from 1 to %d", val, maxPageLimit))
			}
			q.Limit = n
		case paramTotalCount:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return q, badRequest(fmt.Sprintf("totalCount %q: want true or false", val))
			}
			q.TotalCount = b
		case paramAfter:
			if val == "" {
				return q, badRequest("after: want the Next-Cursor value of the previous page")
			}
			q.After = val
		default:
			for _, val := range vals {
				q.Filters = append(q.Filters, runtime.Filter{Name: name, Value: val})
			}
		}
	}
	return q, nil
}
