package runtime

import (
	"context"
	"errors"
	"time"
)

// AuditOptions select what an audit covers and how it runs.
type AuditOptions struct {
	// Resources limit the audit to these resources, each given as
	// "projectEndpoint/endpoint" (`ed-fi/schools`) or "Project:Resource";
	// empty means every resource.
	Resources []string
	// BatchSize is the number of documents checked per statement (default
	// 1000).
	BatchSize int
	// Resume continues an earlier run from its Report.Cursor.
	Resume string
	// Repair rewrites what differs (rebuild); without it the audit only
	// reports.
	Repair bool
	// MaxFindings bounds the findings kept in the report (default 1000);
	// counts stay exact.
	MaxFindings int
	// Progress, when set, is called after every batch.
	Progress func(Progress)
}

// Progress reports an audit's advance.
type Progress struct {
	// Resource is the resource being checked, "Project:Resource".
	Resource string
	// Checked counts the documents checked so far (all resources).
	Checked int64
	// Findings counts the differences found so far.
	Findings int64
	// Cursor resumes the audit after the last finished batch.
	Cursor string
}

// Finding kinds.
const (
	FindingMissing = "missing" // a row the data implies is absent
	FindingExtra   = "extra"   // a row the data does not imply exists
	FindingFlag    = "flag"    // an edge's IsIdentityComponent is wrong
	FindingStale   = "stale"   // a ReferentialId does not match the identity
)

// Finding is one difference between a derived index and the data.
type Finding struct {
	// Resource is the document's resource, "Project:Resource".
	Resource string `json:"resource"`
	// DocumentID and DocumentUUID identify the document.
	DocumentID   int64  `json:"document_id"`
	DocumentUUID string `json:"document_uuid"`
	// Kind is missing, extra, flag or stale.
	Kind string `json:"kind"`
	// Detail names the row (`edge → 42 (identity)`, `alias Ed-Fi:EducationOrganization`).
	Detail string `json:"detail"`
}

// Report is the result of an audit or rebuild.
type Report struct {
	// Checked counts the documents checked.
	Checked int64 `json:"checked"`
	// Differences counts every finding (Findings may be truncated).
	Differences int64 `json:"differences"`
	// Repaired counts the rows written by a rebuild.
	Repaired int64 `json:"repaired"`
	// Findings are the differences, in resource and document order.
	Findings []Finding `json:"findings"`
	// Cursor resumes after the last batch ("" when the audit finished).
	Cursor string `json:"cursor"`
	// Elapsed is the audit's duration.
	Elapsed time.Duration `json:"elapsed_ns"`
}

var errAuditTODO = errors.New("runtime: audits are not implemented yet")

// AuditEdges compares dms.ReferenceEdge with the edges the documents' FK
// columns imply (missing, extra, wrong identity flag) and, with
// opts.Repair, rewrites the edge set of every document that differs.
func (s *Store) AuditEdges(ctx context.Context, opts AuditOptions) (*Report, error) {
	return nil, errAuditTODO
}

// AuditIdentities recomputes every document's ReferentialIds (primary and
// superclass alias) from its current identity values and compares them
// with dms.ReferentialIdentity (missing, extra, stale); with opts.Repair it
// rewrites the rows of every document that differs. A repair that would
// give two documents one ReferentialId fails with a *ConflictError and
// changes nothing of that batch.
func (s *Store) AuditIdentities(ctx context.Context, opts AuditOptions) (*Report, error) {
	return nil, errAuditTODO
}
