package naming

import "testing"

// The identifier rules of PostgreSQL (63 UTF-8 bytes) and SQL Server (128
// UTF-16 code units), as their dialect packages give them.
var (
	pgLimit = Limit{MaxBytes: 63}
	msLimit = Limit{MaxChars: 128}
)

func TestPascal(t *testing.T) {
	tests := map[string]string{"schoolId": "SchoolId", "X": "X", "": "", "_ext": "Ext", "iEPDate": "IEPDate",
		"Contact_Name": "ContactName", "a-b": "AB", "SectionOrProgramChoice.Program": "SectionOrProgramChoiceProgram"}
	for in, want := range tests {
		if got := Pascal(in); got != want {
			t.Errorf("Pascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSchema(t *testing.T) {
	tests := map[string]string{"ed-fi": "edfi", "sample": "sample", "TPDM": "tpdm", "2x": "p2x", "-": "p"}
	for in, want := range tests {
		if got := Schema(in); got != want {
			t.Errorf("Schema(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSingular(t *testing.T) {
	tests := map[string]string{
		"addresses": "address", "categories": "category", "periods": "period",
		"phoneNumbers": "phoneNumber", "boxes": "box", "batches": "batch",
		"wishes": "wish", "class": "class", "items": "item", "buzzes": "buzz",
		// Upstream has no exception list; these oddities keep names equal.
		"courses": "cours", "diagnoses": "diagnos", "uses": "us", "appropriateSexes": "appropriateSex",
		"programParticipationStatuses": "programParticipationStatus", "interventionEffectivenesses": "interventionEffectiveness",
	}
	for in, want := range tests {
		if got := Singular(in); got != want {
			t.Errorf("Singular(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShorten(t *testing.T) {
	// Vectors from the upstream naming-stress fixture.
	tests := []struct{ in, want string }{
		{"VeryLongIdentifierNameThatExceedsSixtyThreeCharactersInPostgreSQL", "VeryLongIdentifierNameThatExceedsSixtyThreeCharacter_21402e5f2e"},
		{"ThisIsAVeryLongFieldNameThatWillBeTruncatedByPostgreSQLAtSixtyThree", "ThisIsAVeryLongFieldNameThatWillBeTruncatedByPostgre_026b941dbf"},
		{"ThisIsAVeryLongFieldNameThatWillBeTruncatedByPostgreSQLAtSixtyThreeX", "ThisIsAVeryLongFieldNameThatWillBeTruncatedByPostgre_e2f35e760a"},
		{"Short", "Short"},
	}
	for _, tt := range tests {
		if got := pgLimit.Shorten(tt.in, tt.in); got != tt.want {
			t.Errorf("Shorten(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := msLimit.Shorten(tt.in, tt.in); got != tt.in {
			t.Errorf("SQL Server must keep %q, got %q", tt.in, got)
		}
	}
	// Multi-byte characters are never split and the byte limit holds.
	long := ""
	for i := 0; i < 40; i++ {
		long += "é"
	}
	got := pgLimit.Shorten(long, long)
	if len(got) > 63 || !pgLimit.Fits(got) {
		t.Errorf("shortened %q is %d bytes", got, len(got))
	}
}

func TestSignature(t *testing.T) {
	// Upstream constraint name FK_EdOrgDependentChildResource_EdOrgDependentResourc_6a74c7e5ff
	// (fixture dms/referential-identity) hashes this signature.
	sig := Signature("ForeignKey", "edfi", "EdOrgDependentChildResource",
		[]string{"EdOrgDependentResourceReference_EdOrgDependentResourceId", "EdOrgDependentResourceReference_EducationOrganizationId", "EdOrgDependentResourceReference_DocumentId"},
		&FKSignature{TargetSchema: "edfi", TargetTable: "EdOrgDependentResource",
			TargetColumns: []string{"EdOrgDependentResourceId", "EducationOrganization_EducationOrganizationId", "DocumentId"},
			OnDelete:      "NoAction", OnUpdate: "Cascade"})
	got := pgLimit.Shorten("FK_EdOrgDependentChildResource_EdOrgDependentResourceReference_RefKey", sig)
	if want := "FK_EdOrgDependentChildResource_EdOrgDependentResourc_6a74c7e5ff"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestShortenSQLServerCountsUTF16(t *testing.T) {
	// 64 astral characters are 128 UTF-16 units: they fit exactly.
	s := ""
	for i := 0; i < 64; i++ {
		s += "𝔸"
	}
	if got := msLimit.Shorten(s, s); got != s {
		t.Errorf("128 UTF-16 units must fit")
	}
	s += "a"
	got := msLimit.Shorten(s, s)
	if msLimit.measure(got) > 128 || got == s {
		t.Errorf("shortened to %d units", msLimit.measure(got))
	}
}
