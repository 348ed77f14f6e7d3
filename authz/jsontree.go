package authz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// jkind is the JSON type of a jnode.
type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// String names the kind as messages do ("an object", …).
func (k jkind) String() string {
	switch k {
	case jBool:
		return "a boolean"
	case jNumber:
		return "a number"
	case jString:
		return "a string"
	case jArray:
		return "an array"
	case jObject:
		return "an object"
	}
	return "null"
}

// jnode is one decoded JSON value that keeps object members in file order
// (encoding/json's maps lose the order and silently merge duplicate keys).
type jnode struct {
	kind  jkind
	str   string // jString
	b     bool   // jBool
	keys  []string
	vals  []*jnode // jObject members, parallel to keys
	elems []*jnode // jArray
}

// member returns the value of key in an object, or nil.
func (n *jnode) member(key string) *jnode {
	for i, k := range n.keys {
		if k == key {
			return n.vals[i]
		}
	}
	return nil
}

// maxJSONDepth bounds the nesting of a claims file (the claim hierarchy of
// upstream DMS is four levels deep; each level adds a few JSON levels).
const maxJSONDepth = 256

// jsonProblem is a structural problem found while decoding (a duplicate
// key): decoding goes on, the caller reports it.
type jsonProblem struct {
	path, msg string
}

// decodeTree decodes data into a jnode tree. A syntax error is returned as
// an error naming the line and column; duplicate keys are collected in
// problems (the later value is kept).
func decodeTree(data []byte) (*jnode, []jsonProblem, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	d := &treeDecoder{dec: dec, data: data}
	root, err := d.value("$", 0)
	if err != nil {
		return nil, nil, d.locate(err)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, nil, d.locate(err)
		}
		for end < int64(len(data)) && strings.IndexByte(" \t\r\n", data[end]) >= 0 {
			end++
		}
		return nil, nil, d.at(errors.New("unexpected data after the top-level value"), end)
	}
	return root, d.problems, nil
}

type treeDecoder struct {
	dec      *json.Decoder
	data     []byte
	problems []jsonProblem
}

func (d *treeDecoder) value(path string, depth int) (*jnode, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels", maxJSONDepth)
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: jObject}
			seen := map[string]bool{}
			for d.dec.More() {
				kt, err := d.dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				p := keyPath(path, key)
				v, err := d.value(p, depth+1)
				if err != nil {
					return nil, err
				}
				if seen[key] {
					d.problems = append(d.problems, jsonProblem{p, fmt.Sprintf("key %q appears more than once in the object", key)})
					for i, k := range n.keys {
						if k == key {
							n.vals[i] = v
						}
					}
					continue
				}
				seen[key] = true
				n.keys = append(n.keys, key)
				n.vals = append(n.vals, v)
			}
			if _, err := d.dec.Token(); err != nil { // '}'
				return nil, err
			}
			return n, nil
		case '[':
			n := &jnode{kind: jArray}
			for d.dec.More() {
				v, err := d.value(indexPath(path, len(n.elems)), depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			if _, err := d.dec.Token(); err != nil { // ']'
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("unexpected %q", rune(t))
	case string:
		return &jnode{kind: jString, str: t}, nil
	case json.Number:
		return &jnode{kind: jNumber, str: t.String()}, nil
	case bool:
		return &jnode{kind: jBool, b: t}, nil
	case nil:
		return &jnode{kind: jNull}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// locate adds the line and column of a syntax error's offending byte (or
// the decoder's position, or the end of input) to err.
func (d *treeDecoder) locate(err error) error {
	off := d.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err, off = errors.New("unexpected end of input"), int64(len(d.data))
	}
	return d.at(err, off)
}

// at adds the line and the 1-based column of data[off] to err.
func (d *treeDecoder) at(err error, off int64) error {
	if off > int64(len(d.data)) {
		off = int64(len(d.data))
	}
	if off < 0 {
		off = 0
	}
	line := 1 + bytes.Count(d.data[:off], []byte{'\n'})
	col := int(off) - bytes.LastIndexByte(d.data[:off], '\n')
	return fmt.Errorf("%s (line %d, column %d)", err, line, col)
}

// keyPath appends an object key to a JSONPath: `.key` for plain names,
// else `['key']`.
func keyPath(base, key string) string {
	plain := key != ""
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	if plain {
		return base + "." + key
	}
	return base + "['" + strings.ReplaceAll(strings.ReplaceAll(key, `\`, `\\`), "'", `\'`) + "']"
}

// indexPath appends an array index to a JSONPath.
func indexPath(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }
