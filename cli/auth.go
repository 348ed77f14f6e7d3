package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edfi-dmsc/dmsc/apischema"
	"github.com/edfi-dmsc/dmsc/authinfer"
	"github.com/edfi-dmsc/dmsc/diag"
)

// authOverlayFlag is the flag naming an --auth-overlay file.
const authOverlayFlag = "auth-overlay"

// addAuthOverlayFlag adds --auth-overlay FILE to cmd, stored in *dst.
func addAuthOverlayFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, authOverlayFlag, "",
		"authorization metadata `FILE` (securableElements keyed Project/Resource, educationOrganizationHierarchy, educationOrganizationTypes) for schemas that lack it; dmsc auth infer proposes one")
	markPath(cmd.Flags(), authOverlayFlag)
}

// applyAuthOverlay reads the overlay at path (none when path is "") and
// applies it to set (apischema.Set.ApplyAuthOverlay). Warnings are printed
// unless f.quiet; errors are returned (exit 1).
func (e *env) applyAuthOverlay(set *apischema.Set, path string, f *schemaFlags) error {
	var d diag.List
	var o *apischema.Overlay
	if path != "" {
		o = apischema.LoadOverlay(path, &d)
		if d.HasErrors() {
			e.warn(f, &d)
			return d.Err()
		}
	}
	set.ApplyAuthOverlay(o, &d)
	e.warn(f, &d)
	return d.Err()
}

// newAuthCmd builds the `dmsc auth` command group.
func newAuthCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Authorization metadata: propose an --auth-overlay, check one",
		Long: `Authorization metadata: the securable elements of each resource (the
document paths that hold EdOrg ids, person ids and namespaces) and the
education organization types and hierarchy. Current ApiSchema files carry
them; DS 5.0 and 5.1 files do not, and an --auth-overlay file supplies them.

  infer  propose an overlay for a schema set, explaining each element
  check  apply an overlay to a schema set and report what each resource gets`,
	}
	cmd.AddCommand(newAuthInferCmd(e), newAuthCheckCmd(e), newAuthAuditCmd(e, false), newAuthAuditCmd(e, true))
	return cmd
}

// authInferFlags holds the flags of `dmsc auth infer`.
type authInferFlags struct {
	schema schemaFlags
	format outputFormat
	all    bool
}

// newAuthInferCmd builds `dmsc auth infer`.
func newAuthInferCmd(e *env) *cobra.Command {
	var f authInferFlags
	cmd := &cobra.Command{
		Use:   "infer -s FILE... [--all] [--format text|json]",
		Short: "Propose an --auth-overlay for a schema set by MetaEd's rules, explaining each element",
		Long: `Propose the authorization metadata MetaEd would have written into the
schema set's ApiSchema files: each resource's securableElements
(EducationOrganization, Student, Contact, Staff and Namespace paths) and the
educationOrganizationTypes and educationOrganizationHierarchy, derived by
MetaEd's own rules from the identities and references of the loaded files.

The text report explains every proposed element: the identity or reference
path it follows, the MetaEd rule that picks it, and why identity values
that hold an EdOrg id are not proposed (a role name on the way). Warnings
name what the files cannot settle (review those).

With --format json, dmsc prints the overlay itself, ready for
--auth-overlay. It holds the resources whose files declare no
securableElements, and the hierarchy and types unless the core project
declares them; --all adds everything (the text report then compares each
declared list with the proposal).`,
		Example: `  dmsc auth infer -s ApiSchema.json
  dmsc auth infer -s ApiSchema.json --format json > ds-5.0.overlay.json
  dmsc auth infer -s ApiSchema.json -s ApiSchema-Sample.json --all`,
		RunE: func(*cobra.Command, []string) error { return runAuthInfer(e, &f) },
	}
	cmd.Flags().StringArrayVarP(&f.schema.schemas, "schema", "s", nil, schemaFlagHelp[schemaRequired])
	markPath(cmd.Flags(), "schema")
	cmd.Flags().BoolVarP(&f.schema.quiet, "quiet", "q", false, "do not print warnings")
	cmd.Flags().BoolVar(&f.all, "all", false, "propose for every resource, also those whose files declare their own securableElements")
	addFormatFlag(cmd, &f.format)
	return cmd
}

