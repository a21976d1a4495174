// Package certlogic evaluates and validates CertLogic expressions, the
// language of the EU DCC business rules.
//
// It implements the CertLogic specification 1.3.3 (eHealth Network,
// eu-dcc-business-rules/certlogic/specification, 2023-02-17; a copy is in
// ../shared/specs/certlogic): every operation — var, if, ===, and, !, in,
// +, <, >, <=, >=, after, before, not-after, not-before, plusTime, reduce,
// extractFromUVCI, dccDateOfBirth — and the validator the spec delegates to
// certlogic-js ("Validator"). It passes every assertion of the official
// test suites (evaluation and validation), and a differential test runs it
// beside certlogic-js 1.2.2, the reference implementation, on the suites and
// on generated expressions; excused.txt lists where it answers differently
// on purpose, and why.
//
// # Use
//
// [Compile] validates an expression once and prepares it; [Expr.Eval]
// evaluates it on a data context, as often as needed and concurrently.
// [Evaluate] does both. [Validate] lists every problem of an expression with
// its JSON Pointer. [RunSuites] and [RunValidationSuites] run the official
// test-suite formats.
//
// # Values
//
// Expressions and data are JSON trees: map[string]any, []any, string,
// json.Number, bool and nil, as [ParseJSON] reads them (and package dcc
// decodes payloads). float64, int and int64 are read as numbers as well, so
// trees from encoding/json or Go code work. Numbers are IEEE 754 doubles,
// the spec's "integer (as a subset of JavaScript's Number type)". Results are
// trees of the same kinds; a computed number is a json.Number printed as
// JavaScript prints it; plusTime and dccDateOfBirth give a *[DateTime].
//
// # Choices the spec leaves open
//
//   - Validation first. The spec has the evaluator check the validity of
//     the expression before evaluating anything, so an invalid expression is
//     an error even where evaluation would not reach the invalid part.
//     Validation messages are certlogic-js's, word for word.
//   - ===. The spec names JavaScript's === and calls it reliable only on
//     strings and integers; like certlogic-js, arrays, objects and
//     date-times compare by identity: the same value reached twice (a var
//     path, a reduce accumulator) is ===, an array literal or a constructed
//     date-time is new at every evaluation. "in" compares the same way.
//   - Truthiness exactly as the spec lists it: a non-integer number and a
//     date-time are neither truthy nor falsy (an error in if, and, !).
//   - var follows JSON: own members of objects, elements of arrays at
//     decimal indices; null otherwise (no "length", no characters of a
//     string).
//   - Dates. plusTime and dccDateOfBirth read exactly the formats the spec
//     lists. The spec leaves invalid dates undefined; where JavaScript's Date
//     (which the spec uses to define plusTime) reads one as a real day — days
//     29 to 31 of any month roll into the next, 24:00:00 ends the day — this
//     package does the same, and where it would give an Invalid Date (month
//     13, hour 25, a result beyond ±8.64e15 ms) this package refuses with
//     [ErrInvalidDate] rather than let a date compare false with everything.
//   - reduce over null gives the initial value (certlogic-js, and the suite
//     "Filter, map, all, none, and some"); the lambda's data is
//     {"accumulator", "current"} without the optional "data" the spec
//     mentions (the suite "patched operations" is marked skip).
//
// # Limits
//
// A rule comes from a gateway and may be hostile. [Limits] bound the nesting,
// size and strings of an expression and the work of an evaluation (reduce
// iterations, elements "in" scans); [ParseJSON] bounds nesting and refuses
// duplicate keys; [MarshalJSON] bounds the size of what it writes. Excess is
// an error wrapping [ErrLimit], never a crash or a hang.
package certlogic
