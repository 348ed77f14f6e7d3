package compiler

import (
	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/diag"
	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/jsonpath"
	"github.com/edfi-dmsc/dmsc/model"
	"github.com/edfi-dmsc/dmsc/naming"
)

// builder derives the model of one schema set for one dialect's naming.
type builder struct {
	set *apischema.Set
	// d is the dialect whose naming rules and limits apply; limit is its
	// identifier rule.
	d     dialect.Dialect
	limit naming.Limit
	diags *diag.List
	m     *model.Model
	// byName finds model resources by qualified name (lookup only; output
	// order comes from m.Resources).
	byName map[string]*model.Resource
	src    map[*model.Resource]*apischema.Resource
	// logical names before shortening, used for constraint names.
	logicalTable map[*model.Table]string
	logicalCol   map[*model.Column]string
	// loc locates a table or column in the input for messages.
	loc map[any]location
	// cyclic marks resources on an identity cycle (reported once).
	cyclic map[*model.Resource]bool
	// decimalFallbacks lists numbers without decimal info.
	decimalFallbacks []decimalFallback
}

type location struct {
	file, path string
}

func qname(project, resource string) string { return project + "\x00" + resource }

func newBuilder(set *apischema.Set, d dialect.Dialect, diags *diag.List) *builder {
	return &builder{
		set: set, d: d, limit: d.IdentifierLimit(), diags: diags,
		m:            &model.Model{Dialect: d.Name(), APISchemaVersion: set.APISchemaVersion},
		byName:       map[string]*model.Resource{},
		src:          map[*model.Resource]*apischema.Resource{},
		logicalTable: map[*model.Table]string{},
		logicalCol:   map[*model.Column]string{},
		loc:          map[any]location{},
		cyclic:       map[*model.Resource]bool{},
	}
}

// build runs every pass in order.
func (b *builder) build() *model.Model {
	for _, p := range b.set.Projects {
		b.m.Projects = append(b.m.Projects, model.Project{
			EndpointName: p.EndpointName, ProjectName: p.ProjectName, ProjectVersion: p.ProjectVersion,
			IsExtension: p.IsExtension, Schema: naming.Schema(p.EndpointName),
		})
	}
	for _, ar := range b.set.Resources {
		r := b.resource(ar)
		b.m.Resources = append(b.m.Resources, r)
		b.byName[qname(r.ProjectName, r.ResourceName)] = r
		b.src[r] = ar
	}
	sortResources(b.m.Resources)
	for _, r := range b.m.Resources {
		b.identity(r)
		b.uniqueness(r)
		b.queryFields(r)
	}
	b.identityCycles()
	b.auth()
	b.views()
	b.identityTypes()
	b.physicalNames()
	for _, r := range b.m.Resources {
		for _, t := range r.Tables {
			b.constraints(t)
		}
	}
	b.viewNames()
	b.constraintCollisions()
	b.widths()
	return b.m
}

// file returns the file of a resource's project.
func (b *builder) file(r *model.Resource) string { return b.src[r].Project.File }

// scopeLabel describes a JSON scope of a resource for messages.
func scopeLabel(r *model.Resource, p jsonpath.Path) string {
	return r.ResourceName + " " + p.String()
}
