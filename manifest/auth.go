package manifest

// Subject is what a securable element's value identifies (format 1.2).
type Subject string

// The subjects of securable elements.
const (
	SubjectStudent   Subject = "Student"
	SubjectContact   Subject = "Contact"
	SubjectStaff     Subject = "Staff"
	SubjectEdOrg     Subject = "EducationOrganization"
	SubjectNamespace Subject = "Namespace"
)

// Site says how a securable element's subject is reached from the
// document.
type Site string

// The sites of securable elements.
const (
	// SiteSelf: the document is the subject.
	SiteSelf Site = "self"
	// SiteDirect: the target of one root reference.
	SiteDirect Site = "direct"
	// SiteTransitive: two or more identity references away; the subject
	// document ids are kept in dms.DocumentSubject.
	SiteTransitive Site = "transitive"
	// SiteValue: a root EdOrg id that is no reference.
	SiteValue Site = "value"
)

// SecurableElement is one compiled securable element of a resource.
type SecurableElement struct {
	// Ordinal is dms.DocumentSubject.ElementOrdinal.
	Ordinal int     `json:"ordinal"`
	Subject Subject `json:"subject"`
	// Path is the element's document path; Name a readable name.
	Path string `json:"path"`
	Name string `json:"name"`
	Site Site   `json:"site"`
	// Column is the root column holding the value (self, value) or the
	// first hop's FK column (direct, transitive); "" for a descriptor's
	// namespace (in dms.Descriptor).
	Column string `json:"column"`
	// Hops are the references from the resource to the subject document.
	Hops []Hop `json:"hops"`
	// SubjectProject and SubjectResource name the subject's resource;
	// SubjectColumn its root column holding the value ("" when abstract or
	// a descriptor).
	SubjectProject  string `json:"subject_project_name"`
	SubjectResource string `json:"subject_resource_name"`
	SubjectColumn   string `json:"subject_column"`
}

// Hop is one reference on the way to a subject: the FK column of the
// holder's root table and the referenced resource.
type Hop struct {
	// Table is the qualified root table holding the FK.
	Table  string `json:"table"`
	Column string `json:"column"`
	// TargetProject and TargetResource name the referenced resource;
	// TargetIsAbstract marks the abstract EducationOrganization.
	TargetProject    string `json:"target_project_name"`
	TargetResource   string `json:"target_resource_name"`
	TargetIsAbstract bool   `json:"target_is_abstract"`
}

// EdOrgType is one concrete resource of the EdOrg family (format 1.2).
type EdOrgType struct {
	ProjectName  string `json:"project_name"`
	ResourceName string `json:"resource_name"`
	// IDColumn is the root column holding its EducationOrganizationId.
	IDColumn string `json:"id_column"`
	// Parents are its hierarchy references.
	Parents []EdOrgParent `json:"parents"`
}

// EdOrgParent is one hierarchy reference of an EdOrg type.
type EdOrgParent struct {
	// ParentType is the parent type (or EducationOrganization).
	ParentType string `json:"parent_type"`
	// Column is the root FK column of the reference.
	Column string `json:"column"`
}
