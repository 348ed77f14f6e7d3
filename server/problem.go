package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/edfi-dmsc/dmsc/relstore"
)

// Problem is an RFC 9457 problem details body. Type and Title follow the
// Ed-Fi API's problem types where Ed-Fi has one. ValidationErrors and
// Errors carry the typed runtime error's items (JSON paths and the fields
// of the runtime type), so that a client needs no message parsing.
type Problem struct {
	Type             string `json:"type"`
	Title            string `json:"title"`
	Status           int    `json:"status"`
	Detail           string `json:"detail"`
	ValidationErrors any    `json:"validationErrors,omitempty"`
	Errors           any    `json:"errors,omitempty"`
	// ValidQueryFields, on the 400 of an unknown query field, lists the
	// resource's query field names, sorted (empty when it has none).
	ValidQueryFields []string `json:"validQueryFields,omitzero"`
}

// Problem types (the "type" member of a problem). They are stable: clients
// may switch on them.
const (
	TypeBadRequest          = "urn:ed-fi:api:bad-request"
	TypeValidation          = "urn:ed-fi:api:bad-request:data-validation-failed"
	TypeDescriptor          = "urn:ed-fi:api:bad-request:unresolved-descriptor"
	TypeNotFound            = "urn:ed-fi:api:not-found"
	TypeMethodNotAllowed    = "urn:ed-fi:api:method-not-allowed"
	TypeTooLarge            = "urn:ed-fi:api:payload-too-large"
	TypeUnresolvedReference = "urn:ed-fi:api:data-conflict:unresolved-reference"
	TypeIdentityConflict    = "urn:ed-fi:api:identity-conflict"
	TypeDependentItem       = "urn:ed-fi:api:data-conflict:dependent-item-exists"
	TypeETagMismatch        = "urn:ed-fi:api:optimistic-lock-failed"
	TypeUnavailable         = "urn:ed-fi:api:service-unavailable"
	// TypeFingerprintMismatch (503, GET /ready): the database holds
	// another effective schema hash than the manifest's, or none.
	TypeFingerprintMismatch = "urn:ed-fi:api:service-unavailable:fingerprint-mismatch"
	TypeInternal            = "urn:ed-fi:api:internal-server-error"

	// TypeUnsupportedMediaType (415): a POST or PUT body that is not
	// declared application/json.
	TypeUnsupportedMediaType = "urn:ed-fi:api:unsupported-media-type"
	// TypeMisdirected (421): a Host header the server does not answer for
	// (DNS rebinding protection).
	TypeMisdirected = "urn:ed-fi:api:misdirected-request"
	// TypeHeadersTooLarge (431): request line and headers over the limit.
	TypeHeadersTooLarge = "urn:ed-fi:api:request-header-fields-too-large"
	// TypeRequestTimeout (408): the body did not arrive in time.
	TypeRequestTimeout = "urn:ed-fi:api:request-timeout"
	// TypeExpectationFailed (417): an Expect header other than
	// 100-continue.
	TypeExpectationFailed = "urn:ed-fi:api:expectation-failed"
)

// RetryAfter is the Retry-After header value (seconds) of every 503.
const RetryAfter = "5"

// ConflictItem is one entry of the errors array of an identity conflict.
type ConflictItem struct {
	Constraint string   `json:"constraint"`
	Paths      []string `json:"paths,omitempty"`
	Message    string   `json:"message"`
}

// QueryFieldItem is one entry of the validationErrors array of an unknown
// query field: Path is the field as the client wrote it, Suggestion the
// closest query field or paging parameter when one is near ("" otherwise).
type QueryFieldItem struct {
	Path       string `json:"path"`
	Message    string `json:"message"`
	Suggestion string `json:"suggestion,omitempty"`
}

// FingerprintItem is the errors entry of a fingerprint mismatch on GET
// /ready: the effective schema hash in dms.EffectiveSchema ("" when it
// has no row) and the manifest's.
type FingerprintItem struct {
	Database string `json:"database"`
	Manifest string `json:"manifest"`
}

