package migratebench

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// keyKind is how a clone rewrites the values of one property name.
type keyKind int

const (
	// kindKeep leaves the value alone: descriptor URIs (descriptors are
	// shared by every copy), dates and times, years and other integers.
	kindKeep keyKind = iota
	// kindSuffix appends "-cNNN" to a string (identifiers, names, codes).
	kindSuffix
	// kindIntID maps an integer id (EducationOrganization ids) to a new
	// id of the same range: below 2^31 to a fresh 32-bit id, above it to
	// another id above it (such documents stay rejected).
	kindIntID
)

// Request is one request body of the corpus's load order.
type Request struct {
	// Rel is the path load-order.json names (ds-5.0/ed-fi/schools/001.json).
	Rel string
	// File is the path under a copy: projectEndpoint/endpoint/file.
	File string
	// Shared requests (descriptors and SchoolYearTypes) are loaded once, by
	// copy 0: every copy references the same descriptors.
	Shared bool
	raw    []byte
	body   any
}

// Corpus is the DS 5.0 fixture corpus as a legacy store's request stream:
// the requests of load-order.json in order (updates are later requests
// with the same identity), and how a copy rewrites each property name.
type Corpus struct {
	Requests []Request
	kinds    map[string]keyKind
	// ids are the distinct integer ids below 2^31 under kindIntID names,
	// sorted; idIndex maps each to its position.
	ids     []int64
	idIndex map[int64]int
}

// Copy 0 is the corpus unchanged; copy k ≥ 1 maps every 32-bit id v to
// idBase + (k-1)·len(ids) + index(v), which stays below 2^31 and above
// every original id.
const idBase = 1_900_000_000

// MaxCopies bounds the copies of a corpus (the suffix has three digits and
// ids above 2^31 are multiplied by 1000).
const MaxCopies = 999

// apiSchema is what the generator reads of a DS 5.0 ApiSchema.json.
type apiSchema struct {
	ProjectSchemas map[string]struct {
		ResourceSchemas map[string]resourceSchema `json:"resourceSchemas"`
	} `json:"projectSchemas"`
	ProjectSchema *struct {
		ResourceSchemas map[string]resourceSchema `json:"resourceSchemas"`
	} `json:"projectSchema"`
}

type resourceSchema struct {
	IsDescriptor            bool                   `json:"isDescriptor"`
	IsSchoolYearEnumeration bool                   `json:"isSchoolYearEnumeration"`
	IdentityJSONPaths       []string               `json:"identityJsonPaths"`
	DocumentPathsMapping    map[string]pathMapping `json:"documentPathsMapping"`
	JSONSchemaForInsert     json.RawMessage        `json:"jsonSchemaForInsert"`
}

type pathMapping struct {
	IsReference        bool `json:"isReference"`
	IsDescriptor       bool `json:"isDescriptor"`
	ReferenceJSONPaths []struct {
		IdentityJSONPath  string `json:"identityJsonPath"`
		ReferenceJSONPath string `json:"referenceJsonPath"`
	} `json:"referenceJsonPaths"`
}

// lastSegment is the property name a JSON path ends in.
func lastSegment(p string) string {
	p = p[strings.LastIndex(p, ".")+1:]
	return strings.TrimSuffix(p, "[*]")
}

