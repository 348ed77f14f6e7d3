package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/runtime"
)

// maxPrunedInHeader caps the paths listed in the Pruned-Properties header.
const maxPrunedInHeader = 50

// upsert serves POST /data/{project}/{resource}: 201 for a new document,
// 200 when the natural key already existed, with Location and ETag.
func (h *handler) upsert(w http.ResponseWriter, r *http.Request, rt route) {
	body, p := h.readDocument(w, r)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	res, err := h.st.Upsert(r.Context(), rt.project, rt.resource, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setWriteHeaders(w, rt, res)
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	w.WriteHeader(status)
}

// update serves PUT /data/{project}/{resource}/{id}: 204 with ETag.
func (h *handler) update(w http.ResponseWriter, r *http.Request, rt route, id string) {
	body, p := h.readDocument(w, r)
	if p != nil {
		WriteProblem(w, p)
		return
	}
	if p := checkBodyID(body, id); p != nil {
		WriteProblem(w, p)
		return
	}
	res, err := h.st.Update(r.Context(), rt.project, rt.resource, id, body, ifMatch(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	setWriteHeaders(w, rt, res)
	w.WriteHeader(http.StatusNoContent)
}

// get serves GET /data/{project}/{resource}/{id}: 200 with the document
// and its ETag, or 304 when If-None-Match names the current ETag.
func (h *handler) get(w http.ResponseWriter, r *http.Request, rt route, id string) {
	doc, err := h.st.Get(r.Context(), rt.project, rt.resource, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", quoteETag(doc.ETag))
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagListHas(inm, doc.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	respondJSON(w, http.StatusOK, doc.JSON)
}

// query serves GET /data/{project}/{resource}: 200 with a JSON array,
// Total-Count when asked for and Next-Cursor when the page was full.
func (h *handler) query(w http.ResponseWriter, r *http.Request, rt route) {
	q, p := parseQuery(r.URL.Query())
	if p != nil {
		WriteProblem(w, p)
		return
	}
	page, err := h.st.Query(r.Context(), rt.project, rt.resource, q)
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
	if err := h.st.Delete(r.Context(), rt.project, rt.resource, id, ifMatch(r)); err != nil {
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
		fmt.Sprintf("the request body's id %q does not match the id in the URL %q", *doc.ID, id))
	p.ValidationErrors = []runtime.Problem{{Path: "$.id", Message: "must match the id in the URL"}}
	return p
}

// setWriteHeaders sets Location, ETag and Pruned-Properties of a write.
func setWriteHeaders(w http.ResponseWriter, rt route, res runtime.WriteResult) {
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

// quoteETag renders an ETag header value.
func quoteETag(etag string) string { return `"` + etag + `"` }

// ifMatch returns the If-Match header's ETag, quoted or bare ("" when
// absent or "*", which asks for no check).
func ifMatch(r *http.Request) string {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "*" {
		return ""
	}
	return unquoteETag(v)
}

// unquoteETag strips a weak prefix and the quotes of an entity tag.
func unquoteETag(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return v
}

// etagListHas reports whether the comma-separated entity tag list (an
// If-None-Match value) names etag or is "*".
func etagListHas(list, etag string) bool {
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || unquoteETag(t) == etag {
			return true
		}
	}
	return false
}

// prunedHeader renders the pruned paths of a write as a comma-separated
// list, at most maxPrunedInHeader of them; paths with characters outside
// printable ASCII are written as Go-quoted strings.
func prunedHeader(paths []string) string {
	if len(paths) == 0 {
		return ""
	}
	shown := paths
	if len(shown) > maxPrunedInHeader {
		shown = shown[:maxPrunedInHeader]
	}
	parts := make([]string, 0, len(shown)+1)
	for _, p := range shown {
		if !printableASCII(p) {
			p = strconv.QuoteToASCII(p)
		}
		parts = append(parts, p)
	}
	if n := len(paths) - len(shown); n > 0 {
		parts = append(parts, "... ("+strconv.Itoa(n)+" more)")
	}
	return strings.Join(parts, ", ")
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
