package compiler

import (
	"sort"

	"github.com/edfi-dmsc/dmsc/model"
)

func sortResources(rs []*model.Resource) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].ProjectName != rs[j].ProjectName {
			return rs[i].ProjectName < rs[j].ProjectName
		}
		return rs[i].ResourceName < rs[j].ResourceName
	})
}

// columnGroup orders columns inside a table: keys, reference FKs,
// descriptor FKs, scalars.
func columnGroup(c *model.Column) int {
	switch {
	case c.IsKey:
		return 0
	case c.Kind == model.DocumentFKColumn:
		return 1
	case c.Kind == model.DescriptorFKColumn:
		return 2
	}
	return 3
}

// sortColumns orders a table's columns: key columns in key order, then
// reference FKs, descriptor FKs and scalars, each by name (ordinal).
func sortColumns(cols []*model.Column) {
	sort.SliceStable(cols, func(i, j int) bool {
		gi, gj := columnGroup(cols[i]), columnGroup(cols[j])
		if gi != gj {
			return gi < gj
		}
		if gi == 0 {
			return false
		}
		return cols[i].Name < cols[j].Name
	})
}