// LoadCorpus reads the ApiSchema (the DS 5.0 shape or the current one),
// the documents directory and load-order.json (its "order" list), and
// derives the rewrite: every property name that is the last segment of an
// identity path or of a reference path gets a kind from its JSON schema
// type. It fails when a reference and the identity it points at would be
// rewritten differently, or when a resource that is not shared has no
// rewritten identity part (its copies would collide).
func LoadCorpus(apiSchemaFile, documentsDir, orderFile string) (*Corpus, error) {
	data, err := os.ReadFile(apiSchemaFile)
	if err != nil {
		return nil, err
	}
	var api apiSchema
	if err := json.Unmarshal(data, &api); err != nil {
		return nil, fmt.Errorf("%s: %w", apiSchemaFile, err)
	}
	resources := map[string]resourceSchema{}
	add := func(m map[string]resourceSchema) {
		for ep, rs := range m {
			resources[ep] = rs
		}
	}
	for _, ps := range api.ProjectSchemas {
		add(ps.ResourceSchemas)
	}
	if api.ProjectSchema != nil {
		add(api.ProjectSchema.ResourceSchemas)
	}
	types := map[string]map[string]bool{} // property name → JSON schema "type/format"
	names := map[string]bool{}
	type pair struct{ site, target string }
	var pairs []pair
	endpoints := make([]string, 0, len(resources))
	for ep := range resources {
		endpoints = append(endpoints, ep)
	}
	sort.Strings(endpoints)
	for _, ep := range endpoints {
		rs := resources[ep]
		for _, p := range rs.IdentityJSONPaths {
			names[lastSegment(p)] = true
		}
		for _, dp := range rs.DocumentPathsMapping {
			if !dp.IsReference || dp.IsDescriptor {
				continue
			}
			for _, r := range dp.ReferenceJSONPaths {
				s, t := lastSegment(r.ReferenceJSONPath), lastSegment(r.IdentityJSONPath)
				names[s], names[t] = true, true
				pairs = append(pairs, pair{s, t})
			}
		}
		var schema any
		if len(rs.JSONSchemaForInsert) > 0 {
			if err := json.Unmarshal(rs.JSONSchemaForInsert, &schema); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", apiSchemaFile, ep, err)
			}
		}
		collectTypes(schema, types)
	}
	c := &Corpus{kinds: map[string]keyKind{}, idIndex: map[int64]int{}}
	for name := range names {
		k, err := kindOf(name, types[name])
		if err != nil {
			return nil, err
		}
		c.kinds[name] = k
	}
	for _, p := range pairs {
		if c.kinds[p.site] != c.kinds[p.target] {
			return nil, fmt.Errorf("reference property %s and identity property %s would be rewritten differently", p.site, p.target)
		}
	}
	for _, ep := range endpoints {
		rs := resources[ep]
		if rs.IsDescriptor || rs.IsSchoolYearEnumeration {
			continue
		}
		rewritten := false
		for _, p := range rs.IdentityJSONPaths {
			rewritten = rewritten || c.kinds[lastSegment(p)] != kindKeep
		}
		if !rewritten {
			return nil, fmt.Errorf("resource %s: no identity part is rewritten, its copies would collide", ep)
		}
	}

	order, err := os.ReadFile(orderFile)
	if err != nil {
		return nil, err
	}
	var lo struct {
		Order []string `json:"order"`
	}
	if err := json.Unmarshal(order, &lo); err != nil {
		return nil, fmt.Errorf("%s: %w", orderFile, err)
	}
	ids := map[int64]bool{}
	for _, rel := range lo.Order {
		parts := strings.Split(rel, "/")
		if len(parts) < 3 {
			return nil, fmt.Errorf("%s: %q is not schema/project/endpoint/file", orderFile, rel)
		}
		endpoint := parts[len(parts)-2]
		rs, ok := resources[endpoint]
		if !ok {
			return nil, fmt.Errorf("%s: %s: no resource %s", orderFile, rel, endpoint)
		}
		raw, err := os.ReadFile(filepath.Join(documentsDir, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var body any
		if err := dec.Decode(&body); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		if err := c.collectIDs(body, ids); err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		c.Requests = append(c.Requests, Request{Rel: rel, File: path.Join(parts[len(parts)-3:]...),
			Shared: rs.IsDescriptor || rs.IsSchoolYearEnumeration, raw: raw, body: body})
	}
	for v := range ids {
		c.ids = append(c.ids, v)
	}
	sort.Slice(c.ids, func(i, j int) bool { return c.ids[i] < c.ids[j] })
	for i, v := range c.ids {
		c.idIndex[v] = i
	}
	if c.ids[len(c.ids)-1] >= idBase || idBase+int64(MaxCopies)*int64(len(c.ids)) > math.MaxInt32 {
		return nil, fmt.Errorf("the corpus's ids do not fit the rewrite (largest %d, %d distinct)", c.ids[len(c.ids)-1], len(c.ids))
	}
	return c, nil
}

// collectTypes records the "type/format" of every property of a JSON
// schema by name.
func collectTypes(s any, types map[string]map[string]bool) {
	switch v := s.(type) {
	case map[string]any:
		if props, ok := v["properties"].(map[string]any); ok {
			for name, p := range props {
				pm, ok := p.(map[string]any)
				if !ok {
					continue
				}
				t, _ := pm["type"].(string)
				f, _ := pm["format"].(string)
				if t != "" && t != "object" && t != "array" {
					if types[name] == nil {
						types[name] = map[string]bool{}
					}
					types[name][t+"/"+f] = true
				}
			}
		}
		for _, x := range v {
			collectTypes(x, types)
		}
	case []any:
		for _, x := range v {
			collectTypes(x, types)
		}
	}
}

// kindOf decides how a property name is rewritten from its schema types.
func kindOf(name string, types map[string]bool) (keyKind, error) {
	if len(types) > 1 {
		ts := make([]string, 0, len(types))
		for t := range types {
			ts = append(ts, t)
		}
		sort.Strings(ts)
		return 0, fmt.Errorf("property %s has several types (%s): cannot rewrite it consistently", name, strings.Join(ts, ", "))
	}
	switch {
	case types["integer/"] && strings.HasSuffix(name, "Id"):
		return kindIntID, nil
	case types["string/"] && !strings.HasSuffix(name, "Descriptor"):
		return kindSuffix, nil
	}
	return kindKeep, nil
}

// collectIDs adds the 32-bit values under kindIntID names to ids.
func (c *Corpus) collectIDs(v any, ids map[int64]bool) error {
	return c.walk(v, func(k keyKind, x any) (any, error) {
		if k != kindIntID {
			return x, nil
		}
		n, err := intValue(x)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, fmt.Errorf("negative id %d", n)
		}
		if n <= math.MaxInt32 {
			ids[n] = true
		}
		return x, nil
	})
}

