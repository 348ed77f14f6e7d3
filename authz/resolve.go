package authz

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edfi-dmsc/dmsc/manifest"
)

// Action is a claims-file action.
type Action string

// The actions of upstream DMS.
const (
	// ActionCreate is POST.
	ActionCreate Action = "Create"
	// ActionRead is GET (by id and queries).
	ActionRead Action = "Read"
	// ActionUpdate is PUT.
	ActionUpdate Action = "Update"
	// ActionDelete is DELETE.
	ActionDelete Action = "Delete"
	// ActionReadChanges is upstream's Change Queries read (/deletes,
	// /keyChanges); dmsc serves no such route yet.
	ActionReadChanges Action = "ReadChanges"
)

// Actions returns the actions in a fixed order: Create, Read, Update,
// Delete, ReadChanges.
func Actions() []Action {
	return []Action{ActionCreate, ActionRead, ActionUpdate, ActionDelete, ActionReadChanges}
}

// ParseAction returns the known action named name (case-insensitive, as
// upstream matches actions); for any other name it returns Action(name)
// and false.
func ParseAction(name string) (Action, bool) {
	for _, a := range Actions() {
		if strings.EqualFold(string(a), name) {
			return a, true
		}
	}
	return Action(name), false
}

// ActionForMethod maps an HTTP method to its action: POST Create, GET Read,
// PUT Update, DELETE Delete; false for any other method.
func ActionForMethod(method string) (Action, bool) {
	switch method {
	case "POST":
		return ActionCreate, true
	case "GET":
		return ActionRead, true
	case "PUT":
		return ActionUpdate, true
	case "DELETE":
		return ActionDelete, true
	}
	return "", false
}

// ClaimBaseURI prefixes every resource claim name of upstream DMS.
const ClaimBaseURI = "http://ed-fi.org/identity/claims"

// ResourceClaimName returns the resource claim of a resource as upstream
// DMS forms it: ClaimBaseURI/{projectEndpoint}/{resourceName}, the
// project's endpoint name (ed-fi, sample, homograph) and the resource name
// with its first letter lowered (schools → School → school). Claims match
// case-insensitively, so the lowering is cosmetic.
func ResourceClaimName(projectEndpoint, resourceName string) string {
	r := resourceName
	if r != "" && r[0] >= 'A' && r[0] <= 'Z' {
		r = string(r[0]+'a'-'A') + r[1:]
	}
	return ClaimBaseURI + "/" + projectEndpoint + "/" + r
}

// Outcome is the kind of a Decision.
type Outcome uint8

const (
	// OutcomeAllowed: the action is granted; Predicate decides each
	// document.
	OutcomeAllowed Outcome = iota + 1
	// OutcomeDenied: the claim set does not grant the action on the
	// resource (403); Reason says why.
	OutcomeDenied
	// OutcomeNoStrategies: the action is granted but neither the claim set
	// nor any default names a strategy (500, security configuration).
	OutcomeNoStrategies
)

// String names the outcome.
func (o Outcome) String() string {
	switch o {
	case OutcomeAllowed:
		return "allowed"
	case OutcomeDenied:
		return "denied"
	case OutcomeNoStrategies:
		return "no-strategies"
	}
	return "Outcome(?)"
}

// Reason says why a decision is OutcomeDenied.
type Reason uint8

const (
	// ReasonNone: the decision is not a denial.
	ReasonNone Reason = iota
	// ReasonUnknownClaimSet: the claims file declares no such claim set.
	ReasonUnknownClaimSet
	// ReasonNoResourceClaim: the hierarchy has no resource claim (leaf) for
	// the resource.
	ReasonNoResourceClaim
	// ReasonActionNotGranted: no claim of the resource's lineage grants the
	// action to the claim set.
	ReasonActionNotGranted
)

// String names the reason.
func (r Reason) String() string {
	switch r {
	case ReasonUnknownClaimSet:
		return "unknown-claim-set"
	case ReasonNoResourceClaim:
		return "no-resource-claim"
	case ReasonActionNotGranted:
		return "action-not-granted"
	}
	return ""
}