// runAuthInfer loads the schema set, infers and prints the proposal.
func runAuthInfer(e *env, f *authInferFlags) error {
	set, err := e.loadSet(&f.schema, false)
	if err != nil {
		return err
	}
	var d diag.List
	res := authinfer.Infer(set, &d)
	e.warn(&f.schema, &d)
	if f.format == formatJSON {
		_, err := e.stdout.Write(res.ForOverlay(set, f.all).JSON())
		return err
	}
	return writeInferReport(e.stdout, set, res, f.all)
}

// writeInferReport writes the text report of an inference.
func writeInferReport(w io.Writer, set *apischema.Set, res *authinfer.Result, all bool) error {
	var b strings.Builder
	names := make([]string, len(set.Projects))
	for i, p := range set.Projects {
		names[i] = p.ProjectName + " " + p.ProjectVersion
	}
	proposed, declared := 0, 0
	for _, rr := range res.Resources {
		if rr.Resource.SecurableOrigin.From == apischema.AuthSchema {
			declared++
		}
		if all || rr.Resource.SecurableOrigin.From != apischema.AuthSchema {
			proposed++
		}
	}
	fmt.Fprintf(&b, "Authorization metadata proposed by MetaEd's rules for %s\n", strings.Join(names, " + "))
	fmt.Fprintf(&b, "%d resources: %d proposed, %d declare their own securableElements", len(res.Resources), proposed, declared)
	if declared > 0 && !all {
		b.WriteString(" (not proposed; --all compares them)")
	}
	b.WriteString("\n")

	core := set.Core
	if core == nil && len(set.Projects) == 1 {
		core = set.Projects[0]
	}
	if !res.HasEdOrg {
		b.WriteString("\nNo EdOrg types or hierarchy: the set has no Ed-Fi EducationOrganization.\n")
	} else {
		b.WriteString("\neducationOrganizationTypes")
		if core != nil && core.EdOrgTypesOrigin.From == apischema.AuthSchema {
			fmt.Fprintf(&b, " (%s declares its own)", core.ProjectName)
		}
		b.WriteString(":\n")
		for i, t := range res.EdOrgTypes {
			fmt.Fprintf(&b, "  %s\n      %s [%s]\n", t, res.TypeReasons[i], authinfer.RuleEdOrgType)
		}
		b.WriteString("\neducationOrganizationHierarchy")
		if core != nil && core.EdOrgHierarchyOrigin.From == apischema.AuthSchema {
			fmt.Fprintf(&b, " (%s declares its own)", core.ProjectName)
		}
		b.WriteString(":\n")
		for _, e := range res.Hierarchy {
			fmt.Fprintf(&b, "  %s → %s  %s\n      %s [%s]\n", e.Type, e.ParentType, e.Path, e.Why, authinfer.RuleEdOrgParent)
		}
	}

	b.WriteString("\nsecurableElements:\n")
	descriptors := map[string]int{}
	var projectOrder []string
	var none []string
	for _, rr := range res.Resources {
		r := rr.Resource
		if !all && r.SecurableOrigin.From == apischema.AuthSchema {
			continue
		}
		if r.IsDescriptor && len(rr.Rejected) == 0 && (r.SecurableOrigin.From != apischema.AuthSchema || r.Securable.Equal(rr.Elements)) {
			if _, ok := descriptors[r.Project.ProjectName]; !ok {
				projectOrder = append(projectOrder, r.Project.ProjectName)
			}
			descriptors[r.Project.ProjectName]++
			continue
		}
		if rr.Elements.IsEmpty() && len(rr.Rejected) == 0 && (r.SecurableOrigin.From != apischema.AuthSchema || r.Securable.IsEmpty()) {
			none = append(none, rr.Key())
			continue
		}
		fmt.Fprintf(&b, "%s\n", rr.Key())
		for _, x := range rr.Reasons {
			name := ""
			if x.Kind == apischema.KindEdOrg {
				for _, el := range rr.Elements.EducationOrganization {
					if el.JSONPath.Equal(x.Path) {
						name = " (" + el.MetaEdName + ")"
					}
				}
			}
			fmt.Fprintf(&b, "  %s %s%s\n      %s [%s]\n", x.Kind, x.Path, name, x.Why, x.Rule)
		}
		if rr.Elements.IsEmpty() {
			b.WriteString("  none\n")
		}
		for _, x := range rr.Rejected {
			fmt.Fprintf(&b, "  not %s %s\n      %s [%s]\n", x.Kind, x.Path, x.Why, x.Rule)
		}
		if r.SecurableOrigin.From == apischema.AuthSchema {
			if r.Securable.Equal(rr.Elements) {
				b.WriteString("  declared: the same\n")
			} else {
				b.WriteString("  declared: DIFFERENT:\n")
				writeElementLines(&b, r.Securable, "    ")
			}
		}
	}
	for _, p := range projectOrder {
		fmt.Fprintf(&b, "%s: %d descriptors\n  Namespace $.namespace\n      every descriptor is namespace-secured by its own namespace [%s]\n", p, descriptors[p], authinfer.RuleNamespaceDescriptor)
	}
	if len(none) > 0 {
		fmt.Fprintf(&b, "No securable elements (%d): %s\n", len(none), strings.Join(none, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeElementLines lists elements one per line.
func writeElementLines(b *strings.Builder, el apischema.SecurableElements, indent string) {
	if el.IsEmpty() {
		fmt.Fprintf(b, "%snone\n", indent)
	}
	for _, k := range apischema.SecurableKinds() {
		if k == apischema.KindEdOrg {
			for _, x := range el.EducationOrganization {
				fmt.Fprintf(b, "%s%s %s (%s)\n", indent, k, x.JSONPath, x.MetaEdName)
			}
			continue
		}
		for _, p := range el.Paths(k) {
			fmt.Fprintf(b, "%s%s %s\n", indent, k, p)
		}
	}
}

// authCheckFlags holds the flags of `dmsc auth check`.
type authCheckFlags struct {
	schema schemaFlags // --auth-overlay in schema.authOverlay
	format outputFormat
}

// newAuthCheckCmd builds `dmsc auth check`.
func newAuthCheckCmd(e *env) *cobra.Command {
	var f authCheckFlags
	cmd := &cobra.Command{
		Use:   "check -s FILE... [--auth-overlay FILE] [--format text|json]",
		Short: "Apply an --auth-overlay to a schema set and report where each resource's securable elements come from",
		Long: `Load the schema set and the overlay, apply the overlay and report, per
project, how many resources take their securableElements from their own
file, from the overlay, or from neither (treated as none), and where the
core's EdOrg hierarchy and types come from.

The overlay is checked strictly: an unknown key, a Project/Resource the set
does not hold, or a malformed element is an error (exit 1) naming it. The
schema's own metadata wins: an overlay entry for a resource that declares its
own is ignored with a warning, and so are an overlay hierarchy and types when
the core declares its own. An extension whose copy of the hierarchy differs
from the core's gets a warning.

With --format json the report is {"projects":[...],"resources":[...]}: per
project {"project","resources","schema","overlay","absent"}, per resource
{"resource","origin","elements"} with elements in the securableElements shape.`,
		Example: `  dmsc auth check -s ApiSchema.json --auth-overlay ds-5.0.overlay.json
  dmsc auth check -s ApiSchema.json -s ApiSchema-Sample.json --auth-overlay ds-5.0.overlay.json --format json`,
		RunE: func(*cobra.Command, []string) error { return runAuthCheck(e, &f) },
	}
	cmd.Flags().StringArrayVarP(&f.schema.schemas, "schema", "s", nil, schemaFlagHelp[schemaRequired])
	markPath(cmd.Flags(), "schema")
	cmd.Flags().BoolVarP(&f.schema.quiet, "quiet", "q", false, "do not print warnings")
	addAuthOverlayFlag(cmd, &f.schema.authOverlay)
	addFormatFlag(cmd, &f.format)
	return cmd
}

// authCheckProject is one project line of `dmsc auth check --format json`.
type authCheckProject struct {
	Project   string `json:"project"`
	Resources int    `json:"resources"`
	Schema    int    `json:"schema"`
	Overlay   int    `json:"overlay"`
	Absent    int    `json:"absent"`
	Hierarchy string `json:"hierarchy"`
	Types     string `json:"types"`
}

// authCheckResource is one resource of `dmsc auth check --format json`.
type authCheckResource struct {
	Resource string            `json:"resource"`
	Origin   string            `json:"origin"`
	Elements authCheckElements `json:"elements"`
}

// authCheckElements is a securableElements object.
type authCheckElements struct {
	Contact               []string         `json:"Contact"`
	EducationOrganization []authCheckEdOrg `json:"EducationOrganization"`
	Namespace             []string         `json:"Namespace"`
	Staff                 []string         `json:"Staff"`
	Student               []string         `json:"Student"`
}

// authCheckEdOrg is one EducationOrganization element.
type authCheckEdOrg struct {
	JSONPath   string `json:"jsonPath"`
	MetaEdName string `json:"metaEdName"`
}

// runAuthCheck loads, applies and reports.
func runAuthCheck(e *env, f *authCheckFlags) error {
	set, err := e.loadSet(&f.schema, false) // applies --auth-overlay
	if err != nil {
		return err
	}
	if f.schema.authOverlay == "" {
		// Without an overlay, still report what lacks metadata.
		if err := e.applyAuthOverlay(set, "", &f.schema); err != nil {
			return err
		}
	}
	var projects []authCheckProject
	var resources []authCheckResource
	for _, p := range set.Projects {
		line := authCheckProject{Project: p.ProjectName, Hierarchy: p.EdOrgHierarchyOrigin.From.String(), Types: p.EdOrgTypesOrigin.From.String()}
		for _, r := range set.Resources {
			if r.Project != p {
				continue
			}
			line.Resources++
			switch r.SecurableOrigin.From {
			case apischema.AuthSchema:
				line.Schema++
			case apischema.AuthOverlay:
				line.Overlay++
			default:
				line.Absent++
			}
			resources = append(resources, authCheckResource{Resource: p.ProjectName + "/" + r.ResourceName, Origin: r.SecurableOrigin.From.String(), Elements: checkElements(r.Securable)})
		}
		projects = append(projects, line)
	}
	if f.format == formatJSON {
		return writeJSON(e.stdout, struct {
			Projects  []authCheckProject  `json:"projects"`
			Resources []authCheckResource `json:"resources"`
		}{projects, resources})
	}
	var b strings.Builder
	for _, p := range projects {
		fmt.Fprintf(&b, "%s: %d resources: securableElements from the schema %d, from the overlay %d, none %d; educationOrganizationHierarchy %s, educationOrganizationTypes %s\n",
			p.Project, p.Resources, p.Schema, p.Overlay, p.Absent, p.Hierarchy, p.Types)
	}
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// checkElements converts elements to their JSON shape (empty lists, not
// null).
func checkElements(el apischema.SecurableElements) authCheckElements {
	paths := func(k apischema.SecurableKind) []string {
		out := []string{}
		for _, p := range el.Paths(k) {
			out = append(out, p.String())
		}
		return out
	}
	out := authCheckElements{Contact: paths(apischema.KindContact), Namespace: paths(apischema.KindNamespace),
		Staff: paths(apischema.KindStaff), Student: paths(apischema.KindStudent), EducationOrganization: []authCheckEdOrg{}}
	for _, x := range el.EducationOrganization {
		out.EducationOrganization = append(out.EducationOrganization, authCheckEdOrg{JSONPath: x.JSONPath.String(), MetaEdName: x.MetaEdName})
	}
	return out
}
