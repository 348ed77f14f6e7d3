package server_test

// The hostile-input suite: a real `dmsc serve` process (built from this
// tree, or $DMSC_SERVE_BIN) on a fresh database of the built-in example
// schema, driven over net/http and raw TCP with what a hostile web page,
// a confused client or a slow network sends. Every case asserts the
// status, an application/problem+json body with a stable type for every
// error, no 5xx for client input, and for filters that the answer is not
// the unfiltered listing.
//
// Flags the binary under test does not know are dropped (with a log
// line), so the suite can be pointed at an older build with
// DMSC_SERVE_BIN to see what it catches.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/edfi-dmsc/dmsc/testenv"
)

// Problem types the suite expects, spelled out: they are part of the
// server's contract and must not change.
const (
	pBadRequest   = "urn:ed-fi:api:bad-request"
	pValidation   = "urn:ed-fi:api:bad-request:data-validation-failed"
	pNotFound     = "urn:ed-fi:api:not-found"
	pMethod       = "urn:ed-fi:api:method-not-allowed"
	pTooLarge     = "urn:ed-fi:api:payload-too-large"
	pETag         = "urn:ed-fi:api:optimistic-lock-failed"
	pUnavailable  = "urn:ed-fi:api:service-unavailable"
	pMediaType    = "urn:ed-fi:api:unsupported-media-type"
	pMisdirected  = "urn:ed-fi:api:misdirected-request"
	pHeaderLarge  = "urn:ed-fi:api:request-header-fields-too-large"
	pTimeout      = "urn:ed-fi:api:request-timeout"
	pExpectFailed = "urn:ed-fi:api:expectation-failed"
)

// liveness bounds how long the suite waits for an answer that must come;
// it is never an assertion about speed.
const liveness = 15 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	buildPath string
	buildErr  error
)

// TestMain removes the binary the suite built.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// dmscBinary returns $DMSC_SERVE_BIN or builds ./cmd/dmsc once per test
// binary.
func dmscBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("DMSC_SERVE_BIN"); bin != "" {
		return bin
	}
	root := testenv.RepoRoot(t)
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dmsc-hostile-")
		if err != nil {
			buildErr = err
			return
		}
		buildDir = dir
		goBin, err := exec.LookPath("go")
		if err != nil {
			goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
		}
		buildPath = filepath.Join(dir, "dmsc")
		cmd := exec.Command(goBin, "build", "-o", buildPath, "./cmd/dmsc")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// lockedBuffer collects a process's stderr.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// serveProc is one running `dmsc serve`.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string // host:port
	base   string // http://host:port
	stderr *lockedBuffer
}

var listeningLine = regexp.MustCompile(`listening on http://(\S+)\n`)

// supportedArgs drops the flags (and their values) that bin's `serve
// --help` does not list.
func supportedArgs(t *testing.T, bin string, args []string) []string {
	t.Helper()
	out, _ := exec.Command(bin, "serve", "--help").CombinedOutput()
	help := string(out)
	var kept []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "--") && !strings.Contains(help, a+" ") {
			t.Logf("the binary under test has no %s flag: dropped", a)
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "--") {
				i++
			}
			continue
		}
		kept = append(kept, a)
	}
	return kept
}

