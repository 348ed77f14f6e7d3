package migrate

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// pair is a legacy pair whose parent is of resource Ed-Fi:res.
func pair(parent, child, res string) ResourcePair {
	return ResourcePair{Parent: parent, Child: child, ParentResource: ResourceKey{ProjectName: "Ed-Fi", ResourceName: res, ResourceVersion: "5.0.0"}}
}

// runEdgeCheck runs an edgeCheck over hand-built streams: copied lists
// the documents the checkpoint records, legacyRes the legacy resource of
// documents the legacy store holds. It returns the counts, the findings
// (sorted) and the checkpoint lookups' sizes.
func runEdgeCheck(t *testing.T, legacy []ResourcePair, target []targetEdge, copied []string, legacyRes map[string]string) (string, []string, []int) {
	t.Helper()
	var lookups []int
	ec := &edgeCheck{copied: func(ids []string) (map[string]checkpointToken, error) {
		lookups = append(lookups, len(ids))
		out := map[string]checkpointToken{}
		for _, id := range ids {
			if slices.Contains(copied, id) {
				out[id] = checkpointToken{}
			}
		}
		return out, nil
	}}
	if err := ec.run(seqOf(legacy, nil, nil), seqOf(target, nil, nil)); err != nil {
		t.Fatal(err)
	}
	err := ec.resolveExtra(func(ids []string) (map[string]ResourceKey, error) {
		out := map[string]ResourceKey{}
		for _, id := range ids {
			if r, ok := legacyRes[id]; ok {
				out[id] = ResourceKey{ProjectName: "Ed-Fi", ResourceName: r, ResourceVersion: "5.0.0"}
			}
		}
		return out, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sortFindings(ec.findings)
	var fs []string
	for _, f := range ec.findings {
		fs = append(fs, f.String())
	}
	return fmt.Sprintf("legacy %d target %d", ec.legacyEdges, ec.targetEdges), fs, lookups
}

// TestEdgeCheck compares hand-built legacy pairs and target edges as the
// maps of every pair did: a pair on both sides between copied documents
// counts on both; with its child not copied it is an extra edge under
// the legacy parent's resource; a legacy pair alone is a missing edge
// when both its documents were copied, and nothing otherwise; a target
// edge alone is an extra edge under its parent's legacy resource (none
// when the legacy store no longer holds the parent).
func TestEdgeCheck(t *testing.T) {
	legacy := []ResourcePair{
		pair("p1", "c1", "Student"), // on both sides
		pair("p1", "c2", "Student"), // both sides, c2 not copied
		pair("p2", "c1", "School"),  // legacy only, both copied: missing
		pair("p2", "c3", "School"),  // legacy only, c3 not copied
		pair("p4", "c1", "Course"),  // legacy only, p4 not copied
	}
	target := []targetEdge{
		{parent: "p1", child: "c1", childCopied: true},
		{parent: "p1", child: "c2"},
		{parent: "p3", child: "c1", childCopied: true}, // target only, p3 held by the legacy store
		{parent: "p5", child: "c1", childCopied: true}, // target only, p5 gone from the legacy store
	}
	counts, findings, lookups := runEdgeCheck(t, legacy, target, []string{"p1", "p2", "p3", "p5", "c1"}, map[string]string{"p1": "Student", "p2": "School", "p3": "Session", "p4": "Course"})
	if counts != "legacy 2 target 4" {
		t.Errorf("counts %s, want legacy 2 target 4", counts)
	}
	want := []string{
		"//p5:$: edge-extra: dms.ReferenceEdge links it to c1; dms.Reference does not",
		"Ed-Fi/School/p2:$: edge-missing: dms.Reference links it to c1; dms.ReferenceEdge has no such row",
		"Ed-Fi/Session/p3:$: edge-extra: dms.ReferenceEdge links it to c1; dms.Reference does not",
		"Ed-Fi/Student/p1:$: edge-extra: dms.ReferenceEdge links it to c2; dms.Reference does not",
	}
	if !slices.Equal(findings, want) {
		t.Errorf("findings\n%s\nwant\n%s", strings.Join(findings, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(lookups, []int{6}) {
		t.Errorf("checkpoint lookups of %v ids, want one of the 3 legacy-only pairs", lookups)
	}

	// Legacy pairs alone are looked up edgeBatch at a time.
	var many []ResourcePair
	var copied []string
	for i := range 2*edgeBatch + 10 {
		p := fmt.Sprintf("p%05d", i)
		many = append(many, pair(p, "c", "Student"))
		if i%2 == 0 {
			copied = append(copied, p)
		}
	}
	copied = append(copied, "c")
	counts, findings, lookups = runEdgeCheck(t, many, nil, copied, nil)
	if counts != fmt.Sprintf("legacy %d target 0", edgeBatch+5) || len(findings) != edgeBatch+5 {
		t.Errorf("%s, %d findings; want %d legacy edges, all missing", counts, len(findings), edgeBatch+5)
	}
	if !slices.Equal(lookups, []int{2 * edgeBatch, 2 * edgeBatch, 20}) {
		t.Errorf("checkpoint lookups of %v ids", lookups)
	}
}
