package compiler

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// upstreamManifest is the part of upstream's relational-model manifest the
// conformance rule compares.
type upstreamManifest struct {
	ResourceDetails []struct {
		Tables []struct {
			Schema  string `json:"schema"`
			Name    string `json:"name"`
			Scope   string `json:"scope"`
			Columns []struct {
				Name     string     `json:"name"`
				Kind     string     `json:"kind"`
				Type     model.Type `json:"type"`
				Nullable bool       `json:"is_nullable"`
			} `json:"columns"`
		} `json:"tables"`
		DocumentReferenceBindings []struct {
			Table struct {
				Schema string `json:"schema"`
				Name   string `json:"name"`
			} `json:"table"`
			IdentityBindings []struct {
				Column string `json:"column"`
			} `json:"identity_bindings"`
		} `json:"document_reference_bindings"`
	} `json:"resource_details"`
}

// conformanceRow is one compared item: a table (with its scope) or a
// column (with type and nullability).
func tableRow(schema, name, scope string) string {
	return fmt.Sprintf("table %s.%s scope=%s", schema, name, scope)
}

func columnRow(schema, table, col string, t model.Type, nullable bool) string {
	null := "NOT NULL"
	if nullable {
		null = "NULL"
	}
	return fmt.Sprintf("column %s.%s.%s %s %s", schema, table, col, t, null)
}

// upstreamOnly reports columns that exist only in upstream's later design.
func upstreamOnly(name string, bindingCols map[string]bool) bool {
	switch name {
	case "ContentVersion", "ContentLastModifiedAt", "CollectionItemId", "ParentCollectionItemId", "BaseCollectionItemId":
		return true
	}
	return strings.Contains(name, "_Unified") || strings.HasSuffix(name, "_Present") || bindingCols[name]
}

// compared reports whether the conformance rule compares a column: scalars
// and `_DocumentId` / `_DescriptorId` columns.
func compared(name, kind string) bool {
	return kind == "Scalar" || strings.HasSuffix(name, "_DocumentId") || strings.HasSuffix(name, "_DescriptorId")
}

func upstreamRows(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m upstreamManifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rows []string
	for _, rd := range m.ResourceDetails {
		binding := map[string]map[string]bool{}
		for _, b := range rd.DocumentReferenceBindings {
			key := b.Table.Schema + "." + b.Table.Name
			if binding[key] == nil {
				binding[key] = map[string]bool{}
			}
			for _, ib := range b.IdentityBindings {
				binding[key][ib.Column] = true
			}
		}
		for _, tb := range rd.Tables {
			rows = append(rows, tableRow(tb.Schema, tb.Name, tb.Scope))
			for _, c := range tb.Columns {
				if !compared(c.Name, c.Kind) || upstreamOnly(c.Name, binding[tb.Schema+"."+tb.Name]) {
					continue
				}
				rows = append(rows, columnRow(tb.Schema, tb.Name, c.Name, c.Type, c.Nullable))
			}
		}
	}
	sort.Strings(rows)
	return rows
}

func ourRows(m *model.Model) []string {
	var rows []string
	for _, r := range m.Resources {
		for _, tb := range r.Tables {
			rows = append(rows, tableRow(tb.Schema, tb.Name, tb.Scope.String()))
			for _, c := range tb.Columns {
				switch {
				case c.Kind == model.ParentKeyColumn && strings.HasSuffix(c.Name, "Ordinal"):
					continue // dmsc's ancestor ordinals
				case !compared(c.Name, string(c.Kind)) || c.Kind == model.ParentKeyColumn && !strings.HasSuffix(c.Name, "_DocumentId"):
					continue
				}
				rows = append(rows, columnRow(tb.Schema, tb.Name, c.Name, c.Type, c.Nullable))
			}
		}
	}
	sort.Strings(rows)
	return rows
}

// knownDifferences are the remaining, documented differences from upstream
// (docs/conformance.md explains each). A row prefixed "-" is upstream-only,
// "+" dmsc-only.
var knownDifferences = map[string][]string{
	"ext": {
		"- table sample.SchoolExtensionAddress scope=$._ext.sample.addresses[*]._ext.sample",
		"+ table sample.SchoolExtensionAddress scope=$.addresses[*]._ext.sample",
	},
}

func diffRows(want, got []string) []string {
	w, g := map[string]bool{}, map[string]bool{}
	for _, r := range want {
		w[r] = true
	}
	for _, r := range got {
		g[r] = true
	}
	var out []string
	for _, r := range want {
		if !g[r] {
			out = append(out, "- "+r)
		}
	}
	for _, r := range got {
		if !w[r] {
			out = append(out, "+ "+r)
		}
	}
	sort.Strings(out)
	return out
}

// TestConformance compares tables, scopes, column names, types and
// nullability with upstream's relational-model manifests for every
// dms/<case>, per the rule of docs/quality.md.
func TestConformance(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), "docs", "conformance.md"))
	if err != nil {
		t.Fatalf("docs/conformance.md must list the known differences: %v", err)
	}
	for _, c := range testenv.DMSCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			res := compileFiles(t, c.Files)
			for _, m := range res.Models() {
				want := upstreamRows(t, c.Expected("relational-model."+string(m.Dialect)+".manifest.json"))
				diff := diffRows(want, ourRows(m))
				known := map[string]bool{}
				for _, k := range knownDifferences[c.Name] {
					known[k] = true
					if !strings.Contains(string(doc), strings.TrimSpace(k[1:])) {
						t.Errorf("known difference %q is not explained in docs/conformance.md", k)
					}
				}
				for _, d := range diff {
					if !known[d] {
						t.Errorf("%s: unexpected difference from upstream: %s", m.Dialect, d)
					}
					delete(known, d)
				}
				for k := range known {
					t.Errorf("%s: listed difference no longer occurs (remove it from the list and the doc): %s", m.Dialect, k)
				}
			}
		})
	}
}
