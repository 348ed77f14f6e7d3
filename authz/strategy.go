package authz

import (
	"strconv"
	"strings"
)

// The authorization strategy names of upstream Ed-Fi DMS and ODS/API, as a
// Claims.json spells them (matched exactly, as upstream does).
const (
	// StrategyNoFurtherAuthorizationRequired lets every document through.
	StrategyNoFurtherAuthorizationRequired = "NoFurtherAuthorizationRequired"
	// StrategyNamespaceBased requires the document's namespace to start
	// with one of the caller's namespace prefixes.
	StrategyNamespaceBased = "NamespaceBased"
	// StrategyOwnershipBased (record ownership) is known but not supported
	// by dmsc: a request under it is a 501.
	StrategyOwnershipBased = "OwnershipBased"
	// StrategyRelationshipsWithEdOrgsOnly relates the document's
	// education organizations to the caller's (claims down the hierarchy).
	StrategyRelationshipsWithEdOrgsOnly = "RelationshipsWithEdOrgsOnly"
	// StrategyRelationshipsWithEdOrgsOnlyInverted is
	// RelationshipsWithEdOrgsOnly with the hierarchy walked upwards: a
	// claim reaches its ancestors.
	StrategyRelationshipsWithEdOrgsOnlyInverted = "RelationshipsWithEdOrgsOnlyInverted"
	// StrategyRelationshipsWithEdOrgsAndPeople relates the document's
	// education organizations, students, contacts and staff.
	StrategyRelationshipsWithEdOrgsAndPeople = "RelationshipsWithEdOrgsAndPeople"
	// StrategyRelationshipsWithEdOrgsAndPeopleInverted is
	// RelationshipsWithEdOrgsAndPeople with the education organization
	// hierarchy inverted (people are related as usual).
	StrategyRelationshipsWithEdOrgsAndPeopleInverted = "RelationshipsWithEdOrgsAndPeopleInverted"
	// StrategyRelationshipsWithPeopleOnly relates students, contacts and
	// staff only.
	StrategyRelationshipsWithPeopleOnly = "RelationshipsWithPeopleOnly"
	// StrategyRelationshipsWithStudentsOnly relates students only (through
	// StudentSchoolAssociation).
	StrategyRelationshipsWithStudentsOnly = "RelationshipsWithStudentsOnly"
	// StrategyRelationshipsWithStudentsOnlyThroughResponsibility relates
	// students only, through StudentEducationOrganizationResponsibility
	// Association.
	StrategyRelationshipsWithStudentsOnlyThroughResponsibility = "RelationshipsWithStudentsOnlyThroughResponsibility"
)

// StrategyNames lists every strategy name dmsc knows, in a fixed order:
// the relationship strategies, then NamespaceBased,
// NoFurtherAuthorizationRequired and OwnershipBased.
func StrategyNames() []string {
	out := make([]string, len(knownStrategies))
	for i, s := range knownStrategies {
		out[i] = s.Name
	}
	return out
}

// Kind classifies a strategy by how dmsc enforces it.
type Kind uint8

const (
	// KindUnknown is a name dmsc does not know (a custom strategy, or a
	// typo): a request under it fails with 500 (security configuration).
	KindUnknown Kind = iota
	// KindRelationship is one of the RelationshipsWith… strategies.
	// Relationship strategies of one action are ORed.
	KindRelationship
	// KindNamespace is NamespaceBased.
	KindNamespace
	// KindNoFurtherAuthorizationRequired lets everything through.
	KindNoFurtherAuthorizationRequired
	// KindOwnership is OwnershipBased: known, not supported (501).
	KindOwnership
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindRelationship:
		return "relationship"
	case KindNamespace:
		return "namespace"
	case KindNoFurtherAuthorizationRequired:
		return "none"
	case KindOwnership:
		return "ownership"
	}
	return "unknown"
}

// SubjectType is what a securable element of a document designates. The
// values are those of dms.DocumentSubject.SubjectType.
type SubjectType int16

const (
	// SubjectStudent is a Student (StudentUniqueId).
	SubjectStudent SubjectType = 1
	// SubjectContact is a Contact (ContactUniqueId).
	SubjectContact SubjectType = 2
	// SubjectStaff is a Staff member (StaffUniqueId).
	SubjectStaff SubjectType = 3
	// SubjectEdOrg is an education organization (EducationOrganizationId).
	SubjectEdOrg SubjectType = 4
	// SubjectNamespace is a Namespace value.
	SubjectNamespace SubjectType = 5
)

