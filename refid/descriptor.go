package refid

import "strings"

// IsDescriptorPath reports whether the values at an identity path are
// descriptor URIs, which DMS lower-cases: DescriptorPath itself and every
// path whose last property name ends in "Descriptor" (also inside brackets,
// "…Descriptor]").
func IsDescriptorPath(path string) bool {
	return path == DescriptorPath ||
		strings.HasSuffix(path, "Descriptor") ||
		strings.HasSuffix(path, "Descriptor]")
}

// DescriptorValue returns a descriptor URI in canonical (lower-case) form.
// It lower-cases each character by its simple Unicode mapping, like .NET's
// ToLowerInvariant.
func DescriptorValue(uri string) string {
	return strings.ToLower(uri)
}

// NewElement returns the identity element for path and value, lower-casing
// value when path is a descriptor path (see IsDescriptorPath). Other values
// are kept as given: canonicalise numbers, booleans, dates and times with
// the value helpers first.
func NewElement(path, value string) Element {
	if IsDescriptorPath(path) {
		value = DescriptorValue(value)
	}
	return Element{Path: path, Value: value}
}

// DescriptorDocumentIdentity returns the identity of a descriptor document:
// the single element $.descriptor=<lower(namespace)>#<lower(codeValue)>. A
// reference to the descriptor carries its URI, namespace#codeValue, and
// hashes to the same ReferentialId under the descriptor's resource name.
func DescriptorDocumentIdentity(namespace, codeValue string) []Element {
	return []Element{{Path: DescriptorPath, Value: DescriptorValue(namespace + "#" + codeValue)}}
}

// DescriptorReferenceIdentity returns the identity a descriptor reference
// hashes under the referenced descriptor's project and resource names: the
// single element $.descriptor=<lower(uri)>.
func DescriptorReferenceIdentity(uri string) []Element {
	return []Element{{Path: DescriptorPath, Value: DescriptorValue(uri)}}
}
