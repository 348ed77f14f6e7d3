package relstore

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// plan is one resource's mapping and SQL, built by Open.
type plan struct {
	res        *manifest.Resource
	key        int16 // ResourceKeyId
	descriptor bool  // documents live in dms.Descriptor
	// uris maps descriptor ids to URIs when the read statements select
	// ids (the store's map; nil: they join dms.Descriptor).
	uris *descriptorURIs
	// superKey is the superclass's ResourceKeyId (alias row), 0 if none.
	superKey int16
	// enqueue makes the writes queue their document for the DocumentCache
	// projector (Options.DocumentCache; enqueueOneCTE).
	enqueue bool
	// tables in write order; tables[0] is the root for Tables storage.
	tables []*tablePlan
	root   *tablePlan
	// identity elements with their canonicaliser.
	identity []identityPlan
	// identityEquality are the equalityConstraints between two identity
	// values, as indexes into identity (see checkIdentityEquality).
	identityEquality [][2]int
	// edges lists every reference/descriptor site.
	edges []*edgePlan
	// uniqueness constraints per table.
	uniqueness []uniquePlan
	// equality are the equalityConstraints, parsed.
	equality []equalityPlan
	// queries by name.
	queries map[string]*queryPlan
	// SQL.
	edgeVerifySQL string
	// identitySQL reads documents' identity values (see
	// planIdentitySQL).
	identitySQL string
	// derivedEdgesSQL yields (parent, child, ident): the edges the FK
	// columns of documents $1 (bigint[]) imply.
	derivedEdgesSQL string
	// createSQL writes a new document in one statement: dms rows, edges
	// and every table's rows (see writeSQL).
	createSQL string
	// updateSQL bumps the ETag, deletes the document's child rows and
	// diffs its edges; rowsSQL then deletes the document's cache row (in
	// the statement after the bump: the cache invariant, cache.go) and
	// writes every table's rows.
	updateSQL, rowsSQL string
	// shapes are createSQL and rowsSQL of the sets of tables documents
	// filled (writeshape.go).
	shapes writeShapes
	// readSQL is the hydration statement: one UNION ALL arm per table
	// (arm index = table index) yielding (t, k bigint[], v text[]); the
	// first %s is the page SQL, the second the count arm ("" or
	// " UNION ALL ...").
	readSQL string
	// readOneSQL is readSQL for a page of at most one document; getSQL is
	// it for a GET by id without a grant ($1 uuid, $2 resource key),
	// formatted once.
	readOneSQL, getSQL string
	// readArms are readOneSQL's arms by table index, readTail what
	// follows them (the descriptor URI generation arm, or ""), and
	// readShapes the GET statements of the shapes documents were read in
	// (readshape.go).
	readArms   []string
	readTail   string
	readShapes readShapes
	// readOneCachedSQL is readOneSQL taking a fresh dms.DocumentCache
	// body (a GET under a grant with Options.DocumentCache; see
	// cachedRead). Query pages read the cache with cachedPageSQL.
	readOneCachedSQL string
	// readRows is the number of rows the last read statement of the
	// resource returned: the capacity the next one starts with (a page of
	// 100 grew its row slice eight times).
	readRows atomic.Int32
	// edorg is set for EdOrg types (hierarchy maintenance), edorgType to
	// the manifest's description of the type.
	edorg     *edOrgPlan
	edorgType *manifest.EdOrgType
	// subjectsSQL rewrites the dms.DocumentSubject rows of the documents
	// $1 (bigint[]); "" without transitive securable elements.
	subjectsSQL string
	// subjectsWantSQL yields (d, k, t, subj) for every document of the
	// resource (audits).
	subjectsWantSQL string
	// authVerifySQL counts the derived authorization rows of document $1
	// that differ from their recomputation (Options.VerifyAuthRows); ""
	// when the resource derives none.
	authVerifySQL string
}

