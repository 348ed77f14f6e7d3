package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/edfi-dmsc/dmsc/telemetry"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestServeMetricsAfterAScriptedWorkload: after a scripted workload over
// HTTP (creates, GETs, a 404, a query, an identity-changing PUT that
// cascades, a plain PUT, a DELETE), /metrics parses with the Prometheus
// text parser, every dmsc metric family the script exercises is present,
// and the counts equal what the script did: requests by operation,
// resource and status class, one latency and one round-trip observation
// per request, one lock wait per write, edge rows inserted less deleted
// (and less those that left with the deleted document) equal to
// dms.ReferenceEdge's rows, one cascade of closure 1 that bumped
// the association's ETag, cache hits and misses summing to the GETs, the
// read shapes summing to the misses, and the projector's backlog empty.
func TestServeMetricsAfterAScriptedWorkload(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "serve_metrics")
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...), ExitOK)
	base := startServe(t, "serve", "--dsn", dsn, "--projector", "--projector-interval", "20ms")
	do := func(method, path, body string, want int) string {
		t.Helper()
		req, err := http.NewRequest(method, base+"/data/example/"+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, out, want)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			return loc[strings.LastIndex(loc, "/")+1:]
		}
		return string(out)
	}
	school := func(id int, name string) string {
		return fmt.Sprintf(`{"schoolId":%d,"nameOfInstitution":%q,"localEducationAgencyReference":{"localEducationAgencyId":255901},"gradeLevels":[{"gradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}]}`, id, name)
	}
	student := func(uid string) string {
		return fmt.Sprintf(`{"studentUniqueId":%q,"firstName":"Ana","lastSurname":"Lee","birthDate":"2010-05-01"}`, uid)
	}
	do("POST", "gradeLevelDescriptors", `{"namespace":"uri://ed-fi.org/GradeLevelDescriptor","codeValue":"Ninth Grade","shortDescription":"9th"}`, http.StatusCreated)
	do("POST", "localEducationAgencies", `{"localEducationAgencyId":255901,"nameOfInstitution":"Grand Bend ISD"}`, http.StatusCreated)
	s100 := do("POST", "schools", school(100, "A"), http.StatusCreated)
	s101 := do("POST", "schools", school(101, "B"), http.StatusCreated)
	stu := do("POST", "students", student("S1"), http.StatusCreated)
	do("POST", "studentSchoolAssociations", `{"studentReference":{"studentUniqueId":"S1"},"schoolReference":{"schoolId":100},"entryDate":"2024-08-20","entryGradeLevelDescriptor":"uri://ed-fi.org/GradeLevelDescriptor#Ninth Grade"}`, http.StatusCreated)
	for range 3 {
		do("GET", "schools/"+s100, "", http.StatusOK)
	}
	do("GET", "schools/00000000-0000-4000-8000-000000000000", "", http.StatusNotFound)
	var page []map[string]any
	if err := json.Unmarshal([]byte(do("GET", "schools?limit=10", "", http.StatusOK)), &page); err != nil || len(page) != 2 {
		t.Fatalf("query page: %v (%d documents)", err, len(page))
	}
	do("PUT", "students/"+stu, student("S2"), http.StatusNoContent) // cascades to the association
	do("PUT", "schools/"+s101, school(101, "B2"), http.StatusNoContent)
	// A DELETE's edges leave with its document (foreign-key cascade), not
	// through an edge diff: counted here, apart.
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var deletedWithDoc float64
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM "dms"."ReferenceEdge" e JOIN "dms"."Document" d ON d."DocumentId" = e."ParentDocumentId" WHERE d."DocumentUuid" = $1::uuid`, s101).Scan(&deletedWithDoc); err != nil {
		t.Fatal(err)
	}
	do("DELETE", "schools/"+s101, "", http.StatusNoContent)

	// The projector catches up, then one scrape holds everything.
	var fams map[string]*dto.MetricFamily
	for range 500 {
		fams = scrape(t, base)
		if v := gauge(fams, telemetry.MetricProjectorBacklog); v == 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, name := range []string{telemetry.MetricRequests, telemetry.MetricRequestDuration, telemetry.MetricRoundTrips,
		telemetry.MetricEdgeRows, telemetry.MetricClosureSize, telemetry.MetricCascadeBumped, telemetry.MetricLockWait,
		telemetry.MetricCacheHits, telemetry.MetricCacheMisses, telemetry.MetricProjectorBacklog, telemetry.MetricProjectorOldestAge,
		telemetry.MetricProjectorWritten, telemetry.MetricProjectorFailures, telemetry.MetricReadShapes} {
		if fams[name] == nil {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	type key struct{ op, res, status string }
	want := map[key]float64{
		{"upsert", "example/gradeLevelDescriptors", "2xx"}:     1,
		{"upsert", "example/localEducationAgencies", "2xx"}:    1,
		{"upsert", "example/schools", "2xx"}:                   2,
		{"upsert", "example/students", "2xx"}:                  1,
		{"upsert", "example/studentSchoolAssociations", "2xx"}: 1,
		{"get", "example/schools", "2xx"}:                      3,
		{"get", "example/schools", "4xx"}:                      1,
		{"query", "example/schools", "2xx"}:                    1,
		{"update", "example/students", "2xx"}:                  1,
		{"update", "example/schools", "2xx"}:                   1,
		{"delete", "example/schools", "2xx"}:                   1,
	}
	got := map[key]float64{}
	var dataRequests float64
	for _, m := range fams[telemetry.MetricRequests].GetMetric() {
		l := labels(m)
		if l["operation"] == string(telemetry.OpInfo) {
			continue // the scrapes themselves
		}
		got[key{l["operation"], l["resource"], l["status"]}] += m.GetCounter().GetValue()
		dataRequests += m.GetCounter().GetValue()
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s%v = %v, want %v", telemetry.MetricRequests, k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%s has series the script did not cause: %v", telemetry.MetricRequests, got)
	}
	for _, name := range []string{telemetry.MetricRequestDuration, telemetry.MetricRoundTrips} {
		if n := dataObservations(fams, name); n != dataRequests {
			t.Errorf("%s counts %v requests, want %v", name, n, dataRequests)
		}
	}
	// Writes: 6 creates and 2 updates, each one locking round trip (a
	// DELETE's is not a write's).
	if n := fams[telemetry.MetricLockWait].GetMetric()[0].GetHistogram().GetSampleCount(); n != 8 {
		t.Errorf("%s counts %d writes, want 8", telemetry.MetricLockWait, n)
	}
	var inserted, deleted float64
	for _, m := range fams[telemetry.MetricEdgeRows].GetMetric() {
		switch labels(m)["change"] {
		case "inserted":
			inserted += m.GetCounter().GetValue()
		case "deleted":
			deleted += m.GetCounter().GetValue()
		}
	}
	var edges float64
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM "dms"."ReferenceEdge"`).Scan(&edges); err != nil {
		t.Fatal(err)
	}
	if inserted-deleted-deletedWithDoc != edges || inserted == 0 || deletedWithDoc == 0 {
		t.Errorf("edge rows inserted %v, deleted %v, gone with the deleted school %v; dms.ReferenceEdge holds %v", inserted, deleted, deletedWithDoc, edges)
	}
	closure := fams[telemetry.MetricClosureSize].GetMetric()
	if len(closure) != 1 || labels(closure[0])["resource"] != "example/students" || closure[0].GetHistogram().GetSampleCount() != 1 || closure[0].GetHistogram().GetSampleSum() != 1 {
		t.Errorf("%s: %v, want one cascade of closure 1 for example/students", telemetry.MetricClosureSize, closure)
	}
	if b := counter(fams, telemetry.MetricCascadeBumped); b != 1 {
		t.Errorf("%s = %v, want 1 (the association)", telemetry.MetricCascadeBumped, b)
	}
	gets := got[key{"get", "example/schools", "2xx"}] + got[key{"get", "example/schools", "4xx"}]
	hits, misses := counter(fams, telemetry.MetricCacheHits), counter(fams, telemetry.MetricCacheMisses)
	if hits+misses != gets {
		t.Errorf("cache hits %v + misses %v, want the %v GETs", hits, misses, gets)
	}
	if shapes := counter(fams, telemetry.MetricReadShapes); shapes != misses {
		t.Errorf("read shapes %v, want the %v cache misses", shapes, misses)
	}
	if f := counter(fams, telemetry.MetricProjectorFailures); f != 0 {
		t.Errorf("%s = %v", telemetry.MetricProjectorFailures, f)
	}
	if v := gauge(fams, telemetry.MetricProjectorBacklog); v != 0 {
		t.Errorf("%s = %v after the projector caught up", telemetry.MetricProjectorBacklog, v)
	}
}

// scrape reads /metrics and parses it with the Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// dataObservations sums a histogram family's sample counts over every
// operation but info (the scrapes themselves).
func dataObservations(fams map[string]*dto.MetricFamily, name string) float64 {
	var n float64
	for _, m := range fams[name].GetMetric() {
		if labels(m)["operation"] != string(telemetry.OpInfo) {
			n += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return n
}

// labels returns a sample's labels by name.
func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// counter sums a counter family's samples (-1 when absent).
func counter(fams map[string]*dto.MetricFamily, name string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
	var v float64
	for _, m := range f.GetMetric() {
		v += m.GetCounter().GetValue()
	}
	return v
}

// gauge returns a gauge family's single value (-1 when absent).
func gauge(fams map[string]*dto.MetricFamily, name string) float64 {
	f := fams[name]
	if f == nil || len(f.GetMetric()) != 1 {
		return -1
	}
	return f.GetMetric()[0].GetGauge().GetValue()
}
