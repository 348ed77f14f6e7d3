// Package authz resolves Ed-Fi authorization strategies from a claims file
// (spec 70-authorization.md, "Strategies").
//
// A claims file has upstream Ed-Fi DMS's Claims.json shape: the declared
// claim sets (`claimSets`: claimSetName, isSystemReserved) and a claims
// hierarchy (`claimsHierarchy`): claims with a `name`, an optional
// `defaultAuthorization` (actions, each with `authorizationStrategies`),
// the claim sets granted on the claim (`claimSets`: name, actions, each
// with optional `authorizationStrategyOverrides`) and nested `claims`.
// Domains are inner claims (http://ed-fi.org/identity/claims/domains/…);
// resources are the leaves, named
// http://ed-fi.org/identity/claims/{projectEndpoint}/{resourceName}.
//
// LoadFile and Parse read such a file, reporting every problem as a
// `file:jsonpath: code: message` diagnostic (package diag) before failing;
// unknown strategy names are kept (with a warning) and make a request fail
// with 500. Claims.Resolve walks from a resource claim to the root and
// returns a Decision: a denial (403), a misconfiguration (500), or the
// granted strategies combined into a Predicate (relationship strategies
// ORed, the rest ANDed) that SQL generation and an evaluator walk.
// Grant.Normalize validates what a caller holds (claim set, EdOrg ids,
// namespace prefixes).
//
// The package imports only the standard library, diag, boundedfile and
// manifest.
package authz