// The problem types of the decisions Status reports as failures, as
// upstream DMS words them.
const (
	// ProblemTypeAuthorization is the type of a 403 for a resource the
	// claim set has no claim for.
	ProblemTypeAuthorization = "urn:ed-fi:api:security:authorization:"
	// ProblemTypeActionDenied is the type of a 403 for an action the claim
	// set is not granted.
	ProblemTypeActionDenied = "urn:ed-fi:api:security:authorization:access-denied:action"
	// ProblemTypeSecurityConfiguration is the type of a 500 for a
	// misconfigured claim (no strategy, or an unknown one).
	ProblemTypeSecurityConfiguration = "urn:ed-fi:api:system:configuration:security"
)

// Decision is the resolution of (claim set, resource, action).
type Decision struct {
	// Outcome is the kind of decision.
	Outcome Outcome
	// Reason says why the decision is a denial (ReasonNone otherwise).
	Reason Reason
	// ClaimSet is the claim set as declared (as asked when unknown).
	ClaimSet string
	// Action is the action resolved.
	Action Action
	// Resource is the resource name as asked (School).
	Resource string
	// ResourceClaim is the resource claim looked for, as the file spells it
	// when found.
	ResourceClaim string
	// Lineage lists the claims from ResourceClaim to its root (nil when
	// the resource claim is absent).
	Lineage []string
	// GrantedBy is the nearest claim of Lineage whose entry for the claim
	// set lists the action ("" unless granted).
	GrantedBy string
	// StrategiesFrom is the claim whose overrides (Overridden) or
	// defaultAuthorization gave the strategies ("" when none did).
	StrategiesFrom string
	// Overridden reports that the strategies are the claim set's overrides
	// on GrantedBy rather than a default.
	Overridden bool
	// Strategies are the strategies in the file's order, duplicates
	// removed.
	Strategies []Strategy
	// Predicate combines Strategies (OutcomeAllowed only).
	Predicate Predicate
}

// Status is the HTTP status a request gets before any document is looked
// at: 403 for a denial, 500 when no strategy or an unknown one applies, 501
// for OwnershipBased, 0 when the predicate is to be evaluated. An unknown
// strategy wins over OwnershipBased, as upstream's classification does.
func (d Decision) Status() int {
	switch d.Outcome {
	case OutcomeDenied:
		return 403
	case OutcomeNoStrategies:
		return 500
	}
	status := 0
	for _, s := range d.Strategies {
		switch s.Kind {
		case KindUnknown:
			return 500
		case KindOwnership:
			status = 501
		}
	}
	return status
}

// ProblemType is the problem-details type of a failing Status (""
// for 0 and for 501, which upstream has no type for).
func (d Decision) ProblemType() string {
	switch d.Status() {
	case 403:
		if d.Reason == ReasonActionNotGranted {
			return ProblemTypeActionDenied
		}
		return ProblemTypeAuthorization
	case 500:
		return ProblemTypeSecurityConfiguration
	}
	return ""
}

// Errors are the problem-details errors of a failing Status, worded as
// upstream DMS words them where it has words (none for a missing resource
// claim).
func (d Decision) Errors() []string {
	switch d.Status() {
	case 403:
		switch d.Reason {
		case ReasonActionNotGranted:
			return []string{fmt.Sprintf("The API client's assigned claim set (currently '%s') must grant permission of the '%s' action on one of the following resource claims: %s", d.ClaimSet, d.Action, d.Resource)}
		case ReasonUnknownClaimSet:
			return []string{fmt.Sprintf("The API client's assigned claim set ('%s') is not defined.", d.ClaimSet)}
		}
		return []string{}
	case 500:
		if d.Outcome == OutcomeNoStrategies {
			return []string{fmt.Sprintf("No authorization strategies are defined for the '%s' action on the resource claim '%s'.", d.Action, d.ResourceClaim)}
		}
		for _, s := range d.Strategies {
			if s.Kind == KindUnknown {
				return []string{fmt.Sprintf("The authorization strategy '%s' of the '%s' action on the resource claim '%s' is not supported.", s.Name, d.Action, d.ResourceClaim)}
			}
		}
	case 501:
		return []string{fmt.Sprintf("The authorization strategy '%s' of the '%s' action on the resource claim '%s' is not implemented.", StrategyOwnershipBased, d.Action, d.ResourceClaim)}
	}
	return nil
}