// startServe starts `dmsc serve --dsn dsn --provision` on the built-in
// example schema set (its files in example/, given with -s) with args and
// waits until it listens. The process is stopped when the test ends.
func startServe(t *testing.T, dsn string, args ...string) *serveProc {
	t.Helper()
	bin := dmscBinary(t)
	root := testenv.RepoRoot(t)
	all := []string{"serve", "--dsn", dsn, "--provision",
		"-s", filepath.Join(root, "example", "example-core.json"), "-s", filepath.Join(root, "example", "example-extra.json")}
	if !strings.Contains(strings.Join(args, " "), "--addr") {
		all = append(all, "--addr", "127.0.0.1:0")
	}
	all = append(all, supportedArgs(t, bin, args)...)
	cmd := exec.Command(bin, all...)
	cmd.Env = append(os.Environ(), "DMSC_CONFIG=/dev/null")
	p := &serveProc{cmd: cmd, stderr: &lockedBuffer{}}
	cmd.Stdout = io.Discard
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// exited is closed when the process ends (waitErr is then set); a
	// closed channel can be waited on any number of times.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(liveness):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.After(2 * time.Minute)
	for {
		if m := listeningLine.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			p.base = "http://" + m[1]
			return p
		}
		select {
		case <-exited:
			t.Fatalf("dmsc serve exited before listening (%v):\n%s", waitErr, p.stderr.String())
		case <-deadline:
			t.Fatalf("dmsc serve did not print its address:\n%s", p.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rssKiB reads the process's resident set size from /proc.
func (p *serveProc) rssKiB(t *testing.T) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatalf("reading VmRSS: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatalf("VmRSS %q: %v", line, err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS line")
	return 0
}

// hresp is one answer.
type hresp struct {
	status int
	header http.Header
	body   []byte
	err    error // a transport error: the server closed the connection
}

// client talks to a serveProc without keep-alive surprises.
var client = &http.Client{
	Timeout: liveness,
	Transport: &http.Transport{
		DisableCompression:     true,
		MaxResponseHeaderBytes: 64 << 20,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// do sends one request. hdr holds name, value pairs; "Host" sets the Host
// header; a Content-Type of "-" sends none (a body otherwise gets
// application/json).
func (p *serveProc) do(t *testing.T, method, path, body string, hdr ...string) hresp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		switch k, v := hdr[i], hdr[i+1]; {
		case k == "Host":
			req.Host = v
		case k == "Content-Type" && v == "-":
			req.Header.Del(k)
		case k == "Content-Type":
			req.Header.Set(k, v)
		default: // repeated names send several lines
			req.Header[http.CanonicalHeaderKey(k)] = append(req.Header[http.CanonicalHeaderKey(k)], v)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return hresp{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return hresp{status: resp.StatusCode, header: resp.Header, body: data, err: err}
}

// raw sends raw bytes on a new connection and reads one response.
func (p *serveProc) raw(t *testing.T, data string) hresp {
	t.Helper()
	conn, err := net.DialTimeout("tcp", p.addr, liveness)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(liveness))
	go func() { _, _ = io.WriteString(conn, data) }()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return hresp{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return hresp{status: resp.StatusCode, header: resp.Header, body: body, err: err}
}

// problemBody is a decoded problem details body.
type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

// checkProblem asserts that r is a problem of status and type typ.
func checkProblem(t *testing.T, r hresp, status int, typ string) problemBody {
	t.Helper()
	var p problemBody
	if r.err != nil {
		t.Errorf("no answer (want %d %s): %v", status, typ, r.err)
		return p
	}
	if r.status != status {
		t.Errorf("status %d, want %d; body %.300s", r.status, status, r.body)
	}
	if r.status >= 500 && status < 500 {
		t.Errorf("a 5xx (%d) for client input", r.status)
	}
	if r.status < 400 {
		return p
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json; body %.300s", ct, r.body)
		return p
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Errorf("problem body: %v: %.300s", err, r.body)
		return p
	}
	if p.Type != typ || p.Status != r.status || p.Title == "" || p.Detail == "" {
		t.Errorf("problem %+v, want type %s status %d with a title and detail", p, typ, r.status)
	}
	return p
}

// pgDSN returns the test server's DSN with its host and port replaced.
func withHostPort(t *testing.T, dsn, hostport string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Skipf("the suite needs a URL-form %s to route it through a proxy: %q", testenv.PostgresEnv, dsn)
	}
	u.Host = hostport
	return u.String()
}

// tcpProxy forwards connections to target until closed; closing it
// drops every forwarded connection and refuses new ones: the database
// becomes unreachable.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.closed {
				p.mu.Unlock()
				c.Close()
				up.Close()
				return
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.Close)
	return p
}

func (p *tcpProxy) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// hostileEnv is the database and the running server of the suite.
type hostileEnv struct {
	dsn   string // direct
	proxy *tcpProxy
	srv   *serveProc
	ids   map[string]string // studentUniqueId → document id
}

// student is a valid student body; each extra is a `"key":value` member
// that replaces the default of that key or adds one.
func student(uid string, extra ...string) string {
	members := []string{`"studentUniqueId":"` + uid + `"`, `"firstName":"Ada"`, `"lastSurname":"Lovelace"`, `"birthDate":"2009-12-10"`}
	for _, x := range extra {
		key := x[:strings.IndexByte(x[1:], '"')+2]
		replaced := false
		for i, m := range members {
			if strings.HasPrefix(m, key+":") {
				members[i], replaced = x, true
			}
		}
		if !replaced {
			members = append(members, x)
		}
	}
	return "{" + strings.Join(members, ",") + "}"
}

// seedStudents are the students of the suite; a query that lists them all
// was not filtered.
var seedStudents = []string{"S-0001", "S-0002", "S-0003", "S-0004"}

// newHostileEnv provisions a database (through a proxy the test can
// close), starts the server with short limits and seeds it.
func newHostileEnv(t *testing.T, args ...string) *hostileEnv {
	t.Helper()
	direct := testenv.NewPostgresDatabase(t, "server", "hostile")
	u, _ := url.Parse(direct)
	proxy := newTCPProxy(t, u.Host)
	e := &hostileEnv{dsn: direct, proxy: proxy, ids: map[string]string{}}
	e.srv = startServe(t, withHostPort(t, direct, proxy.ln.Addr().String()), args...)
	for _, uid := range append(seedStudents, "S-DEL1", "S-DEL2", "S-DEL3", "S-PUT") {
		r := e.srv.do(t, "POST", "/data/example/students", student(uid))
		if r.status != http.StatusCreated {
			t.Fatalf("seeding %s: %d %s (%v)", uid, r.status, r.body, r.err)
		}
		loc := r.header.Get("Location")
		e.ids[uid] = loc[strings.LastIndexByte(loc, '/')+1:]
	}
	return e
}

// etag reads a student's current ETag.
func (e *hostileEnv) etag(t *testing.T, uid string) string {
	t.Helper()
	r := e.srv.do(t, "GET", "/data/example/students/"+e.ids[uid], "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", uid, r.status, r.body)
	}
	return r.header.Get("ETag")
}

// expand replaces {ID:uid}, {ETAG:uid} (quoted, read now) and {ADDR}.
func (e *hostileEnv) expand(t *testing.T, s string) string {
	t.Helper()
	for {
		i := strings.Index(s, "{ID:")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		s = s[:i] + e.ids[s[i+4:i+j]] + s[i+j+1:]
	}
	for {
		i := strings.Index(s, "{ETAG:")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		s = s[:i] + e.etag(t, s[i+6:i+j]) + s[i+j+1:]
	}
	return strings.ReplaceAll(s, "{ADDR}", e.srv.addr)
}

// studentsListed returns the studentUniqueIds of a query answer.
func studentsListed(body []byte) []string {
	var docs []struct {
		StudentUniqueID string `json:"studentUniqueId"`
	}
	_ = json.Unmarshal(body, &docs)
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.StudentUniqueID
	}
	return out
}

