package authz

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/diag"
)

// MaxFileSize is the largest claims file LoadFile reads (upstream DMS's
// Claims.json for DS 5.2 is about 0.6 MB).
const MaxFileSize = 64 << 20

// MaxClaimDepth bounds the nesting of the claims hierarchy (upstream's is
// at most four claims deep).
const MaxClaimDepth = 32

// The diagnostic codes of claims files.
const (
	// CodeReadFailed: the file could not be read.
	CodeReadFailed = "read-failed"
	// CodeInvalidJSON: the file is not JSON (or not UTF-8).
	CodeInvalidJSON = "invalid-json"
	// CodeWrongType: a value has the wrong JSON type.
	CodeWrongType = "wrong-type"
	// CodeMissingKey: a required member is absent.
	CodeMissingKey = "missing-key"
	// CodeUnknownKey: a member the format does not define (upstream's JSON
	// Schema allows no additional properties).
	CodeUnknownKey = "unknown-key"
	// CodeDuplicateKey: an object holds a key twice.
	CodeDuplicateKey = "duplicate-key"
	// CodeEmptyValue: a required string or array is empty.
	CodeEmptyValue = "empty-value"
	// CodeDuplicateClaimSet: two claim sets share a name (names are
	// case-insensitive).
	CodeDuplicateClaimSet = "duplicate-claim-set"
	// CodeUndeclaredClaimSet: a claim names a claim set that claimSets does
	// not declare.
	CodeUndeclaredClaimSet = "undeclared-claim-set"
	// CodeDuplicateClaim: two claims of the hierarchy share a name.
	CodeDuplicateClaim = "duplicate-claim"
	// CodeDuplicateGrant: a claim names one claim set twice.
	CodeDuplicateGrant = "duplicate-claim-set-entry"
	// CodeDuplicateAction: an action is listed twice in one list.
	CodeDuplicateAction = "duplicate-action"
	// CodeTooDeep: the hierarchy nests claims deeper than MaxClaimDepth.
	CodeTooDeep = "claims-too-deep"
	// CodeUnknownAction (warning): an action other than Create, Read,
	// Update, Delete and ReadChanges; it never matches a request.
	CodeUnknownAction = "unknown-action"
	// CodeUnknownStrategy (warning): a strategy name dmsc does not know; a
	// request under it is a 500.
	CodeUnknownStrategy = "unknown-strategy"
	// CodeDuplicateStrategy (warning): a strategy listed twice in a list.
	CodeDuplicateStrategy = "duplicate-strategy"
	// CodeNoStrategies (warning): a default action with an empty strategy
	// list, which hides the defaults of the claims above it.
	CodeNoStrategies = "no-strategies"
)

// ClaimSet is one declared claim set.
type ClaimSet struct {
	// Name is the claim set name as declared.
	Name string
	// IsSystemReserved is the declaration's isSystemReserved.
	IsSystemReserved bool
}

// Claims is a loaded claims file: the declared claim sets and the claims
// hierarchy. It is immutable and safe for concurrent use.
type Claims struct {
	file     string
	sets     []ClaimSet
	setIndex map[string]int // folded name → index in sets
	roots    []*claim
	byName   map[string]*claim // folded name → claim
	leaves   []*claim          // resource claims in document order
}

// claim is one node of the hierarchy.
type claim struct {
	name     string
	path     string
	parent   *claim
	children []*claim
	defaults []actionStrategies
	grants   []claimSetGrant
}

// actionStrategies is one action with a strategy list (defaults, or a
// claim set's overrides).
type actionStrategies struct {
	action     Action
	strategies []string
}

// claimSetGrant is one entry of a claim's claimSets.
type claimSetGrant struct {
	name    string
	key     string             // fold(name)
	actions []actionStrategies // strategies are the overrides
}

// fold is the case-insensitive key of a name.
func fold(s string) string { return strings.ToLower(s) }

// LoadFile reads and parses a claims file (a regular file of at most
// MaxFileSize bytes). Problems are added to diags; the result is nil when
// the file has errors.
func LoadFile(path string, diags *diag.List) *Claims {
	data, err := boundedfile.Read(path, MaxFileSize, "a claims file")
	if err != nil {
		diags.Errorf(path, "", CodeReadFailed, "cannot read file: %v", err)
		return nil
	}
	return Parse(path, data, diags)
}