// String summarizes the decision on one line (for logs and golden files).
func (d Decision) String() string {
	switch d.Outcome {
	case OutcomeDenied:
		return "403 " + d.Reason.String()
	case OutcomeNoStrategies:
		return "500 no-strategies"
	}
	src := "default@" + d.StrategiesFrom
	if d.Overridden {
		src = "override@" + d.StrategiesFrom
	}
	s := d.Predicate.String() + " [" + src + "]"
	if st := d.Status(); st != 0 {
		s = strconv.Itoa(st) + " " + s
	}
	return s
}

// ResolveResource resolves a manifest resource (its project endpoint and
// resource name form the resource claim).
func (c *Claims) ResolveResource(claimSet string, r *manifest.Resource, action Action) Decision {
	return c.Resolve(claimSet, r.ProjectEndpoint, r.ResourceName, action)
}

// Resolve decides what claimSet may do with action on the resource
// resourceName (School) of the project whose endpoint name is
// projectEndpoint (ed-fi), as upstream DMS does:
//
//   - the claim set must be declared (else ReasonUnknownClaimSet);
//   - the resource claim ResourceClaimName(projectEndpoint, resourceName)
//     must be a leaf of the hierarchy (matched case-insensitively; else
//     ReasonNoResourceClaim);
//   - walking from it to the root, the nearest claim whose entry for the
//     claim set lists the action grants it (else ReasonActionNotGranted);
//     a claim naming the claim set without the action does not stop the
//     walk;
//   - its authorizationStrategyOverrides, when non-empty, are the
//     strategies; else those of the nearest claim, walking from the
//     resource claim, whose defaultAuthorization lists the action (an
//     empty list there means none: OutcomeNoStrategies).
func (c *Claims) Resolve(claimSet, projectEndpoint, resourceName string, action Action) Decision {
	d := c.resolveClaim(claimSet, ResourceClaimName(projectEndpoint, resourceName), action)
	d.Resource = resourceName
	return d
}

// resolveClaim resolves the resource claim named claimName.
func (c *Claims) resolveClaim(claimSet, claimName string, action Action) Decision {
	d := Decision{ClaimSet: claimSet, Action: action, ResourceClaim: claimName}
	set, ok := c.ClaimSet(claimSet)
	if !ok {
		d.Outcome, d.Reason = OutcomeDenied, ReasonUnknownClaimSet
		return d
	}
	d.ClaimSet = set.Name
	leaf := c.byName[fold(d.ResourceClaim)]
	if leaf == nil || len(leaf.children) > 0 {
		d.Outcome, d.Reason = OutcomeDenied, ReasonNoResourceClaim
		return d
	}
	d.ResourceClaim = leaf.name
	key := fold(set.Name)
	var granted *actionStrategies
	var defaults *actionStrategies
	var defaultsAt string
	for cl := leaf; cl != nil; cl = cl.parent {
		d.Lineage = append(d.Lineage, cl.name)
		if defaults == nil {
			for i := range cl.defaults {
				if cl.defaults[i].action == action {
					defaults, defaultsAt = &cl.defaults[i], cl.name
					break
				}
			}
		}
		if granted == nil {
			for _, g := range cl.grants {
				if g.key != key {
					continue
				}
				for i := range g.actions {
					if g.actions[i].action == action {
						granted, d.GrantedBy = &g.actions[i], cl.name
						break
					}
				}
				break
			}
		}
	}
	if granted == nil {
		d.Outcome, d.Reason = OutcomeDenied, ReasonActionNotGranted
		return d
	}
	var names []string
	switch {
	case len(granted.strategies) > 0:
		names, d.StrategiesFrom, d.Overridden = granted.strategies, d.GrantedBy, true
	case defaults != nil && len(defaults.strategies) > 0:
		names, d.StrategiesFrom = defaults.strategies, defaultsAt
	default:
		d.Outcome = OutcomeNoStrategies
		return d
	}
	for _, n := range names {
		d.Strategies = append(d.Strategies, LookupStrategy(n))
	}
	d.Outcome = OutcomeAllowed
	d.Predicate = combine(d.Strategies)
	return d
}