// hostileCase is one request and what must come back.
type hostileCase struct {
	name   string
	method string
	path   string   // may hold {ID:uid}
	hdr    []string // name, value pairs; may hold {ETAG:uid}
	body   string
	raw    string // raw request bytes instead ({ADDR} = the server)
	status int
	typ    string // problem type for an error status
	// filtered: the answer must not list every seeded student (a filter
	// was not silently dropped); set on student queries.
	filtered bool
	// after checks the server's state after the request (the write did not
	// happen, …).
	after func(t *testing.T, e *hostileEnv)
}

// deep returns n nested arrays around v.
func deep(n int, v string) string {
	return strings.Repeat("[", n) + v + strings.Repeat("]", n)
}

// query returns a path with n copies of part joined by &.
func query(path, part string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = part
	}
	return path + "?" + strings.Join(parts, "&")
}

// unchanged checks that uid's document still has lastSurname Lovelace.
func unchanged(uid string) func(t *testing.T, e *hostileEnv) {
	return func(t *testing.T, e *hostileEnv) {
		t.Helper()
		r := e.srv.do(t, "GET", "/data/example/students/"+e.ids[uid], "")
		if r.status != http.StatusOK || !bytes.Contains(r.body, []byte(`"lastSurname":"Lovelace"`)) {
			t.Errorf("%s was changed or removed: %d %s", uid, r.status, r.body)
		}
	}
}

// absent checks that no student uid exists.
func absent(uid string) func(t *testing.T, e *hostileEnv) {
	return func(t *testing.T, e *hostileEnv) {
		t.Helper()
		r := e.srv.do(t, "GET", "/data/example/students?studentUniqueId="+uid, "")
		if r.status != http.StatusOK || strings.TrimSpace(string(r.body)) != "[]" {
			t.Errorf("student %s was written: %d %s", uid, r.status, r.body)
		}
	}
}

