package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// postExample POSTs an example document to a running server.
func postExample(t *testing.T, base, endpoint, body string) {
	t.Helper()
	resp, err := http.Post(base+"/data/example/"+endpoint, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d", endpoint, resp.StatusCode)
	}
}

// metricValue scrapes /metrics and returns the value of one sample (-1
// when absent).
func metricValue(t *testing.T, base, sample string) float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sample) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return -1
	}
	var v float64
	fmt.Sscan(string(m[1]), &v)
	return v
}

// TestCacheCommands: `dmsc serve --projector` fills the DocumentCache in
// the background (its backlog metric drops to 0 and GETs count as hits),
// `dmsc cache audit` finds a corrupted row (exit 1 with the rebuild
// command), `dmsc cache rebuild` repairs it and `dmsc cache project`
// reports an empty backlog.
func TestCacheCommands(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "cache_cmds")
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...), ExitOK)
	base := startServe(t, "serve", "--dsn", dsn, "--projector", "--projector-interval", "20ms")
	postExample(t, base, "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth Grade","shortDescription":"9th"}`)
	for i := range 5 {
		postExample(t, base, "schools", fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":"S%d","gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`, 100+i, i))
	}
	// The backlog gauge reads the database when scraped, the written
	// counter moves once the projector's call returns: both settle.
	backlog, written := -1.0, -1.0
	for range 500 { // the projector runs every 20ms: at most a few seconds
		backlog = metricValue(t, base, "dmsc_projector_backlog_documents")
		written = metricValue(t, base, "dmsc_projector_documents_total")
		if backlog == 0 && written == 6 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if backlog != 0 || written != 6 {
		t.Fatalf("projector backlog %v, documents written %v; want 0 and 6", backlog, written)
	}
	resp, err := http.Get(base + "/data/example/schools?limit=1")
	if err != nil {
		t.Fatal(err)
	}
	var page []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if len(page) != 1 {
		t.Fatalf("query page %v", page)
	}
	resp, err = http.Get(base + "/data/example/schools/" + page[0]["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hits := metricValue(t, base, "dmsc_document_cache_hits_total"); hits != 1 {
		t.Errorf("cache hits %v after one GET, want 1", hits)
	}

	// Corrupt one fresh row: audit finds it, rebuild repairs it.
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `UPDATE dms."DocumentCache" SET "DocumentJson" = jsonb_set("DocumentJson"::jsonb, '{nameOfInstitution}', '"X"')::text WHERE "DocumentJson"::jsonb ? 'schoolId' AND ("DocumentJson"::jsonb->>'schoolId')::int = 101`); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "cache", "audit", "--dsn", dsn)
	mustCode(t, r, ExitFailure)
	if !strings.Contains(r.stdout, "cache audit: 1 differences in 6 fresh rows") || !strings.Contains(r.stdout, "nameOfInstitution") || !strings.Contains(r.stderr, "dmsc cache rebuild") {
		t.Errorf("cache audit:\n%s\n%s", r.stdout, r.stderr)
	}
	r = runCLI(t, "cache", "rebuild", "--dsn", dsn, "--format", "json")
	mustCode(t, r, ExitOK)
	var rep struct {
		Differences, Removed int64
		Backlog              struct{ Documents int64 }
	}
	// The server's projector runs meanwhile: the row rebuild removed may
	// be the one it is projecting (skipped, so still in the backlog).
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Differences != 1 || rep.Removed != 1 || rep.Backlog.Documents > 1 {
		t.Errorf("cache rebuild: %+v %v\n%s", rep, err, r.stdout)
	}
	for range 500 {
		if metricValue(t, base, "dmsc_projector_backlog_documents") == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mustCode(t, runCLI(t, "cache", "audit", "--dsn", dsn), ExitOK)
	r = runCLI(t, "cache", "project", "--dsn", dsn)
	mustCode(t, r, ExitOK)
	if !strings.Contains(r.stdout, "cache project: swept 0, wrote 0 documents in 0 batches") || !strings.HasSuffix(r.stdout, "backlog 0\n") {
		t.Errorf("cache project: %q", r.stdout)
	}
}
