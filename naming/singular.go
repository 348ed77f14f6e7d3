package naming

import "strings"

// Singular returns the singular base of a collection property exactly as
// upstream DMS derives it, so table names agree: on the lower-cased word,
// `ies` → `y`; else `ches`, `shes`, `xes`, `zes`, `ses` lose `es`; else a
// final `s` (not `ss`) is dropped. There is no exception list, so `courses`
// gives `Cours`; a `[*]` nameOverride is the escape hatch.
func Singular(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasSuffix(lower, "ies"):
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(lower, "ches"), strings.HasSuffix(lower, "shes"),
		strings.HasSuffix(lower, "xes"), strings.HasSuffix(lower, "zes"),
		strings.HasSuffix(lower, "ses"):
		return s[:len(s)-2]
	case strings.HasSuffix(lower, "s") && !strings.HasSuffix(lower, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// CollectionBase is the base name of a collection property:
// Pascal(Singular(prop)) (`addresses` → `Address`).
func CollectionBase(prop string) string { return Pascal(Singular(prop)) }
