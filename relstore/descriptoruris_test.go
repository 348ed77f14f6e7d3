package relstore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// uriOf returns the value at a path of a JSON body (object keys, then for
// a []any the first element).
func uriOf(t *testing.T, body []byte, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range path {
		if a, ok := v.([]any); ok && len(a) > 0 {
			v = a[0]
		}
		v = v.(map[string]any)[k]
	}
	s, _ := v.(string)
	return s
}

// readAll reads documents through st and through a store joining the
// URIs (joins), fails unless each body is byte-identical, and returns the
// round trips of each read through st.
func readAll(t *testing.T, st, joins *relstore.Store, docs [][2]string) []int64 {
	t.Helper()
	trips := make([]int64, len(docs))
	for i, d := range docs {
		ctx, n := relstore.WithRoundTrips(t.Context())
		got, err := st.Get(ctx, "example", d[0], d[1])
		if err != nil {
			t.Fatalf("get %s %s: %v", d[0], d[1], err)
		}
		trips[i] = n.Count()
		want, err := joins.Get(t.Context(), "example", d[0], d[1])
		if err != nil {
			t.Fatal(err)
		}
		if string(got.JSON) != string(want.JSON) || got.ETag != want.ETag {
			t.Errorf("%s %s through the URI map:\n%s (etag %s)\nthrough joins:\n%s (etag %s)", d[0], d[1], got.JSON, got.ETag, want.JSON, want.ETag)
		}
	}
	return trips
}

// TestDescriptorURIMap: reads map descriptor ids to URIs from memory and
// return exactly what reads joining dms.Descriptor return, in one round
// trip once the map holds the ids; another store changing a URI (letter
// case by POST, codeValue by PUT with DescriptorURIUpdates) is seen at
// once, at the price of one fetch; a URI that changes between the read
// and the fetch makes the read run again (the ETag and the URI then agree).
func TestDescriptorURIMap(t *testing.T) {
	env, ids := seeded(t, "urimap")
	ctx := t.Context()
	a := env.Store
	open := func(opts relstore.Options) *relstore.Store {
		st, err := relstore.Open(ctx, env.Manifest, env.Pool, opts)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	b := open(relstore.Options{DescriptorURIUpdates: true})
	joins := open(relstore.Options{DescriptorJoins: true})
	ssa := [2]string{"studentSchoolAssociations", ids[10]}
	docs := [][2]string{{"schools", ids[6]}, {"programs", ids[7]}, ssa}

	// A's map holds what A wrote: one round trip per read.
	for i, n := range readAll(t, a, joins, docs) {
		if n != 1 {
			t.Errorf("read %d: %d round trips, want 1", i, n)
		}
	}

	// B changes the letter case of a URI A's map holds.
	mustUpsert(t, b, "example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"TENTH GRADE","shortDescription":"10th"}`)
	trips := readAll(t, a, joins, docs)
	got, _ := a.Get(ctx, "example", ssa[0], ssa[1])
	if u := uriOf(t, got.JSON, "entryGradeLevelDescriptor"); u != "uri://ed-fi.org/GradeLevelDescriptor#TENTH GRADE" {
		t.Errorf("A serves %q after B changed its case", u)
	}
	if trips[0] != 2 {
		t.Errorf("first read after the change: %d round trips, want 2 (the read, the fetch)", trips[0])
	}
	for i, n := range readAll(t, a, joins, docs) {
		if n != 1 {
			t.Errorf("read %d once the map is refilled: %d round trips, want 1", i, n)
		}
	}

	// B renames the program type (a cascade: the SSA's program
	// reference holds it).
	if _, err := b.Update(ctx, "example", "programTypeDescriptors", ids[4], []byte(`{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Careers","shortDescription":"Career"}`), ""); err != nil {
		t.Fatal(err)
	}
	readAll(t, a, joins, docs)
	got, _ = a.Get(ctx, "example", ssa[0], ssa[1])
	if u := uriOf(t, got.JSON, "programs", "programReference", "programTypeDescriptor"); u != "uri://ed-fi.org/ProgramTypeDescriptor#Careers" {
		t.Errorf("A serves %q after B renamed the program type", u)
	}

	// A URI changes after A's read and before its fetch: B adds a
	// descriptor A's map lacks and a program using it; when A reads the
	// program, B renames the descriptor just before A fetches.
	mustUpsert(t, b, "example", "programTypeDescriptors", `{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Arts","shortDescription":"Arts"}`)
	prog := mustUpsert(t, b, "example", "programs", `{"educationOrganizationReference":{"educationOrganizationId":255901},"programName":"Choir","programTypeDescriptor":"uri://ed-fi.org/ProgramTypeDescriptor#Arts"}`)
	arts := ""
	if err := env.Pool.QueryRow(ctx, `SELECT d."DocumentUuid"::text FROM "dms"."Descriptor" x JOIN "dms"."Document" d USING ("DocumentId") WHERE x."CodeValue" = 'Arts'`).Scan(&arts); err != nil {
		t.Fatal(err)
	}
	fetches := 0
	restore := relstore.SetBeforeURIFetch(func() {
		fetches++
		if fetches == 1 {
			if _, err := b.Update(context.Background(), "example", "programTypeDescriptors", arts, []byte(`{"namespace":"uri://ed-fi.org/ProgramTypeDescriptor","codeValue":"Fine Arts","shortDescription":"Arts"}`), ""); err != nil {
				t.Error(err)
			}
		}
	})
	got, err := a.Get(ctx, "example", "programs", prog.ID)
	restore()
	if err != nil {
		t.Fatal(err)
	}
	now, _ := joins.Get(ctx, "example", "programs", prog.ID)
	if string(got.JSON) != string(now.JSON) || got.ETag != now.ETag {
		t.Errorf("a read whose URI changed before its fetch returned\n%s (etag %s)\nthe stored document is\n%s (etag %s)", got.JSON, got.ETag, now.JSON, now.ETag)
	}
	if fetches != 2 {
		t.Errorf("%d fetches, want 2 (the read ran again)", fetches)
	}
}

// TestDescriptorURIsWithoutGenerationTable: a database provisioned before
// dms.DescriptorUriGeneration existed reads descriptor URIs by joins.
func TestDescriptorURIsWithoutGenerationTable(t *testing.T) {
	env, ids := seeded(t, "urinogen")
	ctx := t.Context()
	want, err := env.Store.Get(ctx, "example", "studentSchoolAssociations", ids[10])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Pool.Exec(ctx, `DROP TABLE "dms"."DescriptorUriGeneration"`); err != nil {
		t.Fatal(err)
	}
	old, err := relstore.Open(ctx, env.Manifest, env.Pool, relstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := old.Get(ctx, "example", "studentSchoolAssociations", ids[10])
	if err != nil {
		t.Fatal(err)
	}
	if string(got.JSON) != string(want.JSON) {
		t.Errorf("without the generation table:\n%s\nwant\n%s", got.JSON, want.JSON)
	}
	// Writes of descriptors work too (no generation to increment).
	mustUpsert(t, old, "example", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"TENTH GRADE","shortDescription":"10th"}`)
	if got, err = old.Get(ctx, "example", "studentSchoolAssociations", ids[10]); err != nil || uriOf(t, got.JSON, "entryGradeLevelDescriptor") != "uri://ed-fi.org/GradeLevelDescriptor#TENTH GRADE" {
		t.Errorf("after a case change: %v %s", err, got.JSON)
	}
}