// utf8BOM is the byte order mark some editors write first.
var utf8BOM = []byte("\xef\xbb\xbf")

// Parse parses the content of a claims file named name (used in
// diagnostics): upstream DMS's Claims.json shape, `{"claimSets": [...],
// "claimsHierarchy": [...]}`. Every problem is added to diags before it
// returns; the result is nil when there was an error.
func Parse(name string, data []byte, diags *diag.List) *Claims {
	var local diag.List
	c := parse(name, data, &local)
	diags.Merge(&local)
	if local.HasErrors() {
		return nil
	}
	return c
}

func parse(name string, data []byte, diags *diag.List) *Claims {
	data = bytes.TrimPrefix(data, utf8BOM)
	if !utf8.Valid(data) {
		at := 0
		for at < len(data) {
			r, n := utf8.DecodeRune(data[at:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			at += n
		}
		diags.Errorf(name, "$", CodeInvalidJSON, "the file is not UTF-8 (invalid byte at offset %d)", at)
		return nil
	}
	root, problems, err := decodeTree(data)
	if err != nil {
		diags.Errorf(name, "$", CodeInvalidJSON, "not valid JSON: %v", err)
		return nil
	}
	for _, p := range problems {
		diags.Errorf(name, p.path, CodeDuplicateKey, "%s", p.msg)
	}
	r := &reader{file: name, diags: diags}
	c := &Claims{file: name, setIndex: map[string]int{}, byName: map[string]*claim{}}
	if !r.is(root, "$", jObject) {
		return nil
	}
	r.onlyKeys(root, "$", "claimSets", "claimsHierarchy")
	if sets := r.array(root, "$", "claimSets", true); sets != nil {
		for i, e := range sets.elems {
			r.claimSet(c, e, indexPath("$.claimSets", i))
		}
	}
	if h := r.array(root, "$", "claimsHierarchy", true); h != nil {
		for i, e := range h.elems {
			if cl := r.claim(c, e, indexPath("$.claimsHierarchy", i), nil, 1); cl != nil {
				c.roots = append(c.roots, cl)
			}
		}
	}
	return c
}

// reader checks the tree and reports with locations.
type reader struct {
	file  string
	diags *diag.List
}

func (r *reader) errorf(path, code, format string, args ...any) {
	r.diags.Errorf(r.file, path, code, format, args...)
}

func (r *reader) warnf(path, code, format string, args ...any) {
	r.diags.Warnf(r.file, path, code, format, args...)
}

// is reports whether n has kind k, else reports the mismatch.
func (r *reader) is(n *jnode, path string, k jkind) bool {
	if n.kind == k {
		return true
	}
	r.errorf(path, CodeWrongType, "expected %s, found %s", k, n.kind)
	return false
}

// onlyKeys reports the members of obj that are not in allowed.
func (r *reader) onlyKeys(obj *jnode, path string, allowed ...string) {
	for _, k := range obj.keys {
		ok := false
		for _, a := range allowed {
			if k == a {
				ok = true
				break
			}
		}
		if !ok {
			r.errorf(keyPath(path, k), CodeUnknownKey, "unknown key %q; expected %s", k, quoteList(allowed))
		}
	}
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return "one of " + strings.Join(q, ", ")
}

// str returns obj[key] as a non-empty string; ok is false when it is
// absent (and not required) or invalid (reported).
func (r *reader) str(obj *jnode, path, key string, required bool) (string, bool) {
	v := obj.member(key)
	p := keyPath(path, key)
	if v == nil {
		if required {
			r.errorf(path, CodeMissingKey, "missing %q", key)
		}
		return "", false
	}
	if !r.is(v, p, jString) {
		return "", false
	}
	if strings.TrimSpace(v.str) == "" {
		r.errorf(p, CodeEmptyValue, "%q is empty", key)
		return "", false
	}
	return v.str, true
}

// array returns obj[key] when it is a non-empty array (or an empty one when
// it is optional); nil when absent or invalid (reported).
func (r *reader) array(obj *jnode, path, key string, nonEmpty bool) *jnode {
	v := obj.member(key)
	p := keyPath(path, key)
	if v == nil {
		if nonEmpty {
			r.errorf(path, CodeMissingKey, "missing %q", key)
		}
		return nil
	}
	if !r.is(v, p, jArray) {
		return nil
	}
	if nonEmpty && len(v.elems) == 0 {
		r.errorf(p, CodeEmptyValue, "%q is empty; it needs at least one entry", key)
		return nil
	}
	return v
}

// claimSet reads one declaration of $.claimSets.
func (r *reader) claimSet(c *Claims, n *jnode, path string) {
	if !r.is(n, path, jObject) {
		return
	}
	r.onlyKeys(n, path, "claimSetName", "isSystemReserved")
	name, ok := r.str(n, path, "claimSetName", true)
	reserved := false
	if v := n.member("isSystemReserved"); v == nil {
		r.errorf(path, CodeMissingKey, "missing %q", "isSystemReserved")
	} else if r.is(v, keyPath(path, "isSystemReserved"), jBool) {
		reserved = v.b
	}
	if !ok {
		return
	}
	if i, dup := c.setIndex[fold(name)]; dup {
		r.errorf(keyPath(path, "claimSetName"), CodeDuplicateClaimSet, "claim set %q is declared twice (also $.claimSets[%d], %q); claim set names are case-insensitive", name, i, c.sets[i].Name)
		return
	}
	c.setIndex[fold(name)] = len(c.sets)
	c.sets = append(c.sets, ClaimSet{Name: name, IsSystemReserved: reserved})
}

// claim reads one claim and its descendants.
func (r *reader) claim(c *Claims, n *jnode, path string, parent *claim, depth int) *claim {
	if !r.is(n, path, jObject) {
		return nil
	}
	if depth > MaxClaimDepth {
		r.errorf(path, CodeTooDeep, "claims nest more than %d levels deep", MaxClaimDepth)
		return nil
	}
	r.onlyKeys(n, path, "name", "defaultAuthorization", "claimSets", "claims")
	name, ok := r.str(n, path, "name", true)
	cl := &claim{name: name, path: path, parent: parent}
	if ok {
		if prev, dup := c.byName[fold(name)]; dup {
			r.errorf(keyPath(path, "name"), CodeDuplicateClaim, "claim %q appears twice in the hierarchy (first at %s); claim names are case-insensitive", name, prev.path)
		} else {
			c.byName[fold(name)] = cl
		}
	}
	if d := n.member("defaultAuthorization"); d != nil {
		dp := keyPath(path, "defaultAuthorization")
		if r.is(d, dp, jObject) {
			r.onlyKeys(d, dp, "actions")
			if acts := r.array(d, dp, "actions", true); acts != nil {
				cl.defaults = r.actions(acts, keyPath(dp, "actions"), "authorizationStrategies", true)
			}
		}
	}
	if sets := r.array(n, path, "claimSets", false); sets != nil {
		seen := map[string]string{}
		for i, e := range sets.elems {
			ep := indexPath(keyPath(path, "claimSets"), i)
			if !r.is(e, ep, jObject) {
				continue
			}
			r.onlyKeys(e, ep, "name", "actions")
			setName, ok := r.str(e, ep, "name", true)
			var acts []actionStrategies
			if a := r.array(e, ep, "actions", true); a != nil {
				acts = r.actions(a, keyPath(ep, "actions"), "authorizationStrategyOverrides", false)
			}
			if !ok {
				continue
			}
			if first, dup := seen[fold(setName)]; dup {
				r.errorf(keyPath(ep, "name"), CodeDuplicateGrant, "claim set %q is named twice on this claim (first at %s)", setName, first)
				continue
			}
			seen[fold(setName)] = ep
			if _, declared := c.setIndex[fold(setName)]; !declared {
				r.errorf(keyPath(ep, "name"), CodeUndeclaredClaimSet, "claim set %q is not declared in $.claimSets", setName)
				continue
			}
			cl.grants = append(cl.grants, claimSetGrant{name: setName, key: fold(setName), actions: acts})
		}
	}
	if kids := r.array(n, path, "claims", false); kids != nil {
		for i, e := range kids.elems {
			if k := r.claim(c, e, indexPath(keyPath(path, "claims"), i), cl, depth+1); k != nil {
				cl.children = append(cl.children, k)
			}
		}
	}
	if len(cl.children) == 0 && ok {
		c.leaves = append(c.leaves, cl)
	}
	return cl
}

// actions reads an action list: defaults (strategiesKey
// "authorizationStrategies", required) or a claim set's actions
// ("authorizationStrategyOverrides", optional).
func (r *reader) actions(arr *jnode, path, strategiesKey string, required bool) []actionStrategies {
	var out []actionStrategies
	seen := map[Action]string{}
	for i, e := range arr.elems {
		ep := indexPath(path, i)
		if !r.is(e, ep, jObject) {
			continue
		}
		r.onlyKeys(e, ep, "name", strategiesKey)
		name, ok := r.str(e, ep, "name", true)
		var strategies []string
		sp := keyPath(ep, strategiesKey)
		if s := e.member(strategiesKey); s == nil {
			if required {
				r.errorf(ep, CodeMissingKey, "missing %q", strategiesKey)
			}
		} else if r.is(s, sp, jArray) {
			strategies = r.strategies(s, sp)
			if required && len(s.elems) == 0 {
				r.warnf(sp, CodeNoStrategies, "the default for %q names no strategy: it hides the defaults of the claims above, and a claim set granted %q here without overrides gets a 500 (security configuration)", name, name)
			}
		}
		if !ok {
			continue
		}
		a, known := ParseAction(name)
		if !known {
			r.warnf(keyPath(ep, "name"), CodeUnknownAction, "unknown action %q (dmsc knows Create, Read, Update, Delete and ReadChanges); it never matches a request", name)
		}
		if first, dup := seen[a]; dup {
			r.errorf(keyPath(ep, "name"), CodeDuplicateAction, "action %q is listed twice (first at %s)", name, first)
			continue
		}
		seen[a] = ep
		out = append(out, actionStrategies{action: a, strategies: strategies})
	}
	return out
}

// strategies reads a list of {"name": …} objects.
func (r *reader) strategies(arr *jnode, path string) []string {
	var out []string
	seen := map[string]bool{}
	for i, e := range arr.elems {
		ep := indexPath(path, i)
		if !r.is(e, ep, jObject) {
			continue
		}
		r.onlyKeys(e, ep, "name")
		name, ok := r.str(e, ep, "name", true)
		if !ok {
			continue
		}
		if seen[name] {
			r.warnf(keyPath(ep, "name"), CodeDuplicateStrategy, "strategy %q is listed twice", name)
			continue
		}
		seen[name] = true
		if LookupStrategy(name).Kind == KindUnknown {
			hint := ""
			if k := knownStrategyFold(name); k != "" {
				hint = fmt.Sprintf(" (did you mean %q? names are case-sensitive)", k)
			}
			r.warnf(keyPath(ep, "name"), CodeUnknownStrategy, "unknown authorization strategy %q%s: a request it applies to fails with 500 (security configuration)", name, hint)
		}
		out = append(out, name)
	}
	return out
}

// File is the name the claims were parsed from.
func (c *Claims) File() string { return c.file }

// ClaimSets returns the declared claim sets in file order.
func (c *Claims) ClaimSets() []ClaimSet { return append([]ClaimSet(nil), c.sets...) }

// ClaimSet returns the declared claim set named name (case-insensitive).
func (c *Claims) ClaimSet(name string) (ClaimSet, bool) {
	i, ok := c.setIndex[fold(name)]
	if !ok {
		return ClaimSet{}, false
	}
	return c.sets[i], true
}

// ResourceClaims returns the names of the resource claims (the leaves of
// the hierarchy, as upstream DMS treats them) in document order.
func (c *Claims) ResourceClaims() []string {
	out := make([]string, len(c.leaves))
	for i, l := range c.leaves {
		out[i] = l.name
	}
	return out
}

// Lineage returns the names of the claims from the claim named name
// (case-insensitive) up to its root, or nil when there is none.
func (c *Claims) Lineage(name string) []string {
	cl := c.byName[fold(name)]
	var out []string
	for ; cl != nil; cl = cl.parent {
		out = append(out, cl.name)
	}
	return out
}
