package relstore

import "github.com/edfi-dmsc/dmsc/manifest"

// edOrgIDTable is the table every EdOrg write keeps in its own
// transaction (edorg.go): one row per EdOrg document with its
// EducationOrganizationId, under a primary key on DocumentId.
const edOrgIDTable = `"dms"."EducationOrganization"`

// edOrgIDColumn is edOrgIDTable's EducationOrganizationId column.
const edOrgIDColumn = `"EducationOrganizationId"`

// planEdOrgIDs finds the abstract resources whose identity read
// statements may take from edOrgIDTable instead of the union view: a
// view over the EdOrg family is a UNION ALL of one root table per member
// (six or more scans in DS 5.0 for every educationOrganizationReference
// a read projects), the table a single index probe. That holds when the
// abstract identity is a single value and every member is an EdOrg type
// whose row keeps exactly that value: its id column is its whole
// identity, the column the view projects. The writes keep the row in the
// same transaction as the root row, so a read's snapshot sees both alike;
// identity SQL (cascades, audits) keeps the view and so reads the root
// tables themselves.
func (s *Store) planEdOrgIDs() {
	s.edOrgIDs = map[*manifest.AbstractResource]bool{}
	types := map[string]*manifest.EdOrgType{}
	for i := range s.m.EdOrgTypes {
		et := &s.m.EdOrgTypes[i]
		types[et.ProjectName+":"+et.ResourceName] = et
	}
	for i := range s.m.AbstractResources {
		a := &s.m.AbstractResources[i]
		if len(a.Identity) != 1 || len(a.Members) == 0 {
			continue
		}
		ok := true
		for _, m := range a.Members {
			key := m.ProjectName + ":" + m.ResourceName
			et, p := types[key], s.byName[key]
			if et == nil || p == nil || len(p.res.Identity) != 1 {
				ok = false
				break
			}
			id := p.res.Identity[0]
			if id.Source != manifest.SourceColumn || id.Column != et.IDColumn {
				ok = false
				break
			}
		}
		s.edOrgIDs[a] = ok
	}
}
