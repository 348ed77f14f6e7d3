package refid

import "strings"

// DescriptorPath is the synthetic identity path of every descriptor
// document: its identity is the single element
// $.descriptor=<lower(namespace#codeValue)>.
const DescriptorPath = "$.descriptor"

// SchoolYearPath is the identity path of the school-year enumeration
// (SchoolYearType): $.schoolYear=<year>.
const SchoolYearPath = "$.schoolYear"

// Element is one element of a document identity: an identityJsonPath and the
// canonical text of its value (see the package documentation).
type Element struct {
	// Path is the identity JSONPath, e.g. "$.schoolReference.schoolId".
	Path string
	// Value is the canonical text of the value at Path.
	Value string
}

// Name returns the UUIDv5 name of an identity: projectName + resourceName
// followed by the elements as "<path>=<value>" joined by "#", e.g.
// "Ed-FiSchool$.schoolId=123".
func Name(projectName, resourceName string, elems []Element) string {
	return joinName(projectName, resourceName, elems, "")
}

// joinName writes projectName + resourceName followed by the elements as
// mark+path "=" mark+value, joined by "#": the one layout of both name forms.
func joinName(projectName, resourceName string, elems []Element, mark string) string {
	var b strings.Builder
	b.WriteString(projectName)
	b.WriteString(resourceName)
	for i, e := range elems {
		if i > 0 {
			b.WriteByte('#')
		}
		b.WriteString(mark)
		b.WriteString(e.Path)
		b.WriteByte('=')
		b.WriteString(mark)
		b.WriteString(e.Value)
	}
	return b.String()
}

// New returns the ReferentialId of the identity elems of a resource, as DMS
// Core computes it: NewV5(Namespace, Name(projectName, resourceName, elems)).
// The element values must already be canonical (see NewElement and the
// value helpers).
func New(projectName, resourceName string, elems []Element) UUID {
	return NewV5(Namespace, Name(projectName, resourceName, elems))
}
