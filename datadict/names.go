package datadict

import (
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/model"
)

// IndexPage is the file name of the dictionary's entry page.
const IndexPage = "index.html"

// pageNames returns the base file name of each project's page and
// diagrams (without extension), in the order of projects: the endpoint
// name with characters other than ASCII letters, digits, `-`, `_` and `.`
// replaced by `-`, made unique case-insensitively (a `-2`, `-3`… suffix)
// and never "index".
func pageNames(projects []model.Project) []string {
	taken := map[string]bool{"index": true}
	out := make([]string, len(projects))
	for i, p := range projects {
		base := safeName(p.EndpointName)
		name := base
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = base + "-" + strconv.Itoa(n)
		}
		taken[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// safeName keeps ASCII letters, digits, `-`, `_` and `.` (not leading) of
// s and replaces anything else by `-`; it never returns "".
func safeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		case c == '.' && b.Len() > 0:
			b.WriteByte(c)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "project"
	}
	return b.String()
}

// tableAnchor is the element id of a table's (or view's) section.
func tableAnchor(qualified string) string { return "t-" + anchorText(qualified) }

// resourceAnchor is the element id of a resource's section on its
// project's page.
func resourceAnchor(name string) string { return "r-" + anchorText(name) }

// extensionAnchor is the element id of the section holding the extension
// tables of another project's resource.
func extensionAnchor(endpoint, name string) string {
	return "x-" + anchorText(endpoint) + "-" + anchorText(name)
}

// anchorText keeps the characters of s that need no escaping in a URL
// fragment (ASCII letters, digits, `-`, `_`, `.`) and replaces others by
// `_`.
func anchorText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// collapse replaces every run of white space in s by one space and trims
// the ends.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
