package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/edfi-dmsc/dmsc/relstore"
	"github.com/edfi-dmsc/dmsc/roundtrip"
	"github.com/edfi-dmsc/dmsc/server"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// httpStore is roundtrip.Store over a running `dmsc serve`: POST to write,
// GET to read back, problem types mapped to the runtime's errors so that
// the loader retries unresolved references as it does in-process.
type httpStore struct {
	base string
	m    *manifest.Manifest
}

// Manifest returns the manifest the server was opened with.
func (h *httpStore) Manifest() *manifest.Manifest { return h.m }

// Upsert POSTs body.
func (h *httpStore) Upsert(ctx context.Context, project, resource string, body []byte) (relstore.WriteResult, error) {
	resp, data, err := h.do(ctx, http.MethodPost, "/data/"+project+"/"+resource, body)
	if err != nil {
		return relstore.WriteResult{}, err
	}
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
	default:
		return relstore.WriteResult{}, problemError(resp.StatusCode, data)
	}
	res := relstore.WriteResult{ID: path.Base(resp.Header.Get("Location")), Created: resp.StatusCode == http.StatusCreated,
		ETag: strings.Trim(resp.Header.Get("ETag"), `"`)}
	if v := resp.Header.Get(server.HeaderPrunedProperties); v != "" {
		res.Pruned = strings.Split(v, ", ")
	}
	return res, nil
}

// Get reads one document.
func (h *httpStore) Get(ctx context.Context, project, resource, id string) (relstore.Document, error) {
	resp, data, err := h.do(ctx, http.MethodGet, "/data/"+project+"/"+resource+"/"+id, nil)
	if err != nil {
		return relstore.Document{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return relstore.Document{}, problemError(resp.StatusCode, data)
	}
	return relstore.Document{ID: id, ETag: strings.Trim(resp.Header.Get("ETag"), `"`), JSON: data}, nil
}

// do sends one request and reads the whole answer.
func (h *httpStore) do(ctx context.Context, method, uri string, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, h.base+uri, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp, data, err
}

// problemError maps a problem details answer to the runtime error the
// loader tells apart (unresolved references and descriptors are retried).
func problemError(status int, data []byte) error {
	var p struct {
		Type   string `json:"type"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(data, &p)
	switch p.Type {
	case server.TypeUnresolvedReference:
		return &relstore.ReferenceError{}
	case server.TypeDescriptor:
		return &relstore.DescriptorError{}
	}
	return fmt.Errorf("HTTP %d %s: %s", status, p.Type, p.Detail)
}

// startServe runs `dmsc serve` with args on a free loopback port until the
// test ends and returns its base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	base, _ := startServeLog(t, args...)
	return base
}

// TestServeWithoutSchemaRoundTripsDS50: on a database provisioned for DS
// 5.0, `dmsc serve --dsn` without -s takes the mapping stored in the
// database, and the DS 5.0 corpus round-trips through it over HTTP with
// the same counts as the in-process round trip.
func TestServeWithoutSchemaRoundTripsDS50(t *testing.T) {
	fixtures := testenv.Fixtures(t)
	core := filepath.Join(fixtures, "apischema", "ds-5.0", "ApiSchema.json")
	docs := filepath.Join(fixtures, "documents", "ds-5.0")
	viaHTTP := testenv.NewPostgresDatabase(t, "cli", "serve_ds50")
	direct := testenv.NewPostgresDatabase(t, "cli", "serve_ds50_direct")
	mustCode(t, runCLI(t, "ddl", "provision", "-q", "-s", core, "--dsn", viaHTTP), ExitOK)

	r := runCLI(t, "roundtrip", "-q", "-s", core, "--provision", "--format", "json", "--dsn", direct, docs)
	var want roundtrip.Report
	if err := json.Unmarshal([]byte(r.stdout), &want); err != nil {
		t.Fatalf("in-process round trip: exit %d, %v\n%s", r.code, err, r.stderr)
	}

	base := startServe(t, "serve", "--dsn", viaHTTP)
	pool, err := pgxpool.New(t.Context(), viaHTTP)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m, err := relstore.StoredManifest(t.Context(), pool)
	if err != nil {
		t.Fatal(err)
	}
	st := &httpStore{base: base, m: m}
	set, err := roundtrip.Discover(docs, m)
	if err != nil {
		t.Fatal(err)
	}
	res, err := roundtrip.Load(t.Context(), st, set, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Report()
	t.Logf("over HTTP: loaded %d, equal %d, mismatched %d, rejected %d; in-process: %d, %d, %d, %d",
		got.Loaded, got.Equal, got.Mismatched, got.Rejected, want.Loaded, want.Equal, want.Mismatched, want.Rejected)
	if got.Mismatched != 0 || got.Loaded != want.Loaded || got.Equal != want.Equal || got.Rejected != want.Rejected || got.Loaded == 0 {
		for _, mm := range got.Mismatches {
			t.Logf("mismatch %+v", mm)
		}
		t.Errorf("over HTTP: loaded %d, equal %d, mismatched %d, rejected %d; want %d, %d, 0, %d",
			got.Loaded, got.Equal, got.Mismatched, got.Rejected, want.Loaded, want.Equal, want.Rejected)
	}
}

// TestServeInfoRoutes: `dmsc serve` without -s answers /health, /ready
// (the store checks its database), / (the stored manifest's projects) and
// /metrics (Prometheus, on by default).
func TestServeInfoRoutes(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "serve_info")
	mustCode(t, runCLI(t, withExample("ddl", "provision", "-q", "--dsn", dsn)...), ExitOK)
	base := startServe(t, "serve", "--dsn", dsn)
	for _, tc := range []struct {
		path, want string
	}{
		{"/health", `"status":"ok"`},
		{"/ready", `"status":"ready"`},
		{"/", `"endpoint":"example"`},
		{"/data/example/schools", `[]`},
		// After the requests above: each recorded by operation and resource.
		{"/metrics", `dmsc_requests_total{operation="query",resource="example/schools",status="2xx"} 1`},
		{"/metrics", `dmsc_request_round_trips_sum{operation="query"} 1`},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s = %d %s; want 200 with %s", tc.path, resp.StatusCode, body, tc.want)
		}
	}
}
