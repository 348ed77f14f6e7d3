package relstore_test

import (
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// TestDescriptorCaseChangeBumpsReferrers: a POST that changes the letter
// case of a descriptor's URI changes the representation of every document
// that shows it, so their ETags change and no cached body of theirs is
// served any more.
func TestDescriptorCaseChangeBumpsReferrers(t *testing.T) {
	env, ids := seeded(t, "desccase")
	ctx := t.Context()
	cached, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{DocumentCache: true})
	if err != nil {
		t.Fatal(err)
	}
	// The SSA shows the grade level at its root and the program type in its
	// program reference; the school shows the grade level in a collection.
	docs := [][2]string{{"studentSchoolAssociations", ids[10]}, {"schools", ids[6]}, {"programs", ids[7]}}
	before := map[string]relstore.Document{}
	for _, d := range docs {
		got, err := cached.Get(ctx, "example", d[0], d[1]) // fills the cache
		if err != nil {
			t.Fatal(err)
		}
		before[d[1]] = got
	}
	mustUpsert(t, env.Store, "example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"TENTH GRADE","shortDescription":"10th"}`)
	mustUpsert(t, env.Store, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"CAREER","shortDescription":"Career"}`)
	for _, d := range docs {
		got, err := cached.Get(ctx, "example", d[0], d[1])
		if err != nil {
			t.Fatal(err)
		}
		plain, err := env.Store.Get(ctx, "example", d[0], d[1])
		if err != nil {
			t.Fatal(err)
		}
		if string(got.JSON) != string(plain.JSON) {
			t.Errorf("%s: the cache serves\n%s\nthe tables hold\n%s", d[0], got.JSON, plain.JSON)
		}
		if !strings.Contains(string(plain.JSON), "TENTH GRADE") && !strings.Contains(string(plain.JSON), "CAREER") {
			t.Errorf("%s shows neither new spelling: %s", d[0], plain.JSON)
		}
		if plain.ETag == before[d[1]].ETag {
			t.Errorf("%s: ETag %s unchanged though its representation changed", d[0], plain.ETag)
		}
	}
}
