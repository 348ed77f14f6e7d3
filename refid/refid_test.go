package refid

import (
	"encoding/json"
	"strings"
	"testing"
)

// Vectors computed independently with Python's
// uuid.uuid5(uuid.UUID("edf1edf1-3df1-3df1-3df1-3df1edf1edf1"), name),
// except where marked as upstream's.
func TestNew(t *testing.T) {
	tests := []struct {
		name              string
		project, resource string
		elems             []Element
		wantName, want    string
	}{
		{
			"spec vector", "Ed-Fi", "School",
			[]Element{{"$.schoolId", "123"}},
			"Ed-FiSchool$.schoolId=123", "3af6ad85-1212-5833-be6f-f8df6f4d6402",
		},
		{
			"multiple elements", "Ed-Fi", "StudentSchoolAssociation",
			[]Element{
				{"$.entryDate", "2024-08-15"},
				{"$.schoolReference.schoolId", "255901"},
				{"$.studentReference.studentUniqueId", "604822"},
			},
			"Ed-FiStudentSchoolAssociation$.entryDate=2024-08-15#$.schoolReference.schoolId=255901#$.studentReference.studentUniqueId=604822",
			"f245394c-97b3-5831-aeb1-39e736fe2426",
		},
		{
			"descriptor value inside an identity", "Ed-Fi", "StudentSchoolAssociation",
			[]Element{
				NewElement("$.entryGradeLevelDescriptor", "uri://ed-fi.org/GradeLevelDescriptor#Ninth grade"),
				NewElement("$.schoolReference.schoolId", "255901"),
			},
			"Ed-FiStudentSchoolAssociation$.entryGradeLevelDescriptor=uri://ed-fi.org/gradeleveldescriptor#ninth grade#$.schoolReference.schoolId=255901",
			"c4bec830-88a2-546b-9fa2-9e8e10510916",
		},
		{
			"no elements", "Ed-Fi", "School", nil,
			"Ed-FiSchool", "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Name(tt.project, tt.resource, tt.elems); got != tt.wantName {
				t.Errorf("Name = %q, want %q", got, tt.wantName)
			}
			if tt.want == "" {
				return
			}
			if got := New(tt.project, tt.resource, tt.elems).String(); got != tt.want {
				t.Errorf("New = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLegacy(t *testing.T) {
	tests := []struct {
		elems          []Element
		wantName, want string
	}{
		{
			[]Element{{"$.schoolId", "123"}},
			"Ed-FiSchool$$.schoolId=$123", "05374602-2715-517e-8f08-56f877843b57", // spec vector
		},
		{
			[]Element{{"$.schoolId", "255901"}, {"$.nameOfInstitution", "Grand Bend"}},
			"Ed-FiSchool$$.schoolId=$255901#$$.nameOfInstitution=$Grand Bend", "65a2ac82-8c47-5a4b-8743-ec2431e13f5a",
		},
	}
	for _, tt := range tests {
		if got := LegacyName("Ed-Fi", "School", tt.elems); got != tt.wantName {
			t.Errorf("LegacyName = %q, want %q", got, tt.wantName)
		}
		if got := Legacy("Ed-Fi", "School", tt.elems).String(); got != tt.want {
			t.Errorf("Legacy = %s, want %s", got, tt.want)
		}
		if Legacy("Ed-Fi", "School", tt.elems) == New("Ed-Fi", "School", tt.elems) {
			t.Error("legacy and current ids coincide")
		}
	}
}

func TestDescriptorIdentity(t *testing.T) {
	doc := DescriptorDocumentIdentity("uri://ed-fi.org/GradeLevelDescriptor", "Ninth grade")
	ref := DescriptorReferenceIdentity("URI://ED-FI.ORG/GradeLevelDescriptor#Ninth Grade")
	const wantName = "Ed-FiGradeLevelDescriptor$.descriptor=uri://ed-fi.org/gradeleveldescriptor#ninth grade"
	const want = "9531a840-f733-5616-8729-6607476329fb"
	for _, elems := range [][]Element{doc, ref, {NewElement(DescriptorPath, "uri://ed-fi.org/GradeLevelDescriptor#NINTH GRADE")}} {
		if got := Name("Ed-Fi", "GradeLevelDescriptor", elems); got != wantName {
			t.Errorf("Name = %q, want %q", got, wantName)
		}
		if got := New("Ed-Fi", "GradeLevelDescriptor", elems).String(); got != want {
			t.Errorf("New = %s, want %s", got, want)
		}
	}

	// Upstream's vectors (backend unit tests of ReferenceLookupVerificationSupport).
	upstream := []struct {
		resource string
		elems    []Element
		want     string
	}{
		{"ProgramTypeDescriptor", DescriptorReferenceIdentity("URI://Ed-Fi.Org/ProgramTypeDescriptor#Regular#Plus"), "b13cae2e-8184-5355-ba0e-d78d0eb3ff02"},
		{"ProgramTypeDescriptor", DescriptorReferenceIdentity("URI://Ed-Fi.Org/ProgramTypeDescriptor #Regular#Plus"), "0b8cb18e-4a93-5bdb-96d3-a9ca16cbba96"},
		{"ProgramOffering", []Element{
			NewElement("$.programTypeDescriptor", "URI://Ed-Fi.Org/ProgramTypeDescriptor #Regular#Plus"),
			NewElement("$.programReference.programTypeDescriptor", "URI://Ed-Fi.Org/ProgramTypeDescriptor #Regular#Plus"),
		}, "4f625532-5eef-514b-96a7-76860719b783"},
		{"GeneralProgramOffering", []Element{
			NewElement("$.programTypeDescriptor", "URI://Ed-Fi.Org/ProgramTypeDescriptor #Regular#Plus"),
			NewElement("$.programReference.programTypeDescriptor", "URI://Ed-Fi.Org/ProgramTypeDescriptor #Regular#Plus"),
		}, "238d2798-a107-5f1b-9341-539d8282aeba"},
	}
	for _, u := range upstream {
		if got := New("Ed-Fi", u.resource, u.elems).String(); got != u.want {
			t.Errorf("%s: New = %s, want %s", u.resource, got, u.want)
		}
	}
}

func TestIsDescriptorPath(t *testing.T) {
	for path, want := range map[string]bool{
		"$.descriptor":                             true,
		"$.gradeLevelDescriptor":                   true,
		"$.programReference.programTypeDescriptor": true,
		"$['gradeLevelDescriptor']":                false,
		"$.items[*].gradeLevelDescriptor":          true,
		"$.x[gradeLevelDescriptor]":                true,
		"$.schoolId":                               false,
		"$.descriptorCount":                        false,
	} {
		if got := IsDescriptorPath(path); got != want {
			t.Errorf("IsDescriptorPath(%q) = %v, want %v", path, got, want)
		}
	}
	if got := NewElement("$.schoolId", "ABC").Value; got != "ABC" {
		t.Errorf("non-descriptor value changed: %q", got)
	}
}

func TestValueVectors(t *testing.T) {
	num := func(s string) string {
		v, err := NumberValue(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	date := func(s string) string {
		v, err := DateValue(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	clock := func(s string) string {
		v, err := TimeValue(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	stamp := func(s string) string {
		v, err := DateTimeValue(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		project  string
		resource string
		elems    []Element
		want     string
	}{
		{"decimal", "Sample", "BusRoute", []Element{{"$.busId", num("602")}, {"$.routeLength", num("12.50")}}, "4a02c1d2-1b8b-59a9-8420-0dfd646b7c15"},
		{"exponent", "Sample", "BusRoute", []Element{{"$.busId", num("602")}, {"$.routeLength", num("1e3")}}, "cae057c1-c05f-5692-a250-c4be9369a5d7"},
		{"negative zero", "Sample", "BusRoute", []Element{{"$.busId", num("602")}, {"$.routeLength", num("-0.0")}}, "5eda9a22-95c7-5bb2-90ef-c5cebcb2ff11"},
		{"date and boolean", "Ed-Fi", "Session", []Element{{"$.beginDate", date("2024-08-15")}, {"$.isActive", BoolValue(true)}}, "e412ae2c-08a9-5e82-a964-be47b188df8d"},
		{"boolean false", "Ed-Fi", "Session", []Element{{"$.isActive", BoolValue(false)}}, "befe9f45-867b-5645-bc26-49f1e2f0d0e8"},
		{"time and date-time", "Ed-Fi", "BellSchedule", []Element{{"$.startTime", clock("08:30:00")}, {"$.eventDateTime", stamp("2024-08-15T08:30:00-05:00")}}, "0fc73ac7-c54f-5ff4-96ea-23cf1138b102"},
		{"school year", "Ed-Fi", "SchoolYearType", []Element{{SchoolYearPath, num("2025")}}, "6a21e456-2167-5479-a922-6be3b979f87e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := New(tt.project, tt.resource, tt.elems).String(); got != tt.want {
				t.Errorf("New(%q) = %s, want %s", Name(tt.project, tt.resource, tt.elems), got, tt.want)
			}
		})
	}
}

func TestSuperclassAlias(t *testing.T) {
	school := []Element{{"$.schoolId", "255901"}}
	if got := New("Ed-Fi", "School", school).String(); got != "0420a54c-16df-5fff-8f48-d87d35e71fe7" {
		t.Errorf("School = %s", got)
	}
	edOrg := Superclass{"Ed-Fi", "EducationOrganization", "$.educationOrganizationId"}
	alias, err := edOrg.Alias(school)
	if err != nil {
		t.Fatal(err)
	}
	if got := alias.String(); got != "c1204ade-622c-5695-afb9-01534d97999c" {
		t.Errorf("EducationOrganization alias = %s", got)
	}
	if school[0].Path != "$.schoolId" {
		t.Error("Alias modified its input")
	}

	assoc := []Element{{"$.beginDate", "2024-08-15"}, {"$.programReference.programName", "Gifted"}}
	gspa := Superclass{ProjectName: "Ed-Fi", ResourceName: "GeneralStudentProgramAssociation"}
	alias, err = gspa.Alias(assoc)
	if err != nil {
		t.Fatal(err)
	}
	if got := alias.String(); got != "029bc364-9487-5a91-8f0b-5dc7689b7f51" {
		t.Errorf("association alias = %s", got)
	}

	if _, err := edOrg.Alias(assoc); err == nil || !strings.Contains(err.Error(), "exactly one identity element") {
		t.Errorf("rename of two elements: error %v", err)
	}
}

func TestNumberValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1", "1"},
		{"1.5", "1.5"},
		{"1.50", "1.5"},
		{"2.00", "2"},
		{"1e2", "100"},
		{"1E+2", "100"},
		{"1.50e0", "1.5"},
		{"1.23e-1", "0.123"},
		{"-0.00", "0"},
		{"-0", "0"},
		{"0e999999999", "0"},
		{"-1.50", "-1.5"},
		{"+7", "7"},
		{"007.0700", "7.07"},
		{"1.", "1"},
		{".5", "0.5"},
		{"1e-28", "0.0000000000000000000000000001"},
		{"123.456e2", "12345.6"},
		{"1200", "1200"},
		{"12e-1", "1.2"},
		{"79228162514264337593543950335", "79228162514264337593543950335"},
		{"7.9228162514264337593543950335", "7.9228162514264337593543950335"},
		{"9223372036854775807", "9223372036854775807"},
	}
	for _, tt := range tests {
		got, err := NumberValue(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NumberValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "-", ".", "abc", "1e", "1e+", "1.2.3", "0x10", "1 ", "NaN", "1e5E3",
		"1e-29", "79228162514264337593543950336", "1e29", "1e99999"} {
		if got, err := NumberValue(in); err == nil {
			t.Errorf("NumberValue(%q) = %q, want an error", in, got)
		}
	}
}

func TestDateAndTimeValues(t *testing.T) {
	ok := []struct {
		f        func(string) (string, error)
		in, want string
	}{
		{DateValue, "2024-08-15", "2024-08-15"},
		{DateTimeValue, "2024-08-15T13:30:00Z", "2024-08-15T13:30:00Z"},
		{DateTimeValue, "2024-08-15T08:30:00-05:00", "2024-08-15T13:30:00Z"},
		{DateTimeValue, "2024-08-15T13:30:00.987Z", "2024-08-15T13:30:00Z"},
		{DateTimeValue, "2024-08-15T13:30:00", "2024-08-15T13:30:00Z"},
		{TimeValue, "08:30:00", "08:30:00"},
		{TimeValue, "08:30:00.5", "08:30:00"},
	}
	for _, tt := range ok {
		got, err := tt.f(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	bad := []struct {
		f  func(string) (string, error)
		in string
	}{
		{DateValue, "2024-8-15"},
		{DateValue, "2024-02-30"},
		{DateValue, "2024-08-15T00:00:00Z"},
		{DateTimeValue, "2024-08-15"},
		{TimeValue, "8:30"},
		{TimeValue, "25:00:00"},
	}
	for _, tt := range bad {
		if got, err := tt.f(tt.in); err == nil {
			t.Errorf("(%q) = %q, want an error", tt.in, got)
		}
	}
}

func TestUUIDText(t *testing.T) {
	const s = "3af6ad85-1212-5833-be6f-f8df6f4d6402"
	u, err := Parse(strings.ToUpper(s))
	if err != nil {
		t.Fatal(err)
	}
	if u.String() != s || u != New("Ed-Fi", "School", []Element{{"$.schoolId", "123"}}) {
		t.Errorf("Parse/String round trip: %s", u)
	}
	if Namespace.String() != "edf1edf1-3df1-3df1-3df1-3df1edf1edf1" {
		t.Errorf("Namespace = %s", Namespace)
	}
	b, err := json.Marshal(map[string]UUID{"id": u})
	if err != nil || string(b) != `{"id":"`+s+`"}` {
		t.Errorf("MarshalText: %s, %v", b, err)
	}
	var back map[string]UUID
	if err := json.Unmarshal(b, &back); err != nil || back["id"] != u {
		t.Errorf("UnmarshalText: %v, %v", back, err)
	}
	for _, in := range []string{"", "3af6ad85121258 33be6ff8df6f4d6402xx", "3af6ad85-1212-5833-be6f-f8df6f4d640", "3af6ad85-1212-5833-be6f-f8df6f4d640g", "3af6ad85+1212-5833-be6f-f8df6f4d6402"} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
	var bad UUID
	if err := bad.UnmarshalText([]byte("x")); err == nil {
		t.Error("UnmarshalText(x): no error")
	}
}

// TestValue: Value dispatches decoded JSON values to the value helpers.
func TestValue(t *testing.T) {
	num, _ := NumberValue("1.50e1")
	date, _ := DateValue("2024-01-02")
	for _, c := range []struct {
		format Format
		v      any
		want   string
	}{
		{AsGiven, json.Number("1.50e1"), num},
		{AsGiven, true, BoolValue(true)},
		{AsGiven, "Ab", "Ab"},
		{Date, "2024-01-02", date},
	} {
		if got, err := Value(c.format, c.v); err != nil || got != c.want {
			t.Errorf("Value(%d, %v) = %q, %v; want %q", c.format, c.v, got, err, c.want)
		}
	}
	if _, err := Value(AsGiven, 1.5); err == nil {
		t.Error("a float64 was accepted")
	}
}
