package migrate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// deltaT0 is the change time of the hand-built tokens.
var deltaT0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// legacyToken is a legacy document of resource res ("Project:Resource")
// with change trace trace.
func legacyToken(uuid, res, trace string) Token {
	p, r, _ := strings.Cut(res, ":")
	return Token{UUID: uuid, Resource: ResourceKey{ProjectName: p, ResourceName: r, ResourceVersion: "5.0.0"}, LastModifiedAt: deltaT0, LastModifiedTraceID: trace}
}

// recordOf is a recorded document of resource res: copied with trace
// copied, skipped with trace skipped ("" where that table has no row).
func recordOf(uuid, res, copied, skipped string) recorded {
	p, r, _ := strings.Cut(res, ":")
	tok := func(trace string) *checkpointToken {
		if trace == "" {
			return nil
		}
		return &checkpointToken{modified: deltaT0, traceID: trace, project: p, resource: r}
	}
	return recorded{uuid: uuid, copied: tok(copied), skipped: tok(skipped)}
}

// renderDelta renders what a Delta says, upserts and deletes included.
func renderDelta(d *Delta) string {
	var b strings.Builder
	fmt.Fprintf(&b, "documents %d copied %d new %d changed %d deleted %d skipped %d;", d.Documents, d.Copied, d.New, d.Changed, d.Deleted, d.Skipped)
	for _, r := range d.Resources {
		fmt.Fprintf(&b, " %s:%s %d/%d/%d", r.ProjectName, r.ResourceName, r.New, r.Changed, r.Deleted)
	}
	b.WriteString("; upserts")
	for _, t := range d.upserts {
		b.WriteString(" " + t.UUID)
		if d.changed[t.UUID] {
			b.WriteString("*")
		}
	}
	b.WriteString("; deletes")
	for _, x := range d.deletes {
		fmt.Fprintf(&b, " %s@%s:%s", x.uuid, x.project, x.resource)
		if x.skippedOnly {
			b.WriteString("(skipped)")
		}
	}
	return b.String()
}

// TestBuildDelta merges hand-built legacy tokens and checkpoint/Skipped
// rows: each kind of change once, then a mix across resources (sorted
// by project and resource, deletes by DocumentUuid); streams out of
// DocumentUuid order are an error.
func TestBuildDelta(t *testing.T) {
	for _, tc := range []struct {
		name    string
		tokens  []Token
		records []recorded
		want    string
		err     string
	}{
		{name: "nothing", want: "documents 0 copied 0 new 0 changed 0 deleted 0 skipped 0;; upserts; deletes"},
		{name: "unchanged copy", tokens: []Token{legacyToken("a", "Ed-Fi:Student", "t1")}, records: []recorded{recordOf("a", "Ed-Fi:Student", "t1", "")},
			want: "documents 1 copied 1 new 0 changed 0 deleted 0 skipped 0;; upserts; deletes"},
		{name: "changed copy", tokens: []Token{legacyToken("a", "Ed-Fi:Student", "t2")}, records: []recorded{recordOf("a", "Ed-Fi:Student", "t1", "")},
			want: "documents 1 copied 1 new 0 changed 1 deleted 0 skipped 0; Ed-Fi:Student 0/1/0; upserts a*; deletes"},
		{name: "new", tokens: []Token{legacyToken("a", "Ed-Fi:Student", "t1")},
			want: "documents 1 copied 0 new 1 changed 0 deleted 0 skipped 0; Ed-Fi:Student 1/0/0; upserts a; deletes"},
		{name: "skipped unchanged", tokens: []Token{legacyToken("a", "Ed-Fi:School", "t1")}, records: []recorded{recordOf("a", "Ed-Fi:School", "", "t1")},
			want: "documents 1 copied 0 new 0 changed 0 deleted 0 skipped 1;; upserts; deletes"},
		{name: "skipped changed", tokens: []Token{legacyToken("a", "Ed-Fi:School", "t2")}, records: []recorded{recordOf("a", "Ed-Fi:School", "", "t1")},
			want: "documents 1 copied 0 new 1 changed 0 deleted 0 skipped 0; Ed-Fi:School 1/0/0; upserts a; deletes"},
		{name: "copied and skipped: the checkpoint decides", tokens: []Token{legacyToken("a", "Ed-Fi:School", "t1")}, records: []recorded{recordOf("a", "Ed-Fi:School", "t1", "t0")},
			want: "documents 1 copied 1 new 0 changed 0 deleted 0 skipped 0;; upserts; deletes"},
		{name: "copied gone", records: []recorded{recordOf("a", "Ed-Fi:Student", "t1", "")},
			want: "documents 0 copied 1 new 0 changed 0 deleted 1 skipped 0; Ed-Fi:Student 0/0/1; upserts; deletes a@Ed-Fi:Student"},
		{name: "skipped gone", records: []recorded{recordOf("a", "Ed-Fi:School", "", "t1")},
			want: "documents 0 copied 0 new 0 changed 0 deleted 1 skipped 0; Ed-Fi:School 0/0/1; upserts; deletes a@Ed-Fi:School(skipped)"},
		{name: "copied and skipped gone", records: []recorded{recordOf("a", "Ed-Fi:School", "t1", "t0")},
			want: "documents 0 copied 1 new 0 changed 0 deleted 1 skipped 0; Ed-Fi:School 0/0/1; upserts; deletes a@Ed-Fi:School"},
		{name: "mix",
			tokens: []Token{legacyToken("1", "TPDM:Candidate", "t1"), legacyToken("3", "Ed-Fi:Student", "t2"), legacyToken("5", "Ed-Fi:School", "t1"),
				legacyToken("6", "Ed-Fi:Student", "t1"), legacyToken("8", "Ed-Fi:Student", "t1")},
			records: []recorded{recordOf("2", "Ed-Fi:Student", "t1", ""), recordOf("3", "Ed-Fi:Student", "t1", ""), recordOf("4", "Ed-Fi:School", "", "t1"),
				recordOf("6", "Ed-Fi:Student", "t1", ""), recordOf("7", "Ed-Fi:Student", "t1", "")},
			want: "documents 5 copied 4 new 3 changed 1 deleted 3 skipped 0; Ed-Fi:School 1/0/1 Ed-Fi:Student 1/1/2 TPDM:Candidate 1/0/0; upserts 1 3* 5 8; deletes 2@Ed-Fi:Student 4@Ed-Fi:School(skipped) 7@Ed-Fi:Student"},
		{name: "legacy out of order", tokens: []Token{legacyToken("2", "Ed-Fi:Student", "t1"), legacyToken("1", "Ed-Fi:Student", "t1")},
			err: `legacy database: reading change tokens: rows out of order ("1" after "2")`},
		{name: "target out of order", records: []recorded{recordOf("2", "Ed-Fi:Student", "t1", ""), recordOf("1", "Ed-Fi:Student", "t1", "")},
			err: `target: reading the checkpoint: rows out of order ("1" after "2")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := buildDelta(seqOf(tc.tokens, nil, nil), seqOf(tc.records, nil, nil))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := renderDelta(d); got != tc.want {
				t.Errorf("delta\n got %s\nwant %s", got, tc.want)
			}
			if d.Resources == nil {
				t.Error("Resources is nil, want a list")
			}
		})
	}
}
