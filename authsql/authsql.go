package authsql

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/manifest"
)

// The SQL Server limits (a request carries at most 2,100 parameters).
const (
	// MSSQLMaxListClaims is the claim count from which SQL Server binds the
	// claims as one dms.BigIntTable table-valued parameter instead of one
	// parameter each.
	MSSQLMaxListClaims = 2000
	// MSSQLMaxPrefixes is the prefix count from which SQL Server refuses a
	// NamespaceBased predicate (each prefix is one parameter).
	MSSQLMaxPrefixes = 2000
)

// MSSQLCollation is the binary collation SQL Server compares namespaces
// under (case- and accent-sensitive, as PostgreSQL's LIKE).
const MSSQLCollation = "Latin1_General_100_BIN2"

// The names of the database objects the predicates read (both dialects).
const (
	authSchema      = "auth"
	coreSchema      = "dms"
	documentSubject = "DocumentSubject"
	descriptorTable = "Descriptor"
	claimColumn     = "SourceEducationOrganizationId"
	viewEdOrgIDs    = "EducationOrganizationIdToEducationOrganizationId"
	viewEdOrgDocs   = "EducationOrganizationIdToEdOrgDocumentId"
	viewEdOrgDocsUp = "EducationOrganizationIdToEdOrgDocumentIdInverted"
	viewStudents    = "EducationOrganizationIdToStudentDocumentId"
	viewStudentsRsp = "EducationOrganizationIdToStudentDocumentIdThroughResponsibility"
	viewContacts    = "EducationOrganizationIdToContactDocumentId"
	viewStaff       = "EducationOrganizationIdToStaffDocumentId"
	claimSetTable   = "EducationOrganizationIdClaimSet"
)

// Shape is what the caller binds for the grant: how many EdOrg claims and
// namespace prefixes it has (the values themselves are parameters, so one
// shape's SQL serves every grant of that shape) and the parameter names.
type Shape struct {
	// Claims is the number of EdOrg ids bound (0: none, a 403 under a
	// relationship strategy).
	Claims int
	// Prefixes is the number of namespace prefixes bound (0: none, a 403
	// under NamespaceBased).
	Prefixes int
	// ClaimsParam is, for PostgreSQL, the placeholder of the bigint[]
	// parameter holding the claims (default "$1"); for SQL Server, the
	// stem of the claim parameters when listed: @c gives @c0, @c1, …
	// (default "@c").
	ClaimsParam string
	// PrefixesParam is, for PostgreSQL, the placeholder of the text[]
	// parameter holding LikePatterns(prefixes) (default "$2"); for SQL
	// Server, the stem of the pattern parameters: @p gives @p0, @p1, …
	// (default "@p").
	PrefixesParam string
	// ClaimsTable is, for SQL Server, the name of the dms.BigIntTable
	// table-valued parameter holding the claims when they are not listed
	// (default "@claims"). PostgreSQL ignores it.
	ClaimsTable string
	// Single renders the EdOrg and person tests for a statement that
	// checks one document (a GET by id, a write's stored or proposed
	// check) as probes from the document's value up the view —
	// `(SELECT 1 FROM auth.V v WHERE v.Col = r.X AND v.Source… = ANY($1)
	// LIMIT 1) IS NOT NULL` — instead of `r.X IN (SELECT v.Col … WHERE
	// v.Source… = ANY($1))`. Same answer; with many claims a generic plan of the IN
	// form expands every claim (a School GET under 10,000 school claims:
	// 27 ms), the probe follows the document's few ancestors. Pages keep
	// the IN form (a hash semi-join over the claims' reach).
	Single bool
	// KeyArray renders, for PostgreSQL and a statement choosing a page's
	// keys, the test of an element whose subject is the document itself
	// (site self: a Student, a School) as membership in an array of the
	// claims' reach — `r."DocumentId" = ANY(ARRAY(SELECT v.Col FROM auth.V
	// v WHERE …))` — instead of the IN form. The reach is computed once
	// and the root's primary key is scanned in key order for its members,
	// so a page stops after its limit; the IN form probes the root for
	// every member before it sorts (a first page of Students under one
	// LEA of 1,000 students: 0.43 ms against 2.1 ms). Array tests that an
	// OR joins on the document are merged into one array over the union
	// of their reaches, so the key order scan stays one index scan (a
	// first page of Schools under 100 school claims, EdOrgs and inverted
	// EdOrgs ORed: 0.40 ms against 0.51 ms for a bitmap OR and a sort).
	// Counts keep the IN form (a hash semi-join); Single wins over it; SQL
	// Server ignores it.
	KeyArray bool
	// AfterParam is, with KeyArray on PostgreSQL, the placeholder of a
	// bigint parameter holding a keyset page's cursor: the reach keeps only
	// the ids after it, so the scan of the root's key does not look up the
	// ids of earlier pages (a second page of Students under 100 schools:
	// 0.33 ms against 0.59 ms). "" for a first or OFFSET page.
	AfterParam string
	// MergeIn renders, for PostgreSQL, the IN tests that an OR joins on
	// the same expression as one IN over the union of their reaches —
	// `r."DocumentId" IN (SELECT … UNION ALL SELECT …)` instead of
	// `(r."DocumentId" IN (SELECT …) OR r."DocumentId" IN (SELECT …))`.
	// The planner cannot make a semi-join of an OR: it scans the root and
	// probes a hashed subquery per test for each row; the union is a
	// semi-join that probes the root for the reach only (a count of
	// Schools under 100 school claims, EdOrgs and inverted EdOrgs ORed:
	// 0.45 ms against 3.1 ms). Under 10,000 claims the OR won (25 ms
	// against 42 ms): the caller decides. Single and KeyArray tests are
	// not IN tests; SQL Server ignores it.
	MergeIn bool
	// ClaimSetParam is, for PostgreSQL, the placeholder of a uuid
	// parameter naming a claim set stored in
	// auth.EducationOrganizationIdClaimSet: when set, the claims are read
	// from its rows — `x IN (SELECT g."EducationOrganizationId" FROM
	// auth."EducationOrganizationIdClaimSet" g WHERE g."ClaimSetId" =
	// $N::uuid)` — instead of the bigint[] parameter, so a statement under
	// 10,000 claims binds 16 bytes rather than 120 KB (whose decoding
	// alone took the server 0.35 ms). Claims still counts them (0: a 403).
	// SQL Server does not support it (an error).
	ClaimSetParam string
}

