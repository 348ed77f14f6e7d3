// Package authinfer derives authorization metadata for a schema set whose
// ApiSchema files lack it (the DS 5.0 and 5.1 files have no
// securableElements, educationOrganizationHierarchy or
// educationOrganizationTypes): it proposes what MetaEd would have written,
// by MetaEd's own rules, and explains each proposed element. `dmsc auth
// infer` prints the proposal as an --auth-overlay file
// (apischema.Overlay).
//
// # MetaEd's rules
//
// MetaEd (Ed-Fi-Alliance-OSS/MetaEd-js, package
// metaed-plugin-edfi-api-schema, directory src/enhancer/security) writes
// these, per entity. An entity's identity values are followed through
// references down to the scalar property that holds them ("the leaf"):
//
//   - EducationOrganization (EducationOrganizationSecurableElementEnhancer):
//     each identity value whose leaf is the id of EducationOrganization or
//     of one of its subclasses (School's SchoolId, a renamed id), when no
//     property on the way has a role name; named by the leaf
//     (`{jsonPath, metaEdName: "SchoolId"}`), sorted by name. Core
//     resources then get MetaEd's hard-coded exceptions (src/diminisher):
//     ProgramEvaluation, ProgramEvaluationElement,
//     ProgramEvaluationObjective and EvaluationRubricDimension add the
//     identity EdOrg ids reached through the role name Program (DS 5.0
//     and later); StudentAssessment adds ReportedSchool's SchoolId and
//     DisciplineAction ResponsibilitySchool's (4.0 and later);
//     OrganizationDepartment's first element becomes
//     ParentEducationOrganization's EducationOrganizationId (3.3 and
//     later).
//   - Student, Contact, Staff (StudentSecurableElementEnhancer and its
//     Contact and Staff twins): each identity value whose leaf is the
//     unique id of the Ed-Fi project's Student, Contact or Staff, role
//     names or not (the person's own `$.studentUniqueId` included), sorted.
//   - Namespace (NamespaceSecurableElementEnhancer): `$.namespace` for
//     every descriptor; for other entities, each path, outside any
//     collection, whose leaf is a property named Namespace without a role
//     name that is required or part of the identity (its own, or the
//     identity of a referenced entity), sorted.
//   - Resource extensions, school-year enumerations and abstract
//     resources get none.
//   - educationOrganizationTypes (EducationOrganizationHierarchyEnhancer):
//     the subclasses of the Ed-Fi project's EducationOrganization, then
//     EducationOrganization.
//   - educationOrganizationHierarchy (same enhancer): for each of those
//     types, each of its own (not inherited, not extension) top-level
//     references to a domain entity, keyed by the referenced entity's name,
//     at the path of the reference's first identity value (sorted by
//     path); EducationOrganization itself has no parents. MetaEd writes
//     the same hierarchy and types into every project's file.
//
// # What an ApiSchema file does not say
//
// The rules read role names, which ApiSchema files state only in part. A
// reference has a role name when its documentPathsMapping key is not the
// referenced resource's name (ParentLocalEducationAgency), or when its JSON
// name puts a word before that name (`objectiveCompetencyObjectiveReference`:
// DS 5.0's file keys that one CompetencyObjective). A role name equal to the
// entity's name (MetaEd's "identical role name", used to keep ODS column
// names apart: GeneralStudentProgramAssociation's Program, whose ODS column
// is ProgramEducationOrganizationId) leaves the key and the JSON alone; it
// shows only (1) in the `relational` block's nameOverrides, which newer
// MetaEd writes (`"$.programReference": "Program_Program"`), and (2) in
// references to the entity elsewhere, where MetaEd prefixes the referenced
// identity value with the role name (`programEducationOrganizationId` for
// `$.programReference.educationOrganizationId`).
//
// Older files (DS 5.0) have no relational block, so for their resources
// authinfer also applies the constraint behind identical role names: an
// identity cannot hold two values of one name (two EducationOrganizationIds)
// unless a merge ties them (an equality constraint), so where it would, the
// value reached through the fewest references keeps its name and the
// others are taken to carry a role name; equally deep ones are all proposed,
// with a warning. Two identical role names of the Ed-Fi core show in none of
// these ways; they are recorded facts taken from the ODS's column names
// (identicalRoleNames): CourseTranscript's Course and
// StaffProgramAssociation's Program.
//
// Associations cannot be told from domain entities in an ApiSchema file, so
// the hierarchy rule's "domain entity" test is "a reference that is not to
// a school-year enumeration".
package authinfer