// TestHostileHTTP runs the table of hostile requests against one server.
func TestHostileHTTP(t *testing.T) {
	e := newHostileEnv(t,
		"--read-header-timeout", "2s", "--read-timeout", "3s", "--write-timeout", "20s",
		"--idle-timeout", "5s", "--max-header-bytes", "32768")
	students := "/data/example/students"
	one := students + "/{ID:S-0001}"
	put := students + "/{ID:S-PUT}"
	long := strings.Repeat("x", 100<<10)
	cases := []hostileCase{
		// Content type: a cross-site form or text/plain POST must not write.
		{name: "POST text/plain", method: "POST", path: students, body: student("S-CT1"), hdr: []string{"Content-Type", "text/plain"}, status: 415, typ: pMediaType, after: absent("S-CT1")},
		{name: "POST without Content-Type", method: "POST", path: students, body: student("S-CT2"), hdr: []string{"Content-Type", "-"}, status: 415, typ: pMediaType, after: absent("S-CT2")},
		{name: "POST form-urlencoded", method: "POST", path: students, body: student("S-CT3"), hdr: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, typ: pMediaType, after: absent("S-CT3")},
		{name: "POST multipart", method: "POST", path: students, body: student("S-CT4"), hdr: []string{"Content-Type", "multipart/form-data; boundary=x"}, status: 415, typ: pMediaType, after: absent("S-CT4")},
		{name: "POST json with another charset", method: "POST", path: students, body: student("S-CT5"), hdr: []string{"Content-Type", "application/json; charset=latin1"}, status: 415, typ: pMediaType, after: absent("S-CT5")},
		{name: "POST json-patch", method: "POST", path: students, body: student("S-CT6"), hdr: []string{"Content-Type", "application/json-patch+json"}, status: 415, typ: pMediaType, after: absent("S-CT6")},
		{name: "POST malformed Content-Type", method: "POST", path: students, body: student("S-CT7"), hdr: []string{"Content-Type", "application/json; ;="}, status: 415, typ: pMediaType, after: absent("S-CT7")},
		{name: "PUT text/plain", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"Content-Type", "text/plain"}, status: 415, typ: pMediaType, after: unchanged("S-PUT")},
		{name: "POST json charset=UTF-8 is fine", method: "POST", path: students, body: student("S-CT8"), hdr: []string{"Content-Type", "Application/JSON; Charset=\"UTF-8\""}, status: 201},

		// Host allow-list on loopback (DNS rebinding).
		{name: "Host evil.example", method: "GET", path: students, hdr: []string{"Host", "evil.example"}, status: 421, typ: pMisdirected},
		{name: "Host evil.example with port", method: "GET", path: students, hdr: []string{"Host", "evil.example:8080"}, status: 421, typ: pMisdirected},
		{name: "Host rebinding name", method: "POST", path: students, body: student("S-H1"), hdr: []string{"Host", "127.0.0.1.nip.io:8080"}, status: 421, typ: pMisdirected, after: absent("S-H1")},
		{name: "Host rebinding name on the index", method: "GET", path: "/", hdr: []string{"Host", "127.0.0.1.nip.io:8080"}, status: 421, typ: pMisdirected},
		{name: "Host evil.example on health", method: "GET", path: "/health", hdr: []string{"Host", "evil.example"}, status: 421, typ: pMisdirected},
		{name: "Host evil.example on ready", method: "GET", path: "/ready", hdr: []string{"Host", "evil.example"}, status: 421, typ: pMisdirected},
		{name: "absolute-form URI to another host", raw: "GET http://evil.example/data/example/students HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n", status: 421, typ: pMisdirected},
		{name: "Host localhost", method: "GET", path: students + "?limit=1", hdr: []string{"Host", "localhost"}, status: 200},
		{name: "Host LOCALHOST with port", method: "GET", path: students + "?limit=1", hdr: []string{"Host", "LOCALHOST:8080"}, status: 200},
		{name: "Host [::1] with port", method: "GET", path: students + "?limit=1", hdr: []string{"Host", "[::1]:1"}, status: 200},
		{name: "Host 127.0.0.1", method: "GET", path: students + "?limit=1", hdr: []string{"Host", "127.0.0.1"}, status: 200},

		// Bodies: size and reading.
		{name: "declared body over the cap", raw: "POST /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\nContent-Type: application/json\r\nContent-Length: 20000000\r\n\r\n{", status: 413, typ: pTooLarge},
		{name: "chunked body over the cap", raw: "POST /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + strings.Repeat("100000\r\n"+strings.Repeat("a", 1<<20)+"\r\n", 11) + "0\r\n\r\n", status: 413, typ: pTooLarge},

		// Strict query strings: a bad parameter is a 400, never dropped.
		{name: "filter with a semicolon", method: "GET", path: students + "?studentUniqueId=S-0002;", status: 400, typ: pBadRequest, filtered: true},
		{name: "semicolon separator", method: "GET", path: students + "?studentUniqueId=S-0002;limit=1", status: 400, typ: pBadRequest, filtered: true},
		{name: "bad percent escape", method: "GET", path: students + "?studentUniqueId=%zz", status: 400, typ: pBadRequest, filtered: true},
		{name: "bad percent escape in a name", method: "GET", path: students + "?student%zzUniqueId=S-0002", status: 400, typ: pBadRequest, filtered: true},
		{name: "truncated percent escape", method: "GET", path: students + "?studentUniqueId=S-0002%2", status: 400, typ: pBadRequest, filtered: true},
		{name: "10,001 parameters", method: "GET", path: query(students, "studentUniqueId=S-0002", 10001), status: 431, typ: pHeaderLarge, filtered: true},
		{name: "65 parameters", method: "GET", path: query(students, "limit=1", 65), status: 400, typ: pBadRequest, filtered: true},
		{name: "33 filters", method: "GET", path: query("/data/example/programs", "educationOrganizationId=1", 33), status: 400, typ: pBadRequest},
		{name: "filter given twice", method: "GET", path: students + "?studentUniqueId=S-0002&studentUniqueId=S-0003", status: 400, typ: pValidation, filtered: true},
		{name: "unknown parameter", method: "GET", path: students + "?color=red", status: 400, typ: pValidation, filtered: true},
		{name: "parameter in another case", method: "GET", path: students + "?StudentUniqueId=S-0002", status: 400, typ: pValidation, filtered: true},
		{name: "empty parameter name", method: "GET", path: students + "?=S-0002", status: 400, typ: pBadRequest, filtered: true},
		{name: "filter without a value", method: "GET", path: students + "?studentUniqueId", status: 200, filtered: true},
		{name: "filter with NUL", method: "GET", path: students + "?studentUniqueId=S-0002%00", status: 400, typ: pValidation, filtered: true},
		{name: "filter with invalid UTF-8", method: "GET", path: students + "?lastSurname=%ff%fe", status: 400, typ: pValidation, filtered: true},
		{name: "filter too long", method: "GET", path: students + "?studentUniqueId=" + strings.Repeat("S", 33), status: 400, typ: pValidation, filtered: true},
		{name: "filter invalid date", method: "GET", path: students + "?birthDate=2009-13-45", status: 400, typ: pValidation, filtered: true},
		{name: "integer filter with a fraction", method: "GET", path: "/data/example/schools?schoolId=1.5", status: 400, typ: pValidation},
		{name: "integer filter NaN", method: "GET", path: "/data/example/schools?schoolId=NaN", status: 400, typ: pValidation},
		{name: "integer filter out of range", method: "GET", path: "/data/example/schools?schoolId=99999999999999999999", status: 400, typ: pValidation},
		{name: "a filter that matches", method: "GET", path: students + "?studentUniqueId=S-0002", status: 200, filtered: true},

		// Paging values.
		{name: "negative limit", method: "GET", path: students + "?limit=-1", status: 400, typ: pBadRequest},
		{name: "zero limit", method: "GET", path: students + "?limit=0", status: 400, typ: pBadRequest},
		{name: "limit over 500", method: "GET", path: students + "?limit=501", status: 400, typ: pBadRequest},
		{name: "huge limit", method: "GET", path: students + "?limit=99999999999999999999999", status: 400, typ: pBadRequest},
		{name: "limit not a number", method: "GET", path: students + "?limit=1e2", status: 400, typ: pBadRequest},
		{name: "negative offset", method: "GET", path: students + "?offset=-1", status: 400, typ: pBadRequest},
		{name: "huge offset", method: "GET", path: students + "?offset=99999999999999999999999", status: 400, typ: pBadRequest},
		{name: "largest offset", method: "GET", path: students + "?offset=9223372036854775807", status: 200},
		{name: "offset and after together", method: "GET", path: students + "?offset=1&after=1", status: 400, typ: pBadRequest},
		{name: "bad cursor", method: "GET", path: students + "?after=abc", status: 400, typ: pValidation},
		{name: "empty cursor", method: "GET", path: students + "?after=", status: 400, typ: pBadRequest},
		{name: "totalCount not a boolean", method: "GET", path: students + "?totalCount=maybe", status: 400, typ: pBadRequest},
		{name: "limit twice", method: "GET", path: students + "?limit=1&limit=2", status: 400, typ: pBadRequest},

		// If-Match: a present header is honoured.
		{name: "PUT If-Match empty tag", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"If-Match", `""`}, status: 412, typ: pETag, after: unchanged("S-PUT")},
		{name: "DELETE If-Match empty tag", method: "DELETE", path: students + "/{ID:S-DEL1}", hdr: []string{"If-Match", `""`}, status: 412, typ: pETag, after: unchanged("S-DEL1")},
		{name: "PUT If-Match empty header", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"If-Match", ""}, status: 400, typ: pBadRequest, after: unchanged("S-PUT")},
		{name: "PUT If-Match unterminated", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"If-Match", `"abc`}, status: 400, typ: pBadRequest, after: unchanged("S-PUT")},
		{name: "PUT If-Match weak current tag", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"If-Match", "W/{ETAG:S-PUT}"}, status: 412, typ: pETag, after: unchanged("S-PUT")},
		{name: "PUT If-Match list without the current tag", method: "PUT", path: put, body: student("S-PUT", `"lastSurname":"Changed"`), hdr: []string{"If-Match", `"stale1", "stale2"`}, status: 412, typ: pETag, after: unchanged("S-PUT")},
		{name: "PUT If-Match list with the current tag", method: "PUT", path: put, body: student("S-PUT"), hdr: []string{"If-Match", `"stale", {ETAG:S-PUT}`}, status: 204},
		{name: "PUT If-Match star", method: "PUT", path: put, body: student("S-PUT"), hdr: []string{"If-Match", "*"}, status: 204},
		{name: "PUT If-Match star on an unknown id", method: "PUT", path: students + "/00000000-0000-4000-8000-000000000000", body: student("S-PUT"), hdr: []string{"If-Match", "*"}, status: 404, typ: pNotFound},
		{name: "DELETE If-Match weak current tag", method: "DELETE", path: students + "/{ID:S-DEL2}", hdr: []string{"If-Match", "W/{ETAG:S-DEL2}"}, status: 412, typ: pETag, after: unchanged("S-DEL2")},
		{name: "DELETE If-Match current tag", method: "DELETE", path: students + "/{ID:S-DEL3}", hdr: []string{"If-Match", "{ETAG:S-DEL3}"}, status: 204},
		{name: "GET If-Match stale", method: "GET", path: one, hdr: []string{"If-Match", `"stale"`}, status: 412, typ: pETag},
		{name: "GET If-Match current", method: "GET", path: one, hdr: []string{"If-Match", "{ETAG:S-0001}"}, status: 200},
		{name: "GET If-None-Match current", method: "GET", path: one, hdr: []string{"If-None-Match", "W/{ETAG:S-0001}"}, status: 304},
		{name: "GET If-None-Match unparseable", method: "GET", path: one, hdr: []string{"If-None-Match", `"x`}, status: 400, typ: pBadRequest},
		{name: "PUT If-Match on two header lines", method: "PUT", path: put, body: student("S-PUT"), hdr: []string{"If-Match", `"stale"`, "If-Match", "{ETAG:S-PUT}"}, status: 204},
		{name: "POST with If-Match", method: "POST", path: students, body: student("S-0001", `"lastSurname":"Changed"`), hdr: []string{"If-Match", "{ETAG:S-0001}"}, status: 400, typ: pBadRequest, after: unchanged("S-0001")},

		// Malformed and hostile JSON.
		{name: "truncated JSON", method: "POST", path: students, body: `{"studentUniqueId":`, status: 400, typ: pBadRequest},
		{name: "JSON array", method: "POST", path: students, body: `[]`, status: 400, typ: pBadRequest},
		{name: "JSON string", method: "POST", path: students, body: `"S-0001"`, status: 400, typ: pBadRequest},
		{name: "JSON null", method: "POST", path: students, body: `null`, status: 400, typ: pBadRequest},
		{name: "two JSON values", method: "POST", path: students, body: `{} {}`, status: 400, typ: pBadRequest},
		{name: "empty body", method: "POST", path: students, body: "", hdr: []string{"Content-Type", "application/json"}, status: 400, typ: pBadRequest},
		{name: "nesting past the decoder's depth", method: "POST", path: students, body: `{"x":` + deep(20000, "1") + `}`, status: 400, typ: pBadRequest},
		{name: "deep nesting in a pruned property", method: "POST", path: students, body: student("S-DEEP", `"x":`+deep(5000, "1")), status: 201},
		{name: "deep nesting in a known property", method: "POST", path: students, body: student("S-DEEP2", `"heightMeters":`+deep(5000, "1")), status: 400, typ: pValidation, after: absent("S-DEEP2")},
		{name: "number past float64", method: "POST", path: students, body: student("S-N1", `"heightMeters":1e400`), status: 400, typ: pValidation, after: absent("S-N1")},
		{name: "integer past int64", method: "POST", path: students, body: student("S-N2", `"studentNumber":99999999999999999999999`), status: 400, typ: pValidation, after: absent("S-N2")},
		{name: "100,000-digit number", method: "POST", path: students, body: student("S-N3", `"heightMeters":1`+strings.Repeat("0", 100000)), status: 400, typ: pValidation, after: absent("S-N3")},
		{name: "string for a boolean", method: "POST", path: students, body: student("S-T1", `"isActive":"yes"`), status: 400, typ: pValidation, after: absent("S-T1")},
		{name: "number for a string", method: "POST", path: students, body: student("S-T3", `"firstName":7`), status: 400, typ: pValidation, after: absent("S-T3")},
		{name: "object for a date", method: "POST", path: students, body: student("S-T2", `"lastSeenAt":{}`), status: 400, typ: pValidation, after: absent("S-T2")},
		{name: "PUT with another id in the body", method: "PUT", path: put, body: strings.TrimSuffix(student("S-PUT"), "}") + `,"id":"00000000-0000-4000-8000-000000000000"}`, status: 400, typ: pValidation},

		// Routes, methods and ids.
		{name: "root lists the resources", method: "GET", path: "/", status: 200},
		{name: "root as HTML", method: "GET", path: "/", hdr: []string{"Accept", "text/html"}, status: 200},
		{name: "HEAD root", method: "HEAD", path: "/", status: 405},
		{name: "POST root", method: "POST", path: "/", body: `{}`, status: 405, typ: pMethod},
		{name: "health", method: "GET", path: "/health", status: 200},
		{name: "OPTIONS health", method: "OPTIONS", path: "/health", status: 405, typ: pMethod},
		{name: "PUT ready", method: "PUT", path: "/ready", body: `{}`, status: 405, typ: pMethod},
		{name: "If-None-Match on the index", method: "GET", path: "/", hdr: []string{"If-None-Match", "*"}, status: 400, typ: pBadRequest},
		{name: "data root", method: "GET", path: "/data/", status: 404, typ: pNotFound},
		{name: "project only", method: "GET", path: "/data/example", status: 404, typ: pNotFound},
		{name: "unknown resource", method: "GET", path: "/data/example/nothings", status: 404, typ: pNotFound},
		{name: "too deep", method: "GET", path: one + "/more", status: 404, typ: pNotFound},
		{name: "NUL in the path", method: "GET", path: "/data/%00/students", status: 404, typ: pNotFound},
		{name: "dot segments", method: "GET", path: "/data/example/../example/students", status: 404, typ: pNotFound},
		{name: "id not a UUID", method: "GET", path: students + "/42", status: 404, typ: pNotFound},
		{name: "id with a bad hex digit", method: "GET", path: students + "/0f8fad5b-d9cb-469f-a165-70867728950g", status: 404, typ: pNotFound},
		{name: "unknown id", method: "DELETE", path: students + "/00000000-0000-4000-8000-000000000000", status: 404, typ: pNotFound},
		{name: "PATCH", method: "PATCH", path: one, body: `{}`, status: 405, typ: pMethod},
		{name: "OPTIONS", method: "OPTIONS", path: students, status: 405, typ: pMethod},
		{name: "HEAD", method: "HEAD", path: one, status: 405},
		{name: "TRACE", method: "TRACE", path: students, status: 405, typ: pMethod},
		{name: "custom method", method: "BREW", path: students, status: 405, typ: pMethod},
		{name: "DELETE the collection", method: "DELETE", path: students, status: 405, typ: pMethod},
		{name: "POST to an id", method: "POST", path: one, body: student("S-0001"), status: 405, typ: pMethod},

		// Headers and the wire.
		{name: "100 KB header", method: "GET", path: students, hdr: []string{"X-Big", long}, status: 431, typ: pHeaderLarge},
		{name: "5,000 headers", raw: "GET /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\n" + strings.Repeat("X-A: b\r\n", 5000) + "\r\n", status: 431, typ: pHeaderLarge},
		{name: "garbage request line", raw: "GARBAGE\r\n\r\n", status: 400, typ: pBadRequest},
		{name: "unsupported transfer coding", raw: "POST /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n", status: 400, typ: pBadRequest},
		{name: "unsupported HTTP version", raw: "GET /data/example/students HTTP/9.9\r\nHost: {ADDR}\r\n\r\n", status: 400, typ: pBadRequest},
		{name: "two Content-Lengths", raw: "POST /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", status: 400, typ: pBadRequest},
		{name: "missing Host", raw: "GET /data/example/students HTTP/1.1\r\n\r\n", status: 400, typ: pBadRequest},
		{name: "unknown expectation", raw: "GET /data/example/students HTTP/1.1\r\nHost: {ADDR}\r\nExpect: tea\r\n\r\n", status: 417, typ: pExpectFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var r hresp
			if c.raw != "" {
				r = e.srv.raw(t, e.expand(t, c.raw))
			} else {
				hdr := make([]string, len(c.hdr))
				for i, h := range c.hdr {
					hdr[i] = e.expand(t, h)
				}
				r = e.srv.do(t, c.method, e.expand(t, c.path), c.body, hdr...)
			}
			if c.status >= 400 && c.typ != "" {
				checkProblem(t, r, c.status, c.typ)
			} else if r.err != nil || r.status != c.status {
				t.Errorf("status %d (%v), want %d; body %.300s", r.status, r.err, c.status, r.body)
			}
			if c.filtered && r.status == http.StatusOK {
				if got := studentsListed(r.body); len(got) >= len(seedStudents) {
					t.Errorf("the answer lists %d students %v: the filter was dropped", len(got), got)
				}
			}
			if c.after != nil {
				c.after(t, e)
			}
		})
	}
	if len(cases) < 60 {
		t.Errorf("%d cases, want at least 60", len(cases))
	}
}

