package datadict

import (
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/jsonpath"
)

// describer finds the ApiSchema `description` of schema nodes. apischema
// keeps no descriptions in its parsed nodes, but every node records its
// file and JSONPath, and every project keeps its decoded JSON (Raw) with
// the JSONPath of that object in its file (Base): the description is read
// from there. Nodes grafted from an extension's file are found in the
// extension project's JSON.
type describer struct {
	// projects are the set's projects, sorted by file then endpoint (the
	// first of a file wins; a schema set has one project per file).
	projects []*apischema.Project
}

// newDescriber indexes the projects of set by file.
func newDescriber(set *apischema.Set) *describer {
	d := &describer{projects: append([]*apischema.Project(nil), set.Projects...)}
	sort.SliceStable(d.projects, func(i, j int) bool {
		a, b := d.projects[i], d.projects[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.EndpointName < b.EndpointName
	})
	return d
}

// node returns the description of schema node n, or "".
func (d *describer) node(n *apischema.Node) string {
	if n == nil {
		return ""
	}
	for _, p := range d.projects {
		if p.File != n.File {
			continue
		}
		rest, ok := strings.CutPrefix(n.Path, p.Base)
		if !ok || (rest != "" && rest[0] != '.' && rest[0] != '[') {
			return ""
		}
		obj, ok := follow(p.Raw, rest).(map[string]any)
		if !ok {
			return ""
		}
		s, _ := obj["description"].(string)
		return strings.Join(strings.Fields(s), " ")
	}
	return ""
}

// at returns the description of the schema node that describes the
// document location p in the resource schema root, or "".
func (d *describer) at(root *apischema.Node, p jsonpath.Path) string {
	return d.node(nodeAt(root, p))
}

// nodeAt follows a document path through a schema: a property step to the
// property's node, `[*]` to the array's items. It returns nil when the
// schema has no such location.
func nodeAt(root *apischema.Node, p jsonpath.Path) *apischema.Node {
	n := root
	for _, s := range p.Segments() {
		if n == nil {
			return nil
		}
		if s.Wildcard {
			n = n.Items
		} else {
			n = n.Prop(s.Name)
		}
	}
	return n
}

// follow walks a decoded JSON value along a location written the way
// apischema writes node paths after the project's base: `.name` steps,
// `['quoted name']` steps (a `\'` inside is a quote) and `[index]` steps.
// It returns nil when the location is malformed or absent.
func follow(v any, loc string) any {
	for loc != "" {
		var key string
		index := -1
		switch {
		case loc[0] == '.':
			end := strings.IndexAny(loc[1:], ".[")
			if end < 0 {
				end = len(loc) - 1
			}
			key, loc = loc[1:1+end], loc[1+end:]
		case strings.HasPrefix(loc, "['"):
			var b strings.Builder
			i := 2
			for ; i < len(loc) && !strings.HasPrefix(loc[i:], "']"); i++ {
				if loc[i] == '\\' && i+1 < len(loc) && loc[i+1] == '\'' {
					i++
				}
				b.WriteByte(loc[i])
			}
			if i >= len(loc) {
				return nil
			}
			key, loc = b.String(), loc[i+2:]
		case loc[0] == '[':
			end := strings.IndexByte(loc, ']')
			if end < 0 {
				return nil
			}
			n, err := strconv.Atoi(loc[1:end])
			if err != nil || n < 0 {
				return nil
			}
			index, loc = n, loc[end+1:]
		default:
			return nil
		}
		if index >= 0 {
			arr, ok := v.([]any)
			if !ok || index >= len(arr) {
				return nil
			}
			v = arr[index]
			continue
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		if v, ok = obj[key]; !ok {
			return nil
		}
	}
	return v
}
