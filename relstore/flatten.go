package relstore

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dms"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/refid"
)

// flat is a document flattened into rows, with no database calls made.
type flat struct {
	p        *plan
	doc      map[string]any
	identity []refid.Element
	refID    refid.UUID
	aliasID  refid.UUID
	hasAlias bool
	rows     [][]*row // per table index
	refs     []refUse
	pruned   []string
	problems []Problem
	desc     *descriptorFields
}

// row is one table row: the ordinals of its key (after the root
// DocumentId) and its data column values as text (nil = NULL). FK columns
// hold the index of their refUse until resolution.
type row struct {
	key  []int32
	vals []*string
	refs []int // refUse index per data column (-1 if none)
}

// Markers in row.refs for columns without a refUse.
const (
	noRef        = -1 // no value
	invalidValue = -2 // a value that failed validation (reported already)
)

// refUse is one occurrence of a reference or descriptor in the document.
type refUse struct {
	edge  *edgePlan
	table int
	row   int
	col   int
	id    refid.UUID
	path  string
	value string // descriptor URI, or the reference's identity text
}

// descriptorFields are the stored fields of a descriptor document.
type descriptorFields struct {
	namespace, codeValue, shortDescription string
	description, beginDate, endDate        *string
}

// decodeDocument parses a request body into an object, keeping numbers
// exact (jsonvalue.Decode).
func decodeDocument(body []byte) (map[string]any, error) {
	v, err := jsonvalue.Decode(body)
	if err != nil {
		return nil, &ValidationError{Problems: []Problem{{Path: "$", Message: "invalid JSON: " + err.Error()}}}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &ValidationError{Problems: []Problem{{Path: "$", Message: "the document must be a JSON object"}}}
	}
	return obj, nil
}

// metadataKeys are accepted on input and ignored (a client may send back
// what it read).
var metadataKeys = []string{"id", "_etag", "_lastModifiedDate", "link"}

// flatten validates doc against the plan and turns it into rows.
func (p *plan) flatten(doc map[string]any) *flat {
	f := &flat{p: p, doc: doc, rows: make([][]*row, len(p.tables))}
	for _, k := range metadataKeys {
		delete(doc, k)
	}
	if p.descriptor {
		f.descriptorDocument()
	} else {
		f.scope(p.root, doc, "$", nil)
		f.checkUniqueness()
		f.checkEquality()
	}
	if len(f.problems) == 0 {
		f.computeIdentity()
	}
	sort.Strings(f.pruned)
	sort.Slice(f.problems, func(i, j int) bool {
		a, b := f.problems[i], f.problems[j]
		return a.Path < b.Path || (a.Path == b.Path && a.Message < b.Message)
	})
	f.problems = slices.Compact(f.problems)
	return f
}

