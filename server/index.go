package server

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// Index is the JSON body of GET /: the projects of the store's manifest
// and the resources each serves, with their links.
type Index struct {
	Projects []IndexProject `json:"projects"`
}

// IndexProject is one project of the index. Projects are sorted by
// endpoint, then name.
type IndexProject struct {
	ProjectName string `json:"projectName"`
	Endpoint    string `json:"endpoint"`
	Version     string `json:"version"`
	IsExtension bool   `json:"isExtension"`
	// Resources are sorted by endpoint.
	Resources []IndexResource `json:"resources"`
}

// IndexResource is one resource of the index: its name, its endpoint and
// the path of its collection (href).
type IndexResource struct {
	Name         string `json:"name"`
	Endpoint     string `json:"endpoint"`
	Href         string `json:"href"`
	IsDescriptor bool   `json:"isDescriptor"`
}

// buildIndex groups m's resources by project. A resource whose project is
// not in m.Projects gets a project of its own endpoint, without version.
func buildIndex(m *manifest.Manifest) Index {
	var projects []IndexProject
	at := map[string]int{} // project endpoint → index in projects
	for _, p := range m.Projects {
		if _, ok := at[p.EndpointName]; ok {
			continue
		}
		at[p.EndpointName] = len(projects)
		projects = append(projects, IndexProject{ProjectName: p.ProjectName, Endpoint: p.EndpointName, Version: p.ProjectVersion, IsExtension: p.IsExtension, Resources: []IndexResource{}})
	}
	for _, r := range m.Resources {
		i, ok := at[r.ProjectEndpoint]
		if !ok {
			i = len(projects)
			at[r.ProjectEndpoint] = i
			projects = append(projects, IndexProject{ProjectName: r.ProjectName, Endpoint: r.ProjectEndpoint, Resources: []IndexResource{}})
		}
		projects[i].Resources = append(projects[i].Resources, IndexResource{
			Name: r.ResourceName, Endpoint: r.EndpointName, Href: dataPrefix + r.ProjectEndpoint + "/" + r.EndpointName,
			IsDescriptor: r.IsDescriptor || r.Storage == manifest.StorageDescriptor,
		})
	}
	sort.SliceStable(projects, func(i, j int) bool {
		if projects[i].Endpoint != projects[j].Endpoint {
			return projects[i].Endpoint < projects[j].Endpoint
		}
		return projects[i].ProjectName < projects[j].ProjectName
	})
	for k := range projects {
		rs := projects[k].Resources
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].Endpoint != rs[j].Endpoint {
				return rs[i].Endpoint < rs[j].Endpoint
			}
			return rs[i].Name < rs[j].Name
		})
	}
	if projects == nil {
		projects = []IndexProject{}
	}
	return Index{Projects: projects}
}

// renderIndex renders the index of m as JSON and as a self-contained HTML
// page (no scripts, styles or other assets).
func renderIndex(m *manifest.Manifest) (jsonBody, htmlBody []byte) {
	idx := buildIndex(m)
	jsonBody, err := json.Marshal(idx)
	if err != nil {
		// Only strings, booleans and slices: Marshal cannot fail.
		jsonBody = []byte(`{"projects":[]}`)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>dmsc serve</title>\n</head>\n<body>\n<h1>dmsc serve</h1>\n")
	b.WriteString("<p>Health: <a href=\"/health\">/health</a> (the process), <a href=\"/ready\">/ready</a> (the database). This page as JSON: <code>Accept: application/json</code>.</p>\n")
	if len(idx.Projects) == 0 {
		b.WriteString("<p>The manifest has no resources.</p>\n")
	}
	for _, p := range idx.Projects {
		b.WriteString("<h2>")
		b.WriteString(html.EscapeString(p.ProjectName))
		b.WriteString(" <small>(")
		b.WriteString(html.EscapeString(p.Endpoint))
		if p.Version != "" {
			b.WriteString(", version ")
			b.WriteString(html.EscapeString(p.Version))
		}
		if p.IsExtension {
			b.WriteString(", extension")
		}
		b.WriteString(", " + strconv.Itoa(len(p.Resources)) + " resources)</small></h2>\n<ul>\n")
		for _, r := range p.Resources {
			href := dataPrefix + url.PathEscape(p.Endpoint) + "/" + url.PathEscape(r.Endpoint)
			b.WriteString("<li><a href=\"")
			b.WriteString(html.EscapeString(href))
			b.WriteString("\">")
			b.WriteString(html.EscapeString(r.Endpoint))
			b.WriteString("</a> ")
			b.WriteString(html.EscapeString(r.Name))
			if r.IsDescriptor {
				b.WriteString(" (descriptor)")
			}
			b.WriteString("</li>\n")
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("</body>\n</html>\n")
	return jsonBody, []byte(b.String())
}

// index serves GET /: JSON unless the Accept header prefers text/html.
func (h *handler) index(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Vary", "Accept")
	if !prefersHTML(r.Header.Values("Accept")) {
		respondJSON(w, http.StatusOK, h.indexJSON)
		return
	}
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Length", strconv.Itoa(len(h.indexHTML)))
	hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(h.indexHTML)
}

// prefersHTML reports whether the Accept header lines give text/html a
// higher quality than application/json (RFC 9110 §12.5.1: the most
// specific media range matching a type sets its quality). Without an
// Accept header, or on a tie, JSON wins.
func prefersHTML(accept []string) bool {
	type best struct {
		specificity int
		q           float64
	}
	var htmlQ, jsonQ best
	consider := func(b *best, specificity int, q float64) {
		if specificity > b.specificity {
			*b = best{specificity, q}
		}
	}
	for _, line := range accept {
		for _, part := range strings.Split(line, ",") {
			mediaRange, params, _ := strings.Cut(part, ";")
			typ, sub, ok := strings.Cut(strings.ToLower(strings.TrimSpace(mediaRange)), "/")
			if !ok {
				continue
			}
			q, ok := acceptQuality(params)
			if !ok {
				continue
			}
			switch {
			case typ == "*" && sub == "*":
				consider(&htmlQ, 1, q)
				consider(&jsonQ, 1, q)
			case typ == "text" && sub == "*":
				consider(&htmlQ, 2, q)
			case typ == "application" && sub == "*":
				consider(&jsonQ, 2, q)
			case typ == "text" && sub == "html":
				consider(&htmlQ, 3, q)
			case typ == "application" && sub == "json":
				consider(&jsonQ, 3, q)
			}
		}
	}
	if jsonQ.specificity == 0 && htmlQ.specificity > 0 {
		// JSON is not acceptable at all; HTML is, at some quality.
		return htmlQ.q > 0
	}
	return htmlQ.q > jsonQ.q
}

// acceptQuality returns the q parameter of a media range's parameters (1
// when absent); ok is false when q is malformed.
func acceptQuality(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || !(q >= 0 && q <= 1) { // NaN too
			return 0, false
		}
		return q, true
	}
	return 1, true
}
