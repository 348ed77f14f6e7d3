package refid

// LegacyName returns the name the JSONB store of DMS (its dms.Alias rows, as
// of January 2026) hashed: projectName + resourceName followed by the
// elements as "$<path>=$<value>" joined by "#", e.g.
// "Ed-FiSchool$$.schoolId=$123". Legacy values were not canonicalised
// (numbers as written in the document); descriptor values were lower-cased.
func LegacyName(projectName, resourceName string, elems []Element) string {
	return joinName(projectName, resourceName, elems, "$")
}

// Legacy returns the legacy ReferentialId of an identity, see LegacyName. It
// differs from New for the same identity: a migration from the JSONB store
// recomputes ReferentialIds from the documents.
func Legacy(projectName, resourceName string, elems []Element) UUID {
	return NewV5(Namespace, LegacyName(projectName, resourceName, elems))
}
