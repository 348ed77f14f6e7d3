package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// WrapListener wraps ln so that the answers net/http writes itself, before
// any handler runs, are problem details too: a malformed request (400),
// headers over the limit (431), an unsupported transfer coding (501) or
// HTTP version (505), and an Expect header other than 100-continue (417).
// net/http writes these as text/plain; the wrapped connections rewrite
// them as application/problem+json with a stable type, and turn the 501
// and 505 into 400 (they answer what the client sent, not a server fault).
//
// A rewrite matches only net/http's exact wire form of these answers
// (status line, "Content-Type: text/plain; charset=utf-8" and
// "Connection: close" headers), which no handler of this package writes:
// its bodies are JSON and it never answers text/plain or 417.
func WrapListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

// Accept implements net.Listener.
func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

type problemConn struct{ net.Conn }

// CloseWrite half-closes the connection when the underlying one can
// (net/http uses it to avoid a reset that would swallow its answer).
func (c problemConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// net/http's own error answers: "HTTP/1.1 " status [": " text] headers
// body, written in one Write on the connection.
var (
	plainErrorHeaders = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")
	expectFailedLine  = []byte("HTTP/1.1 417 Expectation Failed\r\n")
)

// Write implements net.Conn.
func (c problemConn) Write(p []byte) (int, error) {
	if out, ok := rewriteHTTPError(p); ok {
		if _, err := c.Conn.Write(out); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// rewriteHTTPError returns the problem details answer for one of
// net/http's own error answers.
func rewriteHTTPError(p []byte) ([]byte, bool) {
	if !bytes.HasPrefix(p, []byte("HTTP/1.1 ")) || len(p) > 4096 {
		return nil, false
	}
	if bytes.HasPrefix(p, expectFailedLine) && bytes.HasSuffix(p, []byte("\r\n\r\n")) {
		return problemResponse(newProblem(http.StatusExpectationFailed, TypeExpectationFailed, "Expectation Failed",
			"the only Expect value this server supports is 100-continue")), true
	}
	i := bytes.Index(p, plainErrorHeaders)
	if i < 0 || bytes.IndexByte(p[:i], '\n') >= 0 {
		return nil, false
	}
	line := string(p[len("HTTP/1.1 "):i]) // "431 Request Header Fields Too Large" or "400 Bad Request: missing required Host header"
	status, err := strconv.Atoi(line[:min(3, len(line))])
	if err != nil {
		return nil, false
	}
	detail := string(p[i+len(plainErrorHeaders):])
	var pr *Problem
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		pr = newProblem(status, TypeHeadersTooLarge, "Request Header Fields Too Large",
			"the request line and headers exceed the server's limit (--max-header-bytes)")
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		pr = badRequest(fmt.Sprintf("the request cannot be served: %s", detail))
	case http.StatusBadRequest:
		if detail == "400 Bad Request" {
			detail = "malformed HTTP request"
		}
		pr = badRequest(detail)
	default:
		if status < 400 || status > 499 {
			return nil, false
		}
		pr = newProblem(status, TypeBadRequest, http.StatusText(status), detail)
	}
	return problemResponse(pr), true
}

// problemResponse renders a whole HTTP/1.1 answer carrying p, closing the
// connection.
func problemResponse(p *Problem) []byte {
	body, _ := json.Marshal(p)
	return []byte(fmt.Sprintf("HTTP/1.1 %d %s\r\nContent-Type: application/problem+json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		p.Status, http.StatusText(p.Status), len(body), body))
}
