package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/authz"
	"github.com/edfi-dmsc/dmsc/relstore"
)

// Bounds of the Pruned-Properties header: at most maxPrunedInHeader paths,
// each cut at maxPrunedPathBytes, the whole value at most
// maxPrunedHeaderBytes; "... (N more)" counts the paths left out.
const (
	maxPrunedInHeader    = 50
	maxPrunedPathBytes   = 256
	maxPrunedHeaderBytes = 4096
)

// upsert serves POST /data/{project}/{resource}: 201 for a new document,
// 200 when the natural key already existed, with Location and ETag.
func (h *handler) upsert(w http.ResponseWriter, r *http.Request, rt route) {
	if p := refuseConditions(r, "If-Match", "If-None-Match"); p != nil {
		WriteProblem(w, p)
		return
	}
	body, release, p := h.readDocument(w, r)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	defer release()
	r, ok := h.authorize(w, r, rt, authz.ActionCreate)
	if !ok {
		return
	}
	ctx, cancel := h.storeContext(r)
	defer cancel()
	res, err := h.st.Upsert(ctx, rt.project, rt.resource, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	noteWrite(r, res)
	setWriteHeaders(w, rt, res)
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
}

// update serves PUT /data/{project}/{resource}/{id}: 204 with ETag.
func (h *handler) update(w http.ResponseWriter, r *http.Request, rt route, id string) {
	if p := refuseConditions(r, "If-None-Match"); p != nil {
		WriteProblem(w, p)
		return
	}
	cond, p := parseIfMatch(r.Header)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	body, release, p := h.readDocument(w, r)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	defer release()
	if p := checkBodyID(body, id); p != nil {
		WriteProblem(w, p)
		return
	}
	r, ok := h.authorize(w, r, rt, authz.ActionUpdate)
	if !ok {
		return
	}
	ctx, cancel := h.storeContext(r)
	defer cancel()
	ifMatch, err := h.resolveIfMatch(ctx, rt, id, cond)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.st.Update(ctx, rt.project, rt.resource, id, body, ifMatch)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	noteWrite(r, res)
	setWriteHeaders(w, rt, res)
	w.WriteHeader(http.StatusNoContent)
}

// get serves GET /data/{project}/{resource}/{id}: 200 with the document
// and its ETag, 304 when If-None-Match names the current ETag, 412 when
// If-Match does not.
func (h *handler) get(w http.ResponseWriter, r *http.Request, rt route, id string) {
	cond, p := parseIfMatch(r.Header)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	inm, p := parseETagHeader(r.Header, "If-None-Match")
	if p != nil {
		WriteProblem(w, p)
		return
	}
	r, ok := h.authorize(w, r, rt, authz.ActionRead)
	if !ok {
		return
	}
	ctx, cancel := h.storeContext(r)
	defer cancel()
	doc, err := h.st.Get(ctx, rt.project, rt.resource, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if cond != nil && !cond.matchesStrong(doc.ETag) {
		h.fail(w, r, relstore.ErrETagMismatch)
		return
	}
	w.Header().Set("ETag", quoteETag(doc.ETag))
	if inm != nil && inm.matchesWeak(doc.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	respondJSON(w, http.StatusOK, doc.JSON)
}

// query serves GET /data/{project}/{resource}: 200 with a JSON array,
// Total-Count when asked for and Next-Cursor when the page was full; a
// filter that is not a query field of the resource is a 400 listing them.
func (h *handler) query(w http.ResponseWriter, r *http.Request, rt route) {
	if p := refuseConditions(r, "If-Match", "If-None-Match"); p != nil {
		WriteProblem(w, p)
		return
	}
	q, p := parseQuery(r.URL.RawQuery, h.opts.MaxQueryParams, h.opts.MaxFilters)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	if p := checkQueryFields(rt, q.Filters); p != nil {
		WriteProblem(w, p)
		return
	}
	r, ok := h.authorize(w, r, rt, authz.ActionRead)
	if !ok {
		return
	}
	ctx, cancel := h.storeContext(r)
	defer cancel()
	page, err := h.st.Query(ctx, rt.project, rt.resource, q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if q.TotalCount {
		w.Header().Set(HeaderTotalCount, strconv.FormatInt(page.Total, 10))
	}
	if page.Next != "" {
		w.Header().Set(HeaderNextCursor, page.Next)
	}
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, d := range page.Documents {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(d.JSON)
	}
	buf.WriteByte(']')
	respondJSON(w, http.StatusOK, buf.Bytes())
}

// delete serves DELETE /data/{project}/{resource}/{id}: 204.
func (h *handler) delete(w http.ResponseWriter, r *http.Request, rt route, id string) {
	if p := refuseConditions(r, "If-None-Match"); p != nil {
		WriteProblem(w, p)
		return
	}
	cond, p := parseIfMatch(r.Header)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	r, ok := h.authorize(w, r, rt, authz.ActionDelete)
	if !ok {
		return
	}
	ctx, cancel := h.storeContext(r)
	defer cancel()
	ifMatch, err := h.resolveIfMatch(ctx, rt, id, cond)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.st.Delete(ctx, rt.project, rt.resource, id, ifMatch); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// checkBodyID returns a 400 problem when a PUT body's "id" is present and
// differs from the URL's id (as DMS does).
func checkBodyID(body []byte, id string) *Problem {
	var doc struct {
		ID *string `json:"id"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.ID == nil || strings.EqualFold(*doc.ID, id) {
		return nil
	}
	p := newProblem(http.StatusBadRequest, TypeValidation, "Data Validation Failed",
		fmt.Sprintf("the request body's id %q does not match the id in the URL %q", clip(*doc.ID, 64), id))
	p.ValidationErrors = []relstore.Problem{{Path: "$.id", Message: "must match the id in the URL"}}
	return p
}

// setWriteHeaders sets Location, ETag and Pruned-Properties of a write.
func setWriteHeaders(w http.ResponseWriter, rt route, res relstore.WriteResult) {
	hd := w.Header()
	hd.Set("Location", dataPrefix+rt.project+"/"+rt.resource+"/"+res.ID)
	hd.Set("ETag", quoteETag(res.ETag))
	if v := prunedHeader(res.Pruned); v != "" {
		hd.Set(HeaderPrunedProperties, v)
	}
}

// respondJSON answers with a JSON body.
func respondJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// prunedHeader renders the pruned paths of a write as a comma-separated
// list within the bounds above; paths with characters outside printable
// ASCII are written as Go-quoted strings, long paths end in "...", and
// "... (N more)" counts the paths left out.
func prunedHeader(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	var b strings.Builder
	shown := 0
	for _, p := range paths {
		if shown == maxPrunedInHeader {
			break
		}
		if !printableASCII(p) {
			p = strconv.QuoteToASCII(p)
		}
		if len(p) > maxPrunedPathBytes {
			p = p[:maxPrunedPathBytes] + "..."
		}
		// Keep room for ", ... (N more)".
		if shown > 0 && b.Len()+2+len(p)+32 > maxPrunedHeaderBytes {
			break
		}
		if shown > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p)
		shown++
	}
	if n := len(paths) - shown; n > 0 {
		b.WriteString(", ... (" + strconv.Itoa(n) + " more)")
	}
	return b.String()
}

// printableASCII reports whether s has only printable ASCII characters.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
