package runtime_test

import (
	"testing"

	"github.com/edfi-dmsc/dmsc/runtime/runtimetest"
)

func TestSmoke(t *testing.T) {
	env := runtimetest.New(t, "smoke")
	ctx := t.Context()
	st := env.Store
	docs := []struct{ pe, ep, body string }{
		{"example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Tenth Grade","shortDescription":"10th","effectiveBeginDate":"2020-01-01"}`},
		{"example", "addressTypeDescriptors", `{"namespace":"uri://ed-fi.org/AddressTypeDescriptor","codeValue":"Physical","shortDescription":"Physical"}`},
		{"example", "localEducationAgencies", `{"localEducationAgencyId":255901,"nameOfInstitution":"Grand Bend ISD"}`},
		{"example", "schools", `{"schoolId":255901001,"nameOfInstitution":"Grand Bend High","localEducationAgencyReference":{"localEducationAgencyId":255901},
		  "gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],
		  "addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"1 Main","city":"Austin","periods":[{"beginDate":"2020-01-01"},{"beginDate":"2021-01-01","endDate":"2021-06-30"}],"_ext":{"extra":{"directions":"left"}}}],
		  "facts":{"enrollmentCapacity":500,"squareFootage":1234.5,"campus":{"acreage":12.125,"hasFarm":true}},
		  "tags":["a","b"],"_ext":{"extra":{"busRoute":"R1","shuttleStops":[{"stopName":"North","sequence":1}]}},"bogus":1}`},
	}
	for _, d := range docs {
		res, err := st.Upsert(ctx, d.pe, d.ep, []byte(d.body))
		if err != nil {
			t.Fatalf("upsert %s: %v", d.ep, err)
		}
		got, err := st.Get(ctx, d.pe, d.ep, res.ID)
		if err != nil {
			t.Fatalf("get %s: %v", d.ep, err)
		}
		t.Logf("%s %+v\n%s", d.ep, res, got.JSON)
	}
}