// Result is a built predicate and what it needs bound.
type Result struct {
	// SQL is the boolean expression over the alias r: "TRUE" (PostgreSQL)
	// or "1 = 1" (SQL Server) when nothing is to be checked. Composite
	// expressions are parenthesized, so it can follow AND or OR as is.
	SQL string
	// UsesClaims reports that SQL references the claims parameter(s) (with
	// Shape.ClaimSetParam: the claim set parameter instead).
	UsesClaims bool
	// UsesPrefixes reports that SQL references the pattern parameter(s).
	UsesPrefixes bool
	// ClaimsAsTable reports, for SQL Server, that the claims are bound as
	// the table-valued parameter Shape.ClaimsTable (dms.BigIntTable)
	// rather than one parameter each: from MSSQLMaxListClaims claims, or
	// when listed claims and prefixes together would reach that many.
	ClaimsAsTable bool
}

// ErrorKind classifies a Build failure.
type ErrorKind uint8

const (
	// ErrNoSubjects: a strategy of the tree checks subjects of which the
	// resource has no securable element (500, security configuration).
	ErrNoSubjects ErrorKind = iota + 1
	// ErrNoPersonViews: a person subject is to be checked but the schema
	// has none of the auth person views (its core lacks the associations
	// they join; 500, security configuration).
	ErrNoPersonViews
	// ErrUnknownStrategy: a strategy dmsc does not know (500, security
	// configuration).
	ErrUnknownStrategy
	// ErrOwnershipBased: OwnershipBased, known but not implemented (501).
	ErrOwnershipBased
	// ErrNoClaims: a relationship strategy applies and the caller has no
	// EdOrg ids (403).
	ErrNoClaims
	// ErrNoPrefixes: NamespaceBased applies and the caller has no
	// namespace prefixes (403).
	ErrNoPrefixes
	// ErrTooManyPrefixes: SQL Server with MSSQLMaxPrefixes or more
	// prefixes (500, security configuration).
	ErrTooManyPrefixes
	// ErrInvalid: the input cannot be built from: an empty predicate, a
	// negative count, a manifest inconsistent with itself (500).
	ErrInvalid
)