// tablePlan is one table of a resource.
type tablePlan struct {
	t        *manifest.Table
	idx      int
	qname    string // quoted schema.name
	parent   *tablePlan
	children []*tablePlan
	// rel is the path from the parent scope to this scope (property names);
	// array is true for collections (rel leads to an array).
	rel   []string
	array bool
	// shape is the object shape of one item of this scope.
	shape *shape
	// scalarCol is the value column of an array of scalars (-1 otherwise).
	scalarCol int
	keyCols   []string
	dataCols  []*colPlan // non-key columns in table order
	// valOff is, per data column, the index of its value in a read row's
	// values (a reference's FK is followed by its identity fields); slot
	// is the table's index in its parent's children; width the number of
	// values of a read row (planWriter).
	valOff []int
	slot   int
	width  int
}

// colPlan is one non-key column.
type colPlan struct {
	c    *manifest.Column
	idx  int // index in tablePlan.dataCols
	path []string
	edge *edgePlan // FK columns
	typ  manifest.Type
	re   *regexp.Regexp
	sql  string // SQL type for casts
}

// identityPlan is one identity element of the resource.
type identityPlan struct {
	el   *manifest.IdentityElement
	path []string
}

// uniquePlan is one array uniqueness constraint.
type uniquePlan struct {
	table *tablePlan
	u     *manifest.Uniqueness
	cols  []int // dataCols indexes
}

// equalityPlan is one equalityConstraint.
type equalityPlan struct{ source, target jsonpath.Path }

// shape describes the known properties of one JSON object of a scope.
type shape struct {
	names []string // sorted keys of kids (deterministic walks)
	kids  map[string]*kid
	// members are kids in the order of names (planWriter).
	members []*kid
	// ext marks an `_ext` object, whose keys are extension projects: an
	// unknown key is an error, not an overpost.
	ext bool
	// rules are the presence rules of the object's properties.
	rules []rule
}

// rule is one property presence rule of a shape.
type rule struct {
	name     string
	required bool
	minItems int
}

// kid is one known property.
type kid struct {
	col    *colPlan   // scalar or descriptor leaf
	edge   *edgePlan  // reference object
	table  *tablePlan // child table (array, or extension object)
	inline *shape     // inlined object
	// field is, in a reference object's shape, 1 + the index of the
	// identity field it holds (edgePlan.fields).
	field int
	// key is the encoded member name and colon (planWriter).
	key []byte
}

func newShape() *shape { return &shape{kids: map[string]*kid{}} }

// extKey is the property holding extension projects' objects.
const extKey = "_ext"

func (s *shape) child(name string) *kid {
	k, ok := s.kids[name]
	if !ok {
		k = &kid{}
		s.kids[name] = k
		s.names = append(s.names, name)
		sort.Strings(s.names)
	}
	return k
}

// at returns the shape of the inlined object at path (creating it).
func (s *shape) at(path []string) *shape {
	cur := s
	for _, n := range path {
		k := cur.child(n)
		if k.inline == nil {
			k.inline = newShape()
			k.inline.ext = n == extKey
		}
		cur = k.inline
	}
	return cur
}

// edgePlan is one reference or descriptor site.
type edgePlan struct {
	e          *manifest.EdgeSource
	table      *tablePlan
	col        *colPlan
	descriptor bool
	// targetKey is the descriptor's ResourceKeyId (descriptors) or the
	// concrete target's; memberKeys the abstract target's members.
	targetKey  int16
	memberKeys []int16
	target     *plan // concrete target (nil for abstract and descriptors)
	abstract   *manifest.AbstractResource
	// fields are the reference object's identity fields, in the target's
	// identity order.
	fields []refField
	name   string // "Project:Resource" of the target
	// shape is the reference object's shape (planWriter).
	shape *shape
}

// refField is one identity field inside a reference object.
type refField struct {
	rel          []string // path inside the reference object
	identityPath string
	typ          manifest.Type
	sql          string
	// descriptorID: the read statements select this descriptor value as
	// its DocumentId (descriptoruris.go).
	descriptorID bool
}

// queryPlan is one query field.
type queryPlan struct {
	targets []queryTarget
}

// queryTarget is one root-table source of a query field.
type queryTarget struct {
	kind manifest.SourceKind
	col  *colPlan
	typ  manifest.Type
	// refSQL is, for Reference targets, the subquery `SELECT "DocumentId" FROM … WHERE <expr> = %s`.
	refSQL string
	edge   *edgePlan
	// identityPath is the target identity path of a Reference target.
	identityPath string
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }

