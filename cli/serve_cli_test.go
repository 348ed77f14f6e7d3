package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/edfi-dmsc/dmsc/server"
	"github.com/edfi-dmsc/dmsc/testenv"
)

// TestServeUsage checks `serve --help` and the usage errors.
func TestServeUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		want string // in stdout (help) or stderr (errors)
	}{
		{"help", []string{"serve", "--help"}, ExitOK, "/data/{project}/{resource}"},
		{"help names the headers", []string{"serve", "--help"}, ExitOK, "Next-Cursor"},
		{"missing dsn", []string{"serve"}, ExitUsage, "--dsn"},
		{"extra argument", []string{"serve", "--dsn", "postgres://localhost/x", "more"}, ExitUsage, "more"},
		{"unknown flag", []string{"serve", "--port", "1"}, ExitUsage, "--port"},
		{"loopback by default", []string{"serve", "--help"}, ExitOK, `other than loopback prints a warning (default "127.0.0.1:8080")`},
		{"help names the limits", []string{"serve", "--help"}, ExitOK, "--statement-timeout duration"},
		{"zero timeout", []string{"serve", "--dsn", "postgres://localhost/x", "--read-timeout", "0s"}, ExitUsage, "--read-timeout 0s"},
		{"negative readers", []string{"serve", "--dsn", "postgres://localhost/x", "--max-body-readers", "-1"}, ExitUsage, "--max-body-readers -1"},
		{"bad duration", []string{"serve", "--dsn", "postgres://localhost/x", "--statement-timeout", "soon"}, ExitUsage, "--statement-timeout"},
		{"sweeps too often", []string{"serve", "--dsn", "postgres://localhost/x", "--projector", "--projector-sweep-interval", "10ms"}, ExitUsage, "--projector-sweep-interval at least 1s"},
		{"help names the sweep", []string{"serve", "--help"}, ExitOK, "--projector-sweep-interval duration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, c.args...)
			mustCode(t, r, c.code)
			out := r.stdout
			if c.code != ExitOK {
				out = r.stderr
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output lacks %q:\n%s", c.want, out)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeCommand runs `dmsc serve --provision` in-process on an empty
// database and a free port, sends a request, and stops it by cancelling
// its context.
func TestServeCommand(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "cli", "serve")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, withExample("serve", "--dsn", dsn, "--provision", "--addr", "127.0.0.1:0"), strings.NewReader(""), &stdout, &stderr)
	}()

	listening := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)\n`)
	var base string
	deadline := time.Now().Add(60 * time.Second)
	for base == "" {
		if m := listening.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d before listening\nstderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not print its address\nstderr:\n%s", stderr.String())
		}
	}

	req, err := http.NewRequestWithContext(t.Context(), "GET", base+"/data/example/nothings", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var p struct{ Type string }
	err = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusNotFound || p.Type != server.TypeNotFound {
		t.Errorf("GET unknown resource: %d %+v %v", resp.StatusCode, p, err)
	}

	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("exit code %d after cancel\nstderr:\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop after cancel\nstderr:\n%s", stderr.String())
	}
	log := stderr.String()
	if !strings.Contains(log, "GET /data/example/nothings 404 ") {
		t.Errorf("no request log line in stderr:\n%s", log)
	}
	if stdout.String() != "" {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

// TestWithStatementTimeout checks that the statement timeout reaches the
// DSN's run-time parameters (URL and keyword/value forms) unless the DSN
// sets one, and that PostgreSQL sessions opened with it have it.
func TestWithStatementTimeout(t *testing.T) {
	for _, c := range []struct{ dsn, want string }{
		{"postgres://u@h/db", "postgres://u@h/db?statement_timeout=1500"},
		{"postgresql://u@h/db?sslmode=disable", "postgresql://u@h/db?sslmode=disable&statement_timeout=1500"},
		{"host=h dbname=db", "host=h dbname=db statement_timeout=1500"},
		{"postgres://u@h/db?statement_timeout=9", "postgres://u@h/db?statement_timeout=9"},
		{"host=h options='-c statement_timeout=9'", "host=h options='-c statement_timeout=9'"},
		{"", ""},
	} {
		if got := withStatementTimeout(c.dsn, 1500*time.Millisecond); got != c.want {
			t.Errorf("withStatementTimeout(%q) = %q, want %q", c.dsn, got, c.want)
		}
	}
	cfg, err := pgxpool.ParseConfig(withStatementTimeout("postgres://u@h/db?sslmode=disable", 1500*time.Millisecond))
	if err != nil || cfg.ConnConfig.RuntimeParams["statement_timeout"] != "1500" {
		t.Fatalf("run-time parameters %v (%v), want statement_timeout 1500", cfg.ConnConfig.RuntimeParams, err)
	}
	dsn := testenv.NewPostgresDatabase(t, "cli", "stmttimeout")
	conn, err := pgx.Connect(t.Context(), withStatementTimeout(dsn, 1500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var got string
	if err := conn.QueryRow(t.Context(), "SHOW statement_timeout").Scan(&got); err != nil || got != "1500ms" {
		t.Errorf("SHOW statement_timeout = %q (%v), want 1500ms", got, err)
	}
}
