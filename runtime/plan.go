package runtime

import (
	"errors"

	"github.com/edfi-dmsc/dmsc/manifest"
	"github.com/jackc/pgx/v5"
)

// plan is one resource's compiled mapping and SQL.
type plan struct {
	res *manifest.Resource
}

func (s *Store) compile() error {
	s.byPath = map[string]*plan{}
	s.byName = map[string]*plan{}
	for i := range s.m.Resources {
		r := &s.m.Resources[i]
		p := &plan{res: r}
		s.plans = append(s.plans, p)
		s.byPath[r.ProjectEndpoint+"/"+r.EndpointName] = p
		s.byName[r.ProjectName+":"+r.ResourceName] = p
	}
	return nil
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
