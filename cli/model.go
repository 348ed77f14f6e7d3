package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/compiler"
	"github.com/edfi-dmsc/dmsc/dialect/all"
	"github.com/edfi-dmsc/dmsc/model"
)

// modelFlags holds the flags of `dmsc model`.
type modelFlags struct {
	schema    schemaFlags
	dialect   string
	format    outputFormat
	resources []string
}

// newModelCmd builds `dmsc model`.
func newModelCmd(e *env) *cobra.Command {
	f := modelFlags{dialect: string(model.PgSQL)}
	cmd := &cobra.Command{
		Use:   "model [-s FILE...] [--dialect pgsql|mssql] [--resource NAME...] [--format text|json]",
		Short: "Compile a schema set and print its relational model",
		Long: `Compile a schema set and print the relational model dmsc derives for one
dialect: every table with its JSON scope, columns, types and nullability,
and the width report (column count, worst-case fixed and variable bytes per
row) that the width gate checks against the dialect's limits.

With --format json, dmsc prints the runtime mapping manifest that
"dmsc ddl emit" writes as manifest.<dialect>.json.

--resource NAME (repeatable) prints only the resources it names: a
resource name (School) or endpoint (schools), matched case-insensitively,
an abstract resource (its union view), or ed-fi/schools and Ed-Fi:School
to pick one project's. With --format json, the manifest then holds only
those resources.

Without -s, the built-in example schema set is compiled.`,
		Example: `  dmsc model
  dmsc model -s ApiSchema.json --dialect mssql
  dmsc model -s ApiSchema.json --resource School --resource studentSchoolAssociations
  dmsc model -s ApiSchema.json -s ApiSchema-Sample.json --format json > manifest.json`,
		RunE: func(*cobra.Command, []string) error { return runModel(e, &f) },
	}
	addSchemaFlags(cmd, &f.schema, schemaExample)
	cmd.Flags().StringVarP(&f.dialect, dialectFlag, "d", f.dialect, "`DIALECT` whose naming rules apply: pgsql or mssql")
	markChoices(cmd.Flags(), "dialect", dialectChoices()...)
	cmd.Flags().StringArrayVar(&f.resources, "resource", nil, "print only resource `NAME` (name or endpoint, case-insensitive; repeatable)")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runModel compiles and prints the model of one dialect.
func runModel(e *env, f *modelFlags) error {
	d, err := all.Parse(f.dialect)
	if err != nil {
		return usageErrorf("--dialect %q: must be %s", f.dialect, orList(dialectChoices()))
	}
	res, err := e.compile(&f.schema, true)
	if err != nil {
		return err
	}
	m := res.Model(d)
	sel, err := selectResources(m, f.resources)
	if err != nil {
		return err
	}
	if f.format == formatJSON {
		man := compiler.Manifest(m)
		filterManifest(man, sel)
		data, err := man.Encode()
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(data)
		return err
	}
	return writeModel(e.stdout, m, sel)
}

// writeModel renders a model as text for review: the resources and views
// sel selects (all of them when sel is nil).
func writeModel(w io.Writer, m *model.Model, sel resourceSelection) error {
	var b strings.Builder
	fmt.Fprintf(&b, "dialect %s, mapping %s, effective schema hash %s\n", m.Dialect, m.MappingVersion, m.EffectiveSchemaHash)
	for _, p := range m.Projects {
		kind := "core"
		if p.IsExtension {
			kind = "extension"
		}
		fmt.Fprintf(&b, "project %s (%s %s, %s) → schema %s\n", p.EndpointName, p.ProjectName, p.ProjectVersion, kind, p.Schema)
	}
	fmt.Fprintf(&b, "%s\n", compiler.Summary(m))
	widths := map[string]model.TableWidth{}
	for _, wd := range m.Widths {
		widths[wd.Table] = wd
	}
	for _, r := range m.Resources {
		if sel != nil && !sel[keyOf(r.ProjectName, r.ResourceName)] {
			continue
		}
		if r.Storage == model.StorageDescriptor {
			fmt.Fprintf(&b, "\n%s %s: descriptor, stored in dms.Descriptor (resource key %d)\n", r.ProjectName, r.ResourceName, r.ResourceKeyID)
			continue
		}
		fmt.Fprintf(&b, "\n%s %s (resource key %d)\n", r.ProjectName, r.ResourceName, r.ResourceKeyID)
		for _, t := range r.Tables {
			wd := widths[t.Qualified()]
			extends := ""
			if t.Kind == model.RootExtensionTable || t.Kind == model.CollectionExtensionTable {
				// The scope minus `._ext.{p}` is the JSON object extended,
				// stored in the parent table (inlined objects included).
				extends = fmt.Sprintf("  extends %s %s", t.Parent.Qualified(), t.Scope.Parent().Parent())
			}
			fmt.Fprintf(&b, "  %s  %s%s  [%d columns, %d fixed + %d variable bytes/row]\n", t.Qualified(), t.Scope, extends, wd.Columns, wd.FixedBytes, wd.VarBytes)
			nameWidth, typeWidth := columnWidths(t)
			for _, c := range t.Columns {
				null := "NOT NULL"
				if c.Nullable {
					null = "NULL"
				}
				extra := ""
				switch {
				case c.IsKey:
					extra = "  key"
				case c.Reference != nil:
					extra = "  → " + c.Reference.TargetProject + " " + c.Reference.TargetResource
				case c.Descriptor != nil:
					extra = "  → " + c.Descriptor.DescriptorResource
				}
				if c.Kind == model.ScalarColumn || c.Kind == model.DescriptorFKColumn || c.Kind == model.DocumentFKColumn {
					extra += "  " + c.Path.String()
				}
				fmt.Fprintf(&b, "    %-*s %-*s %-8s%s\n", nameWidth, c.Name, typeWidth, c.Type, null, extra)
			}
		}
	}
	for _, v := range m.Views {
		if sel != nil && !sel[keyOf(v.ProjectName, v.ResourceName)] {
			continue
		}
		fmt.Fprintf(&b, "\nview %s.%s (abstract %s %s):", v.Schema, v.Name, v.ProjectName, v.ResourceName)
		for _, a := range v.Arms {
			fmt.Fprintf(&b, " %s", a.Discriminator)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Minimum widths of the name and type columns of `dmsc model`'s text: a
// table whose names or types are longer widens its own columns.
const (
	minNameWidth = 40
	minTypeWidth = 14
)

// columnWidths returns the widths that align the name and type columns of
// t's rows.
func columnWidths(t *model.Table) (name, typ int) {
	name, typ = minNameWidth, minTypeWidth
	for _, c := range t.Columns {
		name = max(name, len(c.Name))
		typ = max(typ, len(c.Type.String()))
	}
	return name, typ
}