func (f *flat) problem(path, format string, args ...any) {
	f.problems = append(f.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// scope adds the row of one scope instance (root, collection item or
// extension object) and everything below it. It reports whether the row
// was kept (extension rows without any value are dropped).
func (f *flat) scope(tp *tablePlan, obj map[string]any, path string, key []int32) bool {
	r := &row{key: key, vals: make([]*string, len(tp.dataCols)), refs: make([]int, len(tp.dataCols))}
	for i := range r.refs {
		r.refs[i] = noRef
	}
	rowIdx := len(f.rows[tp.idx])
	f.rows[tp.idx] = append(f.rows[tp.idx], r)
	before := f.rowCount()
	f.object(tp, tp.shape, obj, path, r, rowIdx)
	if tp.t.Kind == manifest.TableRootExtension || tp.t.Kind == manifest.TableCollectionExtension {
		empty := f.rowCount() == before
		for i, v := range r.vals {
			if v != nil || r.refs[i] != noRef {
				empty = false // a value, a reference or descriptor, or an invalid value
			}
		}
		if empty {
			f.rows[tp.idx] = f.rows[tp.idx][:rowIdx]
			return false
		}
	}
	for _, c := range tp.dataCols {
		if !c.c.Nullable && r.vals[c.idx] == nil && r.refs[c.idx] == noRef && tp.scalarCol != c.idx {
			f.problem(path+"."+strings.Join(c.path, "."), "is required")
		}
	}
	return true
}

func (f *flat) rowCount() int {
	n := 0
	for _, rs := range f.rows {
		n += len(rs)
	}
	return n
}

// object walks one JSON object against its shape, filling r.
func (f *flat) object(tp *tablePlan, sh *shape, obj map[string]any, path string, r *row, rowIdx int) {
	if len(obj) > len(sh.kids) || !allKnown(obj, sh) {
		names := make([]string, 0, len(obj))
		for name := range obj {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, ok := sh.kids[name]; ok {
				continue
			}
			switch {
			case obj[name] == nil: // null is absent
			case sh.ext:
				f.problem(path+"."+name, "no extension project %q extends %s (%s)", name, strings.TrimSuffix(path, "."+extKey), sh.extenders())
			case name == extKey:
				f.unknownExt(path, obj[name])
			default:
				f.pruned = append(f.pruned, path+"."+name)
			}
			delete(obj, name)
		}
	}
	for _, r := range sh.rules {
		v, ok := obj[r.name]
		arr, isArr := v.([]any)
		switch {
		case (!ok || v == nil || (isArr && len(arr) == 0)) && r.required:
			f.problem(path+"."+r.name, "is required")
		case isArr && len(arr) > 0 && len(arr) < r.minItems:
			f.problem(path+"."+r.name, "must have at least %d items", r.minItems)
		}
	}
	for _, name := range sh.names {
		v, ok := obj[name]
		if !ok || v == nil {
			delete(obj, name)
			continue
		}
		k := sh.kids[name]
		at := path + "." + name
		switch {
		case k.col != nil && k.col.edge != nil: // descriptor
			s, ok := v.(string)
			if !ok || !strings.Contains(s, "#") {
				if !ok {
					f.problem(at, "must be a descriptor URI string")
				} else {
					f.problem(at, "%q is not a descriptor URI (namespace#codeValue)", s)
				}
				r.refs[k.col.idx] = invalidValue
				continue
			}
			e := k.col.edge
			ref := refUse{edge: e, table: tp.idx, row: rowIdx, col: k.col.idx, path: at, value: s,
				id: refid.New(e.e.TargetProject, e.e.TargetResource, refid.DescriptorReferenceIdentity(s))}
			r.refs[k.col.idx] = len(f.refs)
			f.refs = append(f.refs, ref)
		case k.col != nil:
			if text, ok := f.scalar(k.col.typ, k.col, v, at); ok {
				r.vals[k.col.idx] = &text
			} else {
				r.refs[k.col.idx] = invalidValue
			}
		case k.edge != nil:
			f.reference(tp, k.edge, v, at, r, rowIdx)
		case k.table != nil:
			f.child(k.table, v, at, r.key)
		case k.inline != nil:
			o, ok := v.(map[string]any)
			if !ok {
				f.problem(at, "must be an object")
				continue
			}
			f.object(tp, k.inline, o, at, r, rowIdx)
			if len(o) == 0 {
				delete(obj, name)
			}
		}
	}
}

// unknownExt reports an `_ext` object where no extension project extends
// the object at path: extension data is never dropped silently.
func (f *flat) unknownExt(path string, v any) {
	o, ok := v.(map[string]any)
	if !ok {
		f.problem(path+"."+extKey, "must be an object")
		return
	}
	names := make([]string, 0, len(o))
	for name := range o {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if o[name] != nil {
			f.problem(path+"."+extKey+"."+name, "no extension project %q extends %s (no project extends it)", name, path)
		}
	}
}

// extenders lists the extension projects an `_ext` shape knows.
func (s *shape) extenders() string {
	return "extended here by: " + strings.Join(s.names, ", ")
}

func allKnown(obj map[string]any, sh *shape) bool {
	for name := range obj {
		if _, ok := sh.kids[name]; !ok {
			return false
		}
	}
	return true
}

// child adds the rows of a collection or an extension object.
func (f *flat) child(tp *tablePlan, v any, at string, key []int32) {
	if !tp.array {
		o, ok := v.(map[string]any)
		if !ok {
			f.problem(at, "must be an object")
			return
		}
		f.scope(tp, o, at, key)
		return
	}
	items, ok := v.([]any)
	if !ok {
		f.problem(at, "must be an array")
		return
	}
	for i, item := range items {
		ipath := at + "[" + strconv.Itoa(i) + "]"
		ikey := append(append(make([]int32, 0, len(key)+1), key...), int32(i))
		if tp.scalarCol >= 0 {
			r := &row{key: ikey, vals: make([]*string, len(tp.dataCols)), refs: make([]int, len(tp.dataCols))}
			for j := range r.refs {
				r.refs[j] = noRef
			}
			c := tp.dataCols[tp.scalarCol]
			if item == nil {
				f.problem(ipath, "must not be null")
				continue
			}
			if text, ok := f.scalar(c.typ, c, item, ipath); ok {
				r.vals[c.idx] = &text
			}
			f.rows[tp.idx] = append(f.rows[tp.idx], r)
			continue
		}
		o, ok := item.(map[string]any)
		if !ok {
			f.problem(ipath, "must be an object")
			continue
		}
		f.scope(tp, o, ipath, ikey)
	}
}

// reference records one reference object.
func (f *flat) reference(tp *tablePlan, e *edgePlan, v any, at string, r *row, rowIdx int) {
	o, ok := v.(map[string]any)
	if !ok {
		f.problem(at, "must be a reference object")
		r.refs[e.col.idx] = invalidValue
		return
	}
	known := map[string]bool{"link": true}
	elems := make([]refid.Element, 0, len(e.fields))
	var values []string
	okAll := true
	for _, fd := range e.fields {
		known[fd.rel[0]] = true
		val, present := lookupNames(o, fd.rel)
		fpath := at + "." + strings.Join(fd.rel, ".")
		if !present {
			f.problem(fpath, "is required by the reference")
			okAll = false
			continue
		}
		if _, ok := f.scalar(fd.typ, nil, val, fpath); !ok {
			okAll = false
			continue
		}
		canon, err := canonical(fd.typ, val)
		if err != nil {
			f.problem(fpath, "%v", err)
			okAll = false
			continue
		}
		elems = append(elems, refid.NewElement(fd.identityPath, canon))
		values = append(values, canon)
	}
	names := make([]string, 0, len(o))
	for name := range o {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !known[name] {
			f.pruned = append(f.pruned, at+"."+name)
			delete(o, name)
		}
	}
	delete(o, "link")
	if !okAll {
		r.refs[e.col.idx] = invalidValue
		return
	}
	ref := refUse{edge: e, table: tp.idx, row: rowIdx, col: e.col.idx, path: at, value: strings.Join(values, ", "),
		id: refid.New(e.e.TargetProject, e.e.TargetResource, elems)}
	r.refs[e.col.idx] = len(f.refs)
	f.refs = append(f.refs, ref)
}

// lookupNames follows property names inside an object.
func lookupNames(o map[string]any, names []string) (any, bool) {
	var cur any = o
	for _, n := range names {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[n]
		if !ok || cur == nil {
			return nil, false
		}
	}
	return cur, true
}

// computeIdentity computes the document's ReferentialId (and alias).
func (f *flat) computeIdentity() {
	p := f.p
	if p.descriptor {
		f.identity = refid.DescriptorDocumentIdentity(f.desc.namespace, f.desc.codeValue)
	} else {
		for _, id := range p.identity {
			v, ok := lookupNames(f.doc, id.path)
			if !ok {
				f.problem(id.el.Path, "is part of the identity and required")
				continue
			}
			canon, err := canonical(id.el.Type, v)
			if err != nil {
				f.problem(id.el.Path, "%v", err)
				continue
			}
			f.identity = append(f.identity, refid.NewElement(id.el.Path, canon))
		}
		if len(f.problems) > 0 {
			return
		}
	}
	f.refID = refid.New(p.res.ProjectName, p.res.ResourceName, f.identity)
	if sc := p.res.Superclass; sc != nil {
		alias, err := refid.Superclass{ProjectName: sc.ProjectName, ResourceName: sc.ResourceName, IdentityJSONPath: sc.IdentityRename}.Alias(f.identity)
		if err != nil {
			f.problem("$", "%v", err)
			return
		}
		f.aliasID, f.hasAlias = alias, true
	}
}

// checkUniqueness enforces arrayUniquenessConstraints inside the document.
func (f *flat) checkUniqueness() {
	for _, u := range f.p.uniqueness {
		seen := map[string]int{}
		for i, r := range f.rows[u.table.idx] {
			var b strings.Builder
			for _, k := range r.key[:max(len(r.key)-1, 0)] {
				fmt.Fprintf(&b, "%d/", k)
			}
			complete := true
			for _, c := range u.cols {
				switch {
				case r.refs[c] >= 0:
					b.WriteString(f.refs[r.refs[c]].id.String())
				case r.vals[c] != nil:
					b.WriteString(strconv.Quote(*r.vals[c]))
				default:
					complete = false
				}
				b.WriteByte('|')
			}
			if !complete {
				continue
			}
			if j, dup := seen[b.String()]; dup {
				f.problem(strings.Join(u.u.Paths, ", "), "items %d and %d of %s have the same value (array uniqueness)", j, i, u.table.t.Scope)
				continue
			}
			seen[b.String()] = i
		}
	}
}

// checkEquality enforces equalityConstraints.
func (f *flat) checkEquality() {
	for _, eq := range f.p.equality {
		vals := append(eq.source.Lookup(f.doc), eq.target.Lookup(f.doc)...)
		var first string
		for i, v := range vals {
			s := fmt.Sprint(v)
			if i == 0 {
				first = s
			} else if s != first {
				f.problem(eq.source.String(), "must equal the value at %s", eq.target.String())
				break
			}
		}
	}
}

// descriptorDocument validates and records the fields of a descriptor.
func (f *flat) descriptorDocument() {
	d := &descriptorFields{}
	str := func(name string, max int, required bool) *string {
		v, ok := f.doc[name]
		if !ok || v == nil {
			delete(f.doc, name)
			if required {
				f.problem("$."+name, "is required")
			}
			return nil
		}
		text, ok := f.scalar(manifest.Type{Kind: manifest.KindString, MaxLength: max}, nil, v, "$."+name)
		if !ok {
			return nil
		}
		return &text
	}
	date := func(name string) *string {
		v, ok := f.doc[name]
		if !ok || v == nil {
			delete(f.doc, name)
			return nil
		}
		text, ok := f.scalar(manifest.Type{Kind: manifest.KindDate}, nil, v, "$."+name)
		if !ok {
			return nil
		}
		return &text
	}
	if s := str("namespace", dms.NamespaceLength, true); s != nil {
		d.namespace = *s
	}
	if s := str("codeValue", dms.CodeValueLength, true); s != nil {
		d.codeValue = *s
	}
	if s := str("shortDescription", dms.ShortDescriptionLength, true); s != nil {
		d.shortDescription = *s
	}
	d.description = str("description", dms.DescriptionLength, false)
	d.beginDate = date("effectiveBeginDate")
	d.endDate = date("effectiveEndDate")
	names := make([]string, 0, len(f.doc))
	for name := range f.doc {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch name {
		case "namespace", "codeValue", "shortDescription", "description", "effectiveBeginDate", "effectiveEndDate":
		default:
			f.pruned = append(f.pruned, "$."+name)
			delete(f.doc, name)
		}
	}
	f.desc = d
}