// ReferrerItem is one entry of the errors array of a blocked delete.
type ReferrerItem struct {
	Resource string `json:"resource"`
}

// newProblem returns a problem without items.
func newProblem(status int, typ, title, detail string) *Problem {
	return &Problem{Type: typ, Title: title, Status: status, Detail: detail}
}

// badRequest returns a 400 problem of the generic bad-request type.
func badRequest(detail string) *Problem {
	return newProblem(http.StatusBadRequest, TypeBadRequest, "Bad Request", detail)
}

// notFound returns a 404 problem.
func notFound(detail string) *Problem {
	return newProblem(http.StatusNotFound, TypeNotFound, "Not Found", detail)
}

// ProblemFor maps an error of package runtime to its problem; its status is
// relstore.StatusCode(err). Anything unknown becomes a 500 whose detail does
// not expose the error (the server logs it instead).
func ProblemFor(err error) *Problem {
	var (
		ve *relstore.ValidationError
		re *relstore.ReferenceError
		de *relstore.DescriptorError
		ce *relstore.ConflictError
		rf *relstore.ReferencedError
		fe *relstore.ForbiddenError
	)
	status := relstore.StatusCode(err)
	p := newProblem(status, TypeInternal, "Internal Server Error", err.Error())
	switch {
	case errors.As(err, &fe):
		p.Type, p.Title, p.Detail = fe.ProblemType, "Authorization Denied", fe.Detail
		if fe.Status != http.StatusForbidden {
			p.Title = "Security Configuration Error"
		}
	case errors.Is(err, relstore.ErrNotFound):
		p.Type, p.Title = TypeNotFound, "Not Found"
	case errors.Is(err, relstore.ErrETagMismatch):
		p.Type, p.Title = TypeETagMismatch, "Optimistic Lock Failed"
	case errors.As(err, &ve):
		p.Type, p.Title = TypeValidation, "Data Validation Failed"
		p.ValidationErrors = ve.Problems
	case errors.As(err, &de):
		p.Type, p.Title = TypeDescriptor, "Unresolved Descriptor"
		p.ValidationErrors = de.Unresolved
	case errors.As(err, &re):
		p.Type, p.Title = TypeUnresolvedReference, "Unresolved Reference"
		p.Errors = re.Unresolved
	case errors.As(err, &ce):
		p.Type, p.Title = TypeIdentityConflict, "Identifying Values Are Not Unique"
		p.Errors = []ConflictItem{{Constraint: ce.Constraint, Paths: ce.Paths, Message: ce.Message}}
	case errors.As(err, &rf):
		p.Type, p.Title = TypeDependentItem, "Dependent Item Exists"
		items := make([]ReferrerItem, len(rf.Referrers))
		for i, r := range rf.Referrers {
			items[i] = ReferrerItem{Resource: r}
		}
		p.Errors = items
	case status == http.StatusServiceUnavailable:
		p.Type, p.Title = TypeUnavailable, "Service Unavailable"
		var ue *relstore.UnavailableError
		if errors.As(err, &ue) {
			// The cause names hosts and users; the log has it.
			p.Detail = "the database is unavailable (unreachable, out of connections, or a statement ran past its timeout); retry later"
		}
	default:
		p.Detail = "An unexpected error occurred; the server log has the details."
	}
	return p
}

// WriteProblem answers with p as application/problem+json; a 503 gets
// Retry-After.
func WriteProblem(w http.ResponseWriter, p *Problem) {
	body, err := json.Marshal(p)
	if err != nil {
		// Only the typed items could fail to marshal; drop them.
		p.ValidationErrors, p.Errors = nil, nil
		body, _ = json.Marshal(p)
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Del("ETag")
	if p.Status == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
		h.Set("Retry-After", RetryAfter)
	}
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