// String returns the subject's name.
func (s SubjectType) String() string {
	switch s {
	case SubjectStudent:
		return "Student"
	case SubjectContact:
		return "Contact"
	case SubjectStaff:
		return "Staff"
	case SubjectEdOrg:
		return "EdOrg"
	case SubjectNamespace:
		return "Namespace"
	}
	return "SubjectType(" + strconv.Itoa(int(s)) + ")"
}

// Strategy is one authorization strategy named in a claims file, with what
// dmsc knows of it.
type Strategy struct {
	// Name is the name as the claims file spells it.
	Name string
	// Kind says how it is enforced.
	Kind Kind
	// Subjects are the kinds of securable elements the strategy checks, in
	// SubjectType order: every element of these kinds the resource has must
	// be authorized (the subjects are ANDed). Empty for
	// NoFurtherAuthorizationRequired, OwnershipBased and unknown names.
	Subjects []SubjectType
	// InvertedEdOrgs walks the education organization hierarchy upwards
	// (the *Inverted strategies): a claim authorizes its ancestors. People
	// are related as usual.
	InvertedEdOrgs bool
	// StudentsThroughResponsibility relates students through
	// StudentEducationOrganizationResponsibilityAssociation instead of
	// StudentSchoolAssociation.
	StudentsThroughResponsibility bool
}

// Needs reports whether s checks subjects of type t.
func (s Strategy) Needs(t SubjectType) bool {
	for _, x := range s.Subjects {
		if x == t {
			return true
		}
	}
	return false
}

var (
	edOrgOnly  = []SubjectType{SubjectEdOrg}
	edOrgsAnd  = []SubjectType{SubjectStudent, SubjectContact, SubjectStaff, SubjectEdOrg}
	peopleOnly = []SubjectType{SubjectStudent, SubjectContact, SubjectStaff}
	students   = []SubjectType{SubjectStudent}
	namespaces = []SubjectType{SubjectNamespace}
)

// knownStrategies is the vocabulary, in StrategyNames order.
var knownStrategies = []Strategy{
	{Name: StrategyRelationshipsWithEdOrgsOnly, Kind: KindRelationship, Subjects: edOrgOnly},
	{Name: StrategyRelationshipsWithEdOrgsOnlyInverted, Kind: KindRelationship, Subjects: edOrgOnly, InvertedEdOrgs: true},
	{Name: StrategyRelationshipsWithEdOrgsAndPeople, Kind: KindRelationship, Subjects: edOrgsAnd},
	{Name: StrategyRelationshipsWithEdOrgsAndPeopleInverted, Kind: KindRelationship, Subjects: edOrgsAnd, InvertedEdOrgs: true},
	{Name: StrategyRelationshipsWithPeopleOnly, Kind: KindRelationship, Subjects: peopleOnly},
	{Name: StrategyRelationshipsWithStudentsOnly, Kind: KindRelationship, Subjects: students},
	{Name: StrategyRelationshipsWithStudentsOnlyThroughResponsibility, Kind: KindRelationship, Subjects: students, StudentsThroughResponsibility: true},
	{Name: StrategyNamespaceBased, Kind: KindNamespace, Subjects: namespaces},
	{Name: StrategyNoFurtherAuthorizationRequired, Kind: KindNoFurtherAuthorizationRequired},
	{Name: StrategyOwnershipBased, Kind: KindOwnership},
}

// LookupStrategy classifies a strategy name (matched exactly, as upstream
// DMS does). An unknown name yields a Strategy of KindUnknown that keeps the
// name.
func LookupStrategy(name string) Strategy {
	for _, s := range knownStrategies {
		if s.Name == name {
			s.Subjects = append([]SubjectType(nil), s.Subjects...)
			return s
		}
	}
	return Strategy{Name: name, Kind: KindUnknown}
}

// knownStrategyFold returns the known name equal to name ignoring case, or
// "" (for the "did you mean" of a miscased name).
func knownStrategyFold(name string) string {
	for _, s := range knownStrategies {
		if strings.EqualFold(s.Name, name) {
			return s.Name
		}
	}
	return ""
}
