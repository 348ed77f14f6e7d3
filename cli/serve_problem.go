package cli

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/edfi-dmsc/dmsc/runtime"
)

// httpProblem is an RFC 9457 problem details body. Type and Title follow the
// Ed-Fi API's problem types where Ed-Fi has one. ValidationErrors and
// Errors carry the typed runtime error's items (JSON paths and the fields
// of the runtime type), so that a client needs no message parsing.
type httpProblem struct {
	Type             string `json:"type"`
	Title            string `json:"title"`
	Status           int    `json:"status"`
	Detail           string `json:"detail"`
	ValidationErrors any    `json:"validationErrors,omitempty"`
	Errors           any    `json:"errors,omitempty"`
}

// Problem types of `dmsc serve`.
const (
	problemBadRequest       = "urn:ed-fi:api:bad-request"
	problemValidation       = "urn:ed-fi:api:bad-request:data-validation-failed"
	problemDescriptor       = "urn:ed-fi:api:bad-request:unresolved-descriptor"
	problemNotFound         = "urn:ed-fi:api:not-found"
	problemMethodNotAllowed = "urn:ed-fi:api:method-not-allowed"
	problemTooLarge         = "urn:ed-fi:api:payload-too-large"
	problemUnresolvedRef    = "urn:ed-fi:api:data-conflict:unresolved-reference"
	problemIdentityConflict = "urn:ed-fi:api:identity-conflict"
	problemDependentItem    = "urn:ed-fi:api:data-conflict:dependent-item-exists"
	problemETagMismatch     = "urn:ed-fi:api:optimistic-lock-failed"
	problemUnavailable      = "urn:ed-fi:api:service-unavailable"
	problemInternal         = "urn:ed-fi:api:internal-server-error"
)

// httpConflictItem is one entry of the errors array of an identity conflict.
type httpConflictItem struct {
	Constraint string   `json:"constraint"`
	Paths      []string `json:"paths,omitempty"`
	Message    string   `json:"message"`
}

// httpReferrerItem is one entry of the errors array of a blocked delete.
type httpReferrerItem struct {
	Resource string `json:"resource"`
}

// newHTTPProblem returns a problem without items.
func newHTTPProblem(status int, typ, title, detail string) *httpProblem {
	return &httpProblem{Type: typ, Title: title, Status: status, Detail: detail}
}

// httpBadRequest returns a 400 problem of the generic bad-request type.
func httpBadRequest(detail string) *httpProblem {
	return newHTTPProblem(http.StatusBadRequest, problemBadRequest, "Bad Request", detail)
}

// httpNotFound returns a 404 problem.
func httpNotFound(detail string) *httpProblem {
	return newHTTPProblem(http.StatusNotFound, problemNotFound, "Not Found", detail)
}

// httpProblemFor maps an error of package runtime to its problem; its status is
// runtime.StatusCode(err). Anything unknown becomes a 500 whose detail does
// not expose the error (the server logs it instead).
func httpProblemFor(err error) *httpProblem {
	var (
		ve *runtime.ValidationError
		re *runtime.ReferenceError
		de *runtime.DescriptorError
		ce *runtime.ConflictError
		rf *runtime.ReferencedError
	)
	status := runtime.StatusCode(err)
	p := newHTTPProblem(status, problemInternal, "Internal Server Error", err.Error())
	switch {
	case errors.Is(err, runtime.ErrNotFound):
		p.Type, p.Title = problemNotFound, "Not Found"
	case errors.Is(err, runtime.ErrETagMismatch):
		p.Type, p.Title = problemETagMismatch, "Optimistic Lock Failed"
	case errors.As(err, &ve):
		p.Type, p.Title = problemValidation, "Data Validation Failed"
		p.ValidationErrors = ve.Problems
	case errors.As(err, &de):
		p.Type, p.Title = problemDescriptor, "Unresolved Descriptor"
		p.ValidationErrors = de.Unresolved
	case errors.As(err, &re):
		p.Type, p.Title = problemUnresolvedRef, "Unresolved Reference"
		p.Errors = re.Unresolved
	case errors.As(err, &ce):
		p.Type, p.Title = problemIdentityConflict, "Identifying Values Are Not Unique"
		p.Errors = []httpConflictItem{{Constraint: ce.Constraint, Paths: ce.Paths, Message: ce.Message}}
	case errors.As(err, &rf):
		p.Type, p.Title = problemDependentItem, "Dependent Item Exists"
		items := make([]httpReferrerItem, len(rf.Referrers))
		for i, r := range rf.Referrers {
			items[i] = httpReferrerItem{Resource: r}
		}
		p.Errors = items
	case status == http.StatusServiceUnavailable:
		p.Type, p.Title = problemUnavailable, "Service Unavailable"
	default:
		p.Detail = "An unexpected error occurred; the server log has the details."
	}
	return p
}

// writeHTTPProblem answers with p as application/problem+json.
func writeHTTPProblem(w http.ResponseWriter, p *httpProblem) {
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
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}