func qualified(qname string) string {
	schema, name, _ := strings.Cut(qname, ".")
	return pgx.Identifier{schema, name}.Sanitize()
}

func relNames(p, base string) ([]string, bool, error) {
	pp, err := jsonpath.Parse(p)
	if err != nil {
		return nil, false, err
	}
	bp, err := jsonpath.Parse(base)
	if err != nil {
		return nil, false, err
	}
	rel, ok := pp.Rel(bp)
	if !ok {
		return nil, false, fmt.Errorf("%s is not under %s", p, base)
	}
	var names []string
	array := false
	for i, s := range rel.Segments() {
		if s.Wildcard {
			if i != rel.Len()-1 {
				return nil, false, fmt.Errorf("%s: nested wildcard relative to %s", p, base)
			}
			array = true
			continue
		}
		names = append(names, s.Name)
	}
	return names, array, nil
}

func pathNames(p string) ([]string, error) {
	names, arr, err := relNames(p, "$")
	if err != nil {
		return nil, err
	}
	if arr {
		return nil, fmt.Errorf("%s: unexpected wildcard", p)
	}
	return names, nil
}

// sqlType returns the PostgreSQL type of a logical type.
func sqlType(t manifest.Type) string {
	switch t.Kind {
	case manifest.KindInt16:
		return "smallint"
	case manifest.KindInt32:
		return "integer"
	case manifest.KindInt64:
		return "bigint"
	case manifest.KindString:
		return "varchar"
	case manifest.KindDecimal:
		if t.Precision > 0 {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision, t.Scale)
		}
		return "numeric"
	case manifest.KindDate:
		return "date"
	case manifest.KindDateTime:
		return "timestamptz"
	case manifest.KindTime:
		return "time"
	case manifest.KindBoolean:
		return "boolean"
	}
	return "text"
}

