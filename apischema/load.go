package apischema

import (
	"bytes"

	"github.com/edfi-dmsc/dmsc/boundedfile"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/jsonvalue"
)

// LoadFile reads and parses one ApiSchema file. Problems are added to diags;
// the returned project is nil when the file could not be understood at all.
// Only a regular file of at most MaxFileSize bytes is read.
func LoadFile(path string, diags *diag.List) *Project {
	data, err := boundedfile.Read(path, MaxFileSize, "an ApiSchema file")
	if err != nil {
		diags.Errorf(path, "", CodeReadFailed, "cannot read file: %v", err)
		return nil
	}
	return Parse(path, data, diags)
}

// utf8BOM is the byte order mark some Windows editors put first in a UTF-8
// file.
var utf8BOM = []byte("\xef\xbb\xbf")

// decodeObject decodes the JSON read from name (a leading UTF-8 byte order
// mark skipped) and returns a reader for it and its top-level object; ok
// is false, with the problem reported, when it is not a JSON object.
func decodeObject(name string, data []byte, diags *diag.List) (*reader, map[string]any, bool) {
	doc, err := jsonvalue.Decode(bytes.TrimPrefix(data, utf8BOM))
	if err != nil {
		diags.Errorf(name, "$", CodeInvalidJSON, "%v", err)
		return nil, nil, false
	}
	r := &reader{file: name, diags: diags}
	top, ok := r.obj(doc, "$")
	return r, top, ok
}

// Parse parses ApiSchema JSON read from name. A leading UTF-8 byte order
// mark is skipped, as upstream DMS's reader does (the hashes are over the
// decoded content, so they do not change).
func Parse(name string, data []byte, diags *diag.List) *Project {
	r, top, ok := decodeObject(name, data, diags)
	if !ok {
		return nil
	}
	version := r.str(top, "$", "apiSchemaVersion", true)
	_, hasCurrent := top["projectSchema"]
	_, hasOlder := top["projectSchemas"]
	switch {
	case hasCurrent && hasOlder:
		diags.Errorf(name, "$", CodeManyProjects, "file has both \"projectSchema\" and \"projectSchemas\"; use one shape")
		return nil
	case hasCurrent:
		raw := top["projectSchema"]
		p := r.project(raw, "$.projectSchema", "")
		if p != nil {
			p.Format = FormatCurrent
			p.APISchemaVersion = version
		}
		return p
	case hasOlder:
		return r.olderProject(top, version)
	}
	diags.Errorf(name, "$", CodeNoProject, "file holds no project: expected \"projectSchema\" (current format) or \"projectSchemas\" (older format)")
	return nil
}

func (r *reader) olderProject(top map[string]any, version string) *Project {
	schemas, ok := r.object(top, "$", "projectSchemas", true)
	if !ok {
		return nil
	}
	keys := sortedKeys(schemas)
	switch len(keys) {
	case 0:
		r.diags.Errorf(r.file, "$.projectSchemas", CodeNoProject, "\"projectSchemas\" is empty; a file must hold exactly one project")
		return nil
	case 1:
	default:
		r.diags.Errorf(r.file, "$.projectSchemas", CodeManyProjects, "\"projectSchemas\" holds %d projects (%v); a file must hold exactly one", len(keys), keys)
		return nil
	}
	endpoint := keys[0]
	p := r.project(schemas[endpoint], keyPath("$.projectSchemas", endpoint), endpoint)
	if p == nil {
		return nil
	}
	p.Format = FormatOlder
	p.APISchemaVersion = version
	if mapping, ok := r.object(top, "$", "projectNameMapping", false); ok {
		if v, ok := mapping[p.ProjectName]; !ok || v != endpoint {
			r.diags.Errorf(r.file, "$.projectNameMapping", CodeBadValue, "projectNameMapping does not map %q to %q", p.ProjectName, endpoint)
		}
	}
	r.diags.Warnf(r.file, "$", CodeOlderFormat, "older ApiSchema format (projectSchemas): isRequired and isPartOfIdentity fall back to the JSON schema and identityJsonPaths")
	return p
}
