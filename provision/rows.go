package provision

import (
	"fmt"
	"strings"
)

// rowCursor is what pgx.Rows and *sql.Rows share: the catalog readers of
// both engines iterate through it.
type rowCursor interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// eachRow calls fn once per row, wrapping every error as a catalog read
// error. The caller closes rows.
func eachRow(rows rowCursor, fn func() error) error {
	for rows.Next() {
		if err := fn(); err != nil {
			return fmt.Errorf("read the catalog: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the catalog: %w", err)
	}
	return nil
}

// scanComponents reads dms.SchemaComponent rows selected as
// ProjectEndpointName, ProjectName, ProjectVersion, IsExtensionProject,
// ProjectHash. The caller closes rows.
func scanComponents(rows rowCursor) ([]Component, error) {
	var out []Component
	for rows.Next() {
		var c Component
		if err := rows.Scan(&c.EndpointName, &c.ProjectName, &c.ProjectVersion, &c.IsExtension, &c.ProjectHash); err != nil {
			return nil, fmt.Errorf("read dms.SchemaComponent: %w", err)
		}
		c.ProjectHash = strings.TrimSpace(c.ProjectHash)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read dms.SchemaComponent: %w", err)
	}
	return out, nil
}
