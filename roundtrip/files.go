package roundtrip

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// Document is one document file to load.
type Document struct {
	// File is the path relative to DIR, with forward slashes
	// (`ed-fi/schools/001.json`).
	File string
	// Path is the path on disk.
	Path string
	// Resource is the resource the file's directory names.
	Resource *manifest.Resource
}

// ResourceDocuments are the documents of one resource directory.
type ResourceDocuments struct {
	// Key is "projectEndpoint/endpoint".
	Key       string
	Documents []Document
}

// Set is what a directory holds: the documents by resource in load order,
// and the directories that name no endpoint (rejections).
type Set struct {
	Resources []ResourceDocuments
	// Documents are every document, in load order.
	Documents  []Document
	Rejections []Rejection
}

// Discover lists DIR/<projectEndpoint>/<resourceEndpoint>/*.json in load
// order (LoadOrder, then file name). Files directly in DIR or in a project
// directory, subdirectories of a resource directory and entries whose
// names start with a dot are ignored. A directory that is not a project
// endpoint, or not an endpoint of its project, is a rejection.
func Discover(dir string, m *manifest.Manifest) (*Set, error) {
	byPath := map[string]*manifest.Resource{}
	projects := map[string]bool{}
	for i := range m.Resources {
		r := &m.Resources[i]
		byPath[r.ProjectEndpoint+"/"+r.EndpointName] = r
	}
	var projectNames []string
	for _, p := range m.Projects {
		projects[p.EndpointName] = true
		projectNames = append(projectNames, p.EndpointName)
	}
	sort.Strings(projectNames)
	set := &Set{}
	found := map[string][]Document{}
	projectDirs, err := subdirectories(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range projectDirs {
		if !projects[p] {
			set.Rejections = append(set.Rejections, Rejection{File: p,
				Error: fmt.Sprintf("not a project endpoint of the schema set (projects: %s)", strings.Join(projectNames, ", "))})
			continue
		}
		resourceDirs, err := subdirectories(filepath.Join(dir, p))
		if err != nil {
			return nil, err
		}
		for _, r := range resourceDirs {
			key := p + "/" + r
			res, ok := byPath[key]
			if !ok {
				set.Rejections = append(set.Rejections, Rejection{File: key,
					Error: fmt.Sprintf("not a resource endpoint of project %s: no resource is served at /%s", p, key)})
				continue
			}
			files, err := os.ReadDir(filepath.Join(dir, p, r))
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				if f.IsDir() || strings.HasPrefix(f.Name(), ".") || !strings.HasSuffix(f.Name(), ".json") {
					continue
				}
				found[key] = append(found[key], Document{
					File:     path.Join(p, r, f.Name()),
					Path:     filepath.Join(dir, p, r, f.Name()),
					Resource: res,
				})
			}
		}
	}
	for _, r := range LoadOrder(m) {
		key := r.ProjectEndpoint + "/" + r.EndpointName
		if docs := found[key]; len(docs) > 0 {
			set.Resources = append(set.Resources, ResourceDocuments{Key: key, Documents: docs})
			set.Documents = append(set.Documents, docs...)
		}
	}
	return set, nil
}

// subdirectories lists the names of dir's subdirectories (following
// symbolic links), sorted, without hidden ones.
func subdirectories(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), ".") {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, en.Name()))
		if err == nil && fi.IsDir() {
			out = append(out, en.Name())
		}
	}
	return out, nil
}