// TestHostileSlowClients checks that a body sent one byte at a time is cut
// off, that headers sent slowly are, and that many slow large bodies do
// not take the server's memory with them.
func TestHostileSlowClients(t *testing.T) {
	e := newHostileEnv(t, "--read-header-timeout", "1s", "--read-timeout", "2s", "--write-timeout", "20s")

	// trickle sends data on conn one byte every 200 ms until stop or an
	// error.
	trickle := func(conn net.Conn, data string, stop <-chan struct{}) {
		for i := 0; i < len(data); i++ {
			if _, err := conn.Write([]byte{data[i]}); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}

	t.Run("body one byte every 200ms", func(t *testing.T) {
		conn, err := net.Dial("tcp", e.srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body := student("S-SLOW")
		fmt.Fprintf(conn, "POST /data/example/students HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", e.srv.addr, len(body))
		stop := make(chan struct{})
		defer close(stop)
		go trickle(conn, body, stop)
		_ = conn.SetReadDeadline(time.Now().Add(liveness))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer while the body trickled in (the connection stays open): %v", err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		checkProblem(t, hresp{status: resp.StatusCode, header: resp.Header, body: data}, http.StatusRequestTimeout, pTimeout)
		absent("S-SLOW")(t, e)
	})

	t.Run("headers one byte every 200ms", func(t *testing.T) {
		conn, err := net.Dial("tcp", e.srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		stop := make(chan struct{})
		defer close(stop)
		go trickle(conn, "GET /data/example/students HTTP/1.1\r\nHost: "+e.srv.addr+"\r\nX-Slow: "+strings.Repeat("b", 1000), stop)
		_ = conn.SetReadDeadline(time.Now().Add(liveness))
		_, err = io.ReadAll(conn)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("the connection stays open while headers trickle in")
		}
	})
}

// TestHostileMemory sends 40 bodies of 9 MiB, each but its last byte,
// and holds them: the server may read only a bounded number of bodies at
// once, so its resident memory stays bounded. The numbers are logged.
func TestHostileMemory(t *testing.T) {
	e := newHostileEnv(t, "--read-timeout", "4s", "--write-timeout", "20s")
	const (
		clients  = 40
		bodySize = 9 << 20
		bound    = 160 << 10 // KiB of growth
	)
	before := e.srv.rssKiB(t)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var conns []net.Conn
	for i := 0; i < clients; i++ {
		conn, err := net.Dial("tcp", e.srv.addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, conn)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = conn.SetWriteDeadline(time.Now().Add(liveness))
			fmt.Fprintf(conn, "POST /data/example/students HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"x\":\"", e.srv.addr, bodySize)
			chunk := bytes.Repeat([]byte("a"), 256<<10)
			for left := bodySize - 6 - 1; left > 0; {
				n := min(left, len(chunk))
				if _, err := conn.Write(chunk[:n]); err != nil {
					return
				}
				left -= n
			}
			<-stop
		}()
	}
	peak := before
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		peak = max(peak, e.srv.rssKiB(t))
	}
	close(stop)
	for _, c := range conns {
		c.Close()
	}
	wg.Wait()
	t.Logf("dmsc serve VmRSS: %d KiB before, %d KiB at the peak with %d slow %d MiB bodies (growth %d KiB, bound %d KiB)",
		before, peak, clients, bodySize>>20, peak-before, bound)
	if peak-before > bound {
		t.Errorf("VmRSS grew by %d KiB with %d slow bodies; want at most %d KiB", peak-before, clients, bound)
	}
	if r := e.srv.do(t, "GET", "/data/example/students?limit=1", ""); r.status != http.StatusOK {
		t.Errorf("the server does not answer after the slow bodies: %d %v", r.status, r.err)
	}
}

