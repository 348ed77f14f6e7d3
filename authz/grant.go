package authz

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The limits of a Grant.
const (
	// MaxEdOrgIDs is the most distinct education organization ids a grant
	// may hold.
	MaxEdOrgIDs = 10000
	// MaxNamespacePrefixes is the most distinct namespace prefixes a grant
	// may hold.
	MaxNamespacePrefixes = 10000
	// MaxNamespacePrefixLength is the longest prefix in bytes (an Ed-Fi
	// Namespace holds at most 255 characters, so a longer prefix matches
	// nothing).
	MaxNamespacePrefixLength = 255
	// MaxClaimSetNameLength is the longest claim set name in bytes.
	MaxClaimSetNameLength = 256
	// maxListItems bounds the items ParseEdOrgIDs and ParseNamespacePrefixes
	// look at before refusing a list (duplicates included).
	maxListItems = 4 * MaxEdOrgIDs
	// maxReported bounds the bad items one error names.
	maxReported = 5
)

// Grant is what a caller holds: a claim set name, the education
// organization ids it is authorized for and its namespace prefixes.
type Grant struct {
	// ClaimSet names the caller's claim set.
	ClaimSet string
	// EdOrgIDs are the caller's EducationOrganizationId claims.
	EdOrgIDs []int64
	// NamespacePrefixes are the caller's namespace prefixes.
	NamespacePrefixes []string
}

// GrantError lists every problem of an invalid grant.
type GrantError struct {
	// Problems are the problems, one sentence each, in a fixed order
	// (claim set, EdOrg ids, namespace prefixes).
	Problems []string
}

// Error joins the problems.
func (e *GrantError) Error() string {
	return "invalid grant: " + strings.Join(e.Problems, "; ")
}

// Normalize validates g and returns it with EdOrgIDs ascending and
// NamespacePrefixes in byte order, duplicates removed (nil slices for
// none). It fails, naming every problem, when the claim set name is empty,
// longer than MaxClaimSetNameLength, not UTF-8 or holds control characters
// or surrounding spaces; when there are more than MaxEdOrgIDs distinct ids
// or MaxNamespacePrefixes distinct prefixes; or when a prefix is empty,
// longer than MaxNamespacePrefixLength, not UTF-8 or holds control
// characters or surrounding spaces. No ids and no prefixes are valid (a
// strategy needing them then denies).
func (g Grant) Normalize() (Grant, error) {
	var problems []string
	if msg := checkText(g.ClaimSet, MaxClaimSetNameLength); msg != "" {
		problems = append(problems, "claim set name "+msg)
	}
	out := Grant{ClaimSet: g.ClaimSet}
	if len(g.EdOrgIDs) > 0 {
		ids := slices.Clone(g.EdOrgIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if len(ids) > MaxEdOrgIDs {
			problems = append(problems, fmt.Sprintf("%d distinct education organization ids, more than the %d allowed", len(ids), MaxEdOrgIDs))
		}
		out.EdOrgIDs = ids
	}
	if len(g.NamespacePrefixes) > 0 {
		var bad []string
		nBad := 0
		for i, p := range g.NamespacePrefixes {
			if msg := checkText(p, MaxNamespacePrefixLength); msg != "" {
				nBad++
				if len(bad) < maxReported {
					bad = append(bad, fmt.Sprintf("namespace prefix %d (%s) %s", i+1, quoteShort(p), msg))
				}
			}
		}
		problems = append(problems, bad...)
		if nBad > len(bad) {
			problems = append(problems, fmt.Sprintf("and %d more invalid namespace prefixes", nBad-len(bad)))
		}
		ps := slices.Clone(g.NamespacePrefixes)
		slices.Sort(ps)
		ps = slices.Compact(ps)
		if len(ps) > MaxNamespacePrefixes {
			problems = append(problems, fmt.Sprintf("%d distinct namespace prefixes, more than the %d allowed", len(ps), MaxNamespacePrefixes))
		}
		out.NamespacePrefixes = ps
	}
	if len(problems) > 0 {
		return Grant{}, &GrantError{Problems: problems}
	}
	return out, nil
}

// checkText returns what is wrong with a name or prefix, or "".
func checkText(s string, max int) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > max:
		return fmt.Sprintf("is %d bytes long, more than %d", len(s), max)
	case !utf8.ValidString(s):
		return "is not UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "holds a control character"
		}
	}
	if strings.TrimSpace(s) != s {
		return "has leading or trailing spaces"
	}
	return ""
}

// quoteShort quotes s, cut to 40 bytes (messages about hostile input stay
// short).
func quoteShort(s string) string {
	if len(s) > 40 {
		cut := 40
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.Quote(s[:cut]) + "…"
	}
	return strconv.Quote(s)
}

// splitList splits a comma-separated list, trimming spaces around items.
// An empty or all-space list has no items; an empty item is an error.
func splitList(list, what string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	if n := strings.Count(list, ",") + 1; n > maxListItems {
		return nil, fmt.Errorf("%d %s, more than the %d a list may hold", n, what, maxListItems)
	}
	items := strings.Split(list, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
		if items[i] == "" {
			return nil, fmt.Errorf("%s item %d is empty", what, i+1)
		}
	}
	return items, nil
}

// ParseEdOrgIDs parses a comma-separated list of education organization
// ids (spaces around items allowed): "255901, 255901001". An empty list
// gives none. A non-numeric or out-of-range item is an error naming it;
// counts are checked by Grant.Normalize.
func ParseEdOrgIDs(list string) ([]int64, error) {
	items, err := splitList(list, "education organization ids")
	if err != nil || items == nil {
		return nil, err
	}
	ids := make([]int64, 0, len(items))
	for i, it := range items {
		id, err := strconv.ParseInt(it, 10, 64)
		if err != nil {
			why := "is not an integer"
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				why = "is out of range"
			}
			return nil, fmt.Errorf("education organization id %d (%s) %s", i+1, quoteShort(it), why)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// ParseNamespacePrefixes parses a comma-separated list of namespace
// prefixes (spaces around items trimmed): "uri://ed-fi.org, uri://x". An
// empty list gives none; an empty item is an error. The prefixes themselves
// are checked by Grant.Normalize.
func ParseNamespacePrefixes(list string) ([]string, error) {
	return splitList(list, "namespace prefixes")
}
