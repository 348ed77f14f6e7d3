package runtime_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/jsonvalue"
	"github.com/edfi-dmsc/dmsc/manifest/jsonpath"
	"github.com/edfi-dmsc/dmsc/manifest/refid"
	"github.com/edfi-dmsc/dmsc/runtime"
	"github.com/edfi-dmsc/dmsc/runtime/runtimetest"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// loadOrder is a fixture corpus's load-order.json.
type loadOrder struct {
	// Order lists document paths (schema/project/endpoint/file), referenced
	// documents first.
	Order []string
}

// fixtureOrder reads the load order of corpus name.
func fixtureOrder(t *testing.T, fx, name string) loadOrder {
	t.Helper()
	var order loadOrder
	data, err := os.ReadFile(filepath.Join(fx, "documents", name, "load-order.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &order); err != nil {
		t.Fatal(err)
	}
	return order
}

// TestCorpus loads the fixture documents of DS 5.0 and Homograph in their
// load order, checks the round trip law on each accepted document, then
// queries every resource by every query field with values taken from a
// stored document and checks that the document is found. Rejections are
// logged with their reasons and counted; a mismatch fails.
func TestCorpus(t *testing.T) {
	for _, c := range []struct {
		name   string
		schema func(testing.TB) string
		// maxRejected bounds the rejections (DS 5.0: identifiers beyond
		// int32 and EducationOrganization id clashes, and their dependants;
		// see docs/runtime.md).
		maxRejected int
	}{
		{"ds-5.0", testenv.DS50, 82},
		{"homograph", testenv.Homograph, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			fx := testenv.Fixtures(t)
			env := runtimetest.New(t, c.name, c.schema(t))
			order := fixtureOrder(t, fx, c.name)
			type stored struct {
				pe, ep, id string
				body       any
			}
			latest := map[string]stored{} // first stored document per resource
			var resources []string
			equal, rejected := 0, 0
			for _, rel := range order.Order {
				parts := strings.Split(rel, "/") // schema/project/endpoint/file
				body, err := os.ReadFile(filepath.Join(fx, "documents", rel))
				if err != nil {
					t.Fatal(err)
				}
				res, err := env.Store.Upsert(t.Context(), parts[1], parts[2], body)
				if err != nil {
					rejected++
					t.Logf("rejected %s: %v", rel, err)
					continue
				}
				got, err := env.Store.Get(t.Context(), parts[1], parts[2], res.ID)
				if err != nil {
					t.Fatalf("GET %s: %v", rel, err)
				}
				want, _ := jsonvalue.Decode(body)
				for _, p := range res.Pruned {
					_, _ = jsonvalue.Remove(want, p)
				}
				g, _ := jsonvalue.Decode(got.JSON)
				// Descriptor URIs resolve case-insensitively and read back as
				// the descriptor stores them (docs/runtime.md).
				fold := jsonvalue.Options{FoldCase: func(path string) bool { return refid.IsDescriptorPath(path) }}
				if d := jsonvalue.DiffWith(jsonvalue.Normalize(want), jsonvalue.StripKeys(g, "id", "_etag", "_lastModifiedDate"), fold); len(d) > 0 {
					t.Errorf("%s does not round-trip:\n%s", rel, strings.Join(d, "\n"))
					continue
				}
				equal++
				key := parts[1] + "/" + parts[2]
				if _, ok := latest[key]; !ok {
					resources = append(resources, key)
				}
				latest[key] = stored{parts[1], parts[2], res.ID, want}
			}
			t.Logf("%s: %d documents, %d round-trip equal, %d rejected", c.name, len(order.Order), equal, rejected)
			if rejected > c.maxRejected {
				t.Errorf("%d documents rejected, at most %d expected", rejected, c.maxRejected)
			}
			sort.Strings(resources)
			queries := 0
			for _, key := range resources {
				s := latest[key]
				r, _ := env.Store.Resource(s.pe, s.ep)
				for _, qf := range r.QueryFields {
					if len(qf.Targets) != 1 || strings.Contains(qf.Targets[0].Path, "[*]") {
						continue
					}
					vals := jsonpath.MustParse(qf.Targets[0].Path).Lookup(s.body)
					if len(vals) != 1 {
						continue
					}
					v := fmt.Sprint(vals[0])
					p, err := env.Store.Query(t.Context(), s.pe, s.ep, runtime.QueryOptions{Filters: []runtime.Filter{{Name: qf.Name, Value: v}}, Limit: runtime.MaxLimit})
					if err != nil {
						t.Errorf("%s?%s=%s: %v", key, qf.Name, v, err)
						continue
					}
					queries++
					found := false
					for _, d := range p.Documents {
						found = found || d.ID == s.id
					}
					if !found {
						t.Errorf("%s?%s=%s does not find document %s (%d results)", key, qf.Name, v, s.id, len(p.Documents))
					}
				}
			}
			t.Logf("%s: %d single-field queries found their document", c.name, queries)
		})
	}
}