// TestHostileDatabase checks the answers when the database is slow
// (statement timeout) or unreachable: 503 with Retry-After, never 500.
func TestHostileDatabase(t *testing.T) {
	e := newHostileEnv(t, "--statement-timeout", "1s")
	path := "/data/example/students/" + e.ids["S-0001"]

	t.Run("statement timeout", func(t *testing.T) {
		ctx := context.Background()
		conn, err := pgx.Connect(ctx, e.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if _, err := tx.Exec(ctx, `LOCK TABLE "dms"."Document" IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		for _, method := range []string{"GET", "PUT"} {
			body := ""
			if method == "PUT" {
				body = student("S-0001")
			}
			r := e.srv.do(t, method, path, body)
			checkProblem(t, r, http.StatusServiceUnavailable, pUnavailable)
			if r.err == nil && r.header.Get("Retry-After") == "" {
				t.Errorf("%s: 503 without Retry-After", method)
			}
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		e.proxy.Close()
		// Liveness does not touch the database.
		if r := e.srv.do(t, "GET", "/health", ""); r.err != nil || r.status != http.StatusOK {
			t.Errorf("GET /health with the database unreachable: %d %v %s", r.status, r.err, r.body)
		}
		checkProblem(t, e.srv.do(t, "GET", "/ready", ""), http.StatusServiceUnavailable, pUnavailable)
		for _, c := range []struct{ method, path, body string }{
			{"GET", path, ""},
			{"GET", "/data/example/students?studentUniqueId=S-0001", ""},
			{"POST", "/data/example/students", student("S-UNREACHABLE")},
			{"DELETE", path, ""},
		} {
			r := e.srv.do(t, c.method, c.path, c.body)
			checkProblem(t, r, http.StatusServiceUnavailable, pUnavailable)
			if r.err == nil && r.header.Get("Retry-After") == "" {
				t.Errorf("%s %s: 503 without Retry-After", c.method, c.path)
			}
		}
	})
}

// TestHostileBoundedOutput checks that the Pruned-Properties header and
// every log line stay bounded whatever the request holds.
func TestHostileBoundedOutput(t *testing.T) {
	e := newHostileEnv(t)
	const maxLine = 8 << 10
	var extra []string
	for i := 0; i < 60; i++ {
		extra = append(extra, fmt.Sprintf(`"p%02d%s":1`, i, strings.Repeat("x", 100<<10)))
	}
	r := e.srv.do(t, "POST", "/data/example/students", student("S-PRUNED", extra...))
	if r.err != nil || r.status != http.StatusCreated {
		t.Fatalf("POST with 60 long unknown properties: %d %v %.200s", r.status, r.err, r.body)
	}
	pruned := r.header.Get("Pruned-Properties")
	if len(pruned) > maxLine || !strings.Contains(pruned, "more") || !strings.HasPrefix(pruned, "$.p00") {
		t.Errorf("Pruned-Properties is %d bytes (%.120s…%.80s); want at most %d naming the first path and how many more", len(pruned), pruned, pruned[max(0, len(pruned)-80):], maxLine)
	}
	e.srv.do(t, "GET", "/data/example/students?studentUniqueId="+strings.Repeat("S", 30000), "")
	e.srv.do(t, "GET", "/data/example/"+strings.Repeat("%1b[2J", 10), "")
	for i, line := range strings.Split(e.srv.stderr.String(), "\n") {
		if len(line) > maxLine {
			t.Errorf("log line %d is %d bytes: %.120s…", i+1, len(line), line)
		}
		if strings.ContainsRune(line, 0x1b) {
			t.Errorf("log line %d holds a terminal escape: %q", i+1, line)
		}
	}
	// It warns that it has no authentication (--auth none), not that it
	// is reachable from other machines.
	if strings.Contains(e.srv.stderr.String(), "warning: listening on") {
		t.Errorf("a loopback server warns:\n%s", e.srv.stderr.String())
	}
}

// TestHostileNonLoopbackWarning checks that binding all interfaces warns.
func TestHostileNonLoopbackWarning(t *testing.T) {
	dsn := testenv.NewPostgresDatabase(t, "server", "warn")
	p := startServe(t, dsn, "--addr", "0.0.0.0:0")
	if log := p.stderr.String(); !strings.Contains(log, "warning: listening on") || !strings.Contains(log, "other machines") {
		t.Errorf("no warning on stderr when listening on all interfaces:\n%s", log)
	}
}
