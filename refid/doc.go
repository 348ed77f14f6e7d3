// Package refid computes ReferentialIds byte-compatible with Ed-Fi DMS Core:
// RFC 4122 version 5 (SHA-1) UUIDs in the namespace
// edf1edf1-3df1-3df1-3df1-3df1edf1edf1 over the UTF-8 name
//
//	ProjectName + ResourceName + join("#", "<identityJsonPath>=<value>" ...)
//
// with one element per identityJsonPaths entry, in that order. A document's
// ReferentialId is computed from its own identity; a reference's from its
// target's project and resource names and the target's identity paths.
//
// Values are canonical text: strings verbatim, numbers fixed-point without
// trailing zeros (NumberValue), booleans true/false (BoolValue), dates
// yyyy-MM-dd (DateValue), date-times and times as DMS stores them
// (DateTimeValue, TimeValue) and descriptor URIs lower-cased
// (DescriptorValue, NewElement).
//
// Facts taken from upstream DMS (Ed-Fi-Alliance-OSS/Data-Management-Service;
// no code was carried over):
//
//   - name layout, namespace and UUIDv5 use:
//     src/dms/core/EdFi.DataManagementService.Core/Extraction/ReferentialIdCalculator.cs;
//     its earlier version wrote each element as "$"+path+"=$"+value, the
//     legacy format (LegacyName);
//   - descriptor paths are "$.descriptor" and any path ending in "Descriptor"
//     or "Descriptor]"; their values are lower-cased with ToLowerInvariant,
//     even when the value is numeric:
//     src/dms/core/EdFi.DataManagementService.Core.External/Model/DocumentIdentity.cs,
//     src/dms/core/EdFi.DataManagementService.Core/Extraction/IdentityValueCanonicalizer.cs;
//   - numbers: parsed as System.Decimal (leading sign and exponent allowed),
//     written fixed-point with up to 28 fractional digits, trailing zeros and
//     a lone decimal point removed, signed zero as "0"; a value that does not
//     parse is kept verbatim: IdentityValueCanonicalizer.cs and its tests
//     src/dms/core/EdFi.DataManagementService.Core.Tests.Unit/Extraction/IdentityValueCanonicalizerTests.cs
//     ("1.50"→"1.5", "2.00"→"2", "1e2"→"100", "1.23e-1"→"0.123",
//     "-0.00"→"0", "1e-28"→"0.0000000000000000000000000001");
//   - text forms shared with the database triggers: dates yyyy-MM-dd,
//     date-times in UTC as yyyy-MM-ddTHH:mm:ssZ (whole seconds), times
//     HH:mm:ss, booleans true/false:
//     src/dms/backend/EdFi.DataManagementService.Backend.External/DialectIdentityTextFormatter.cs;
//   - subclass alias (School → EducationOrganization renames the single
//     identity element; associations keep theirs):
//     src/dms/core/EdFi.DataManagementService.Core/Extraction/IdentityExtractor.cs;
//   - test vectors for descriptor identities ("b13cae2e-…", "0b8cb18e-…",
//     "4f625532-…", "238d2798-…"): the backend unit tests of
//     ReferenceLookupVerificationSupport.
//
// The package uses the standard library only: the runtime imports it.
package refid
