package manifest

// Encode renders m as JSON: two-space indent, no HTML escaping, keys in the
// struct order, trailing newline — byte-identical to encoding/json's
// indented output of the same value. Equal manifests encode to equal bytes.
func (m *Manifest) Encode() ([]byte, error) {
	w := &writer{buf: make([]byte, 0, estimateSize(m))}
	w.begin('{')
	w.strField("format_version", m.FormatVersion)
	w.strField("dialect", string(m.Dialect))
	w.strField("api_schema_format_version", m.APISchemaFormatVersion)
	w.strField("relational_mapping_version", m.RelationalMappingVersion)
	w.strField("effective_schema_hash", m.EffectiveSchemaHash)
	w.strField("resource_key_seed_hash", m.ResourceKeySeedHash)
	w.key("projects")
	list(w, m.Projects, func(p Project) {
		w.begin('{')
		w.strField("project_endpoint_name", p.EndpointName)
		w.strField("project_name", p.ProjectName)
		w.strField("project_version", p.ProjectVersion)
		w.boolField("is_extension_project", p.IsExtension)
		w.strField("project_hash", p.ProjectHash)
		w.strField("physical_schema", p.Schema)
		w.end('}')
	})
	w.key("resource_keys")
	list(w, m.ResourceKeys, func(k ResourceKey) {
		w.begin('{')
		w.intField("resource_key_id", int(k.ID))
		w.strField("project_name", k.ProjectName)
		w.strField("resource_name", k.ResourceName)
		w.strField("resource_version", k.ResourceVersion)
		w.end('}')
	})
	w.key("resources")
	list(w, m.Resources, w.resource)
	w.key("abstract_resources")
	list(w, m.AbstractResources, w.abstract)
	w.key("edorg_types")
	list(w, m.EdOrgTypes, func(t EdOrgType) {
		w.begin('{')
		w.strField("project_name", t.ProjectName)
		w.strField("resource_name", t.ResourceName)
		w.strField("id_column", t.IDColumn)
		w.key("parents")
		list(w, t.Parents, func(p EdOrgParent) {
			w.begin('{')
			w.strField("parent_type", p.ParentType)
			w.strField("column", p.Column)
			w.end('}')
		})
		w.end('}')
	})
	w.end('}')
	w.buf = append(w.buf, '\n')
	return w.buf, nil
}

