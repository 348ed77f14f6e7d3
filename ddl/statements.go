package ddl

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// Normalize returns script with CRLF and lone CR line endings turned into
// LF and trailing blanks (spaces, tabs) removed from every line.
func Normalize(script string) string {
	script = strings.ReplaceAll(script, "\r\n", "\n")
	script = strings.ReplaceAll(script, "\r", "\n")
	var b strings.Builder
	b.Grow(len(script))
	for {
		line, rest, more := strings.Cut(script, "\n")
		b.WriteString(strings.TrimRight(line, " \t"))
		if !more {
			return b.String()
		}
		b.WriteByte('\n')
		script = rest
	}
}

// NormalizedSHA256 returns the lowercase hex SHA-256 of Normalize(script).
func NormalizedSHA256(script string) string {
	sum := sha256.Sum256([]byte(Normalize(script)))
	return hex.EncodeToString(sum[:])
}

// Statements splits a script of the named dialect into its top-level
// statements (comments, blank lines and GO separators dropped).
func Statements(dialectName model.Dialect, script string) ([]string, error) {
	d, err := all.For(dialectName)
	if err != nil {
		return nil, err
	}
	return d.SplitStatements(script), nil
}

// CountStatements returns len(Statements(dialectName, script)).
func CountStatements(dialectName model.Dialect, script string) (int, error) {
	st, err := Statements(dialectName, script)
	return len(st), err
}
