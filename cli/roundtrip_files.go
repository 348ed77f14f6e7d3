package cli

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// rtDocument is one document file to load.
type rtDocument struct {
	// file is the path relative to DIR, with forward slashes.
	file string
	// path is the path on disk.
	path string
	// res is the resource the file's directory names.
	res *manifest.Resource
}

// rtResourceDocs are the documents of one resource directory.
type rtResourceDocs struct {
	key  string // "projectEndpoint/endpoint"
	docs []rtDocument
}

// rtDocumentSet is what DIR holds: the documents by resource in load order,
// and the directories that name no endpoint.
type rtDocumentSet struct {
	resources  []rtResourceDocs
	docs       []rtDocument
	rejections []rtRejection
}

// discoverDocuments lists DIR/<projectEndpoint>/<resourceEndpoint>/*.json.
// Files directly in DIR or in a project directory, subdirectories of a
// resource directory and entries whose names start with a dot are
// ignored. A directory that is not a project endpoint, or not an endpoint
// of its project, is a rejection.
func discoverDocuments(dir string, m *manifest.Manifest) (*rtDocumentSet, error) {
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
	set := &rtDocumentSet{}
	found := map[string][]rtDocument{}
	projectDirs, err := subdirectories(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range projectDirs {
		if !projects[p] {
			set.rejections = append(set.rejections, rtRejection{File: p,
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
				set.rejections = append(set.rejections, rtRejection{File: key,
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
				found[key] = append(found[key], rtDocument{
					file: path.Join(p, r, f.Name()),
					path: filepath.Join(dir, p, r, f.Name()),
					res:  res,
				})
			}
		}
	}
	for _, r := range resourceLoadOrder(m) {
		key := r.ProjectEndpoint + "/" + r.EndpointName
		if docs := found[key]; len(docs) > 0 {
			set.resources = append(set.resources, rtResourceDocs{key: key, docs: docs})
			set.docs = append(set.docs, docs...)
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