// String names the kind.
func (k ErrorKind) String() string {
	switch k {
	case ErrNoSubjects:
		return "no-subjects"
	case ErrNoPersonViews:
		return "no-person-views"
	case ErrUnknownStrategy:
		return "unknown-strategy"
	case ErrOwnershipBased:
		return "ownership-based"
	case ErrNoClaims:
		return "no-edorg-claims"
	case ErrNoPrefixes:
		return "no-namespace-prefixes"
	case ErrTooManyPrefixes:
		return "too-many-prefixes"
	case ErrInvalid:
		return "invalid"
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Status is the HTTP status of a failure of this kind.
func (k ErrorKind) Status() int {
	switch k {
	case ErrNoClaims, ErrNoPrefixes:
		return 403
	case ErrOwnershipBased:
		return 501
	}
	return 500
}

// Error is a Build failure.
type Error struct {
	// Kind classifies the failure.
	Kind ErrorKind
	// Strategy names the strategy at fault ("" when none is).
	Strategy string
	// Project and Resource name the resource.
	Project, Resource string
	// Message is a sentence for the problem details' errors.
	Message string
}

// Error returns the message with its kind.
func (e *Error) Error() string { return "authsql: " + e.Kind.String() + ": " + e.Message }

// Status is the response's HTTP status.
func (e *Error) Status() int { return e.Kind.Status() }

// ProblemType is the response's problem-details type: the security
// configuration type for a 500, the authorization type for a 403, "" for
// a 501 (upstream has none).
func (e *Error) ProblemType() string {
	switch e.Status() {
	case 403:
		return authz.ProblemTypeAuthorization
	case 500:
		return authz.ProblemTypeSecurityConfiguration
	}
	return ""
}

// NoClaimsMessage is upstream DMS's words for a relationship strategy and a
// caller with no EdOrg ids (RelationshipsFiltersProvider).
func NoClaimsMessage(strategy string) string {
	return fmt.Sprintf("The API client has been given permissions on a resource that uses the '%s' authorization strategy but the client doesn't have any education organizations assigned.", strategy)
}

// NoPrefixesMessage is upstream DMS's words for NamespaceBased and a caller
// with no namespace prefixes (NamespaceBasedFiltersProvider).
func NoPrefixesMessage(strategy string) string {
	return fmt.Sprintf("The API client has been given permissions on a resource that uses the '%s' authorization strategy but the client doesn't have any namespace prefixes assigned.", strategy)
}

// LikePattern returns the LIKE pattern matching the strings that start with
// prefix: \ % _ and [ escaped by a backslash (the escape character of both
// dialects' predicates; [ opens a character class in SQL Server), then %.
func LikePattern(prefix string) string {
	var b strings.Builder
	b.Grow(len(prefix) + 4)
	for _, r := range prefix {
		switch r {
		case '\\', '%', '_', '[':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}

// LikePatterns maps LikePattern over prefixes: the values to bind for the
// prefixes (PostgreSQL: as one text[]; SQL Server: one per parameter, in
// order).
func LikePatterns(prefixes []string) []string {
	out := make([]string, len(prefixes))
	for i, p := range prefixes {
		out[i] = LikePattern(p)
	}
	return out
}

// RootRelation returns the quoted, schema-qualified relation the alias r
// stands for: the resource's root table, or dms.Descriptor for a
// descriptor (one row per document, keyed by DocumentId, in both;
// dms.Descriptor holds every descriptor resource, so a statement over it
// also filters on r."ResourceKeyId", as it does without authorization).
func RootRelation(m *manifest.Manifest, res *manifest.Resource) (string, error) {
	q := quoterFor(m.Dialect)
	if res.Storage == manifest.StorageDescriptor {
		return q.rel(coreSchema, descriptorTable), nil
	}
	if len(res.Tables) == 0 {
		return "", &Error{Kind: ErrInvalid, Project: res.ProjectName, Resource: res.ResourceName,
			Message: fmt.Sprintf("the resource %s has no root table", res.ResourceName)}
	}
	return q.rel(res.Tables[0].Schema, res.Tables[0].Name), nil
}

// Build returns the predicate filtering res's documents (alias r, see
// RootRelation) by the strategy tree p (an allowed authz.Decision's
// Predicate) for grants of shape sh, in m's dialect. The output is
// deterministic: strategies in tree order, elements in ordinal order.
//
// It fails with an *Error (see ErrorKind): configuration problems (500,
// 501) first, then a missing claim or prefix list (403), then SQL
// Server's prefix limit (500).
func Build(m *manifest.Manifest, res *manifest.Resource, p authz.Predicate, sh Shape) (Result, error) {
	b, err := newBuilder(m, res, sh)
	if err != nil {
		return Result{}, err
	}
	if err := b.check(p); err != nil {
		return Result{}, err
	}
	sql := b.node(p)
	return Result{SQL: sql, UsesClaims: b.usesClaims, UsesPrefixes: b.usesPrefixes,
		ClaimsAsTable: b.usesClaims && b.claimsAsTable}, nil
}

// builder renders one Build.
type builder struct {
	m   *manifest.Manifest
	res *manifest.Resource
	sh  Shape
	q   quoter
	// claimsAsTable: SQL Server binds the claims as a TVP.
	claimsAsTable bool
	// personViews: the schema has the auth person views.
	personViews              bool
	usesClaims, usesPrefixes bool
	// inTests are the IN tests (Shape.MergeIn) and key array tests
	// (Shape.KeyArray) rendered, by their text.
	inTests map[string]inTest
}

// inTest is one rendered `lhs IN (sub)`, or with array `lhs =
// ANY(ARRAY(sub))`.
type inTest struct {
	lhs, sub string
	array    bool
}

// render renders t.
func (t inTest) render() string {
	if t.array {
		return t.lhs + " = ANY(ARRAY(" + t.sub + "))"
	}
	return t.lhs + " IN (" + t.sub + ")"
}

func newBuilder(m *manifest.Manifest, res *manifest.Resource, sh Shape) (*builder, error) {
	fail := func(format string, args ...any) error {
		return &Error{Kind: ErrInvalid, Project: res.ProjectName, Resource: res.ResourceName, Message: fmt.Sprintf(format, args...)}
	}
	if m == nil || res == nil {
		return nil, &Error{Kind: ErrInvalid, Message: "no manifest or no resource"}
	}
	if sh.Claims < 0 || sh.Prefixes < 0 {
		return nil, fail("negative claim or prefix count (%d, %d)", sh.Claims, sh.Prefixes)
	}
	b := &builder{m: m, res: res, sh: sh, q: quoterFor(m.Dialect)}
	if (sh.MergeIn || sh.KeyArray) && !sh.Single && m.Dialect == manifest.DialectPgSQL {
		b.inTests = map[string]inTest{}
	}
	switch m.Dialect {
	case manifest.DialectPgSQL:
		if b.sh.ClaimsParam == "" {
			b.sh.ClaimsParam = "$1"
		}
		if b.sh.PrefixesParam == "" {
			b.sh.PrefixesParam = "$2"
		}
	case manifest.DialectMSSQL:
		if b.sh.ClaimsParam == "" {
			b.sh.ClaimsParam = "@c"
		}
		if b.sh.PrefixesParam == "" {
			b.sh.PrefixesParam = "@p"
		}
		if b.sh.ClaimsTable == "" {
			b.sh.ClaimsTable = "@claims"
		}
		b.claimsAsTable = sh.Claims >= MSSQLMaxListClaims
	default:
		return nil, fail("unknown dialect %q", m.Dialect)
	}
	params := []string{b.sh.ClaimsParam, b.sh.PrefixesParam}
	if m.Dialect == manifest.DialectMSSQL {
		params = append(params, b.sh.ClaimsTable)
		if sh.ClaimSetParam != "" {
			return nil, fail("stored claim sets (Shape.ClaimSetParam) are PostgreSQL only")
		}
	}
	if sh.ClaimSetParam != "" {
		params = append(params, sh.ClaimSetParam)
	}
	if sh.AfterParam != "" {
		params = append(params, sh.AfterParam)
	}
	for _, p := range params {
		if !validParam(p) {
			return nil, fail("parameter name %q is not a placeholder ($N or @name)", p)
		}
	}
	if res.Storage != manifest.StorageDescriptor && len(res.Tables) == 0 {
		return nil, fail("the resource %s has no root table", res.ResourceName)
	}
	b.personViews = personViews(m)
	return b, nil
}

// validParam accepts $N and @name (letters, digits, underscores).
func validParam(p string) bool {
	if len(p) < 2 || (p[0] != '$' && p[0] != '@') {
		return false
	}
	for i := 1; i < len(p); i++ {
		c := p[i]
		digit := c >= '0' && c <= '9'
		if p[0] == '$' && !digit {
			return false
		}
		if !digit && c != '_' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// elements returns res's securable elements checked by s, in ordinal
// order.
func (b *builder) elements(s authz.Strategy) []manifest.SecurableElement {
	var out []manifest.SecurableElement
	for _, e := range b.res.SecurableElements {
		if t, ok := subjectType(e.Subject); ok && s.Needs(t) {
			out = append(out, e)
		}
	}
	return out
}

// subjectType maps a manifest subject to its authz subject type.
func subjectType(s manifest.Subject) (authz.SubjectType, bool) {
	switch s {
	case manifest.SubjectStudent:
		return authz.SubjectStudent, true
	case manifest.SubjectContact:
		return authz.SubjectContact, true
	case manifest.SubjectStaff:
		return authz.SubjectStaff, true
	case manifest.SubjectEdOrg:
		return authz.SubjectEdOrg, true
	case manifest.SubjectNamespace:
		return authz.SubjectNamespace, true
	}
	return 0, false
}

// check validates the tree against the resource and the shape, in the
// order Build documents.
func (b *builder) check(p authz.Predicate) error {
	if err := b.checkTree(p, 0); err != nil {
		return err
	}
	leaves := p.Leaves()
	fail := func(kind ErrorKind, s authz.Strategy, msg string) error {
		return &Error{Kind: kind, Strategy: s.Name, Project: b.res.ProjectName, Resource: b.res.ResourceName, Message: msg}
	}
	for _, s := range leaves {
		switch s.Kind {
		case authz.KindUnknown:
			return fail(ErrUnknownStrategy, s, fmt.Sprintf("The authorization strategy '%s' is not supported.", s.Name))
		case authz.KindOwnership:
			return fail(ErrOwnershipBased, s, fmt.Sprintf("The authorization strategy '%s' is not implemented.", s.Name))
		}
	}
	for _, s := range leaves {
		if s.Kind != authz.KindRelationship && s.Kind != authz.KindNamespace {
			continue
		}
		els := b.elements(s)
		if len(els) == 0 {
			var kinds []string
			for _, t := range s.Subjects {
				kinds = append(kinds, t.String())
			}
			return fail(ErrNoSubjects, s, fmt.Sprintf("The '%s' authorization strategy cannot authorize the resource '%s': it has no %s securable element.",
				s.Name, b.res.ResourceName, strings.Join(kinds, ", ")))
		}
		for _, e := range els {
			if e.Subject != manifest.SubjectEdOrg && e.Subject != manifest.SubjectNamespace && !b.personViews {
				return fail(ErrNoPersonViews, s, fmt.Sprintf("The '%s' authorization strategy cannot authorize the %s element %s of the resource '%s': the schema has no %s associations, so no auth person views.",
					s.Name, e.Subject, e.Path, b.res.ResourceName, personViewsNeed))
			}
			if err := b.checkElement(e); err != nil {
				return err
			}
		}
	}
	for _, s := range leaves {
		if s.Kind == authz.KindRelationship && b.sh.Claims == 0 {
			return fail(ErrNoClaims, s, NoClaimsMessage(s.Name))
		}
		if s.Kind == authz.KindNamespace && b.sh.Prefixes == 0 {
			return fail(ErrNoPrefixes, s, NoPrefixesMessage(s.Name))
		}
	}
	if b.m.Dialect == manifest.DialectMSSQL {
		relationship, namespace := false, false
		for _, s := range leaves {
			relationship = relationship || s.Kind == authz.KindRelationship
			namespace = namespace || s.Kind == authz.KindNamespace
		}
		if namespace && b.sh.Prefixes >= MSSQLMaxPrefixes {
			return fail(ErrTooManyPrefixes, authz.LookupStrategy(authz.StrategyNamespaceBased),
				fmt.Sprintf("%d namespace prefixes: SQL Server accepts fewer than %d.", b.sh.Prefixes, MSSQLMaxPrefixes))
		}
		if relationship && namespace && b.sh.Claims+b.sh.Prefixes >= MSSQLMaxListClaims {
			// Listed claims and prefixes together stay under SQL Server's
			// 2,100 parameters: the claims go to the table-valued parameter.
			b.claimsAsTable = true
		}
	}
	return nil
}

// checkTree rejects a malformed tree (authz never builds one).
func (b *builder) checkTree(p authz.Predicate, depth int) error {
	fail := func(msg string) error {
		return &Error{Kind: ErrInvalid, Project: b.res.ProjectName, Resource: b.res.ResourceName, Message: msg}
	}
	if depth > 8 {
		return fail("the strategy tree nests too deeply")
	}
	switch p.Op {
	case authz.OpStrategy:
		return nil
	case authz.OpAll, authz.OpAny:
		if len(p.Operands) == 0 {
			return fail("an " + p.Op.String() + " node without operands")
		}
		for _, o := range p.Operands {
			if err := b.checkTree(o, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return fail("an empty strategy tree (no decision allowed the action)")
}

// checkElement verifies that the manifest gives what e's SQL needs.
func (b *builder) checkElement(e manifest.SecurableElement) error {
	fail := func(format string, args ...any) error {
		return &Error{Kind: ErrInvalid, Project: b.res.ProjectName, Resource: b.res.ResourceName,
			Message: fmt.Sprintf("securable element %d (%s): ", e.Ordinal, e.Path) + fmt.Sprintf(format, args...)}
	}
	descriptorNamespace := e.Subject == manifest.SubjectNamespace && e.Site == manifest.SiteSelf && b.res.Storage == manifest.StorageDescriptor
	switch e.Site {
	case manifest.SiteSelf:
		if e.Subject == manifest.SubjectNamespace && !descriptorNamespace && e.Column == "" {
			return fail("a namespace on the document names no column")
		}
	case manifest.SiteDirect, manifest.SiteTransitive:
		if e.Column == "" || len(e.Hops) == 0 {
			return fail("a %s element without its FK column and hops", e.Site)
		}
		if e.Subject == manifest.SubjectNamespace {
			if _, err := b.holder(e); err != nil {
				return err
			}
		}
	case manifest.SiteValue:
		if e.Subject != manifest.SubjectEdOrg || e.Column == "" {
			return fail("a value element must be an EdOrg id column")
		}
	default:
		return fail("unknown site %q", e.Site)
	}
	return nil
}

// holder returns the quoted root table and column holding the namespace of
// a direct or transitive Namespace element.
func (b *builder) holder(e manifest.SecurableElement) (string, error) {
	for i := range b.m.Resources {
		r := &b.m.Resources[i]
		if r.ProjectName == e.SubjectProject && r.ResourceName == e.SubjectResource {
			if r.Storage == manifest.StorageDescriptor || len(r.Tables) == 0 || e.SubjectColumn == "" {
				break
			}
			return b.q.rel(r.Tables[0].Schema, r.Tables[0].Name), nil
		}
	}
	return "", &Error{Kind: ErrInvalid, Project: b.res.ProjectName, Resource: b.res.ResourceName,
		Message: fmt.Sprintf("securable element %d (%s): its namespace holder %s/%s has no root table column %q", e.Ordinal, e.Path, e.SubjectProject, e.SubjectResource, e.SubjectColumn)}
}

// node renders a checked tree.
func (b *builder) node(p authz.Predicate) string {
	switch p.Op {
	case authz.OpStrategy:
		return b.strategy(p.Strategy)
	case authz.OpAll:
		return b.join(p.Operands, " AND ")
	}
	return b.join(p.Operands, " OR ")
}

func (b *builder) join(ops []authz.Predicate, sep string) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = b.node(o)
	}
	if sep == " OR " && b.inTests != nil {
		parts = b.mergeIn(parts)
		if len(parts) == 1 {
			return parts[0]
		}
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// mergeIn merges the IN tests (or the key array tests) among ORed parts
// that test the same expression into one over the union of their
// subqueries, in the place of the first (Shape.MergeIn, Shape.KeyArray).
func (b *builder) mergeIn(parts []string) []string {
	type key struct {
		lhs   string
		array bool
	}
	subs := map[key][]string{}
	for _, p := range parts {
		if t, ok := b.inTests[p]; ok {
			k := key{t.lhs, t.array}
			subs[k] = append(subs[k], t.sub)
		}
	}
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		t, ok := b.inTests[p]
		k := key{t.lhs, t.array}
		switch {
		case !ok || len(subs[k]) == 1:
			out = append(out, p)
		case subs[k] != nil:
			m := inTest{t.lhs, strings.Join(subs[k], " UNION ALL "), t.array}
			merged := m.render()
			b.inTests[merged] = m
			out = append(out, merged)
			subs[k] = nil // the later ones are in it
		}
	}
	return out
}

// strategy renders one checked leaf: every element it checks, ANDed.
func (b *builder) strategy(s authz.Strategy) string {
	if s.Kind == authz.KindNoFurtherAuthorizationRequired {
		return b.q.always()
	}
	els := b.elements(s)
	parts := make([]string, len(els))
	for i, e := range els {
		if e.Subject == manifest.SubjectNamespace {
			parts[i] = b.namespace(e)
		} else {
			parts[i] = b.related(s, e)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// view returns the auth view and its document column for a relationship
// subject under strategy s.
func view(s authz.Strategy, subject manifest.Subject) (name, column string) {
	switch subject {
	case manifest.SubjectStudent:
		if s.StudentsThroughResponsibility {
			return viewStudentsRsp, "Student_DocumentId"
		}
		return viewStudents, "Student_DocumentId"
	case manifest.SubjectContact:
		return viewContacts, "Contact_DocumentId"
	case manifest.SubjectStaff:
		return viewStaff, "Staff_DocumentId"
	}
	if s.InvertedEdOrgs {
		return viewEdOrgDocsUp, "EducationOrganization_DocumentId"
	}
	return viewEdOrgDocs, "EducationOrganization_DocumentId"
}

// related renders one EdOrg or person element under relationship strategy
// s.
func (b *builder) related(s authz.Strategy, e manifest.SecurableElement) string {
	q := b.q
	r := func(col string) string { return "r." + q.id(col) }
	if e.Site == manifest.SiteValue {
		// A claim equal to the id (an id no EdOrg document has is still
		// one's own), or related to it through the closure in EdOrg ids:
		// the id among the claims' descendants (inverted: ancestors).
		from, to := claimColumn, "TargetEducationOrganizationId"
		if s.InvertedEdOrgs {
			from, to = to, from
		}
		c := r(e.Column)
		if b.sh.Single {
			return "(" + b.inClaims(c) + " OR " + b.probe(q.rel(authSchema, viewEdOrgIDs)+" v WHERE v."+q.id(to)+" = "+c+
				" AND "+b.inClaims("v."+q.id(from))) + ")"
		}
		return "(" + b.inClaims(c) + " OR " + c + " IN (SELECT v." + q.id(to) + " FROM " + q.rel(authSchema, viewEdOrgIDs) +
			" v WHERE " + b.inClaims("v."+q.id(from)) + "))"
	}
	name, col := view(s, e.Subject)
	// in tests expr against the view: IN (pages) or an EXISTS probe
	// (Shape.Single).
	in := func(expr string) string {
		if b.sh.Single {
			return b.probe(q.rel(authSchema, name) + " v WHERE v." + q.id(col) + " = " + expr + " AND " + b.inClaims("v."+q.id(claimColumn)))
		}
		t := inTest{lhs: expr, sub: b.viewReach(name, col, false)}
		test := t.render()
		if b.inTests != nil && b.sh.MergeIn {
			b.inTests[test] = t
		}
		return test
	}
	switch e.Site {
	case manifest.SiteSelf:
		if b.sh.KeyArray && !b.sh.Single && b.m.Dialect == manifest.DialectPgSQL {
			t := inTest{lhs: r("DocumentId"), sub: b.viewReach(name, col, true), array: true}
			test := t.render()
			if b.inTests != nil {
				b.inTests[test] = t
			}
			return test
		}
		return in(r("DocumentId"))
	case manifest.SiteDirect:
		return in(r(e.Column))
	}
	return b.subjectExists("", in("s."+q.id("SubjectDocumentId")), e.Ordinal)
}

// viewReach renders the reach of the claims through auth view name:
// `SELECT v.col FROM auth.name v WHERE <claims>`, keeping only the ids
// after the cursor (Shape.AfterParam) when after is set and there is one.
func (b *builder) viewReach(name, col string, after bool) string {
	q := b.q
	sub := "SELECT v." + q.id(col) + " FROM " + q.rel(authSchema, name) + " v WHERE " + b.inClaims("v."+q.id(claimColumn))
	if after && b.sh.AfterParam != "" {
		sub += " AND v." + q.id(col) + " > " + b.sh.AfterParam + "::bigint"
	}
	return sub
}

// probe renders "some row of fromWhere (FROM … WHERE …) exists" as a
// scalar subquery with a row limit, which the planner keeps as a probe per
// outer row: an EXISTS is flattened into a semi-join that a generic plan
// may run as a hash join over the whole view (every claim's reach again).
func (b *builder) probe(fromWhere string) string {
	if b.m.Dialect == manifest.DialectPgSQL {
		return "(SELECT 1 FROM " + fromWhere + " LIMIT 1) IS NOT NULL"
	}
	return "(SELECT TOP (1) 1 FROM " + fromWhere + ") IS NOT NULL"
}

// subjectExists renders the dms.DocumentSubject test of a transitive
// element: join (a JOIN clause, or "") and cond over alias s.
func (b *builder) subjectExists(join, cond string, ordinal int) string {
	q := b.q
	return "EXISTS (SELECT 1 FROM " + q.rel(coreSchema, documentSubject) + " s" + join +
		" WHERE s." + q.id("DocumentId") + " = r." + q.id("DocumentId") +
		" AND s." + q.id("ElementOrdinal") + " = " + strconv.Itoa(ordinal) + " AND " + cond + ")"
}

// namespace renders one Namespace element.
func (b *builder) namespace(e manifest.SecurableElement) string {
	q := b.q
	switch e.Site {
	case manifest.SiteSelf:
		col := e.Column
		if b.res.Storage == manifest.StorageDescriptor {
			col = "Namespace" // r is dms.Descriptor
		}
		return b.likePrefixes("r." + q.id(col))
	case manifest.SiteDirect:
		h, _ := b.holder(e) // checked
		return "EXISTS (SELECT 1 FROM " + h + " h WHERE h." + q.id("DocumentId") + " = r." + q.id(e.Column) +
			" AND " + b.likePrefixes("h."+q.id(e.SubjectColumn)) + ")"
	}
	h, _ := b.holder(e)
	return b.subjectExists(" JOIN "+h+" h ON h."+q.id("DocumentId")+" = s."+q.id("SubjectDocumentId"),
		b.likePrefixes("h."+q.id(e.SubjectColumn)), e.Ordinal)
}

// inClaims renders "expr is one of the claims".
func (b *builder) inClaims(expr string) string {
	b.usesClaims = true
	if b.m.Dialect == manifest.DialectPgSQL {
		if b.sh.ClaimSetParam != "" {
			return expr + " IN (SELECT g." + b.q.id("EducationOrganizationId") + " FROM " + b.q.rel(authSchema, claimSetTable) +
				" g WHERE g." + b.q.id("ClaimSetId") + " = " + b.sh.ClaimSetParam + "::uuid)"
		}
		return expr + " = ANY(" + b.sh.ClaimsParam + "::bigint[])"
	}
	if b.claimsAsTable {
		return expr + " IN (SELECT " + b.q.id("Id") + " FROM " + b.sh.ClaimsTable + ")"
	}
	return expr + " IN (" + list(b.sh.ClaimsParam, b.sh.Claims) + ")"
}

// likePrefixes renders "expr starts with one of the prefixes".
func (b *builder) likePrefixes(expr string) string {
	b.usesPrefixes = true
	if b.m.Dialect == manifest.DialectPgSQL {
		return expr + " LIKE ANY(" + b.sh.PrefixesParam + "::text[])"
	}
	parts := make([]string, b.sh.Prefixes)
	for i := range parts {
		parts[i] = expr + " COLLATE " + MSSQLCollation + " LIKE " + b.sh.PrefixesParam + strconv.Itoa(i) + ` ESCAPE '\'`
	}
	return "(" + strings.Join(parts, " OR ") + ")"
}

// list renders stem0, stem1, … stem{n-1}.
func list(stem string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(stem)
		b.WriteString(strconv.Itoa(i))
	}
	return b.String()
}

// ListParams returns the SQL Server parameter names stem0 … stem{n-1}: the
// names of listed claims (stem Shape.ClaimsParam) and of patterns (stem
// Shape.PrefixesParam), in the order their values are to be bound.
func ListParams(stem string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = stem + strconv.Itoa(i)
	}
	return out
}

// personViewsNeed names the associations the person views join.
const personViewsNeed = "StudentSchoolAssociation, StudentEducationOrganizationResponsibilityAssociation, StudentContactAssociation, StaffEducationOrganizationAssignmentAssociation and StaffEducationOrganizationEmploymentAssociation"

// personViewsOf memoizes hasPersonViews per manifest (a manifest is not
// changed once loaded): Build runs on every request under a grant, and the
// walk over every resource of a DS 5.0 manifest cost about 28 µs of it.
// Keys are weak pointers, dropped when their manifest is collected.
var personViewsOf sync.Map // weak.Pointer[manifest.Manifest] → bool

// personViews is hasPersonViews(m), computed once per manifest.
func personViews(m *manifest.Manifest) bool {
	key := weak.Make(m)
	if v, ok := personViewsOf.Load(key); ok {
		return v.(bool)
	}
	v := hasPersonViews(m)
	if _, loaded := personViewsOf.LoadOrStore(key, v); !loaded {
		runtime.AddCleanup(m, func(k weak.Pointer[manifest.Manifest]) { personViewsOf.Delete(k) }, key)
	}
	return v
}

// hasPersonViews reports whether the schema has the auth person views: the
// DDL emits them when the core project has the five associations they join,
// each with its root references to the EdOrg (or, for contacts, student)
// side and to the person (package ddl, authViews; a test keeps the two
// rules equal).
func hasPersonViews(m *manifest.Manifest) bool {
	core := ""
	for _, p := range m.Projects {
		if !p.IsExtension {
			core = p.ProjectName
		}
	}
	want := []struct{ resource, side, person string }{
		{"StudentSchoolAssociation", "School", "Student"},
		{"StudentEducationOrganizationResponsibilityAssociation", "EducationOrganization", "Student"},
		{"StudentContactAssociation", "Student", "Contact"},
		{"StaffEducationOrganizationAssignmentAssociation", "EducationOrganization", "Staff"},
		{"StaffEducationOrganizationEmploymentAssociation", "EducationOrganization", "Staff"},
	}
	for _, w := range want {
		var res *manifest.Resource
		for i := range m.Resources {
			if r := &m.Resources[i]; r.ProjectName == core && r.ResourceName == w.resource {
				res = r
			}
		}
		if res == nil || len(res.Tables) == 0 {
			return false
		}
		root := res.Tables[0].Schema + "." + res.Tables[0].Name
		side, person := false, false
		for _, es := range res.EdgeSources {
			if es.Kind != manifest.EdgeReference || es.Table != root || es.TargetProject != core {
				continue
			}
			switch es.TargetResource {
			case w.side:
				side = true
			case w.person:
				person = true
			}
		}
		if !side || !person {
			return false
		}
	}
	return true
}