// intValue reads an integer JSON number.
func intValue(x any) (int64, error) {
	num, ok := x.(json.Number)
	if !ok {
		return 0, fmt.Errorf("id %v is not a number", x)
	}
	return strconv.ParseInt(num.String(), 10, 64)
}

// walk rewrites, in place, every scalar (or array element) under a
// property name of a kind, through f.
func (c *Corpus) walk(v any, f func(keyKind, any) (any, error)) error {
	switch t := v.(type) {
	case map[string]any:
		for name, x := range t {
			k, ok := c.kinds[name]
			switch xv := x.(type) {
			case map[string]any:
				if err := c.walk(xv, f); err != nil {
					return err
				}
			case []any:
				for i, e := range xv {
					if _, object := e.(map[string]any); !object && ok {
						y, err := f(k, e)
						if err != nil {
							return err
						}
						xv[i] = y
						continue
					}
					if err := c.walk(e, f); err != nil {
						return err
					}
				}
			case nil:
			default:
				if ok {
					y, err := f(k, x)
					if err != nil {
						return err
					}
					t[name] = y
				}
			}
		}
	case []any:
		for _, e := range t {
			if err := c.walk(e, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, x := range t {
			s[i] = deepCopy(x)
		}
		return s
	}
	return v
}

// Body returns request r's body in copy k: copy 0 is the fixture file
// unchanged; copy k ≥ 1 has every string identifier suffixed "-cNNN"
// and every id rewritten (kindIntID), consistently across documents, so
// that each copy's references resolve within the copy (and to copy 0's
// shared descriptors and SchoolYearTypes) and no identity repeats.
// Object keys come out sorted.
func (c *Corpus) Body(r *Request, k int) ([]byte, error) {
	if k == 0 {
		return r.raw, nil
	}
	if k < 0 || k > MaxCopies {
		return nil, fmt.Errorf("copy %d: want 0 to %d", k, MaxCopies)
	}
	body := deepCopy(r.body)
	suffix := fmt.Sprintf("-c%03d", k)
	err := c.walk(body, func(kind keyKind, x any) (any, error) {
		switch kind {
		case kindSuffix:
			if s, ok := x.(string); ok {
				return s + suffix, nil
			}
		case kindIntID:
			n, err := intValue(x)
			if err != nil {
				return nil, err
			}
			if n <= math.MaxInt32 {
				return json.Number(strconv.FormatInt(idBase+int64(k-1)*int64(len(c.ids))+int64(c.idIndex[n]), 10)), nil
			}
			if n > math.MaxInt64/1000-MaxCopies {
				return nil, fmt.Errorf("id %d is too large to rewrite", n)
			}
			return json.Number(strconv.FormatInt(n*1000+int64(k), 10)), nil
		}
		return x, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Rel, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// CopyDir is the directory of copy k under a documents root.
func CopyDir(k int) string { return fmt.Sprintf("c%03d", k) }

// requestsOf returns the requests of copy k in load order: every request
// for copy 0, those that are not shared for the others.
func (c *Corpus) requestsOf(k int) []*Request {
	var out []*Request
	for i := range c.Requests {
		if k == 0 || !c.Requests[i].Shared {
			out = append(out, &c.Requests[i])
		}
	}
	return out
}

// WriteCopy writes copy k's request bodies under root/CopyDir(k) as
// projectEndpoint/endpoint/file and returns their paths relative to root
// in load order.
func (c *Corpus) WriteCopy(root string, k int) ([]string, error) {
	var rels []string
	for _, r := range c.requestsOf(k) {
		body, err := c.Body(r, k)
		if err != nil {
			return nil, err
		}
		rel := path.Join(CopyDir(k), r.File)
		file := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return nil, err
		}
		rels = append(rels, rel)
	}
	return rels, nil
}

// Fingerprint hashes what copies 0 and 1 hold (every request path and
// body) and the number of copies: a change of the corpus or of the
// rewrite changes it (every copy ≥ 1 is rewritten by the same code).
func (c *Corpus) Fingerprint(copies int) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "copies %d\n", copies)
	for k := 0; k < min(copies, 2); k++ {
		for _, r := range c.requestsOf(k) {
			body, err := c.Body(r, k)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s %d\n", path.Join(CopyDir(k), r.File), len(body))
			h.Write(body)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// hashFiles writes every file's name and content to w.
func hashFiles(w io.Writer, files ...string) error {
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s %d\n", filepath.Base(f), len(data))
		w.Write(data)
	}
	return nil
}