func (s *Store) buildPlans() error {
	s.byPath = map[string]*plan{}
	s.byName = map[string]*plan{}
	s.byKey = map[int16]*plan{}
	keys := map[string]int16{}
	for _, k := range s.m.ResourceKeys {
		keys[k.ProjectName+":"+k.ResourceName] = k.ID
	}
	s.abstract = map[string]*manifest.AbstractResource{}
	for i := range s.m.AbstractResources {
		a := &s.m.AbstractResources[i]
		s.abstract[a.ProjectName+":"+a.ResourceName] = a
	}
	for i := range s.m.Resources {
		r := &s.m.Resources[i]
		p := &plan{res: r, key: r.ResourceKeyID, descriptor: r.Storage == manifest.StorageDescriptor || r.IsDescriptor, uris: s.uris}
		if r.Superclass != nil {
			p.superKey = keys[r.Superclass.ProjectName+":"+r.Superclass.ResourceName]
		}
		s.plans = append(s.plans, p)
		s.byPath[r.ProjectEndpoint+"/"+r.EndpointName] = p
		s.byName[r.ProjectName+":"+r.ResourceName] = p
		s.byKey[r.ResourceKeyID] = p
	}
	var errs []error
	for _, p := range s.plans {
		if err := s.planTables(p); err != nil {
			errs = append(errs, fmt.Errorf("relstore.Open: %s:%s: %w", p.res.ProjectName, p.res.ResourceName, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for _, p := range s.plans {
		if err := s.planEdges(p, keys); err != nil {
			errs = append(errs, fmt.Errorf("relstore.Open: %s:%s: %w", p.res.ProjectName, p.res.ResourceName, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.planEdOrgIDs()
	for _, p := range s.plans {
		if err := s.planSQL(p); err != nil {
			errs = append(errs, fmt.Errorf("relstore.Open: %s:%s: %w", p.res.ProjectName, p.res.ResourceName, err))
		}
		p.getSQL = fmt.Sprintf(p.readOneSQL, getPageSQL, "")
		p.planWriter()
		if err := s.planSubjects(p); err != nil {
			errs = append(errs, fmt.Errorf("relstore.Open: %s:%s: %w", p.res.ProjectName, p.res.ResourceName, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := s.planEdOrgs(); err != nil {
		return err
	}
	for _, p := range s.plans {
		s.planAuthVerify(p)
	}
	return nil
}

// planTables builds the table tree, shapes and columns.
func (s *Store) planTables(p *plan) error {
	for i := range p.res.Identity {
		el := &p.res.Identity[i]
		names, err := pathNames(el.Path)
		if err != nil {
			return err
		}
		p.identity = append(p.identity, identityPlan{el: el, path: names})
	}
	p.planIdentityEquality()
	if p.descriptor {
		return nil
	}
	byName := map[string]*tablePlan{}
	for i := range p.res.Tables {
		t := &p.res.Tables[i]
		tp := &tablePlan{t: t, idx: i, qname: qualified(t.Schema + "." + t.Name), shape: newShape(), scalarCol: -1}
		byName[t.Schema+"."+t.Name] = tp
		p.tables = append(p.tables, tp)
		if t.Parent == "" {
			if p.root != nil {
				return fmt.Errorf("two root tables")
			}
			p.root = tp
		} else {
			parent, ok := byName[t.Parent]
			if !ok {
				return fmt.Errorf("table %s: parent %s is not listed before it", t.Name, t.Parent)
			}
			tp.parent = parent
			parent.children = append(parent.children, tp)
			rel, array, err := relNames(t.Scope, parent.t.Scope)
			if err != nil {
				return fmt.Errorf("table %s: %w", t.Name, err)
			}
			if len(rel) == 0 {
				return fmt.Errorf("table %s: empty scope step", t.Name)
			}
			tp.rel, tp.array = rel, array
			parent.shape.at(rel[:len(rel)-1]).child(rel[len(rel)-1]).table = tp
		}
		for j := range t.Columns {
			c := &t.Columns[j]
			switch c.Kind {
			case manifest.ColumnDocumentID, manifest.ColumnParentKey, manifest.ColumnOrdinal:
				tp.keyCols = append(tp.keyCols, c.Name)
				continue
			}
			cp := &colPlan{c: c, idx: len(tp.dataCols), typ: c.Type, sql: sqlType(c.Type)}
			names, err := pathNames(c.SourcePath)
			if err != nil {
				return fmt.Errorf("table %s column %s: %w", t.Name, c.Name, err)
			}
			cp.path = names
			if c.Validation != nil && c.Validation.Pattern != "" {
				if re, err := regexp.Compile(c.Validation.Pattern); err == nil {
					cp.re = re
				}
			}
			tp.dataCols = append(tp.dataCols, cp)
			if len(names) == 0 {
				if !tp.array || c.Kind != manifest.ColumnScalar {
					return fmt.Errorf("table %s column %s: source path $ outside an array of scalars", t.Name, c.Name)
				}
				tp.scalarCol = cp.idx
				continue
			}
			if c.Kind == manifest.ColumnScalar {
				tp.shape.at(names[:len(names)-1]).child(names[len(names)-1]).col = cp
			}
		}
	}
	if p.root == nil {
		return fmt.Errorf("no root table")
	}
	for _, pr := range p.res.PropertyRules {
		sh, name, ok := p.shapeOf(pr.Path)
		if !ok {
			return fmt.Errorf("property rule %s: no table scope holds it", pr.Path)
		}
		sh.rules = append(sh.rules, rule{name: name, required: pr.Required, minItems: pr.MinItems})
	}
	return nil
}

// shapeOf finds the object shape holding the property at path: the table
// with the longest scope that is a prefix of path, then the inlined
// objects below it.
func (p *plan) shapeOf(path string) (*shape, string, bool) {
	pp, err := jsonpath.Parse(path)
	if err != nil || pp.IsRoot() {
		return nil, "", false
	}
	var best *tablePlan
	var rest []string
	bestLen := -1
	for _, tp := range p.tables {
		scope, err := jsonpath.Parse(tp.t.Scope)
		if err != nil {
			continue
		}
		rel, ok := pp.Rel(scope)
		if !ok || rel.WildcardCount() > 0 || scope.Len() <= bestLen {
			continue
		}
		best, rest, bestLen = tp, rel.Names(), scope.Len()
	}
	if best == nil || len(rest) == 0 {
		return nil, "", false
	}
	sh := best.shape
	for _, n := range rest[:len(rest)-1] {
		k, ok := sh.kids[n]
		if !ok || k.inline == nil {
			return nil, "", false
		}
		sh = k.inline
	}
	return sh, rest[len(rest)-1], true
}

// planEdges attaches every edge source to its column and target.
func (s *Store) planEdges(p *plan, keys map[string]int16) error {
	tables := map[string]*tablePlan{}
	for _, tp := range p.tables {
		tables[tp.t.Schema+"."+tp.t.Name] = tp
	}
	for i := range p.res.EdgeSources {
		e := &p.res.EdgeSources[i]
		tp, ok := tables[e.Table]
		if !ok {
			return fmt.Errorf("edge source %s: unknown table %s", e.Path, e.Table)
		}
		var col *colPlan
		for _, c := range tp.dataCols {
			if c.c.Name == e.Column {
				col = c
			}
		}
		if col == nil {
			return fmt.Errorf("edge source %s: unknown column %s.%s", e.Path, e.Table, e.Column)
		}
		ep := &edgePlan{e: e, table: tp, col: col, descriptor: e.Kind == manifest.EdgeDescriptor, name: e.TargetProject + ":" + e.TargetResource}
		col.edge = ep
		p.edges = append(p.edges, ep)
		if ep.descriptor {
			ep.targetKey = keys[ep.name]
		} else if e.TargetIsAbstract {
			a, ok := s.abstract[ep.name]
			if !ok {
				return fmt.Errorf("edge source %s: unknown abstract resource %s", e.Path, ep.name)
			}
			ep.abstract = a
			for _, m := range a.Members {
				ep.memberKeys = append(ep.memberKeys, keys[m.ProjectName+":"+m.ResourceName])
			}
		} else {
			t, ok := s.byName[ep.name]
			if !ok {
				return fmt.Errorf("edge source %s: unknown target %s", e.Path, ep.name)
			}
			ep.target = t
			ep.targetKey = t.key
		}
		// Identity order of the target decides the ReferentialId element
		// order.
		order := map[string]int{}
		switch {
		case ep.abstract != nil:
			for j, id := range ep.abstract.Identity {
				order[id.Path] = j
			}
		case ep.target != nil:
			for j, id := range ep.target.res.Identity {
				order[id.Path] = j
			}
		}
		for _, b := range e.Bindings {
			rel, arr, err := relNames(b.ReferencePath, e.Path)
			if err != nil || arr {
				return fmt.Errorf("edge source %s: binding %s: %v", e.Path, b.ReferencePath, err)
			}
			ep.fields = append(ep.fields, refField{rel: rel, identityPath: b.IdentityPath, typ: b.Type, sql: sqlType(b.Type)})
		}
		sort.SliceStable(ep.fields, func(a, b int) bool {
			return order[ep.fields[a].identityPath] < order[ep.fields[b].identityPath]
		})
		names, err := pathNames(col.c.SourcePath)
		if err != nil {
			return err
		}
		k := tp.shape.at(names[:len(names)-1]).child(names[len(names)-1])
		if ep.descriptor {
			k.col = col
		} else {
			k.edge = ep
		}
	}
	for _, eq := range p.res.Equality {
		src, err1 := jsonpath.Parse(eq.SourcePath)
		dst, err2 := jsonpath.Parse(eq.TargetPath)
		if err1 != nil || err2 != nil {
			return fmt.Errorf("equality constraint %s = %s: not a JSONPath", eq.SourcePath, eq.TargetPath)
		}
		p.equality = append(p.equality, equalityPlan{src, dst})
	}
	for i := range p.res.Uniqueness {
		u := &p.res.Uniqueness[i]
		tp, ok := tables[u.Table]
		if !ok {
			continue
		}
		up := uniquePlan{table: tp, u: u}
		for _, c := range u.Columns {
			for _, dc := range tp.dataCols {
				if dc.c.Name == c {
					up.cols = append(up.cols, dc.idx)
				}
			}
		}
		if len(up.cols) > 0 {
			p.uniqueness = append(p.uniqueness, up)
		}
	}
	return nil
}
