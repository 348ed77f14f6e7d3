package naming

import (
	"strings"
	"unicode"
)

// Pascal converts a JSON property name, a MetaEd key or an override value to
// PascalCase the way upstream DMS does: only letters and digits are kept,
// the first kept character and every kept character that follows a dropped
// one are upper-cased, and nothing is lower-cased (`schoolId` → `SchoolId`,
// `SectionOrProgramChoice.Program` → `SectionOrProgramChoiceProgram`,
// `Contact_Name` → `ContactName`).
func Pascal(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// PascalJoin concatenates the PascalCase form of each part
// (`classRanking`, `classRank` → `ClassRankingClassRank`).
func PascalJoin(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(Pascal(p))
	}
	return b.String()
}

// Schema derives a physical schema name from a project endpoint name: ASCII
// letters and digits only, lowercase, prefixed with `p` when it would not
// start with a letter (`ed-fi` → `edfi`, `2x` → `p2x`).
func Schema(endpoint string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(endpoint) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		s = "p" + s
	}
	return s
}