// list writes a JSON array (null for a nil slice, as encoding/json does).
func list[T any](w *writer, items []T, each func(T)) {
	if items == nil {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.begin('[')
	for _, it := range items {
		w.item()
		each(it)
	}
	w.end(']')
}

func (w *writer) typ(k string, t Type) {
	w.key(k)
	w.begin('{')
	w.strField("kind", string(t.Kind))
	if t.MaxLength != 0 {
		w.intField("max_length", t.MaxLength)
	}
	if t.Precision != 0 {
		w.intField("precision", t.Precision)
	}
	if t.Scale != 0 {
		w.intField("scale", t.Scale)
	}
	w.end('}')
}

func (w *writer) resource(r Resource) {
	w.begin('{')
	w.strField("project_name", r.ProjectName)
	w.strField("resource_name", r.ResourceName)
	w.strField("project_endpoint_name", r.ProjectEndpoint)
	w.strField("endpoint_name", r.EndpointName)
	w.intField("resource_key_id", int(r.ResourceKeyID))
	w.strField("storage", string(r.Storage))
	w.boolField("is_descriptor", r.IsDescriptor)
	w.boolField("is_school_year_enumeration", r.IsSchoolYearEnumeration)
	w.boolField("allow_identity_updates", r.AllowIdentityUpdates)
	w.key("superclass")
	if s := r.Superclass; s == nil {
		w.buf = append(w.buf, "null"...)
	} else {
		w.begin('{')
		w.strField("project_name", s.ProjectName)
		w.strField("resource_name", s.ResourceName)
		w.strField("identity_rename", s.IdentityRename)
		w.boolField("is_abstract", s.IsAbstract)
		w.end('}')
	}
	w.key("identity")
	list(w, r.Identity, func(e IdentityElement) {
		w.begin('{')
		w.strField("path", e.Path)
		w.strField("source", string(e.Source))
		w.strField("column", e.Column)
		if e.TargetIdentityPath != "" {
			w.strField("target_identity_path", e.TargetIdentityPath)
		}
		w.typ("type", e.Type)
		w.end('}')
	})
	w.key("tables")
	list(w, r.Tables, w.table)
	w.key("edge_sources")
	list(w, r.EdgeSources, func(e EdgeSource) {
		w.begin('{')
		w.strField("table", e.Table)
		w.strField("column", e.Column)
		w.strField("kind", string(e.Kind))
		w.strField("target_project_name", e.TargetProject)
		w.strField("target_resource_name", e.TargetResource)
		w.boolField("target_is_abstract", e.TargetIsAbstract)
		w.boolField("is_identity_component", e.IsIdentityComponent)
		w.boolField("is_required", e.IsRequired)
		w.strField("path", e.Path)
		w.key("bindings")
		list(w, e.Bindings, func(b Binding) {
			w.begin('{')
			w.strField("reference_path", b.ReferencePath)
			w.strField("identity_path", b.IdentityPath)
			w.typ("type", b.Type)
			w.end('}')
		})
		w.end('}')
	})
	w.key("query_fields")
	list(w, r.QueryFields, func(q QueryField) {
		w.begin('{')
		w.strField("name", q.Name)
		w.key("targets")
		list(w, q.Targets, func(t QueryTarget) {
			w.begin('{')
			w.strField("path", t.Path)
			w.strField("column", t.Column)
			w.strField("kind", string(t.Kind))
			if t.TargetIdentityPath != "" {
				w.strField("target_identity_path", t.TargetIdentityPath)
			}
			w.strField("type", t.Type)
			w.end('}')
		})
		w.end('}')
	})
	w.key("uniqueness")
	list(w, r.Uniqueness, func(u Uniqueness) {
		w.begin('{')
		w.strField("table", u.Table)
		w.strField("constraint", u.Constraint)
		w.strings("columns", u.Columns)
		w.strings("paths", u.Paths)
		w.end('}')
	})
	w.key("equality")
	list(w, r.Equality, func(e Equality) {
		w.begin('{')
		w.strField("source_path", e.SourcePath)
		w.strField("target_path", e.TargetPath)
		w.end('}')
	})
	w.key("property_rules")
	list(w, r.PropertyRules, func(p PropertyRule) {
		w.begin('{')
		w.strField("path", p.Path)
		w.boolField("required", p.Required)
		w.intField("min_items", p.MinItems)
		w.end('}')
	})
	w.key("securable_elements")
	list(w, r.SecurableElements, func(e SecurableElement) {
		w.begin('{')
		w.intField("ordinal", e.Ordinal)
		w.strField("subject", string(e.Subject))
		w.strField("path", e.Path)
		w.strField("name", e.Name)
		w.strField("site", string(e.Site))
		w.strField("column", e.Column)
		w.key("hops")
		list(w, e.Hops, func(h Hop) {
			w.begin('{')
			w.strField("table", h.Table)
			w.strField("column", h.Column)
			w.strField("target_project_name", h.TargetProject)
			w.strField("target_resource_name", h.TargetResource)
			w.boolField("target_is_abstract", h.TargetIsAbstract)
			w.end('}')
		})
		w.strField("subject_project_name", e.SubjectProject)
		w.strField("subject_resource_name", e.SubjectResource)
		w.strField("subject_column", e.SubjectColumn)
		w.end('}')
	})
	w.end('}')
}

func (w *writer) table(t Table) {
	w.begin('{')
	w.strField("schema", t.Schema)
	w.strField("name", t.Name)
	w.strField("scope", t.Scope)
	w.strField("kind", string(t.Kind))
	w.strField("parent", t.Parent)
	w.strField("extension_project", t.ExtensionProject)
	w.strings("key_columns", t.KeyColumns)
	w.strings("parent_key_columns", t.ParentKeyColumns)
	w.key("columns")
	list(w, t.Columns, func(c Column) {
		w.begin('{')
		w.strField("name", c.Name)
		w.strField("kind", string(c.Kind))
		w.typ("type", c.Type)
		w.boolField("nullable", c.Nullable)
		w.strField("source_path", c.SourcePath)
		if v := c.Validation; v != nil {
			w.key("validation")
			w.begin('{')
			if v.MinLength != 0 {
				w.intField("min_length", v.MinLength)
			}
			if v.Minimum != "" {
				w.strField("minimum", v.Minimum)
			}
			if v.Maximum != "" {
				w.strField("maximum", v.Maximum)
			}
			if v.Pattern != "" {
				w.strField("pattern", v.Pattern)
			}
			if len(v.Enum) > 0 {
				w.strings("enum", v.Enum)
			}
			w.end('}')
		}
		w.end('}')
	})
	w.end('}')
}

func (w *writer) abstract(a AbstractResource) {
	w.begin('{')
	w.strField("project_name", a.ProjectName)
	w.strField("resource_name", a.ResourceName)
	w.strField("view_schema", a.ViewSchema)
	w.strField("view_name", a.ViewName)
	w.key("identity")
	list(w, a.Identity, func(v ViewIdentity) {
		w.begin('{')
		w.strField("path", v.Path)
		w.strField("column", v.Column)
		w.typ("type", v.Type)
		w.end('}')
	})
	w.key("members")
	list(w, a.Members, func(m Member) {
		w.begin('{')
		w.strField("project_name", m.ProjectName)
		w.strField("resource_name", m.ResourceName)
		w.strField("discriminator", m.Discriminator)
		w.end('}')
	})
	w.end('}')
}

// estimateSize guesses the encoded size (about 1 KiB per column and per
// resource) so the buffer rarely has to grow.
func estimateSize(m *Manifest) int {
	n := 64 << 10
	for _, r := range m.Resources {
		n += 1 << 10
		for _, t := range r.Tables {
			n += len(t.Columns) << 10
		}
	}
	return n
}
