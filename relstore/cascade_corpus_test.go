package relstore_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/relstore/relstoretest"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// corpusDoc is one stored fixture document.
type corpusDoc struct {
	pe, ep, id string
}

// state reads every stored document's body (without metadata) and ETag.
func state(t *testing.T, st *relstore.Store, docs []corpusDoc) (bodies []string, etags []string) {
	t.Helper()
	for _, d := range docs {
		got, err := st.Get(t.Context(), d.pe, d.ep, d.id)
		if err != nil {
			t.Fatalf("GET %s/%s: %v", d.ep, d.id, err)
		}
		v, _ := jsonvalue.Decode(got.JSON)
		b, _ := json.Marshal(jsonvalue.StripKeys(v, "_etag", "_lastModifiedDate"))
		bodies = append(bodies, string(b))
		etags = append(etags, got.ETag)
	}
	return bodies, etags
}

// TestSessionCascadeDS50 loads the DS 5.0 corpus, renames a Session that
// course offerings, sections and student section associations depend on,
// and checks the cascade against independent oracles: the ETag of a
// document changed exactly when its representation changed; the
// dependants show the new session name; an identity audit of the whole
// store is clean (every ReferentialId matches the current identity); and
// upserts by the new natural keys find the same documents.
func TestSessionCascadeDS50(t *testing.T) {
	fx := testenv.Fixtures(t)
	env := relstoretest.New(t, "sessioncascade", testenv.DS50(t))
	st := env.Store
	set, err := roundtrip.Discover(filepath.Join(fx, "documents", "ds-5.0"), st.Manifest())
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := roundtrip.Load(t.Context(), st, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]roundtrip.Document{}
	for _, d := range set.Documents {
		byFile[d.File] = d
	}
	// Documents in the order they were written (rejections are by design,
	// docs/runtime.md); a later document with the same natural key updates
	// an earlier one, whose body it replaces.
	var docs []corpusDoc
	bodies := map[string][]byte{}
	for _, file := range loaded.Written {
		d, id := byFile[file], loaded.Outcomes[file].ID
		body, err := os.ReadFile(d.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, seen := bodies[id]; !seen {
			docs = append(docs, corpusDoc{d.Resource.ProjectEndpoint, d.Resource.EndpointName, id})
		}
		bodies[id] = body
	}
	// The session whose identity closure holds the most student section
	// associations (then the largest closure).
	var session corpusDoc
	best, bestSSA := int64(-1), int64(-1)
	for _, d := range docs {
		if d.ep != "sessions" {
			continue
		}
		closure := `WITH RECURSIVE c(id) AS (
			SELECT "DocumentId" FROM "dms"."Document" WHERE "DocumentUuid" = $1::uuid
			UNION SELECT e."ParentDocumentId" FROM "dms"."ReferenceEdge" e JOIN c ON e."ChildDocumentId" = c.id WHERE e."IsIdentityComponent")`
		n := count(t, env, closure+` SELECT count(*) - 1 FROM c`, d.id)
		ssa := count(t, env, closure+` SELECT count(*) FROM c JOIN "dms"."Document" x ON x."DocumentId" = c.id JOIN "dms"."ResourceKey" k USING ("ResourceKeyId") WHERE k."ResourceName" = 'StudentSectionAssociation'`, d.id)
		if ssa > bestSSA || (ssa == bestSSA && n > best) {
			session, best, bestSSA = d, n, ssa
		}
	}
	if best < 1 {
		t.Fatal("no session with identity dependants in the corpus")
	}
	beforeBodies, beforeETags := state(t, st, docs)
	body := bodies[session.id]
	v, _ := jsonvalue.Decode(body)
	oldName := v.(map[string]any)["sessionName"].(string)
	newName := oldName + " (renamed)"
	renamed := strings.Replace(string(body), `"sessionName": "`+oldName+`"`, `"sessionName": "`+newName+`"`, 1)
	if renamed == string(body) {
		t.Fatalf("could not rename session in %s", body)
	}
	res, err := st.Update(t.Context(), session.pe, session.ep, session.id, []byte(renamed), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("renamed session %q: cascade %+v", oldName, res.Cascade)
	afterBodies, afterETags := state(t, st, docs)
	changed := map[string]int{}
	for i, d := range docs {
		bodyChanged := beforeBodies[i] != afterBodies[i]
		etagChanged := beforeETags[i] != afterETags[i]
		if bodyChanged != etagChanged {
			t.Errorf("%s %s: representation changed %t, ETag changed %t", d.ep, d.id, bodyChanged, etagChanged)
		}
		if etagChanged && d.id != session.id {
			changed[d.ep]++
			if !strings.Contains(afterBodies[i], newName) {
				t.Errorf("%s %s changed but does not show the new session name", d.ep, d.id)
			}
		}
	}
	t.Logf("documents re-rendered by the cascade: %v", changed)
	for _, ep := range []string{"courseOfferings", "sections", "studentSectionAssociations"} {
		if changed[ep] == 0 {
			t.Errorf("no %s followed the session rename", ep)
		}
	}
	if int64(res.Cascade.Closure) != best {
		t.Errorf("closure %d, want %d (recursive query over identity edges before the change)", res.Cascade.Closure, best)
	}
	r, err := st.AuditIdentities(t.Context(), relstore.AuditOptions{})
	if err != nil || r.Differences != 0 {
		t.Fatalf("identity audit after the cascade: %v %+v", err, r)
	}
	if r, err := st.AuditEdges(t.Context(), relstore.AuditOptions{}); err != nil || r.Differences != 0 {
		t.Fatalf("edge audit after the cascade: %v %+v", err, r)
	}
	// Upserting each changed section by its new natural key finds it.
	for i, d := range docs {
		if d.ep != "sections" || beforeETags[i] == afterETags[i] {
			continue
		}
		nb := strings.ReplaceAll(string(bodies[d.id]), `"sessionName": "`+oldName+`"`, `"sessionName": "`+newName+`"`)
		up, err := st.Upsert(t.Context(), d.pe, d.ep, []byte(nb))
		if err != nil || up.Created || up.ID != d.id {
			t.Errorf("upsert of section %s by its new identity: %+v %v", d.id, up, err)
		}
	}
}
