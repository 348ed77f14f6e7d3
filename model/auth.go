package model

import "github.com/edfi-dmsc/dmsc/jsonpath"

// SubjectKind is what the value of a securable element identifies.
type SubjectKind string

// The subject kinds (securableElements' keys).
const (
	SubjectStudent   SubjectKind = "Student"
	SubjectContact   SubjectKind = "Contact"
	SubjectStaff     SubjectKind = "Staff"
	SubjectEdOrg     SubjectKind = "EducationOrganization"
	SubjectNamespace SubjectKind = "Namespace"
)

// SiteKind says where a securable element's subject is, seen from the
// document.
type SiteKind string

// The sites of a securable element.
const (
	// SiteSelf: the document is the subject (a student's own
	// studentUniqueId, a school's schoolId, a descriptor's namespace).
	SiteSelf SiteKind = "self"
	// SiteDirect: the subject is the target of one root reference.
	SiteDirect SiteKind = "direct"
	// SiteTransitive: the subject is reached through two or more identity
	// references (CourseTranscript → StudentAcademicRecord → Student).
	SiteTransitive SiteKind = "transitive"
	// SiteValue: the element is a root EdOrg id that is no reference.
	SiteValue SiteKind = "value"
)

// SecurableElement is one compiled securable element of a resource.
type SecurableElement struct {
	// Ordinal numbers the resource's elements from 0 in compile order
	// (dms.DocumentSubject.ElementOrdinal).
	Ordinal int
	// Subject is what the value identifies.
	Subject SubjectKind
	// Path is the element's document path; Name its readable name (the
	// MetaEd name of an EdOrg id, else the subject kind).
	Path jsonpath.Path
	Name string
	// Site says how the subject is reached.
	Site SiteKind
	// Column is, for self and value, the root column holding the value;
	// for direct and transitive, the first hop's FK column.
	Column *Column
	// Hops are the references walked from the resource to the subject
	// document (one for direct; none for self and value).
	Hops []*Reference
	// SubjectProject and SubjectResource name the subject document's
	// resource (for an EdOrg: possibly the abstract EducationOrganization);
	// SubjectColumn is its root column holding the value (the namespace
	// column of a namespace holder), nil when abstract.
	SubjectProject, SubjectResource string
	SubjectColumn                   *Column
}

// EdOrgType is one concrete resource of the EdOrg family: its documents
// get a dms.EducationOrganization row and take part in the closure.
type EdOrgType struct {
	Resource *Resource
	// IDColumn is the root column holding its EducationOrganizationId
	// (SchoolId, LocalEducationAgencyId, …).
	IDColumn *Column
	// Parents are its hierarchy references, in ParentType order.
	Parents []EdOrgParentLink
}

// EdOrgParentLink is one hierarchy reference of an EdOrg type.
type EdOrgParentLink struct {
	// ParentType is the parent EdOrg type (or EducationOrganization).
	ParentType string
	// Reference is the root reference to the parent.
	Reference *Reference
}
