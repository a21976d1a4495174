// Package strictjson is the one JSON reader of the project: RFC 8259
// syntax, read by github.com/go-json-experiment/json/jsontext, with the
// restrictions of RFC 7493 (I-JSON) §2.1 and §2.3 that keep two readers
// from seeing two different documents in one input:
//
//   - object member names are unique (after unescaping, so "a" and "\u0061"
//     are the same name);
//   - the input is valid UTF-8, and a \u escape that is half of a UTF-16
//     surrogate pair is refused (unless [Options.ReplaceLoneSurrogates]);
//   - exactly one value, then only white space;
//   - nesting and size are bounded.
//
// Numbers are kept as the literal written (no float conversion), so that
// 1e400 or 2.0000000000000000001 reach the caller as written.
//
// Every error is an [*Error] with the byte offset, line and column of the
// offending byte and one of the Err values as its kind, which callers map
// onto their own error types.
//
// [Decoder] reads tokens for callers that decode into their own types;
// [Parse] builds the generic tree (map[string]any, []any, string, bool, nil,
// json.Number).
package strictjson
