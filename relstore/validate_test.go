package relstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/refid"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
)

// TestValidator runs the write's validation on the example schema without
// a database: the problems with their codes, the pruned properties, the
// document's ReferentialId and its references.
func TestValidator(t *testing.T) {
	v, err := relstore.NewValidator(compiler.Manifest(relstoretest.Compile(t)))
	if err != nil {
		t.Fatal(err)
	}
	ok, err := v.Validate("Example", "School", []byte(`{"id":"x","_etag":"y","schoolId":7,"nameOfInstitution":"Seven","extra":1,
		"localEducationAgencyReference":{"localEducationAgencyId":8},
		"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ok.Problems) != 0 {
		t.Fatalf("problems: %v", ok.Problems)
	}
	if strings.Join(ok.Pruned, ",") != "$.extra" {
		t.Errorf("pruned %v, want [$.extra]", ok.Pruned)
	}
	if want := refid.New("Example", "School", []refid.Element{refid.NewElement("$.schoolId", "7")}); ok.ReferentialID != want {
		t.Errorf("ReferentialId %s, want %s", ok.ReferentialID, want)
	}
	var got []string
	for _, r := range ok.References {
		got = append(got, r.Path+" "+r.Target+" "+r.Value)
		if r.Descriptor != strings.HasSuffix(r.Target, "Descriptor") {
			t.Errorf("%s: descriptor flag %v", r.Path, r.Descriptor)
		}
	}
	want := "$.gradeLevels[0].gradeLevelDescriptor Example:GradeLevelDescriptor uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade|" +
		"$.localEducationAgencyReference Example:LocalEducationAgency 8"
	if strings.Join(got, "|") != want {
		t.Errorf("references\n got %s\nwant %s", strings.Join(got, "|"), want)
	}

	bad, err := v.Validate("Example", "School", []byte(`{"schoolId":5255901001,"nameOfInstitution":"`+strings.Repeat("n", 80)+`",
		"facts":{"squareFootage":1.234,"openedOn":"0000-01-01","enrollmentCapacity":10}}`))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, p := range bad.Problems {
		codes = append(codes, p.Path+" "+p.Code)
	}
	wantCodes := "$.facts.openedOn date-out-of-range|$.facts.squareFootage decimal-out-of-range|$.gradeLevels invalid-document|$.nameOfInstitution string-too-long|$.schoolId integer-out-of-range"
	if strings.Join(codes, "|") != wantCodes {
		t.Errorf("problems\n got %s\nwant %s", strings.Join(codes, "|"), wantCodes)
	}
	if bad.References != nil || bad.ReferentialID != (refid.UUID{}) {
		t.Errorf("an invalid document has references or an id: %+v", bad)
	}

	notJSON, err := v.Validate("Example", "School", []byte(`{`))
	if err != nil || len(notJSON.Problems) != 1 || notJSON.Problems[0].Code != relstore.CodeInvalidDocument {
		t.Errorf("invalid JSON: %+v, %v", notJSON, err)
	}
	if _, err := v.Validate("Example", "Nope", []byte(`{}`)); !errors.Is(err, relstore.ErrNotFound) {
		t.Errorf("unknown resource: %v, want ErrNotFound", err)
	}
	if _, err := relstore.NewValidator(nil); err == nil {
		t.Error("nil manifest accepted")
	}
}
