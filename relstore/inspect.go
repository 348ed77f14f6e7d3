package relstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// ResourceRows is what a database holds of one resource.
type ResourceRows struct {
	// Project and Resource name the resource; Endpoint is its route
	// (`ed-fi/schools`).
	Project  string `json:"project"`
	Resource string `json:"resource"`
	Endpoint string `json:"endpoint"`
	// Documents counts the resource's dms.Document rows.
	Documents int64 `json:"documents"`
	// Tables are the resource's tables in write order with their exact
	// row counts (empty for descriptors, stored in dms.Descriptor).
	Tables []TableRows `json:"tables"`
}

// TableRows is one table and its row count.
type TableRows struct {
	Table string `json:"table"`
	Rows  int64  `json:"rows"`
}

// CountRows counts, for every resource of the manifest in manifest
// order, its documents and the rows of each of its tables (exact counts:
// one statement per resource).
func (s *Store) CountRows(ctx context.Context) ([]ResourceRows, error) {
	docs := map[int16]int64{}
	rows, err := s.db.Query(ctx, `SELECT "ResourceKeyId", count(*) FROM "dms"."Document" GROUP BY "ResourceKeyId"`)
	if err != nil {
		return nil, fmt.Errorf("count dms.Document: %w", err)
	}
	for rows.Next() {
		var k int16
		var n int64
		if err := rows.Scan(&k, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("count dms.Document: %w", err)
		}
		docs[k] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count dms.Document: %w", err)
	}
	out := make([]ResourceRows, 0, len(s.m.Resources))
	for i := range s.m.Resources {
		r := &s.m.Resources[i]
		rr := ResourceRows{Project: r.ProjectName, Resource: r.ResourceName, Endpoint: r.ProjectEndpoint + "/" + r.EndpointName,
			Documents: docs[r.ResourceKeyID], Tables: []TableRows{}}
		if r.Storage == manifest.StorageTables && len(r.Tables) > 0 {
			if rr.Tables, err = s.countTables(ctx, r.Tables); err != nil {
				return nil, err
			}
		}
		out = append(out, rr)
	}
	return out, nil
}

// countTables counts the rows of tables in one statement.
func (s *Store) countTables(ctx context.Context, tables []manifest.Table) ([]TableRows, error) {
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf(`SELECT %d, count(*) FROM %s.%s`, i, quoteIdent(t.Schema), quoteIdent(t.Name))
	}
	out := make([]TableRows, len(tables))
	for i, t := range tables {
		out[i].Table = t.Schema + "." + t.Name
	}
	rows, err := s.db.Query(ctx, strings.Join(parts, "\nUNION ALL\n"))
	if err != nil {
		return nil, fmt.Errorf("count the rows of %s: %w", out[0].Table, err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var n int64
		if err := rows.Scan(&i, &n); err != nil {
			return nil, fmt.Errorf("count the rows of %s: %w", out[0].Table, err)
		}
		out[i].Rows = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count the rows of %s: %w", out[0].Table, err)
	}
	return out, nil
}
