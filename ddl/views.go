package ddl

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/dialect"
	"github.com/edfi-dmsc/dmsc/model"
)

// rootAlias is the alias of an arm's member root table.
const rootAlias = "r"

// orderViews returns m's views with every view after the views its arms
// join (members before dependants), ties broken by (schema, name). A cycle
// is an error.
func orderViews(views []*model.View) ([]*model.View, error) {
	sorted := append([]*model.View(nil), views...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return LessName(sorted[i].Schema, sorted[i].Name, sorted[j].Schema, sorted[j].Name)
	})
	byName := make(map[string]*model.View, len(sorted))
	for _, v := range sorted {
		byName[v.Schema+"."+v.Name] = v
	}
	deps := make(map[*model.View][]*model.View, len(sorted))
	for _, v := range sorted {
		for _, arm := range v.Arms {
			for _, vs := range arm.Values {
				for _, h := range vs.Hops {
					if dep := byName[h.Schema+"."+h.Table]; dep != nil {
						deps[v] = append(deps[v], dep)
					}
				}
			}
		}
	}
	done := make(map[*model.View]bool, len(sorted))
	out := make([]*model.View, 0, len(sorted))
	for len(out) < len(sorted) {
		progress := false
		for _, v := range sorted {
			if done[v] || !allDone(deps[v], done) {
				continue
			}
			done[v], progress = true, true
			out = append(out, v)
			break
		}
		if !progress {
			var left []string
			for _, v := range sorted {
				if !done[v] {
					left = append(left, v.Schema+"."+v.Name)
				}
			}
			return nil, fmt.Errorf("abstract views depend on each other in a cycle: %s", strings.Join(left, ", "))
		}
	}
	return out, nil
}

// allDone reports whether every view of vs is in done.
func allDone(vs []*model.View, done map[*model.View]bool) bool {
	for _, v := range vs {
		if !done[v] {
			return false
		}
	}
	return true
}

// viewObject converts an abstract union view: each arm selects the member's
// DocumentId, its discriminator and every identity value through LEFT
// JOINs along the value's hops (shared hop prefixes share one join), each
// cast to the view column's type.
func viewObject(v *model.View) (dialect.View, error) {
	name := v.Schema + "." + v.Name
	out := dialect.View{Schema: v.Schema, Name: v.Name, Columns: make([]string, len(v.Columns))}
	members := strconv.Itoa(len(v.Arms)) + " members"
	if len(v.Arms) == 1 {
		members = "1 member"
	}
	out.Comment = name + ": union view of abstract " + v.ProjectName + " " + v.ResourceName + " (" + members + ")"
	if len(v.Columns) < 2 {
		return out, fmt.Errorf("view %s needs DocumentId and Discriminator columns", name)
	}
	if len(v.Arms) == 0 {
		return out, fmt.Errorf("view %s has no members", name)
	}
	for i, c := range v.Columns {
		if i > 0 {
			if err := dialect.CheckType(c.Type); err != nil {
				return out, fmt.Errorf("view %s column %s: %w", name, c.Name, err)
			}
		}
		out.Columns[i] = c.Name
	}
	for _, arm := range v.Arms {
		if arm.Table == nil {
			return out, fmt.Errorf("view %s: member %s has no root table", name, arm.Discriminator)
		}
		if len(arm.Values) != len(v.Columns)-2 {
			return out, fmt.Errorf("view %s: member %s supplies %d identity values for %d columns", name, arm.Discriminator, len(arm.Values), len(v.Columns)-2)
		}
		sel := dialect.Select{From: dialect.Relation{Schema: arm.Table.Schema, Name: arm.Table.Name, Alias: rootAlias}}
		sel.Items = make([]dialect.Item, 0, len(v.Columns))
		sel.Items = append(sel.Items,
			dialect.Item{Alias: rootAlias, Column: documentIDColumn(arm.Table)},
			dialect.Item{Literal: arm.Discriminator, IsLiteral: true, Cast: true, Type: v.Columns[1].Type})
		joins := map[string]string{}
		for i, vs := range arm.Values {
			alias, path := rootAlias, ""
			for _, h := range vs.Hops {
				path += "\x00" + h.FKColumn + "\x00" + h.Schema + "\x00" + h.Table
				next, ok := joins[path]
				if !ok {
					next = "j" + strconv.Itoa(len(sel.Joins)+1)
					joins[path] = next
					sel.Joins = append(sel.Joins, dialect.Join{
						Relation: dialect.Relation{Schema: h.Schema, Name: h.Table, Alias: next},
						Column:   "DocumentId", LeftAlias: alias, LeftColumn: h.FKColumn,
					})
				}
				alias = next
			}
			sel.Items = append(sel.Items, dialect.Item{Alias: alias, Column: vs.Column, Cast: true, Type: v.Columns[i+2].Type})
		}
		out.Arms = append(out.Arms, sel)
	}
	return out, nil
}

// documentIDColumn names a root table's DocumentId key column.
func documentIDColumn(t *model.Table) string {
	for _, c := range t.Columns {
		if c.Kind == model.DocumentIDColumn {
			return c.Name
		}
	}
	return "DocumentId"
}
