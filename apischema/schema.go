package apischema

import (
	"encoding/json"
	"sort"
)

// unsupportedKeywords are JSON-schema keywords the relational mapping cannot
// follow; a node using one is rejected rather than mapped partially.
var unsupportedKeywords = []string{"$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "patternProperties", "prefixItems", "dependentSchemas"}

var knownTypes = map[string]bool{"object": true, "array": true, "string": true, "integer": true, "number": true, "boolean": true}

// node parses a jsonSchemaForInsert node (or a schema fragment) at path.
func (r *reader) node(raw any, path string) *Node {
	m, ok := r.obj(raw, path)
	if !ok {
		return nil
	}
	n := &Node{Path: path, File: r.file}
	unsupported := false
	for _, kw := range unsupportedKeywords {
		if _, ok := m[kw]; ok {
			r.diags.Errorf(r.file, keyPath(path, kw), CodeUnsupportedSchema, "JSON-schema keyword %q is not supported by the relational mapping", kw)
			unsupported = true
		}
	}
	if unsupported {
		return nil
	}
	if tv, ok := m["type"]; ok {
		s, ok := tv.(string)
		if !ok {
			r.wrongType(keyPath(path, "type"), "string", tv)
			return nil
		}
		if !knownTypes[s] {
			r.diags.Errorf(r.file, keyPath(path, "type"), CodeUnsupportedSchema, "unsupported type %q (expected object, array, string, integer, number or boolean)", s)
			return nil
		}
		n.Type = s
	} else {
		switch {
		case m["properties"] != nil:
			n.Type = "object"
		case m["items"] != nil:
			n.Type = "array"
		default:
			r.diags.Errorf(r.file, path, CodeMissingKey, "schema node has no \"type\"")
			return nil
		}
	}
	n.Format = r.str(m, path, "format", false)
	switch n.Type {
	case "object":
		r.objectNode(n, m, path)
	case "array":
		n.MinItems, _ = r.integer(m, path, "minItems", false)
		if it, ok := r.field(m, path, "items", true); ok {
			n.Items = r.node(it, keyPath(path, "items"))
		}
	case "string":
		if v, ok := r.integer(m, path, "maxLength", false); ok {
			n.MaxLength, n.HasMaxLength = v, true
		}
		n.MinLength, _ = r.integer(m, path, "minLength", false)
		n.Pattern = r.str(m, path, "pattern", false)
		n.Enum = r.strings(m, path, "enum", false)
	case "integer", "number":
		n.Minimum = r.number(m, path, "minimum")
		n.Maximum = r.number(m, path, "maximum")
	}
	return n
}

func (r *reader) number(m map[string]any, path, key string) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	num, ok := v.(json.Number)
	if !ok {
		r.wrongType(keyPath(path, key), "number", v)
		return ""
	}
	return string(num)
}

func (r *reader) objectNode(n *Node, m map[string]any, path string) {
	if props, ok := r.object(m, path, "properties", false); ok {
		pb := keyPath(path, "properties")
		for _, name := range sortedKeys(props) {
			if child := r.node(props[name], keyPath(pb, name)); child != nil {
				n.Properties = append(n.Properties, &Property{Name: name, Node: child})
			}
		}
	}
	req := r.strings(m, path, "required", false)
	sort.Strings(req)
	for i, name := range req {
		if i > 0 && req[i-1] == name {
			continue
		}
		if n.Prop(name) == nil {
			// Judged once the node's place is known (see checkRequired).
			n.undeclared = append(n.undeclared, name)
			continue
		}
		n.Required = append(n.Required, name)
	}
}
