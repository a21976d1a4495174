// Package rules reads, selects and evaluates the business rules of the EU
// Digital COVID Certificate: the validation rules member states publish
// through the EU DCC Gateway, written in CertLogic (package certlogic).
//
// It follows the eHealth Network's "Business rules" specifications as the
// gateway and the EU reference verifier apps (dgca-verifier-app-android and
// -ios, with their CertLogic engine) apply them:
//
//   - Format. A rule is a JSON object with Identifier, Type, Country,
//     Region (optional), Version, SchemaVersion, Engine, EngineVersion,
//     CertificateType, Description, ValidFrom, ValidTo, AffectedFields and
//     Logic. [Parse] is strict: unknown fields, wrong types, duplicate keys,
//     a Logic the CertLogic validator refuses, an Engine other than
//     CERTLOGIC, ValidFrom ≥ ValidTo are errors naming the field. The
//     Identifier's prefix must fit the rule as the gateway requires (GR
//     General, VR Vaccination, TR Test, RR Recovery; IR for Invalidation
//     rules) and its country part be the Country. This project adds: an
//     English description is required (it is the fallback language), and a
//     Region is 1 to 5 upper-case letters or digits.
//   - Selection ([Set.Select]). The Acceptance rules of the country of
//     arrival (a rule with a Region only in that region), the Invalidation
//     rules of the issuing country — the certificate's issuer as the CWT
//     "iss" claim names it, not the payload's "co", which is where the
//     vaccination, test or recovery took place —, of the certificate's type
//     or General, valid at the validation time (ValidFrom ≤ t < ValidTo),
//     and of each Identifier only the latest Version valid then (semver
//     precedence).
//   - Evaluation ([Rule.Evaluate], [Set.Check]) on {"payload": ...,
//     "external": {"valueSets", "validationClock", "countryCode",
//     "issuerCountryCode", "region", "exp", "iat"}}, times as RFC 3339. The
//     verifier apps' convention decides the outcome: true is Pass, false is
//     Fail; an evaluation error or any other value is Open, and so is a rule
//     that asks for a newer CertLogic than this engine or was written for a
//     schema version the certificate does not have (another major version,
//     or a newer minor one). Overall, a certificate fails if a rule fails,
//     is open if a rule is open, and passes otherwise.
//   - Tests ([RunTests], [TestOptions.Run]): the layout and format in which
//     member states stage their rules in the community business-rules
//     repositories (its tooling's validation-rule-test.schema.json): a
//     directory per rule, RULE-ID/rule.json, with RULE-ID/tests/*.json test
//     cases {name?, payload, external?, expected, message?}. The rule's Logic
//     is evaluated on {payload, external} and its result compared with
//     expected by deep equality; validity, engine and schema versions play
//     no part, except that a test whose validation clock the rule is not
//     valid at fails as such. The project's words "pass", "fail", "open" as
//     expected stand for the verifier's outcome ([Rule.Evaluate]).
//     testdata/ES holds example rules of a member state written in that
//     style.
//   - Checks of a rule beyond Parse ([Lint], [Upload.Check]), which the
//     tests report per rule: the gateway's rule schema
//     (validation-rule.schema.json: versions MAJOR.MINOR.PATCH, descriptions
//     of 20 characters or more, unique AffectedFields, a Logic that is an
//     object), its content checks (ValidationRuleService, as the community
//     tooling's Gateway-constraints.adoc lists them: validity of 72 h at
//     least; with an upload time and the published rules, the ValidFrom
//     window and the version order), and AffectedFields against the payload
//     fields the Logic reads ([AffectedFields]).
package rules
