package ddl

import (
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// Names of the authorization views (schema auth). Each maps the claim
// column SourceEducationOrganizationId to what a caller holding that EdOrg
// id may see.
const (
	// ViewEdOrgToEdOrg is the closure in EdOrg ids.
	ViewEdOrgToEdOrg = "EducationOrganizationIdToEducationOrganizationId"
	// ViewEdOrgToEdOrgDocument maps a claim to its descendant EdOrg
	// documents, itself included.
	ViewEdOrgToEdOrgDocument = "EducationOrganizationIdToEdOrgDocumentId"
	// ViewEdOrgToEdOrgDocumentInverted maps a claim to its ancestors.
	ViewEdOrgToEdOrgDocumentInverted = "EducationOrganizationIdToEdOrgDocumentIdInverted"
	// ViewEdOrgToStudent maps a claim to the students enrolled in its
	// schools.
	ViewEdOrgToStudent = "EducationOrganizationIdToStudentDocumentId"
	// ViewEdOrgToStudentThroughResponsibility maps a claim to the students
	// it is responsible for.
	ViewEdOrgToStudentThroughResponsibility = "EducationOrganizationIdToStudentDocumentIdThroughResponsibility"
	// ViewEdOrgToContact maps a claim to its students' contacts.
	ViewEdOrgToContact = "EducationOrganizationIdToContactDocumentId"
	// ViewEdOrgToStaff maps a claim to the staff assigned to or employed
	// by its EdOrgs.
	ViewEdOrgToStaff = "EducationOrganizationIdToStaffDocumentId"
)

// Columns of the authorization views.
const (
	// ClaimColumn is the claim column of every authorization view.
	ClaimColumn = "SourceEducationOrganizationId"
	// EdOrgDocumentColumn is the EdOrg document column of the EdOrg views.
	EdOrgDocumentColumn = "EducationOrganization_DocumentId"
)

// The core resources the person views join, by resource name.
const (
	resSSA            = "StudentSchoolAssociation"
	resResponsibility = "StudentEducationOrganizationResponsibilityAssociation"
	resContact        = "StudentContactAssociation"
	resAssignment     = "StaffEducationOrganizationAssignmentAssociation"
	resEmployment     = "StaffEducationOrganizationEmploymentAssociation"
)

// personLink is one association root table and its two reference columns:
// the EdOrg side (or, for contacts, the student side) and the person side.
type personLink struct {
	table       *model.Table
	edOrg, from string
	person      string
}

// authViews returns the authorization views of m in creation order (the
// EdOrg views, then, when the core project has all five associations the
// person views need, the person views) and the covering indexes of those
// associations (their EdOrg-side FK index INCLUDEs the person).
func authViews(m *model.Model, d dialect.Dialect) ([]dialect.View, []dialect.Index, error) {
	closure := dialect.Relation{Schema: AuthSchema, Name: ClosureTable, Alias: "c"}
	edOrg := func(alias string) dialect.Relation {
		return dialect.Relation{Schema: CoreSchema, Name: EdOrgTable, Alias: alias}
	}
	col := func(alias, column string) dialect.Item { return dialect.Item{Alias: alias, Column: column} }
	join := func(r dialect.Relation, column, left, leftColumn string) dialect.Join {
		return dialect.Join{Relation: r, Column: column, LeftAlias: left, LeftColumn: leftColumn, Inner: true}
	}
	views := []dialect.View{
		{
			Schema: AuthSchema, Name: ViewEdOrgToEdOrg, Columns: []string{ClaimColumn, "TargetEducationOrganizationId"},
			Comment: "auth." + ViewEdOrgToEdOrg + ": the EdOrg closure in EducationOrganizationIds",
			Arms: []dialect.Select{{From: closure,
				Joins: []dialect.Join{join(edOrg("a"), "DocumentId", "c", "AncestorDocumentId"), join(edOrg("d"), "DocumentId", "c", "DescendantDocumentId")},
				Items: []dialect.Item{col("a", "EducationOrganizationId"), col("d", "EducationOrganizationId")}}},
		},
		{
			Schema: AuthSchema, Name: ViewEdOrgToEdOrgDocument, Columns: []string{ClaimColumn, EdOrgDocumentColumn},
			Comment: "auth." + ViewEdOrgToEdOrgDocument + ": a claimed EdOrg id to its descendant EdOrg documents, itself included",
			Arms: []dialect.Select{{From: closure,
				Joins: []dialect.Join{join(edOrg("a"), "DocumentId", "c", "AncestorDocumentId")},
				Items: []dialect.Item{col("a", "EducationOrganizationId"), col("c", "DescendantDocumentId")}}},
		},
		{
			Schema: AuthSchema, Name: ViewEdOrgToEdOrgDocumentInverted, Columns: []string{ClaimColumn, EdOrgDocumentColumn},
			Comment: "auth." + ViewEdOrgToEdOrgDocumentInverted + ": a claimed EdOrg id to its ancestor EdOrg documents, itself included",
			Arms: []dialect.Select{{From: closure,
				Joins: []dialect.Join{join(edOrg("d"), "DocumentId", "c", "DescendantDocumentId")},
				Items: []dialect.Item{col("d", "EducationOrganizationId"), col("c", "AncestorDocumentId")}}},
		},
	}
	links, ok, err := personLinks(m)
	if err != nil || !ok {
		return views, nil, err
	}
	claims := dialect.Relation{Schema: AuthSchema, Name: ViewEdOrgToEdOrgDocument, Alias: "v"}
	rel := func(l personLink, alias string) dialect.Relation {
		return dialect.Relation{Schema: l.table.Schema, Name: l.table.Name, Alias: alias}
	}
	person := func(name, column, comment string, arms ...dialect.Select) dialect.View {
		return dialect.View{Schema: AuthSchema, Name: name, Columns: []string{ClaimColumn, column},
			Comment: "auth." + name + ": " + comment, Arms: arms}
	}
	arm := func(l personLink) dialect.Select {
		return dialect.Select{From: claims, Joins: []dialect.Join{join(rel(l, "x"), l.edOrg, "v", EdOrgDocumentColumn)},
			Items: []dialect.Item{col("v", ClaimColumn), col("x", l.person)}}
	}
	ssa, resp, contact, assign, employ := links[resSSA], links[resResponsibility], links[resContact], links[resAssignment], links[resEmployment]
	views = append(views,
		person(ViewEdOrgToStudent, "Student_DocumentId", "a claimed EdOrg id to the students of its schools ("+resSSA+")", arm(ssa)),
		person(ViewEdOrgToStudentThroughResponsibility, "Student_DocumentId", "a claimed EdOrg id to the students it is responsible for ("+resResponsibility+")", arm(resp)),
		person(ViewEdOrgToContact, "Contact_DocumentId", "a claimed EdOrg id to the contacts of its schools' students ("+resSSA+", "+resContact+")",
			dialect.Select{From: claims,
				Joins: []dialect.Join{join(rel(ssa, "s"), ssa.edOrg, "v", EdOrgDocumentColumn), join(rel(contact, "x"), contact.from, "s", ssa.person)},
				Items: []dialect.Item{col("v", ClaimColumn), col("x", contact.person)}}),
		person(ViewEdOrgToStaff, "Staff_DocumentId", "a claimed EdOrg id to the staff assigned to or employed by its EdOrgs ("+resAssignment+", "+resEmployment+")",
			arm(assign), arm(employ)),
	)
	var covering []dialect.Index
	for _, l := range []personLink{ssa, resp, contact, assign, employ} {
		side := l.edOrg
		if l.from != "" {
			side = l.from
		}
		name := "IX_" + l.table.Name + "_" + side + "_Auth"
		covering = append(covering, dialect.Index{Schema: l.table.Schema, Table: l.table.Name,
			Name: d.IdentifierLimit().Shorten(name, name), Columns: []string{side}, Include: []string{l.person}})
	}
	return views, covering, nil
}

// personLinks finds, in m's core project, the five associations the person
// views join and their reference columns; ok is false when any is missing
// or lacks those references on its root table (then no person view is
// emitted).
func personLinks(m *model.Model) (map[string]personLink, bool, error) {
	core := ""
	for _, p := range m.Projects {
		if !p.IsExtension {
			core = p.ProjectName
		}
	}
	want := []struct{ resource, edOrgTarget, fromTarget, personTarget string }{
		{resSSA, "School", "", "Student"},
		{resResponsibility, "EducationOrganization", "", "Student"},
		{resContact, "", "Student", "Contact"},
		{resAssignment, "EducationOrganization", "", "Staff"},
		{resEmployment, "EducationOrganization", "", "Staff"},
	}
	out := map[string]personLink{}
	for _, w := range want {
		r := findResource(m, core, w.resource)
		if r == nil || len(r.Tables) == 0 {
			return nil, false, nil
		}
		root := r.Tables[0]
		l := personLink{table: root}
		for _, ref := range r.References {
			if ref.Table != root || ref.TargetProject != core {
				continue
			}
			switch ref.TargetResource {
			case w.edOrgTarget:
				l.edOrg = ref.Column.Name
			case w.fromTarget:
				l.from = ref.Column.Name
			case w.personTarget:
				l.person = ref.Column.Name
			}
		}
		if l.person == "" || (l.edOrg == "" && l.from == "") {
			return nil, false, nil // not the Ed-Fi association: no person views
		}
		out[w.resource] = l
	}
	return out, true, nil
}

// findResource returns the resource project/name of m, or nil.
func findResource(m *model.Model, project, name string) *model.Resource {
	for _, r := range m.Resources {
		if r.ProjectName == project && r.ResourceName == name {
			return r
		}
	}
	return nil
}

// coverPersons adds each covering index's INCLUDE to the index of ixs on
// the same table and single column (the reference's FK index), or adds
// the covering index when there is none.
func coverPersons(ixs, covering []dialect.Index) []dialect.Index {
	for _, c := range covering {
		merged := false
		for i := range ixs {
			ix := &ixs[i]
			if ix.Schema == c.Schema && ix.Table == c.Table && len(ix.Columns) == 1 && ix.Columns[0] == c.Columns[0] && !ix.Unique && len(ix.NotNull) == 0 {
				ix.Include = append(ix.Include, c.Include...)
				merged = true
				break
			}
		}
		if !merged {
			ixs = append(ixs, c)
		}
	}
	return ixs
}

// AuthViewNames lists the authorization views the script of m creates
// (schema auth), in creation order.
func AuthViewNames(m *model.Model) ([]string, error) {
	names := []string{ViewEdOrgToEdOrg, ViewEdOrgToEdOrgDocument, ViewEdOrgToEdOrgDocumentInverted}
	_, ok, err := personLinks(m)
	if err != nil || !ok {
		return names, err
	}
	return append(names, ViewEdOrgToStudent, ViewEdOrgToStudentThroughResponsibility, ViewEdOrgToContact, ViewEdOrgToStaff), nil
}
