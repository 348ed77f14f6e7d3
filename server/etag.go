package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// entityTag is one element of an If-Match or If-None-Match list.
type entityTag struct {
	value string
	weak  bool
}

// etagCondition is a parsed If-Match or If-None-Match header: "*" or a
// list of entity tags.
type etagCondition struct {
	any  bool
	tags []entityTag
}

// neverMatches is the If-Match value given to the store when no tag of the
// header can match (an empty tag, only weak tags): not a decimal number,
// so the store answers 412 for an existing document and 404 otherwise.
const neverMatches = "!none"

// quoteETag renders an ETag header value.
func quoteETag(etag string) string { return `"` + etag + `"` }

// parseIfMatch parses the If-Match header: nil when absent, a 400 problem
// when present but not an entity tag list.
func parseIfMatch(h http.Header) (*etagCondition, *Problem) {
	return parseETagHeader(h, "If-Match")
}

// parseETagHeader parses header name (every line of it) as "*" or a
// comma-separated list of entity tags: "x", W/"x", or, for clients that
// send the _etag value as is, a bare token x (a strong tag). A header that
// is present must hold at least one tag; anything else is a 400.
func parseETagHeader(h http.Header, name string) (*etagCondition, *Problem) {
	lines, present := h[http.CanonicalHeaderKey(name)]
	if !present {
		return nil, nil
	}
	bad := func(why string) (*etagCondition, *Problem) {
		return nil, badRequest(fmt.Sprintf("%s %q: %s; want *, or entity tags such as \"123\" separated by commas", name, clip(strings.Join(lines, ", "), 128), why))
	}
	c := &etagCondition{}
	for _, line := range lines {
		s := line
		for {
			s = strings.TrimLeft(s, " \t")
			if s == "" {
				break
			}
			if s[0] == ',' {
				s = s[1:]
				continue
			}
			var t entityTag
			if s[0] == '*' {
				c.any = true
				s = s[1:]
			} else {
				if strings.HasPrefix(s, "W/") {
					t.weak = true
					s = s[2:]
					if s == "" || s[0] != '"' {
						return bad("a weak tag must be quoted")
					}
				}
				if s[0] == '"' {
					end := strings.IndexByte(s[1:], '"')
					if end < 0 {
						return bad("an unterminated quote")
					}
					t.value, s = s[1:end+1], s[end+2:]
				} else {
					end := strings.IndexAny(s, ", \t")
					if end < 0 {
						end = len(s)
					}
					t.value, s = s[:end], s[end:]
				}
				if !etagChars(t.value) {
					return bad("characters an entity tag cannot hold")
				}
				c.tags = append(c.tags, t)
			}
			s = strings.TrimLeft(s, " \t")
			if s != "" && s[0] != ',' {
				return bad("tags must be separated by commas")
			}
		}
	}
	switch {
	case !c.any && len(c.tags) == 0:
		return bad("no entity tag")
	case c.any && len(c.tags) > 0:
		return bad("* cannot be combined with tags")
	}
	return c, nil
}

// etagChars reports whether s holds only etagc characters (RFC 9110:
// visible ASCII except the double quote, or obs-text).
func etagChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c < 0x21 || c == 0x7f {
			return false
		}
	}
	return true
}

// matchesStrong reports whether the condition holds for a document whose
// ETag is etag, by strong comparison (If-Match, RFC 9110 §13.1.1): "*"
// matches, a weak tag never does.
func (c *etagCondition) matchesStrong(etag string) bool {
	if c.any {
		return true
	}
	for _, t := range c.tags {
		if !t.weak && t.value == etag {
			return true
		}
	}
	return false
}

// matchesWeak reports whether the condition holds by weak comparison
// (If-None-Match, RFC 9110 §13.1.2).
func (c *etagCondition) matchesWeak(etag string) bool {
	if c.any {
		return true
	}
	for _, t := range c.tags {
		if t.value == etag {
			return true
		}
	}
	return false
}

// resolveIfMatch turns an If-Match condition into the store's ifMatch
// argument, which the store checks atomically with the write: "" for no
// header or "*" (the store still answers 404 for a missing document), the
// one strong tag, or neverMatches when no tag can match. For a list of
// several strong tags the document is read first and the tag it matches,
// if any, is passed on.
func (h *handler) resolveIfMatch(ctx context.Context, rt route, id string, c *etagCondition) (string, error) {
	if c == nil || c.any {
		return "", nil
	}
	var strong []string
	for _, t := range c.tags {
		if !t.weak && t.value != "" {
			strong = append(strong, t.value)
		}
	}
	switch len(strong) {
	case 0:
		return neverMatches, nil
	case 1:
		return strong[0], nil
	}
	doc, err := h.st.Get(ctx, rt.project, rt.resource, id)
	if err != nil {
		return "", err
	}
	for _, s := range strong {
		if s == doc.ETag {
			return s, nil
		}
	}
	return neverMatches, nil
}

// refuseConditions returns a 400 problem when the request holds one of
// the conditional headers names, which the request's method cannot honour
// here (ignoring a condition would do what the client asked not to).
func refuseConditions(r *http.Request, names ...string) *Problem {
	for _, name := range names {
		if _, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			what := "a collection"
			switch {
			case !strings.HasPrefix(r.URL.Path, dataPrefix):
				what = clip(r.URL.Path, 64)
			case r.Method == http.MethodPost:
				what = "POST (use PUT on the document's id)"
			case r.Method == http.MethodPut || r.Method == http.MethodDelete:
				what = r.Method
			}
			return badRequest(fmt.Sprintf("%s is not supported on %s", name, what))
		}
	}
	return nil
}
