package ddl

import (
	"bytes"
	"encoding/json"

	"github.com/edfi-dmsc/dmsc/model"
)

// Script is one rendered DDL script.
type Script struct {
	// Dialect is the script's dialect.
	Dialect model.Dialect
	// SQL is the script text.
	SQL string
}

// FileName is the script's file name in an output directory
// (`pgsql.sql`, `mssql.sql`).
func (s Script) FileName() string { return string(s.Dialect) + ".sql" }

// ScriptManifest is ddl-manifest.json: per dialect, the normalised SHA-256
// and the statement count of its script.
type ScriptManifest struct {
	Dialects []ManifestEntry `json:"dialects"`
}

// ManifestEntry describes one script.
type ManifestEntry struct {
	Dialect             model.Dialect `json:"dialect"`
	NormalizedSQLSHA256 string        `json:"normalized_sql_sha256"`
	StatementCount      int           `json:"statement_count"`
}

// NewScriptManifest describes scripts, in the given order.
func NewScriptManifest(scripts []Script) (*ScriptManifest, error) {
	m := &ScriptManifest{Dialects: make([]ManifestEntry, 0, len(scripts))}
	for _, s := range scripts {
		n, err := CountStatements(s.Dialect, s.SQL)
		if err != nil {
			return nil, err
		}
		m.Dialects = append(m.Dialects, ManifestEntry{Dialect: s.Dialect, NormalizedSQLSHA256: NormalizedSHA256(s.SQL), StatementCount: n})
	}
	return m, nil
}

// JSON renders m indented by two spaces, without HTML escaping, keys in
// declaration order, with a trailing newline.
func (m *ScriptManifest) JSON() ([]byte, error) {
	out := *m
	if out.Dialects == nil {
		out.Dialects = []ManifestEntry{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&out); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
