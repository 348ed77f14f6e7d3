package relstore_test

import (
	"fmt"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestWriteShapes: a write's statements name only the tables its document
// fills (its shape), so documents of one resource with different
// collections, created and then updated into each other's shape, must
// read back as written — with statements per shape and, once the resource
// keeps its bound of shapes, with the statements of every table. An
// update that empties a collection removes its rows.
func TestWriteShapes(t *testing.T) {
	const (
		bare      = `{"schoolId":%d,"nameOfInstitution":"Shape %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}]}`
		addressed = `{"schoolId":%d,"nameOfInstitution":"Shape %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],"addresses":[{"addressTypeDescriptor":"uri://ed-fi.org/AddressTypeDescriptor#Physical","streetNumberName":"1 Main","city":"Austin","periods":[{"beginDate":"2020-01-01"}]}]}`
		tagged    = `{"schoolId":%d,"nameOfInstitution":"Shape %d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"},{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Tenth Grade"}],"tags":["x"],"_ext":{"extra":{"busRoute":"R9","shuttleStops":[{"stopName":"South","sequence":2}]}}}`
	)
	for _, bound := range []int{32, 1} {
		t.Run(fmt.Sprintf("bound %d", bound), func(t *testing.T) {
			defer relstore.SetMaxWriteShapes(bound)()
			env, _ := seeded(t, "writeshapes")
			st := env.Store
			body := func(form string, id int) string { return fmt.Sprintf(form, id, id) }
			forms := []string{bare, addressed, tagged}
			ids := make([]string, len(forms))
			for i, form := range forms {
				ids[i] = mustUpsert(t, st, "example", "schools", body(form, 9100+i)).ID
			}
			check := func(i int, form string) {
				t.Helper()
				d, err := st.Get(t.Context(), "example", "schools", ids[i])
				if err != nil {
					t.Fatal(err)
				}
				assertRoundTrip(t, body(form, 9100+i), d.JSON)
			}
			for i, form := range forms {
				check(i, form)
			}
			// Each document takes the next one's shape.
			for i := range forms {
				next := forms[(i+1)%len(forms)]
				if _, err := st.Update(t.Context(), "example", "schools", ids[i], []byte(body(next, 9100+i)), ""); err != nil {
					t.Fatal(err)
				}
				check(i, next)
			}
			auditsClean(t, st)
		})
	}
}
