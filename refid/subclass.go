package refid

import "fmt"

// Superclass names the superclass of a subclass resource (isSubclass in
// ApiSchema). A subclass document gets a second, alias ReferentialId under
// the superclass names, so that references to the superclass find it.
type Superclass struct {
	// ProjectName is the superclass's project (superclassProjectName).
	ProjectName string
	// ResourceName is the superclass's name (superclassResourceName).
	ResourceName string
	// IdentityJSONPath is superclassIdentityJsonPath: the superclass's
	// identity path that the subclass renamed (e.g.
	// "$.educationOrganizationId" for School's "$.schoolId"), or "" when the
	// subclass keeps the superclass's element paths (association
	// subclasses).
	IdentityJSONPath string
}

// AliasElements returns the subclass identity elems in superclass form: with
// IdentityJSONPath set, the single element renamed to it (its value kept);
// otherwise a copy of elems. A rename of an identity that does not have
// exactly one element is an error.
func (s Superclass) AliasElements(elems []Element) ([]Element, error) {
	if s.IdentityJSONPath == "" {
		return append([]Element(nil), elems...), nil
	}
	if len(elems) != 1 {
		return nil, fmt.Errorf("refid: superclass %s%s: renaming to %s needs exactly one identity element, got %d",
			s.ProjectName, s.ResourceName, s.IdentityJSONPath, len(elems))
	}
	return []Element{{Path: s.IdentityJSONPath, Value: elems[0].Value}}, nil
}

// Alias returns the alias ReferentialId of a subclass document whose own
// identity is elems: New(s.ProjectName, s.ResourceName,
// s.AliasElements(elems)).
func (s Superclass) Alias(elems []Element) (UUID, error) {
	alias, err := s.AliasElements(elems)
	if err != nil {
		return UUID{}, err
	}
	return New(s.ProjectName, s.ResourceName, alias), nil
}
